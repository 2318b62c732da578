"""Benchmark: the case-reminder sweep against a naive loop over every open task.

    DEBUG=true .venv/bin/python bench/reminder_sweep.py

Builds its own throw-away SQLite database in a temporary folder (never the developer's data),
fills it with 10,000 and then 100,000 open case tasks of which 1% need a reminder now, and prints
time and SQL queries of both approaches side by side, with the ratio between the sizes. A third
row keeps the reminders due at 100 while the open tasks grow to 100,000. Mail goes to memory;
nothing leaves the machine.
"""
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="reminder-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ.pop("REDIS_URL", None)  # tasks run in-process
os.environ.pop("NOTIFY_WEBHOOK_URL", None)
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# DEBUG only lets the development key through; the runs below should not keep every query's SQL.
settings.DEBUG = False

from datetime import date, datetime  # noqa: E402

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from portal.cases import actions  # noqa: E402
from portal.cases.models import Case, CaseTask  # noqa: E402
from portal.hall.models import Department, Holiday  # noqa: E402
from portal.hall.workdays import end_of_working_day, holiday_exceptions  # noqa: E402
from portal.notifications.actions import reminder_send_once  # noqa: E402
from portal.notifications.models import Notification, Reminder  # noqa: E402
from portal.notifications.tasks import deliver_notification  # noqa: E402

NOW = timezone.make_aware(datetime(2026, 3, 5, 10, 0))  # Thursday
DUE = end_of_working_day(date(2026, 3, 6))  # due tomorrow: the heads-up is owed now
QUIET = end_of_working_day(date(2026, 6, 30))  # far away: nothing owed


def build(open_tasks: int, due: int) -> None:
    CaseTask.objects.all().delete()
    Case.objects.all().delete()
    Reminder.objects.all().delete()
    Notification.objects.all().delete()
    department = Department.objects.get(code="bench")
    officer = User.objects.get(username="bench-officer")
    staff = User.objects.get(username="bench-staff")
    cases = Case.objects.bulk_create(
        [Case(title=f"压测案件{n}", description="压测", lead_department=department, opened_by=staff)
         for n in range(max(1, open_tasks // 1000))]
    )
    due_marker = actions.case_task_first_reminder_at(due_at=DUE)
    quiet_marker = actions.case_task_first_reminder_at(due_at=QUIET)
    rows = []
    for n in range(open_tasks):
        is_due = n % (open_tasks // due) == 0
        rows.append(CaseTask(
            case=cases[n % len(cases)], department=department, assignee=officer, description=f"任务{n}",
            due_at=DUE if is_due else QUIET, next_reminder_at=due_marker if is_due else quiet_marker,
        ))
    CaseTask.objects.bulk_create(rows, batch_size=2000)
    assert CaseTask.objects.filter(due_at=DUE).count() == due


def measure(func) -> tuple[float, int, int]:
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        sent = func()
        elapsed = time.perf_counter() - started
    return elapsed, count, sent


def sweep() -> int:
    return actions.case_reminders_sweep(now=NOW)


def naive() -> int:
    """What one would write without a marker: look at every open task, ask what it was sent."""
    content_type = ContentType.objects.get_for_model(CaseTask)
    exceptions = holiday_exceptions(date(2025, 12, 1), date(2026, 9, 30))
    sent = 0
    tasks = CaseTask.objects.filter(status=CaseTask.Status.OPEN).select_related("case", "department", "assignee")
    for task in tasks.iterator(chunk_size=2000):
        ladder = actions.case_task_reminder_ladder(due_at=task.due_at, exceptions=exceptions)
        owed = actions._case_steps_due(ladder, NOW)
        already = set(Reminder.objects.filter(subject_type=content_type, subject_id=task.pk, deadline=task.due_at)
                      .values_list("kind", flat=True))
        for kind in owed:
            if kind in already:
                continue
            title, body = actions._case_reminder_message(kind, task)
            if reminder_send_once(subject=task, kind=kind, deadline=task.due_at, recipients=[task.assignee],
                                  title=title, body=body, url=f"/cases/{task.case_id}/"):
                sent += 1
    return sent


def main() -> None:
    # Mail and webhook delivery is the worker's job, after commit, one task per notification; both
    # approaches queue the same deliveries, so the bench leaves them out and measures the sweep.
    deliver_notification.delay = lambda *args, **kwargs: None
    print(f"Temporary database in {WORKDIR}; migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    Department.objects.create(code="bench", name="压测部门")
    Holiday.objects.create(date=date(2026, 4, 6), name="清明节")
    staff = User.objects.create(username="bench-staff", display_name="压测窗口")
    officer = User.objects.create(username="bench-officer", display_name="压测责任人", email="o@example.com")
    Department.objects.get(code="bench").officers.add(officer)
    del staff

    # Warm-up (imports, caches, the SQLite page cache) so the first measured row is not penalised.
    build(1_000, 10)
    sweep()
    Reminder.objects.all().delete()
    naive()

    scenarios = [(10_000, 100), (100_000, 1_000), (100_000, 100)]
    results = []
    for open_tasks, due in scenarios:
        print(f"building {open_tasks:,} open tasks, {due:,} due ...", flush=True)
        build(open_tasks, due)
        sweep_figures = measure(sweep)
        Reminder.objects.all().delete()
        Notification.objects.all().delete()
        naive_figures = measure(naive)
        results.append((open_tasks, due, sweep_figures, naive_figures))

    print()
    header = f"{'open tasks':>10} {'due':>6} | {'sweep s':>8} {'queries':>8} {'q/rem':>6} | " \
             f"{'naive s':>8} {'queries':>8} {'q/rem':>7}"
    print(header)
    print("-" * len(header))
    for open_tasks, due, (s_time, s_q, s_sent), (n_time, n_q, n_sent) in results:
        assert s_sent == n_sent == due, (s_sent, n_sent, due)
        print(f"{open_tasks:>10,} {due:>6,} | {s_time:>8.2f} {s_q:>8,} {s_q / due:>6.1f} | "
              f"{n_time:>8.2f} {n_q:>8,} {n_q / due:>7.1f}")
    (_, _, small_s, small_n), (_, _, big_s, big_n), (_, _, same_s, same_n) = results
    print()
    print("ratios, 100,000 vs 10,000 open tasks (1% due: reminders x10):")
    print(f"  sweep: time x{big_s[0] / small_s[0]:.1f}, queries x{big_s[1] / small_s[1]:.1f}")
    print(f"  naive: time x{big_n[0] / small_n[0]:.1f}, queries x{big_n[1] / small_n[1]:.1f}")
    print("ratios, 100,000 vs 10,000 open tasks, the same 100 reminders due:")
    print(f"  sweep: time x{same_s[0] / small_s[0]:.1f}, queries x{same_s[1] / small_s[1]:.1f}")
    print(f"  naive: time x{same_n[0] / small_n[0]:.1f}, queries x{same_n[1] / small_n[1]:.1f}")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        for path in Path(WORKDIR).glob("*"):
            path.unlink()
        os.rmdir(WORKDIR)
