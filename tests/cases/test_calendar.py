"""A change of the holiday calendar moves case deadlines given in working days; reminders follow."""
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from portal.cases import actions
from portal.cases.actions import case_reminders_sweep
from portal.cases.models import Case, CaseEvent, CaseTask
from portal.hall.actions import HolidayRow, holiday_delete, holiday_import, holiday_save
from portal.hall.models import Holiday
from portal.hall.workdays import working_days_between
from portal.notifications.models import Notification, Reminder

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def day_off(day: date, name: str = "临时闭厅") -> HolidayRow:
    return HolidayRow(day, Holiday.Kind.DAY_OFF, name)


@pytest.fixture
def case(hall_staff, department):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        return actions.case_open(
            by=hall_staff, title="青禾餐饮开业堵点", description="餐饮许可与消防验收衔接不畅。",
            lead_department=department, source=Case.Source.BLOCKER,
        )


@pytest.fixture
def five_day_task(case, hall_staff, department, officer):
    """Given on Monday 2 March 2026 as "5 working days": due Monday 9 March."""
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        return actions.case_task_add(case=case, by=hall_staff, department=department, assignee=officer,
                                     description="出具消防验收意见", working_days=5)


def sweep(moment: datetime, capture) -> int:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return case_reminders_sweep()


def test_a_new_holiday_moves_a_5_working_day_deadline_by_one_and_it_is_reminded_once_on_the_new_date(
        five_day_task, hall_staff, officer, django_capture_on_commit_callbacks):
    assert timezone.localdate(five_day_task.due_at) == date(2026, 3, 9)
    # On Tuesday the hall learns that Friday 6 March is a day off.
    with time_machine.travel(at(2026, 3, 3, 11, 0), tick=False), django_capture_on_commit_callbacks(execute=True):
        result = holiday_import(rows=[day_off(date(2026, 3, 6))], by=hall_staff)
    assert result.change.now_off == {date(2026, 3, 6)}
    task = CaseTask.objects.get(pk=five_day_task.pk)
    assert timezone.localdate(task.due_at) == date(2026, 3, 10)
    assert (task.due_working_days, task.due_counted_from) == (5, date(2026, 3, 2))
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 10)) == 5
    event = CaseEvent.objects.get(task=task, kind=CaseEvent.Kind.TASK_RESCHEDULED)
    assert event.by == hall_staff and "2026-03-10" in event.note
    assert Notification.objects.filter(user=officer, title__contains="2026-03-10").count() == 1

    # Monday 9 March, the old deadline: only the heads-up for the new one, never "due today".
    assert sweep(at(2026, 3, 9, 10, 0), django_capture_on_commit_callbacks) == 1
    # Tuesday 10 March: "due today", once, however often the sweep runs.
    for _ in range(3):
        sweep(at(2026, 3, 10, 10, 0), django_capture_on_commit_callbacks)
    reminders = Reminder.objects.filter(subject_id=task.pk)
    assert sorted(reminders.values_list("kind", flat=True)) == ["case_due_soon", "case_due_today"]
    assert {r.deadline for r in reminders} == {task.due_at}  # nothing planned for the old date


def test_a_heads_up_already_sent_for_the_old_date_is_sent_again_for_the_new_one_once(
        five_day_task, hall_staff, django_capture_on_commit_callbacks):
    # Friday 6 March 10:00: the heads-up for Monday 9 March went out.
    assert sweep(at(2026, 3, 6, 10, 0), django_capture_on_commit_callbacks) == 1
    # Then Thursday 5 March is declared a day off after the fact (a correction): due Tuesday 10.
    with time_machine.travel(at(2026, 3, 6, 12, 0), tick=False):
        holiday_save(holiday=Holiday(date=date(2026, 3, 5), kind=Holiday.Kind.DAY_OFF, name="更正"), by=hall_staff)
    task = CaseTask.objects.get(pk=five_day_task.pk)
    assert timezone.localdate(task.due_at) == date(2026, 3, 10)
    assert sweep(at(2026, 3, 9, 10, 0), django_capture_on_commit_callbacks) == 1
    assert sweep(at(2026, 3, 9, 11, 0), django_capture_on_commit_callbacks) == 0
    assert Reminder.objects.filter(subject_id=task.pk, kind="case_due_soon").count() == 2  # old and new date


def test_removing_a_day_off_moves_the_deadline_back(five_day_task, hall_staff):
    with time_machine.travel(at(2026, 3, 3, 11, 0), tick=False):
        holiday_import(rows=[day_off(date(2026, 3, 6))], by=hall_staff)
        holiday_delete(holidays=list(Holiday.objects.filter(date=date(2026, 3, 6))), by=hall_staff)
    assert timezone.localdate(CaseTask.objects.get(pk=five_day_task.pk).due_at) == date(2026, 3, 9)


def test_a_deadline_given_as_a_date_stays_unless_the_day_itself_is_now_off(case, hall_staff, department, officer):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        fixed = actions.case_task_add(case=case, by=hall_staff, department=department, assignee=officer,
                                      description="现场核查", due_on=date(2026, 3, 9))
        on_the_day = actions.case_task_add(case=case, by=hall_staff, department=department, assignee=officer,
                                           description="出具意见", due_on=date(2026, 3, 6))
    with time_machine.travel(at(2026, 3, 3, 11, 0), tick=False):
        holiday_import(rows=[day_off(date(2026, 3, 4)), day_off(date(2026, 3, 6))], by=hall_staff)
    assert timezone.localdate(CaseTask.objects.get(pk=fixed.pk).due_at) == date(2026, 3, 9)
    # A deadline on what is now a day off moves to the next working day.
    assert timezone.localdate(CaseTask.objects.get(pk=on_the_day.pk).due_at) == date(2026, 3, 9)


def test_done_tasks_and_changes_after_the_deadline_leave_it_alone(five_day_task, hall_staff, officer):
    with time_machine.travel(at(2026, 3, 3, 11, 0), tick=False):
        actions.case_task_complete(task=five_day_task, by=officer, note="已出具")
        holiday_import(rows=[day_off(date(2026, 3, 6))], by=hall_staff)
        holiday_import(rows=[day_off(date(2026, 3, 20))], by=hall_staff)
    task = CaseTask.objects.get(pk=five_day_task.pk)
    assert timezone.localdate(task.due_at) == date(2026, 3, 9)
    assert not CaseEvent.objects.filter(task=task, kind=CaseEvent.Kind.TASK_RESCHEDULED).exists()


def test_a_reschedule_by_date_drops_the_working_day_count(five_day_task, hall_staff):
    with time_machine.travel(at(2026, 3, 3, 11, 0), tick=False):
        task = actions.case_task_reschedule(task=five_day_task, due_on=date(2026, 3, 12), by=hall_staff)
        assert (task.due_working_days, task.due_counted_from) == (None, None)
        holiday_import(rows=[day_off(date(2026, 3, 6))], by=hall_staff)
    assert timezone.localdate(CaseTask.objects.get(pk=task.pk).due_at) == date(2026, 3, 12)
