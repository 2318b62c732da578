"""The page cache is never stale: after a write, the next request of every affected page shows
it, in Chinese (the default) and English, to anonymous and signed-in people; and what one person
sees of their own is never served to another."""
import re

import pytest
from django.conf import settings
from django.test import Client

from points.models import Stage
from portal.roles import Role
from tests.factories import (
    BundleFactory,
    BundleItemFactory,
    ServiceItemFactory,
    SlotFactory,
    StepFactory,
    UserFactory,
)
from tests.points.conftest import drive, other_team, period, teammate  # noqa: F401 (fixtures)
from tests.suggestions.conftest import submit, walk  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def onlookers(db):
    """Four people asking for the same pages: anonymous and signed in, each in both languages."""
    spectator = UserFactory(username="spectator", display_name="旁观者", roles=[Role.ENTREPRENEUR])
    clients = {}
    for language in ("zh-hans", "en"):
        for who in ("anonymous", "signed in"):
            client = Client()
            if who == "signed in":
                client.force_login(spectator)
            if language == "en":
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            clients[(who, language)] = client
    return clients


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _assert_language(body: str, language: str) -> None:
    assert f'<html lang="{language}">' in body


def test_it_shows_the_last_place_taken_at_once(onlookers, entrepreneur, client_as):
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    BundleItemFactory(bundle=bundle, item=ServiceItemFactory(code="licence"), position=1)
    slot = SlotFactory(bundle=bundle, capacity=1)
    api = f"/api/v1/slots/?bundle={bundle.slug}"
    picker = f"/bundles/{bundle.slug}/book/"
    for (who, language), client in onlookers.items():
        assert f'"id":{slot.pk},' in _page(client, api).replace(" ", "")
        assert '"remaining":1' in _page(client, api).replace(" ", "")
        if who == "signed in":
            body = _page(client, picker)
            _assert_language(body, language)
            assert f'value="{slot.pk}" aria-describedby' in body  # still open

    response = client_as(entrepreneur).post(picker, {"slot": slot.pk, "note": ""})
    assert response.status_code == 302

    for (who, language), client in onlookers.items():
        assert '"remaining":0' in _page(client, api).replace(" ", ""), (who, language)
        if who == "signed in":
            body = _page(client, picker)
            _assert_language(body, language)
            assert f'value="{slot.pk}" disabled' in body, (who, language)


def test_it_shows_a_published_period_on_the_leaderboard_at_once(onlookers, period, drive):  # noqa: F811
    drive(period, Stage.ALLIANCE_DECISION)
    for (_who, language), client in onlookers.items():
        body = _page(client, "/leaderboard/")
        _assert_language(body, language)
        assert period.name not in body
        assert client.get("/api/v1/leaderboard/").status_code == 404

    drive(period, Stage.PUBLISHED)

    for key, client in onlookers.items():
        body = _page(client, "/leaderboard/")
        assert period.name in body and "商事直通车青年服务队" in body, key
        assert period.name in _page(client, "/api/v1/leaderboard/"), key


def test_it_shows_an_answer_to_an_idea_at_once(onlookers, submit, walk):  # noqa: F811
    entry = walk(submit(), "assigned")
    urls = [f"/ideas/{entry.number}/", "/ideas/", f"/api/v1/suggestions/{entry.number}/"]
    answer = "已协调青年专区周六上午开放，自下月起执行。"
    for (_who, language), client in onlookers.items():
        for url in urls:
            assert answer not in _page(client, url)
        _assert_language(_page(client, urls[0]), language)

    walk(entry, "answered")

    for key, client in onlookers.items():
        assert answer in _page(client, urls[0]), key
        assert answer in _page(client, urls[2]), key
        assert "answered" in _page(client, "/api/v1/suggestions/?status=answered"), key


def test_it_shows_a_bundle_edited_in_the_admin_at_once(onlookers, hall_staff, client_as):
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    entries = []
    for position, code in enumerate(["licence", "food"], start=1):
        item = ServiceItemFactory(code=code)
        StepFactory(item=item, position=1, name="核发证照", kind="own")
        entries.append(BundleItemFactory(bundle=bundle, item=item, position=position))
    urls = ["/services/", f"/bundles/{bundle.slug}/", f"/api/v1/bundles/{bundle.slug}/", "/api/v1/bundles/"]
    for (_who, language), client in onlookers.items():
        for url in urls:
            assert "青创+餐饮企业一件事" in _page(client, url)
        _assert_language(_page(client, "/services/"), language)
        assert '"separate_steps":2' in _page(client, urls[2]).replace(" ", "")

    data = {
        # The admin edits each language in its own column (django-modeltranslation); English left
        # empty falls back to the Chinese name.
        "name_zh_hans": "青创+奶茶店一件事", "name_en": "", "slug": "restaurant", "position": "0",
        "summary_zh_hans": "", "summary_en": "", "description_zh_hans": "", "description_en": "",
        "bundle_items-TOTAL_FORMS": "2", "bundle_items-INITIAL_FORMS": "2",
        "bundle_items-MIN_NUM_FORMS": "0", "bundle_items-MAX_NUM_FORMS": "1000",
    }
    for n, entry in enumerate(entries):
        data.update({f"bundle_items-{n}-id": entry.pk, f"bundle_items-{n}-bundle": bundle.pk,
                     f"bundle_items-{n}-position": entry.position, f"bundle_items-{n}-item": entry.item_id,
                     f"bundle_items-{n}-requires": ""})
    data["bundle_items-1-DELETE"] = "on"
    response = client_as(hall_staff).post(f"/admin/services/bundle/{bundle.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    for key, client in onlookers.items():
        for url in urls:
            body = _page(client, url)
            assert "青创+奶茶店一件事" in body and "青创+餐饮企业一件事" not in body, (key, url)
        assert '"separate_steps":1' in _page(client, urls[2]).replace(" ", ""), key


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_never_serves_one_persons_page_to_another(entrepreneur, other_entrepreneur):
    bundle = BundleFactory(slug="restaurant")
    BundleItemFactory(bundle=bundle, item=ServiceItemFactory(code="licence"), position=1)
    slot = SlotFactory(bundle=bundle, capacity=5)
    first, second = _signed_in(entrepreneur), _signed_in(other_entrepreneur)
    assert first.post(f"/bundles/{bundle.slug}/book/", {"slot": slot.pk, "note": ""}).status_code == 302
    reference = entrepreneur.bookings.get().reference
    mine = _page(first, "/me/")
    assert reference in mine and entrepreneur.display_name in mine
    theirs = _page(second, "/me/")
    assert reference not in theirs and entrepreneur.display_name not in theirs
    assert other_entrepreneur.display_name in theirs
    assert reference in _page(first, f"/bookings/{reference}/")
    assert second.get(f"/bookings/{reference}/").status_code == 404
    assert Client().get(f"/bookings/{reference}/").status_code == 302  # to sign in
    assert reference in _page(first, "/bookings/") and reference not in _page(second, "/bookings/")


def test_it_gives_each_person_a_csrf_token_that_works_with_their_own_cookie(entrepreneur):
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    Client().get("/services/")  # kept for anonymous people
    for client in (Client(enforce_csrf_checks=True), _signed_in(entrepreneur)):
        client.handler.enforce_csrf_checks = True
        body = _page(client, "/services/")
        assert "@@pagecache" not in body
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/services/",
                                                  "csrfmiddlewaretoken": token.search(body).group(1)})
        assert response.status_code == 302
        assert '<html lang="en">' in _page(client, "/services/")


def test_it_answers_304_until_the_page_changes(db):
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    client = Client()
    first = client.get("/api/v1/bundles/")
    etag = first["ETag"]
    assert client.get("/api/v1/bundles/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    bundle.name = "青创+奶茶店一件事"
    bundle.save()
    changed = client.get("/api/v1/bundles/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "青创+奶茶店一件事" in changed.content.decode()
    assert changed["ETag"] != etag


@pytest.mark.django_db(transaction=True)
def test_it_replaces_the_version_once_when_a_transaction_commits_and_never_on_a_rollback():
    from django.db import transaction

    from portal import pagecache
    from services.models import Bundle

    before = pagecache.version()
    with transaction.atomic():
        Bundle.objects.create(slug="restaurant", name="青创+餐饮企业一件事")
        with transaction.atomic():  # a savepoint
            Bundle.objects.create(slug="second", name="青创+奶茶店一件事")
        # Nobody else can see these rows yet: a page rendered now is kept under ``before``.
        assert pagecache.version() == before
    after = pagecache.version()
    assert after != before  # the commit made every page kept from before it a miss

    with pytest.raises(RuntimeError), transaction.atomic():
        Bundle.objects.create(slug="third", name="青创+咖啡店一件事")
        raise RuntimeError("the change is given up")
    assert pagecache.version() == after  # nothing changed: the kept pages stay good


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_rolled_back_savepoint_still_replaces_the_version_for_the_rest():
    from django.db import transaction

    from portal import pagecache
    from services.models import Bundle

    before = pagecache.version()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Bundle.objects.create(slug="restaurant", name="青创+餐饮企业一件事")
            raise RuntimeError("this part is given up")
        Bundle.objects.create(slug="second", name="青创+奶茶店一件事")
    assert pagecache.version() != before


@pytest.mark.django_db(transaction=True)
def test_a_booking_replaces_the_version_with_one_cache_write(monkeypatch, entrepreneur):
    from portal import pagecache

    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    BundleItemFactory(bundle=bundle, item=ServiceItemFactory(code="A01", name="营业执照"))
    slot = SlotFactory(bundle=bundle)
    entrepreneur.email = ""  # no mail to hand over: the count is the booking's transaction alone
    entrepreneur.save()
    client = _signed_in(entrepreneur)
    writes = []
    real_set = pagecache.cache.set
    monkeypatch.setattr(pagecache.cache, "set", lambda key, *a, **k: (writes.append(key), real_set(key, *a, **k)))
    response = client.post("/api/v1/bookings/", {"slot": slot.pk, "bundle": "restaurant"},
                                             content_type="application/json")
    assert response.status_code == 201
    assert writes.count(pagecache.VERSION_KEY) == 1


def test_a_page_whose_view_wrote_is_not_kept():
    from django.db import transaction
    from django.http import HttpResponse
    from django.test import RequestFactory

    from portal import pagecache
    from services.models import Bundle

    calls = []

    def drafting_view(request):
        calls.append(request)
        if len(calls) == 1:  # shows a row it wrote and then gave up: that answer must not be kept
            with transaction.atomic():
                Bundle.objects.create(slug="draft", name="草稿一件事")
                text = f"bundles: {Bundle.objects.count()}"
                transaction.set_rollback(True)
        else:
            text = f"bundles: {Bundle.objects.count()}"
        return HttpResponse(text)

    view = pagecache.page_cache(drafting_view)
    assert view(RequestFactory().get("/drafts/")).content == b"bundles: 1"
    assert view(RequestFactory().get("/drafts/")).content == b"bundles: 0"


def test_it_answers_and_writes_when_the_cache_is_down(monkeypatch, entrepreneur):
    from portal import pagecache

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(pagecache.cache, "get", down)
    monkeypatch.setattr(pagecache.cache, "set", down)
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")  # the write still happens
    assert "青创+餐饮企业一件事" in _page(Client(), "/services/")
    assert bundle.name in _page(_signed_in(entrepreneur), f"/bundles/{bundle.slug}/")
