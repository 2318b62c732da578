"""Volunteers works on its own: what a higher app plugs in through volunteers.hooks is optional."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import ActivityFactory
from volunteers import hooks
from volunteers.actions import activity_hours_approve
from volunteers.models import Attendance
from volunteers.selectors import team_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_subscribers(monkeypatch):
    monkeypatch.setattr(hooks, "_HOURS_APPROVED", [])
    monkeypatch.setattr(hooks, "_STAR_LEVEL", [])


def _past_activity(team):
    start = timezone.now() - timedelta(hours=4)
    return ActivityFactory(team=team, starts_at=start, ends_at=start + timedelta(hours=3), status="closed")


def test_it_lists_teams_without_a_star_level_when_nobody_provides_one(no_subscribers, team,
                                                                      django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        teams = list(team_list())
    assert [t.star_level for t in teams] == [None]


def test_it_approves_hours_when_nobody_subscribes(no_subscribers, team, captain, member):
    activity = _past_activity(team)
    Attendance.objects.create(activity=activity, user=member, proposed_hours=Decimal("3.00"))
    activity = activity_hours_approve(activity=activity, by=captain)
    assert activity.status == "done" and Attendance.objects.get().approved_hours == Decimal("3.00")


def test_a_subscriber_runs_in_the_approval_and_its_failure_rolls_it_back(no_subscribers, team, captain, member):
    seen = []

    @hooks.hours_approved_subscribe
    def refuse(*, activity, by):
        seen.append((activity.pk, by))
        raise RuntimeError("the subscriber failed")

    activity = _past_activity(team)
    Attendance.objects.create(activity=activity, user=member, proposed_hours=Decimal("3.00"))
    with pytest.raises(RuntimeError):
        activity_hours_approve(activity=activity, by=captain)
    assert seen == [(activity.pk, captain)]
    activity.refresh_from_db()
    assert activity.hours_approved_at is None and activity.status == "closed"
    assert Attendance.objects.get().approved_hours is None
