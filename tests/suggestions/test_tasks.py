from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail

from portal.notifications.models import Notification, Reminder
from suggestions import actions, tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_the_sweeps_are_in_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"suggestions.tasks.remind_overdue_answers", "suggestions.tasks.ask_follow_up"} <= tasks_scheduled


def test_it_reminds_the_department_officer_of_an_overdue_answer_once(submit, walk, officer, hall_staff,
                                                                      django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=TZ), tick=False):
        entry = walk(submit(), "assigned")
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=TZ), tick=False):
        assert tasks.remind_overdue_answers() == 0  # not due yet
    with time_machine.travel(datetime(2026, 6, 20, 10, 0, tzinfo=TZ), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.remind_overdue_answers() == 1
        assert tasks.remind_overdue_answers() == 0  # the same deadline is never reminded twice
    reminder = Reminder.objects.get()
    assert reminder.kind == "suggestion_answer_overdue" and list(reminder.recipients.all()) == [officer]
    assert Notification.objects.filter(user=officer, title__startswith="Overdue").count() + Notification.objects.filter(
        user=officer, title__contains="逾期").count() == 1
    assert any(entry.number in message.subject for message in mail.outbox)


def test_an_unassigned_overdue_entry_reminds_hall_staff(submit, walk, hall_staff):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=TZ), tick=False):
        walk(submit(), "accepted")
    with time_machine.travel(datetime(2026, 7, 1, 10, 0, tzinfo=TZ), tick=False):
        assert actions.suggestion_remind_overdue() == 1
    assert list(Reminder.objects.get().recipients.all()) == [hall_staff]


def test_the_sweep_drains_a_backlog_in_batches(submit, walk, officer, settings):
    settings.SUGGESTION_HOURLY_LIMIT = 10
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=TZ), tick=False):
        for _ in range(5):
            walk(submit(submitter=UserFactory()), "assigned")
    with time_machine.travel(datetime(2026, 7, 1, 10, 0, tzinfo=TZ), tick=False):
        assert actions.suggestion_remind_overdue(batch=2) == 2
        assert actions.suggestion_remind_overdue(batch=2) == 2
        assert actions.suggestion_remind_overdue(batch=2) == 1
        assert actions.suggestion_remind_overdue(batch=2) == 0


def test_it_asks_was_this_resolved_days_after_closing_once(submit, walk, officer, settings):
    settings.SUGGESTION_FOLLOWUP_DAYS = 7
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=TZ), tick=False):
        entry = walk(submit(), "answered")
        actions.suggestion_decline(suggestion=entry, reason="不符合条件", redirect="12345热线", by=officer)
    with time_machine.travel(datetime(2026, 6, 5, 10, 0, tzinfo=TZ), tick=False):
        assert tasks.ask_follow_up() == 0
    with time_machine.travel(datetime(2026, 6, 9, 10, 0, tzinfo=TZ), tick=False):
        assert tasks.ask_follow_up() == 1
        assert tasks.ask_follow_up() == 0
    entry.refresh_from_db()
    assert entry.followup_asked_at is not None
    assert Notification.objects.filter(user=entry.submitter, title__contains="resolved").exists() or \
        Notification.objects.filter(user=entry.submitter, title__contains="解决").exists()


@pytest.mark.worker
def test_a_real_worker_sends_the_overdue_reminder_mail(celery_worker_process, submit, walk, officer):
    import time

    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=TZ), tick=False):
        entry = walk(submit(), "assigned")
    with time_machine.travel(datetime(2026, 7, 1, 10, 0, tzinfo=TZ), tick=False):
        assert actions.suggestion_remind_overdue() == 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        files = list(celery_worker_process.iterdir())
        if files and any(entry.number in f.read_text(errors="ignore") for f in files):
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the worker sent no reminder mail")
