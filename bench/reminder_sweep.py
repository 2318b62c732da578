"""Benchmark: the case-reminder sweep on PostgreSQL, 1,000 reminders due among 10,000 and 100,000
open tasks, every mail included.

    DEBUG=true .venv/bin/python bench/reminder_sweep.py

Creates its own PostgreSQL database (``bench_sweep_<pid>`` on BENCH_POSTGRES_URL, default
``postgres://postgres@127.0.0.1:5432/postgres``) and drops it at the end, never touching the
developer's data. Tasks run in-process, so the time and the SQL statements counted include the
hand-over after each batch's commit and the delivery of every mail (to memory: nothing leaves the
machine). Prints, per size: reminders sent, SQL queries, queries per reminder, wall time; then the
ratio of the two wall times (the goal: cost follows the reminders due, not the open tasks).
"""
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"bench_sweep_{os.getpid()}"
server = urlparse(SERVER_URL)
os.environ["DATABASE_URL"] = f"{server.scheme}://{server.netloc}/{DB_NAME}"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ.pop("REDIS_URL", None)  # tasks (the mail delivery) run in-process
os.environ.pop("NOTIFY_WEBHOOK_URL", None)
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

SIZES = [10_000, 100_000]
DUE = 1_000


def _admin_sql(sql: str) -> None:
    conn = psycopg2.connect(SERVER_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def main() -> None:
    import django

    django.setup()
    from django.conf import settings

    # DEBUG only lets the development key through; the runs should not keep every query's SQL.
    settings.DEBUG = False

    from datetime import date, datetime

    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.cases import actions
    from portal.cases.models import Case, CaseTask
    from portal.hall.models import Department, Holiday
    from portal.hall.workdays import end_of_working_day
    from portal.notifications.models import Delivery, Notification, Reminder

    now = timezone.make_aware(datetime(2026, 3, 5, 10, 0))  # Thursday
    due = end_of_working_day(date(2026, 3, 6))  # due tomorrow: the heads-up is owed now
    quiet = end_of_working_day(date(2026, 6, 30))  # far away: nothing owed

    print(f"Temporary PostgreSQL database {DB_NAME}; migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    mail.outbox = []
    department = Department.objects.create(code="bench", name="压测部门")
    Holiday.objects.create(date=date(2026, 4, 6), name="清明节")
    staff = User.objects.create(username="bench-staff", display_name="压测窗口")
    officers = [User.objects.create(username=f"bench-officer-{n}", display_name=f"压测责任人{n}",
                                    email=f"officer{n}@example.com") for n in range(20)]
    department.officers.add(*officers)

    def build(open_tasks: int) -> None:
        Delivery.objects.all().delete()
        Notification.objects.all().delete()
        Reminder.objects.all().delete()
        CaseTask.objects.all().delete()
        Case.objects.all().delete()
        cases = Case.objects.bulk_create(
            [Case(title=f"压测案件{n}", description="压测", lead_department=department, opened_by=staff)
             for n in range(max(1, open_tasks // 1000))]
        )
        due_marker = actions.case_task_first_reminder_at(due_at=due)
        quiet_marker = actions.case_task_first_reminder_at(due_at=quiet)
        step = open_tasks // DUE
        CaseTask.objects.bulk_create([
            CaseTask(case=cases[n % len(cases)], department=department, assignee=officers[n % len(officers)],
                     description=f"任务{n}", due_at=due if n % step == 0 else quiet,
                     next_reminder_at=due_marker if n % step == 0 else quiet_marker)
            for n in range(open_tasks)
        ], batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        mail.outbox = []

    def measure() -> tuple[int, int, float]:
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            sent = actions.case_reminders_sweep(now=now)
            elapsed = time.perf_counter() - started
        return sent, count, elapsed

    # Warm-up (imports, translations, caches) so the first measured row is not penalised.
    build(1_000)
    measure()

    results = []
    for size in SIZES:
        print(f"building {size:,} open tasks, {DUE:,} due ...", flush=True)
        build(size)
        sent, queries, elapsed = measure()
        mails = len(mail.outbox)
        assert sent == DUE and mails == DUE, (sent, mails)
        assert not Delivery.objects.filter(delivered_at__isnull=True).exists()
        results.append((size, sent, mails, queries, elapsed))

    print()
    header = f"{'open tasks':>10} {'reminders':>9} {'mails':>6} {'queries':>8} {'q/reminder':>10} {'wall s':>7}"
    print(header)
    print("-" * len(header))
    for size, sent, mails, queries, elapsed in results:
        print(f"{size:>10,} {sent:>9,} {mails:>6,} {queries:>8,} {queries / sent:>10.2f} {elapsed:>7.2f}")
    (_, _, _, _, small), (_, _, _, _, big) = results
    print()
    print(f"wall time, {SIZES[1]:,} vs {SIZES[0]:,} open tasks with the same {DUE:,} due: x{big / small:.2f}")


if __name__ == "__main__":
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    try:
        main()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
