from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from tests.factories import ActivityFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_the_activity_feed_is_a_valid_calendar_of_public_activities(client, team):
    open_one = ActivityFactory(team=team, title="惠企政策宣讲", place="青年专区")
    cancelled = ActivityFactory(team=team, status="cancelled")
    ActivityFactory(team=team, status="planned", title="草稿")
    calendar = _parse(client.get("/activities.ics"))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"activity-{open_one.pk}@testserver", f"activity-{cancelled.pk}@testserver"}
    event = events[f"activity-{open_one.pk}@testserver"]
    assert event.decoded("DTSTART") == open_one.starts_at and event.decoded("DTEND") == open_one.ends_at
    assert "惠企政策宣讲" in str(event["SUMMARY"]) and str(event["LOCATION"]) == "青年专区"
    assert str(event["URL"]).endswith(f"/activities/{open_one.pk}/")
    assert "DTSTAMP" in event
    assert str(events[f"activity-{cancelled.pk}@testserver"]["STATUS"]) == "CANCELLED"


def test_the_feed_uses_crlf_lines_folded_to_75_octets(client, team):
    ActivityFactory(team=team, description="很长的说明" * 60)
    body = client.get("/activities.ics").content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_the_feed_leaves_out_activities_long_past_or_far_ahead(client, team, settings):
    settings.VOLUNTEER_FEED_FUTURE_DAYS = 10
    ActivityFactory(team=team, starts_at=timezone.now() + timedelta(days=40),
                    ends_at=timezone.now() + timedelta(days=40, hours=1))
    assert _parse(client.get("/activities.ics")).walk("VEVENT") == []


def test_each_team_has_its_own_feed(client, team):
    mine = ActivityFactory(team=team)
    ActivityFactory(team=TeamFactory(slug="other"))
    calendar = _parse(client.get(f"/teams/{team.slug}/activities.ics"))
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"activity-{mine.pk}@testserver"]
    assert str(calendar["X-WR-CALNAME"]) == team.name
    assert client.get("/teams/nope/activities.ics").status_code == 404


@pytest.mark.parametrize("size", [2, 12])
def test_the_feed_query_count_does_not_grow(client, django_assert_max_num_queries, size):
    for _ in range(size):
        ActivityFactory()
    with django_assert_max_num_queries(2):
        client.get("/activities.ics")
