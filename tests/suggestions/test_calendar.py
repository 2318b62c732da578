"""Answer deadlines (10 working days) move with the holiday calendar; the overdue reminder follows."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from portal.hall.actions import HolidayRow, holiday_import
from portal.hall.models import Holiday
from portal.notifications.models import Notification, Reminder
from suggestions import actions
from suggestions.models import Suggestion, SuggestionEvent

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def moment(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_a_new_day_off_moves_the_answer_deadline_and_the_overdue_reminder_comes_once_on_the_new_date(
        submit, walk, officer, hall_staff, django_capture_on_commit_callbacks, settings):
    settings.SUGGESTION_ANSWER_WORKING_DAYS = 10
    with time_machine.travel(moment(2026, 6, 1, 10, 0), tick=False):
        entry = walk(submit(), "assigned")
    assert timezone.localdate(entry.answer_due_at) == date(2026, 6, 15)
    assert (entry.answer_working_days, entry.answer_counted_from) == (10, date(2026, 6, 1))
    with time_machine.travel(moment(2026, 6, 2, 9, 0), tick=False):
        holiday_import(rows=[HolidayRow(date(2026, 6, 3), Holiday.Kind.DAY_OFF, "临时闭厅")], by=hall_staff)
    entry = Suggestion.objects.get(pk=entry.pk)
    assert timezone.localdate(entry.answer_due_at) == date(2026, 6, 16)
    event = entry.events.get(kind=SuggestionEvent.Kind.DEADLINE)
    assert "2026-06-16" in event.note and event.by == hall_staff
    assert Notification.objects.filter(user=officer, title__contains="2026-06-16").count() == 1

    # Tuesday 16 June, the day after the old deadline: not overdue any more.
    with time_machine.travel(moment(2026, 6, 16, 10, 0), tick=False):
        assert actions.suggestion_remind_overdue() == 0
    with time_machine.travel(moment(2026, 6, 17, 10, 0), tick=False):
        assert actions.suggestion_remind_overdue() == 1
        assert actions.suggestion_remind_overdue() == 0
    assert list(Reminder.objects.values_list("deadline", flat=True)) == [entry.answer_due_at]


def test_answered_entries_keep_their_deadline(submit, walk, hall_staff):
    with time_machine.travel(moment(2026, 6, 1, 10, 0), tick=False):
        entry = walk(submit(), "answered")
        due = entry.answer_due_at
        holiday_import(rows=[HolidayRow(date(2026, 6, 3), Holiday.Kind.DAY_OFF, "临时闭厅")], by=hall_staff)
    entry = Suggestion.objects.get(pk=entry.pk)
    assert entry.answer_due_at == due
    assert not entry.events.filter(kind=SuggestionEvent.Kind.DEADLINE).exists()
