"""Stage reminders go to those who still owe their part, once per deadline."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from points.models import Stage
from points.tasks import send_period_reminders
from portal.notifications.models import Notification, Reminder

pytestmark = pytest.mark.django_db


def test_it_reminds_members_who_have_not_peer_reviewed_once(period, drive, member, teammate, other_team, settings):
    from points import actions

    drive(period, Stage.PEER_REVIEW)
    period.peer_review_due = timezone.now() + dt.timedelta(days=3)
    period.save()
    actions.peer_review_submit(period=period, by=member, member=teammate,
                               scores={ind.code: 10 for ind in period.indicators.all()})
    assert send_period_reminders() == 0  # not due soon yet
    with time_machine.travel(timezone.now() + dt.timedelta(days=2, hours=1)):
        assert send_period_reminders() == 1
        assert send_period_reminders() == 0
    reminder = Reminder.objects.get()
    assert reminder.kind == "peer_review:due_soon"
    assert set(reminder.recipients.values_list("username", flat=True)) == {"teammate"}
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        assert send_period_reminders() == 1
        assert send_period_reminders() == 0
    assert Reminder.objects.filter(kind="peer_review:overdue").exists()
    assert Notification.objects.filter(user=teammate, title__contains=period.name).count() == 3  # opened, soon, overdue


def test_it_reminds_captains_who_have_not_submitted(period, drive, captain, other_team):
    drive(period, Stage.CAPTAIN_SCORING)
    period.captain_scoring_due = timezone.now() - dt.timedelta(hours=1)
    period.save()
    assert send_period_reminders() == 1
    recipients = set(Reminder.objects.get().recipients.values_list("username", flat=True))
    assert recipients == {"captain", "captain2"}
