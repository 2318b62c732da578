import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_three_promises_in_chinese(client):
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "进厅眼前一亮" in body and "办事心头一暖" in body and "谈起由衷一笑" in body
    assert 'name="viewport"' in body


def test_the_language_switch_turns_pages_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "Youth-friendly government service hall" in body


def test_unknown_pages_get_the_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "没有找到这个页面" in response.content.decode()


def test_the_api_docs_load_nothing_from_a_cdn(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn" not in body.lower() and "unpkg" not in body.lower()
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200


def test_the_personal_page_needs_sign_in(client):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_refusal_escaping_a_view_is_a_page_with_its_status_never_a_500(rf):
    from portal.exceptions import Conflict
    from portal.middleware import DomainErrorMiddleware

    request = rf.get("/somewhere/")
    request.user = None
    middleware = DomainErrorMiddleware(lambda r: None)
    response = middleware.process_exception(request, Conflict("该时段已约满。"))
    assert response.status_code == 409
    assert "该时段已约满。" in response.content.decode()
