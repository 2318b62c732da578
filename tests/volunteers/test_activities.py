from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.exceptions import TransitionNotAllowed
from portal.notifications.models import Notification
from tests.factories import ActivityFactory, SignUpFactory
from volunteers.actions import (
    activity_cancel,
    activity_close,
    activity_complete,
    activity_create,
    activity_open,
    activity_update,
)
from volunteers.exceptions import ActivityInvalid
from volunteers.models import Activity, ActivityStatusChange

pytestmark = pytest.mark.django_db


def _times(hours=2):
    start = timezone.now() + timedelta(days=3)
    return start, start + timedelta(hours=hours)


def test_it_creates_an_activity_with_its_first_history_row(team, hall_staff):
    start, end = _times()
    activity = activity_create(
        team=team, kind=Activity.Kind.LECTURE, title="惠企政策宣讲", starts_at=start, ends_at=end,
        place="青年专区", capacity=30, status=Activity.Status.OPEN, by=hall_staff,
    )
    assert activity.remaining == 30
    change = ActivityStatusChange.objects.get(activity=activity)
    assert change.to_status == "open" and change.by == hall_staff


@pytest.mark.parametrize(
    ("hours", "capacity", "field"),
    [(-1, 10, "ends_at"), (0, 10, "ends_at"), (2, 0, "capacity"), (2, -5, "capacity")],
)
def test_it_refuses_bad_times_and_capacities(team, hours, capacity, field):
    start, end = _times(hours)
    with pytest.raises(ActivityInvalid) as caught:
        activity_create(
            team=team, kind="lecture", title="x", starts_at=start, ends_at=end, place="y", capacity=capacity
        )
    assert caught.value.field == field
    assert not Activity.objects.exists()


def test_it_refuses_a_capacity_below_the_sign_ups(team):
    activity = ActivityFactory(team=team, capacity=3)
    SignUpFactory.create_batch(2, activity=activity)
    with pytest.raises(ActivityInvalid):
        activity_update(activity=activity, data={"capacity": 1})
    activity.refresh_from_db()
    assert activity.capacity == 3


def test_it_moves_only_along_allowed_transitions_and_records_them(team, hall_staff):
    activity = ActivityFactory(team=team, status="planned")
    activity_open(activity=activity, by=hall_staff)
    activity_close(activity=activity, by=hall_staff, reason="名额已满")
    with pytest.raises(TransitionNotAllowed):
        activity_close(activity=activity, by=hall_staff)
    activity.refresh_from_db()
    assert activity.status == "closed"
    assert list(activity.status_changes.values_list("from_status", "to_status")) == [
        ("planned", "open"), ("open", "closed")
    ]


def test_it_refuses_done_before_the_start(team):
    activity = ActivityFactory(team=team)
    with pytest.raises(TransitionNotAllowed):
        activity_complete(activity=activity)


def test_cancelling_tells_everyone_signed_up(team, entrepreneur, other_entrepreneur, django_capture_on_commit_callbacks):
    activity = ActivityFactory(team=team)
    SignUpFactory(activity=activity, user=entrepreneur)
    SignUpFactory(activity=activity, user=other_entrepreneur)
    with django_capture_on_commit_callbacks(execute=True):
        activity_cancel(activity=activity, reason="台风预警")
    notes = Notification.objects.filter(title__contains=activity.title)
    assert {n.user for n in notes} == {entrepreneur, other_entrepreneur}
    assert notes.first().body == "台风预警"


def test_a_finished_activity_can_no_longer_be_edited(team):
    with time_machine.travel(timezone.now() - timedelta(days=5)):
        activity = ActivityFactory(team=team)
    activity_complete(activity=activity)
    with pytest.raises(TransitionNotAllowed):
        activity_update(activity=activity, data={"title": "改名"})
