import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import User
from portal.roles import Role, has_role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "newfounder",
    "email": "new@example.com",
    "display_name": "新创客",
    "mobile": "13812345678",
    "company_name": "青禾科技",
    "password1": "Qingchuang-2026!",
    "password2": "Qingchuang-2026!",
}


def test_it_signs_up_and_signs_in_as_an_entrepreneur(client):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(username="newfounder")
    assert user.mobile == "13812345678" and user.company_name == "青禾科技"
    assert has_role(user, Role.ENTREPRENEUR)
    page = client.get(reverse("accounts:me"))
    assert page.status_code == 200
    assert "新创客" in page.content.decode()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"mobile": "12345"}, "mobile"),
        ({"mobile": "23812345678"}, "mobile"),
        ({"password1": "123", "password2": "123"}, "password2"),
        ({"password2": "Different-2026!"}, "password2"),
    ],
)
def test_it_shows_signup_errors_beside_the_field_and_creates_nothing(client, change, field):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.filter(username="newfounder").exists()


def test_it_refuses_a_taken_username(client):
    UserFactory(username="newfounder")
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username="newfounder").count() == 1


def test_it_signs_in_and_out(client):
    UserFactory(username="zhang")
    response = client.post(reverse("accounts:login"), {"username": "zhang", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:me")).status_code == 302


def test_it_rejects_a_wrong_password_on_the_sign_in_page(client):
    UserFactory(username="zhang")
    response = client.post(reverse("accounts:login"), {"username": "zhang", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_it_changes_the_password(client):
    user = UserFactory(username="zhang")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Another-Pass-2026", "new_password2": "Another-Pass-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Pass-2026")


def test_it_mails_a_working_password_reset_link(client):
    user = UserFactory(username="zhang", email="zhang@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "zhang@example.com"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Reset-Pass-2026", "new_password2": "Reset-Pass-2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reset-Pass-2026")


def test_it_edits_the_profile_and_validates_the_mobile(client):
    user = UserFactory(username="zhang")
    client.force_login(user)
    bad = client.post(reverse("accounts:profile"), {"display_name": "张", "email": "z@example.com", "mobile": "1234", "company_name": ""})
    assert bad.status_code == 200 and "mobile" in bad.context["form"].errors
    good = client.post(reverse("accounts:profile"), {"display_name": "张", "email": "z@example.com", "mobile": "15900001111", "company_name": "张记"})
    assert good.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.mobile, user.company_name) == ("张", "15900001111", "张记")


def test_it_issues_an_api_token_for_good_credentials(api_client):
    UserFactory(username="zhang")
    response = api_client.post("/api/v1/auth/token/", {"username": "zhang", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/auth/token/").status_code == 405  # authenticated, wrong method


@pytest.mark.parametrize("body", [{"username": "zhang", "password": "wrong"}, {"username": "nobody", "password": "x"}, {}, {"username": "zhang"}])
def test_it_answers_400_for_bad_token_requests(api_client, body):
    UserFactory(username="zhang")
    response = api_client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"]


def test_it_answers_400_for_a_malformed_json_body(api_client):
    response = api_client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
