"""The day-before reminder to people signed up for an activity, with the clock moved by
time-machine: once per sign-up and activity time, none after a cancelled sign-up or activity."""
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from portal.notifications.models import Notification, Reminder
from tests.factories import ActivityFactory, SignUpFactory, UserFactory
from volunteers import actions
from volunteers.actions import ACTIVITY_REMINDER_DAY_BEFORE, activity_reminders_sweep


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


START = local(2026, 12, 12, 9, 30)


@pytest.fixture
def activity(db):
    return ActivityFactory(title="Night school: bookkeeping", place="Youth zone, room 2", starts_at=START,
                           ends_at=local(2026, 12, 12, 11, 30))


@pytest.fixture
def volunteer(db):
    return UserFactory(username="mei", email="mei@example.com", language="en")


def sweep_at(moment: datetime, capture) -> int:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return activity_reminders_sweep()


@pytest.mark.django_db
def test_it_reminds_the_day_before_exactly_once(activity, volunteer, settings, django_capture_on_commit_callbacks):
    signup = SignUpFactory(activity=activity, user=volunteer)
    mail.outbox.clear()
    assert sweep_at(local(2026, 12, 11, 9, 29), django_capture_on_commit_callbacks) == 0
    assert sweep_at(local(2026, 12, 11, 9, 30), django_capture_on_commit_callbacks) == 1
    assert sweep_at(local(2026, 12, 11, 18, 0), django_capture_on_commit_callbacks) == 0
    assert sweep_at(local(2026, 12, 12, 9, 0), django_capture_on_commit_callbacks) == 0

    reminder = Reminder.objects.get(subject_id=signup.pk, kind=ACTIVITY_REMINDER_DAY_BEFORE)
    assert reminder.deadline == START
    note = Notification.objects.get(user=volunteer)
    assert note.title == "Reminder: Night school: bookkeeping on 2026-12-12 09:30"
    assert "Youth zone, room 2" in note.body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mei@example.com"]
    assert mail.outbox[0].body.rstrip().endswith(f"{settings.SITE_URL}/activities/{activity.pk}/")


@pytest.mark.django_db
def test_it_reminds_a_moved_activity_again_for_its_new_time(activity, volunteer, django_capture_on_commit_callbacks):
    SignUpFactory(activity=activity, user=volunteer)
    assert sweep_at(local(2026, 12, 11, 10, 0), django_capture_on_commit_callbacks) == 1
    activity.starts_at, activity.ends_at = local(2026, 12, 14, 9, 30), local(2026, 12, 14, 11, 30)
    activity.save(update_fields=["starts_at", "ends_at"])
    assert sweep_at(local(2026, 12, 12, 9, 0), django_capture_on_commit_callbacks) == 0
    assert sweep_at(local(2026, 12, 13, 10, 0), django_capture_on_commit_callbacks) == 1
    assert Notification.objects.filter(user=volunteer).count() == 2


@pytest.mark.django_db
def test_it_does_not_remind_a_cancelled_sign_up_or_a_cancelled_activity(activity, volunteer,
                                                                       django_capture_on_commit_callbacks):
    other = UserFactory(username="kai")
    SignUpFactory(activity=activity, user=volunteer)
    with time_machine.travel(local(2026, 12, 10, 9, 0), tick=False):
        actions.activity_signup_cancel(activity=activity, by=volunteer)
    cancelled = ActivityFactory(starts_at=START, ends_at=local(2026, 12, 12, 11, 30))
    SignUpFactory(activity=cancelled, user=other)
    with time_machine.travel(local(2026, 12, 10, 9, 0), tick=False):
        actions.activity_cancel(activity=cancelled, reason="Room unavailable")
    before = Notification.objects.count()

    assert sweep_at(local(2026, 12, 11, 10, 0), django_capture_on_commit_callbacks) == 0
    assert not Reminder.objects.filter(kind=ACTIVITY_REMINDER_DAY_BEFORE).exists()
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_the_command_runs_the_sweep(activity, volunteer):
    SignUpFactory(activity=activity, user=volunteer)
    out = StringIO()
    with time_machine.travel(local(2026, 12, 11, 10, 0), tick=False):
        call_command("sweep_activity_reminders", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) sent"
