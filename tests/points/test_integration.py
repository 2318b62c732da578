"""Where points meet the volunteers app: approved service hours and the teams' star levels."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from points.models import LedgerEntry, Stage
from tests.factories import ActivityFactory
from volunteers.actions import activity_hours_approve
from volunteers.models import Attendance

pytestmark = pytest.mark.django_db


def test_approved_service_hours_become_ledger_entries_once(team, captain, member, settings):
    settings.POINTS_PER_SERVICE_HOUR = 2
    start = timezone.now() - timedelta(hours=4)
    activity = ActivityFactory(team=team, starts_at=start, ends_at=start + timedelta(hours=3), status="closed")
    Attendance.objects.create(activity=activity, user=member, proposed_hours=Decimal("3.00"))
    activity_hours_approve(activity=activity, by=captain)
    entry = LedgerEntry.objects.get()
    assert (entry.member, entry.points, entry.source, entry.author) == (member, 6, "service_hours", captain)
    assert entry.reference.startswith("hours:")


def test_the_teams_api_and_page_show_the_published_star_level(api_client, client, period, drive):
    drive(period, Stage.PUBLISHED, captain_values={"member": 19, "teammate": 15, "outsider": 14})
    teams = {row["slug"]: row["star_level"] for row in api_client.get(reverse("api-team-list")).json()["results"]}
    assert teams == {"vanguard": 4, "direct": 3}  # averages 85 and 70
    assert api_client.get(reverse("api-team-detail", args=["vanguard"])).json()["star_level"] == 4
    page = client.get(reverse("volunteers:team_detail", args=["vanguard"])).content.decode()
    assert "4 星" in page


def test_team_star_levels_reads_the_latest_published_period(period, drive, team, other_team):
    from points.selectors import team_star_levels

    drive(period, Stage.PUBLISHED, captain_values={"member": 19, "teammate": 15, "outsider": 14})
    assert team_star_levels(team_ids=[team.pk, other_team.pk]) == {team.pk: 4, other_team.pk: 3}
