"""The home page: one main action, a search over items and bundles, popular bundles with what they
save, this week's activities and the latest answered ideas; every link on it is real."""
import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_it_offers_one_main_action_a_search_and_the_sections(client, demo):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert body.count('class="button hero-action"') == 1 and "Book a one-thing service" in body
    assert re.search(r'<form method="get" action="/services/" role="search"', body)
    for title in ["Popular one-thing bundles", "Latest answered golden ideas"]:
        assert title in body, title
    # The demo's activities run Monday to Friday: at a weekend the section shows next week's.
    assert re.search(r"(This|Next) week&#x27;s activities", body)
    assert "Saves " in body and "% of the steps" in body


def test_the_home_search_finds_the_restaurant_bundle(client, demo):
    body = client.get("/services/?search=餐饮").content.decode()
    assert "青创+餐饮企业一件事" in body and "/bundles/restaurant/" in body
    assert "/bundles/logistics/" not in body


def test_every_link_on_the_home_page_answers(client, demo):
    body = client.get("/").content.decode()
    links = set(re.findall(r'href="(/[^"#]*)"', body)) - {"/static/css/portal.css", "/static/img/favicon.svg"}
    assert len(links) > 15
    for link in sorted(links):
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def _hall_time(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_this_weeks_activities_give_way_to_next_weeks_once_the_week_is_over(client):
    saturday = timezone.make_aware(datetime(2026, 12, 5, 10, 0))
    with time_machine.travel(saturday, tick=False):
        friday, monday = saturday.date() - timedelta(days=1), saturday.date() + timedelta(days=2)
        ActivityFactory(title="周五的活动", starts_at=_hall_time(friday, 9))
        ActivityFactory(title="下周一的活动", starts_at=_hall_time(monday, 9))
        ActivityFactory(title="两周后的活动", starts_at=_hall_time(monday + timedelta(days=7), 9))
        body = client.get("/").content.decode()
        assert "下周活动" in body and "本周活动" not in body
        assert "下周一的活动" in body and "周五的活动" not in body and "两周后的活动" not in body
        assert 'href="/activities/?week=2026-12-07"' in body

        sunday_event = ActivityFactory(title="周日的活动", starts_at=_hall_time(saturday.date() + timedelta(days=1), 9))
        body = client.get("/").content.decode()  # a new activity shows at once, cached or not
        assert "本周活动" in body and sunday_event.title in body and "下周一的活动" not in body
