"""The reminder ladder, with the clock moved by time-machine: before, on the day, overdue, escalated.

Exactly once under repeated and concurrent sweeps, nothing lost after downtime, moved deadlines,
silence for done and cancelled tasks.
"""
import threading
from datetime import date, datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from portal.cases import actions
from portal.cases.actions import (
    CASE_REMINDER_DUE_SOON,
    CASE_REMINDER_DUE_TODAY,
    CASE_REMINDER_ESCALATED,
    CASE_REMINDER_OVERDUE,
    case_reminders_sweep,
)
from portal.cases.models import Case, CaseTask
from portal.cases.tasks import case_reminders_sweep as case_reminders_sweep_task
from portal.hall.models import Holiday
from portal.hall.workdays import end_of_working_day
from portal.notifications.models import Notification, Reminder
from portal.roles import Role
from tests.factories import CaseTaskFactory, DepartmentFactory, UserFactory


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def opened_case(db, hall_staff, department, officer):
    """A case opened on Monday 2026-03-02 with one task for the officer due Friday 2026-03-06."""
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        case = actions.case_open(
            by=hall_staff, title="青禾餐饮开业堵点", description="餐饮许可与消防验收衔接不畅。",
            lead_department=department, source=Case.Source.BLOCKER,
        )
        task = actions.case_task_add(
            case=case, by=hall_staff, department=department, assignee=officer,
            description="出具消防验收意见", due_on=date(2026, 3, 6),
        )
    return task


def sweep_at(moment: datetime, capture) -> int:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return case_reminders_sweep()


def kinds(task) -> list[str]:
    return sorted(Reminder.objects.filter(subject_id=task.pk).values_list("kind", flat=True))


@pytest.mark.django_db
def test_it_walks_the_whole_ladder(opened_case, officer, reviewer, django_capture_on_commit_callbacks):
    task = opened_case
    capture = django_capture_on_commit_callbacks
    mail.outbox.clear()
    assert sweep_at(at(2026, 3, 4, 12, 0), capture) == 0
    assert sweep_at(at(2026, 3, 5, 8, 59), capture) == 0
    assert sweep_at(at(2026, 3, 5, 9, 0), capture) == 1  # one working day before, at 09:00
    assert kinds(task) == [CASE_REMINDER_DUE_SOON]
    assert sweep_at(at(2026, 3, 5, 15, 0), capture) == 0
    assert sweep_at(at(2026, 3, 6, 9, 5), capture) == 1  # on the day
    assert sweep_at(at(2026, 3, 6, 23, 59, 58), capture) == 0
    assert sweep_at(at(2026, 3, 7, 0, 5), capture) == 1  # overdue once the day has ended
    assert sweep_at(at(2026, 3, 10, 12, 0), capture) == 0  # grace: 2 working days (Mon, Tue)
    assert sweep_at(at(2026, 3, 11, 0, 5), capture) == 1  # escalated
    assert sweep_at(at(2026, 4, 1, 9, 0), capture) == 0
    assert kinds(task) == sorted(
        [CASE_REMINDER_DUE_SOON, CASE_REMINDER_DUE_TODAY, CASE_REMINDER_OVERDUE, CASE_REMINDER_ESCALATED]
    )
    escalation = Reminder.objects.get(subject_id=task.pk, kind=CASE_REMINDER_ESCALATED)
    assert set(escalation.recipients.all()) == {reviewer, officer}  # committee + lead department's officers
    assert Notification.objects.filter(user=reviewer, title__contains="出具消防验收意见").count() == 0
    assert Notification.objects.filter(user=reviewer).count() == 1
    # The three reminders and the escalation reached the officer by mail, the reviewer once.
    assert [m.to for m in mail.outbox].count([officer.email]) == 4
    assert [m.to for m in mail.outbox].count([reviewer.email]) == 1
    assert CaseTask.objects.get(pk=task.pk).next_reminder_at is None


@pytest.mark.django_db
def test_it_sends_nothing_twice_when_the_sweep_repeats(opened_case, django_capture_on_commit_callbacks):
    for _ in range(3):
        sweep_at(at(2026, 3, 5, 10, 0), django_capture_on_commit_callbacks)
    with time_machine.travel(at(2026, 3, 5, 10, 0), tick=False):
        case_reminders_sweep_task.delay()  # a retried or doubled beat message
        call_command("sweep_case_reminders")
    assert Reminder.objects.filter(subject_id=opened_case.pk).count() == 1


@pytest.mark.django_db
def test_it_sends_once_even_when_the_marker_was_reset(opened_case, django_capture_on_commit_callbacks):
    sweep_at(at(2026, 3, 5, 10, 0), django_capture_on_commit_callbacks)
    # As if a second sweep had read the task before the first one moved its marker on.
    CaseTask.objects.filter(pk=opened_case.pk).update(next_reminder_at=at(2026, 3, 5, 9, 0))
    assert sweep_at(at(2026, 3, 5, 10, 1), django_capture_on_commit_callbacks) == 0
    assert Reminder.objects.filter(subject_id=opened_case.pk).count() == 1


@pytest.mark.django_db
def test_it_catches_up_after_downtime(opened_case, reviewer, django_capture_on_commit_callbacks):
    # The worker was down from Wednesday to the next Thursday: the stale heads-ups are skipped,
    # the task is reported overdue and escalated at once.
    assert sweep_at(at(2026, 3, 12, 10, 0), django_capture_on_commit_callbacks) == 2
    assert kinds(opened_case) == sorted([CASE_REMINDER_OVERDUE, CASE_REMINDER_ESCALATED])
    assert sweep_at(at(2026, 3, 12, 10, 5), django_capture_on_commit_callbacks) == 0


@pytest.mark.django_db
def test_it_sends_the_day_reminder_when_it_missed_the_heads_up(opened_case, django_capture_on_commit_callbacks):
    assert sweep_at(at(2026, 3, 6, 14, 0), django_capture_on_commit_callbacks) == 1
    assert kinds(opened_case) == [CASE_REMINDER_DUE_TODAY]


@pytest.mark.django_db
def test_it_follows_a_moved_deadline(opened_case, hall_staff, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    sweep_at(at(2026, 3, 5, 9, 30), capture)
    with time_machine.travel(at(2026, 3, 5, 10, 0), tick=False), capture(execute=True):
        actions.case_task_reschedule(task=opened_case, by=hall_staff, due_on=date(2026, 3, 11), reason="需补材料")
    assert sweep_at(at(2026, 3, 7, 0, 5), capture) == 0  # the old deadline is gone: nothing overdue
    assert sweep_at(at(2026, 3, 10, 9, 0), capture) == 1  # heads-up for the new deadline
    deadlines = sorted(
        timezone.localdate(d) for d in Reminder.objects.filter(subject_id=opened_case.pk).values_list("deadline", flat=True)
    )
    assert deadlines == [date(2026, 3, 6), date(2026, 3, 11)]
    assert opened_case.case.events.filter(kind="task_rescheduled").exists()


@pytest.mark.django_db
def test_it_keeps_done_and_cancelled_tasks_silent(opened_case, hall_staff, officer, department,
                                                   django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(at(2026, 3, 4, 16, 0), tick=False), capture(execute=True):
        actions.case_task_complete(task=opened_case, by=officer, note="已出具意见")
        other = actions.case_open(by=hall_staff, title="另一件事", description="说明",
                                  lead_department=department, source=Case.Source.WALK_IN)
        cancelled = actions.case_task_add(case=other, by=hall_staff, department=department, assignee=officer,
                                          description="核对材料", due_on=date(2026, 3, 6))
        actions.case_cancel(case=other, by=hall_staff, reason="申请人撤回")
    for moment in (at(2026, 3, 5, 9, 0), at(2026, 3, 6, 9, 0), at(2026, 3, 9, 9, 0), at(2026, 3, 20, 9, 0)):
        assert sweep_at(moment, capture) == 0
    assert not Reminder.objects.filter(subject_id__in=[opened_case.pk, cancelled.pk]).exists()


@pytest.mark.django_db
def test_it_respects_the_lead_and_grace_settings(opened_case, settings, django_capture_on_commit_callbacks):
    settings.CASE_REMINDER_LEAD_WORKING_DAYS = 3
    settings.CASE_ESCALATION_GRACE_WORKING_DAYS = 0
    CaseTask.objects.filter(pk=opened_case.pk).update(
        next_reminder_at=actions.case_task_first_reminder_at(due_at=opened_case.due_at)
    )
    assert sweep_at(at(2026, 3, 3, 9, 0), django_capture_on_commit_callbacks) == 1  # Tue: 3 working days before
    assert sweep_at(at(2026, 3, 7, 0, 1), django_capture_on_commit_callbacks) == 2  # overdue and escalated at once


@pytest.mark.django_db
def test_it_counts_the_holiday_calendar_in_the_ladder(db, hall_staff, department, officer,
                                                      django_capture_on_commit_callbacks):
    Holiday.objects.create(date=date(2026, 3, 9), kind=Holiday.Kind.DAY_OFF, name="测试假日")
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        case = actions.case_open(by=hall_staff, title="测试", description="说明", lead_department=department,
                                 source=Case.Source.WALK_IN)
        task = actions.case_task_add(case=case, by=hall_staff, department=department, assignee=officer,
                                     description="办理", due_on=date(2026, 3, 10))
    # Due Tuesday; Monday is a day off, so the heads-up comes on Friday.
    assert sweep_at(at(2026, 3, 6, 9, 0), django_capture_on_commit_callbacks) == 1
    assert kinds(task) == [CASE_REMINDER_DUE_SOON]


@pytest.mark.django_db
def test_its_cost_follows_the_reminders_due(db, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    department = DepartmentFactory()
    due = end_of_working_day(date(2026, 3, 6))
    later = end_of_working_day(date(2026, 5, 29))

    def sweep_queries(quiet: int) -> int:
        CaseTaskFactory.create_batch(quiet, case__lead_department=department, due_at=later)
        with django_capture_on_commit_callbacks(execute=False):
            with django_assert_max_num_queries(40) as captured:
                case_reminders_sweep(now=at(2026, 3, 5, 10, 0))
        return len(captured)

    CaseTaskFactory.create_batch(3, case__lead_department=department, due_at=due)
    few = sweep_queries(5)
    CaseTaskFactory.create_batch(3, case__lead_department=department, due_at=due)
    many = sweep_queries(60)
    assert few == many  # three reminders each time, however many quiet tasks there are


@pytest.mark.django_db
def test_it_sends_reminders_in_batches_at_under_one_and_a_half_queries_each(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The same 100 reminders due among 10 and 1,000 open tasks: the same statements, each batch
    claimed, recorded and notified at once, its mail over one connection, every mail included."""
    from django.test.utils import CaptureQueriesContext

    from portal.notifications import channels

    settings.CASE_REMINDER_BATCH_SIZE = 50
    department = DepartmentFactory()
    officer = UserFactory(email="duty@example.com", roles=[Role.DEPARTMENT_OFFICER])
    department.officers.add(officer)
    case = actions.case_open(by=UserFactory(is_staff=True, roles=[Role.HALL_STAFF]), title="批量提醒",
                             description="压测", lead_department=department, source=Case.Source.BLOCKER)
    due = end_of_working_day(date(2026, 3, 6))
    quiet = end_of_working_day(date(2026, 5, 29))
    connections = []
    real_get_connection = channels.get_connection
    monkeypatch.setattr(channels, "get_connection", lambda: connections.append(1) or real_get_connection())

    def sweep_queries(quiet_tasks: int) -> int:
        CaseTask.objects.all().delete()
        Reminder.objects.all().delete()
        Notification.objects.all().delete()
        mail.outbox = []
        connections.clear()
        CaseTask.objects.bulk_create([
            CaseTask(case=case, department=department, assignee=officer, description=f"任务{n}", due_at=due_at,
                     next_reminder_at=actions.case_task_first_reminder_at(due_at=due_at))
            for n, due_at in enumerate([due] * 100 + [quiet] * quiet_tasks)
        ])
        with CaptureQueriesContext(connection) as captured:
            with django_capture_on_commit_callbacks(execute=True):
                assert case_reminders_sweep(now=at(2026, 3, 5, 10, 0)) == 100
        assert len(mail.outbox) == 100
        assert len(connections) == 2  # one mail connection per batch of 50
        return len(captured)

    ContentType.objects.get_for_model(CaseTask)  # cached for the process, as in a running worker
    few = sweep_queries(10)
    many = sweep_queries(1_000)
    assert few == many
    assert many <= 150, f"{many} queries for 100 reminders"
    assert Reminder.objects.filter(kind=CASE_REMINDER_DUE_SOON).count() == 100
    assert Notification.objects.filter(user=officer, delivered_at__isnull=False).count() == 100


def test_it_accepts_only_a_valid_batch_size(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sweep_case_reminders", "--batch-size", "0")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_sends_each_reminder_once_under_concurrent_sweeps():
    department = DepartmentFactory()
    UserFactory(roles=[Role.COMMITTEE_REVIEWER])
    tasks = CaseTaskFactory.create_batch(25, case__lead_department=department,
                                         due_at=end_of_working_day(date(2026, 3, 6)))
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        try:
            barrier.wait()
            results.append(case_reminders_sweep(now=at(2026, 3, 11, 10, 0), batch_size=7))
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Each task: overdue and escalated, exactly once, whichever sweep got there first.
    assert sum(results) == 50
    assert Reminder.objects.count() == 50
    assert Reminder.objects.filter(kind=CASE_REMINDER_OVERDUE).count() == len(tasks)
    # Overdue to each assignee; the escalation to the reviewer and the 25 officers of the lead department.
    assert Notification.objects.count() == 25 + 25 * 26
