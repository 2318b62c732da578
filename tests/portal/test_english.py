"""Complete English: with English selected, the demo hall shows no Chinese except people's names,
the name of the other language and the hall's three slogans; staff keep both languages in the
admin; search finds an entry in either language."""
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from portal.accounts.models import User

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+")
# Chinese that stays on an English page on purpose: the switch back to Chinese and the slogans.
ALLOWED = {"简体中文", "进厅眼前一亮", "办事心头一暖", "谈起由衷一笑"}


def _chinese_left(body: str) -> set[str]:
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<svg.*?</svg>", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    from suggestions.models import Suggestion

    # People's names and what people wrote (ledger titles) are theirs, in their language.
    for name in [*User.objects.exclude(display_name="").values_list("display_name", flat=True),
                 *Suggestion.objects.values_list("title", flat=True)]:
        text = text.replace(name, " ")
    return set(CJK.findall(text)) - ALLOWED


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_english_pages_of_the_demo_hall_show_no_chinese(client, demo):
    client.force_login(User.objects.get(username="founder"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    pages = ["/", "/services/", "/bundles/restaurant/", "/services/r05/", "/teams/", "/teams/vanguard/",
             "/activities/", "/leaderboard/", "/dashboard/", "/bookings/"]
    problems = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        left = _chinese_left(response.content.decode())
        if left:
            problems[url] = sorted(left)
    assert problems == {}


def test_the_chinese_pages_keep_the_chinese_names(client, demo):
    body = client.get("/bundles/restaurant/").content.decode()
    assert "青创+餐饮企业一件事" in body and "营业执照" in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/bundles/restaurant/").content.decode()
    assert "Youth start-up + restaurant (one thing)" in body and "Business licence" in body
    assert "青创+餐饮企业一件事" not in body


def test_an_entry_without_english_falls_back_to_its_chinese(client, demo):
    from services.models import Bundle

    Bundle.objects.filter(slug="retail").update(name_en=None)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "青创+个体门店一件事" in client.get("/bundles/retail/").content.decode()


def test_search_finds_items_in_either_language(client, demo):
    assert "食品经营许可" in client.get("/services/?search=food business").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/services/?search=食品经营").content.decode()
    assert "Food business permit" in body


def test_staff_keep_the_chinese_and_the_english_side_by_side_in_the_admin(client, demo):
    from services.models import Bundle

    client.force_login(User.objects.get(username="admin"))
    bundle = Bundle.objects.get(slug="restaurant")
    body = client.get(reverse("admin:services_bundle_change", args=[bundle.pk])).content.decode()
    assert 'name="name_zh_hans"' in body and 'name="name_en"' in body
    assert 'value="Youth start-up + restaurant (one thing)"' in body
    for model, field in [("hall", "department"), ("services", "serviceitem"), ("services", "material"),
                         ("volunteers", "team"), ("volunteers", "activity"), ("points", "period")]:
        response = client.get(reverse(f"admin:{model}_{field}_add"))
        assert response.status_code == 200, field
        assert re.search(r'name="(name|title)_en"', response.content.decode()), field


def test_links_in_mail_and_webhook_messages_are_absolute(settings, entrepreneur, django_capture_on_commit_callbacks):
    from portal.notifications.actions import notify

    settings.SITE_URL = "https://hall.example.org"
    entrepreneur.email = "founder@example.com"
    entrepreneur.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[entrepreneur], title="Your booking", body="See it here:", url="/bookings/ABC/")
    assert "https://hall.example.org/bookings/ABC/" in mail.outbox[-1].body
