"""The pre-check's periodic jobs: Celery beat entries, tasks and the management commands."""
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from portal.celery import app as celery_app
from portal.notifications.models import Reminder
from services import actions, tasks
from services.models import PrecheckUpload
from tests.services.conftest import jpeg


def test_beat_runs_both_jobs_and_they_are_registered():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["precheck-reminders"]["task"] == "services.tasks.precheck_reminders_sweep"
    assert schedule["precheck-files-purge"]["task"] == "services.tasks.precheck_files_purge"
    celery_app.loader.import_default_modules()
    for entry in ("precheck-reminders", "precheck-files-purge"):
        assert schedule[entry]["task"] in celery_app.tasks


def test_the_commands_purge_and_remind_and_are_safe_to_run_twice(precheck_booking, materials, entrepreneur, officer):
    # The visit a week later than the default: at the deadline it is not yet near enough for the
    # "not ready" flag, whatever weekday the run starts on.
    slot = precheck_booking.slot
    slot.starts_at, slot.ends_at = slot.starts_at + timedelta(days=7), slot.ends_at + timedelta(days=7)
    slot.save(update_fields=["starts_at", "ends_at"])
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    with time_machine.travel(upload.due_at + timedelta(hours=1), tick=False):
        out = StringIO()
        call_command("sweep_precheck_reminders", stdout=out)
        assert out.getvalue().strip() == "2 reminder(s) sent"  # due today and overdue, caught up
        out = StringIO()
        call_command("sweep_precheck_reminders", stdout=out)
        assert out.getvalue().strip() == "0 reminder(s) sent"
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"precheck_due_today", "precheck_overdue"}

    later = precheck_booking.slot.ends_at + timedelta(days=settings.PRECHECK_RETENTION_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        out = StringIO()
        call_command("purge_precheck_files", stdout=out)
        assert out.getvalue().strip() == "1 upload(s) purged"
        out = StringIO()
        call_command("purge_precheck_files", "--batch-size", "1", stdout=out)
        assert out.getvalue().strip() == "0 upload(s) purged"
    assert [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert PrecheckUpload.objects.get().files_deleted_at is not None
    with pytest.raises(CommandError):
        call_command("purge_precheck_files", "--batch-size", "0")


def test_the_tasks_run_the_actions(precheck_booking, materials, entrepreneur, settings):
    settings.PRECHECK_RETENTION_DAYS = 0
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    # After the visit: the deadline (by the visit's start at the latest) has passed, so both
    # reminders are due, and the files have served their purpose.
    assert upload.due_at <= precheck_booking.slot.starts_at
    with time_machine.travel(precheck_booking.slot.ends_at + timedelta(minutes=1), tick=False):
        assert tasks.precheck_reminders_sweep.delay().get() == 2
        assert tasks.precheck_files_purge.delay().get() == 1
        # A purged upload has nothing left to remind anyone of.
        assert PrecheckUpload.objects.get().next_reminder_at is None


def test_retention_is_a_setting(precheck_booking, materials, entrepreneur, settings):
    settings.PRECHECK_RETENTION_DAYS = 3
    actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                   by=entrepreneur)
    end = precheck_booking.slot.ends_at
    assert actions.precheck_files_purge(now=end + timedelta(days=2)) == 0
    assert actions.precheck_files_purge(now=end + timedelta(days=3)) == 1


def test_the_precheck_settings_come_from_the_environment_and_fail_loudly():
    from tests.portal.test_settings import SETUP, run_python

    result = run_python(SETUP + "print(s.PRECHECK_DEADLINE_WORKING_DAYS, s.PRECHECK_RETENTION_DAYS, s.PRECHECK_MAX_PAGES)",
                        DEBUG="true", PRECHECK_DEADLINE_WORKING_DAYS="2", PRECHECK_RETENTION_DAYS="90",
                        PRECHECK_MAX_PAGES="5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "90", "5"]
    for name, value in [("PRECHECK_REMINDER_HOUR", "24"), ("PRECHECK_RETENTION_DAYS", "soon"),
                        ("PRECHECK_MAX_BYTES", "0")]:
        result = run_python(SETUP, DEBUG="true", **{name: value})
        assert result.returncode != 0 and name in result.stderr
