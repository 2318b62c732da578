"""Every periodic job has a management command for cron, and two runs at once never both work."""
import threading
import time
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from portal.locks import _advisory_key, job_lock
from portal.notifications.models import Reminder
from tests.factories import CaseTaskFactory

# command name -> the beat task it stands in for (CELERY_BEAT_SCHEDULE in portal/settings.py)
COMMANDS = {
    "send_period_reminders": "points.tasks.send_period_reminders",
    "remind_overdue_answers": "suggestions.tasks.remind_overdue_answers",
    "ask_follow_up": "suggestions.tasks.ask_follow_up",
    "sweep_case_reminders": "services.tasks.case_reminders_sweep",
    "sweep_booking_reminders": "services.tasks.booking_reminders_sweep",
    "sweep_activity_reminders": "volunteers.tasks.activity_reminders_sweep",
    "sweep_evaluations": "services.tasks.evaluation_sweep",
}
JOB_NAMES = {
    "send_period_reminders": "points-stage-reminders",
    "remind_overdue_answers": "suggestions-overdue-answers",
    "ask_follow_up": "suggestions-follow-up",
    "sweep_case_reminders": "case-reminders-sweep",
    "sweep_booking_reminders": "booking-reminders",
    "sweep_activity_reminders": "activity-reminders",
    "sweep_evaluations": "evaluation-sweep",
}


def _run(name: str, *args) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def _in_thread(func):
    """Run ``func`` on its own thread (and so its own database connection); return its result."""
    box: dict = {}

    def target():
        try:
            box["value"] = func()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            box["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, box


def test_every_beat_job_has_a_command():
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    # The outbox re-send has its own command, kept by its app; every other beat job is here.
    assert set(COMMANDS.values()) <= scheduled


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_it_runs_each_job_and_says_what_it_did(name):
    assert "sent" in _run(name)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_second_run_while_one_holds_the_lock_does_nothing(name):
    holding, release = threading.Event(), threading.Event()

    def hold():
        with job_lock(JOB_NAMES[name]) as acquired:
            holding.set()
            release.wait(timeout=20)
            return acquired

    thread, box = _in_thread(hold)
    assert holding.wait(timeout=20)
    try:
        with mock.patch("portal.management.jobs.PeriodicJobCommand.run") as run:
            assert "already running" in _in_thread_result(lambda: _run(name))
        run.assert_not_called()
    finally:
        release.set()
        thread.join(timeout=20)
    assert box == {"value": True}
    # Released: the next run works.
    assert "sent" in _run(name)


def _in_thread_result(func):
    thread, box = _in_thread(func)
    thread.join(timeout=30)
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cron_runs_at_once_on_postgres_send_each_reminder_once():
    """Two real runs of the case sweep overlap on PostgreSQL: the second finds the advisory lock
    taken and exits; the first sends the overdue reminder; a later run finds nothing left."""
    task = CaseTaskFactory(due_at=timezone.now() - timedelta(hours=1),
                           next_reminder_at=timezone.now() - timedelta(hours=1))
    from portal.cases.actions import case_reminders_sweep as real_sweep

    inside, release = threading.Event(), threading.Event()

    def slow_sweep(**kwargs):
        inside.set()
        release.wait(timeout=20)  # still running when the second run starts
        return real_sweep(**kwargs)

    with mock.patch("portal.cases.management.commands.sweep_case_reminders.case_reminders_sweep", slow_sweep):
        first, first_box = _in_thread(lambda: _run("sweep_case_reminders"))
        assert inside.wait(timeout=20)
        second = _in_thread_result(lambda: _run("sweep_case_reminders"))
        release.set()
        first.join(timeout=30)
    assert "already running" in second
    assert first_box.get("value", "").strip() == "1 reminder(s) sent"
    assert Reminder.objects.filter(subject_id=task.pk, kind="case_overdue").count() == 1
    assert _run("sweep_case_reminders").strip() == "0 reminder(s) sent"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_that_died_holding_the_lock_does_not_block_the_next():
    def die_holding():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key("case-reminders-sweep")])
            return cursor.fetchone()[0]
        # the thread's connection closes without unlocking, as a killed process's would

    assert _in_thread_result(die_holding) is True
    # The server lets go of a closed session's locks as that session's process exits, a moment
    # after the socket closes; the next cron run comes minutes later. Wait for that moment.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _advisory_locks_held_by_others():
        time.sleep(0.05)
    assert "sent" in _run("sweep_case_reminders")


def _advisory_locks_held_by_others() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND d.datname = current_database() AND l.pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_off_postgres_the_lock_is_the_caches_add():
    # Forced onto the cache path even when the tests run on PostgreSQL.
    with mock.patch("portal.locks.connection", mock.Mock(vendor="sqlite")), \
         job_lock("demo-job", timeout=60) as first:
        with job_lock("demo-job", timeout=60) as second:
            assert (first, second) == (True, False)
        assert cache.get("job-lock:demo-job")
    assert cache.get("job-lock:demo-job") is None
    with mock.patch("portal.locks.connection", mock.Mock(vendor="sqlite")), job_lock("demo-job") as again:
        assert again is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cron_run_in_another_process_sees_the_lock_on_postgres():
    """The advisory lock holds across processes: with this process holding it, a real
    ``manage.py`` run (its own interpreter, its own connection) exits saying so."""
    import os
    import subprocess
    import sys

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    command = [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "send_period_reminders"]
    with job_lock("points-stage-reminders") as acquired:
        assert acquired
        held = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert held.returncode == 0, held.stderr
    assert "already running" in held.stdout
    free = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert free.returncode == 0, free.stderr
    assert "reminder(s) sent" in free.stdout


@pytest.mark.django_db
def test_without_the_lock_store_the_command_fails_clearly_and_does_nothing(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    with mock.patch("portal.locks.connection", mock.Mock(vendor="sqlite")), \
         mock.patch("portal.management.jobs.PeriodicJobCommand.run") as run:
        with pytest.raises(CommandError, match="cannot take the job lock"):
            _run("ask_follow_up")
    run.assert_not_called()
