"""Writes of the cross-department cases: opening a case, its tasks and their deadlines, cancelling,
and the reminder sweep. The person acting is ``by``; each status move of a case or a task goes
through ``portal.workflow`` (``Case.TRANSITIONS``, ``CaseTask.TRANSITIONS``) with its history row
in the same transaction.
"""
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.cases import case_sources
from portal.cases.exceptions import CaseConflict, CaseInvalid
from portal.cases.models import Case, CaseEvent, CaseTask
from portal.cases.selectors import CaseEscalationRecipients, case_tasks_to_remind
from portal.exceptions import TransitionNotAllowed
from portal.hall import workdays
from portal.hall.models import Department
from portal.hall.selectors import department_officer_is
from portal.limits import WORKING_DAYS_MAX, WORKING_DAYS_MIN
from portal.notifications.actions import ReminderDraft, notify, reminders_send_once
from portal.workflow import transition_allowed, transition_move

# Reminder kinds of the ladder, in the order they fall due. The kind and the deadline are part of
# the exactly-once key, so a moved deadline starts a fresh ladder.
CASE_REMINDER_DUE_SOON = "case_due_soon"
CASE_REMINDER_DUE_TODAY = "case_due_today"
CASE_REMINDER_OVERDUE = "case_overdue"
CASE_REMINDER_ESCALATED = "case_escalated"


def _case_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise CaseInvalid(gettext("This field is required."), field=field)
    if len(value) > max_length:
        raise CaseInvalid(
            gettext("Keep this under %(count)d characters.") % {"count": max_length}, field=field
        )
    return value


def _case_url(case_id: int) -> str:
    return reverse("cases:case_detail", args=[case_id])


def case_open(
    *,
    by: User,
    title: str,
    description: str,
    lead_department: Department,
    source: str,
    applicant: User | None = None,
    origin: models.Model | None = None,
) -> Case:
    """Open a case led by ``lead_department``; tasks are added with ``case_task_add``.

    ``origin`` is a record of a registered case source (a ledger entry) the case is opened from:
    the case keeps its reference, and the source links the record to the case in the same
    transaction, so the source's refusal (a 409 when the record has a case already) opens nothing.
    Raises CaseInvalid for bad input.
    """
    title = _case_text(title, field="title", max_length=120)
    description = _case_text(description, field="description", max_length=5000)
    if source not in Case.Source.values:
        raise CaseInvalid(gettext("Choose a valid source."), field="source")
    origin_source = case_sources.for_record(origin) if origin is not None else None
    with transaction.atomic():
        case = Case.objects.create(
            title=title,
            description=description,
            lead_department=lead_department,
            applicant=applicant,
            source=source,
            source_reference=origin_source.reference(origin) if origin_source else "",
            opened_by=by,
        )
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, by=by, to_status=case.status)
        if origin_source:
            origin_source.link(origin, case)
    return case


def _case_move(*, case: Case, to: str, by: User | None, note: str = "") -> Case:
    """Move a case along Case.TRANSITIONS with its history row; run inside the caller's transaction.

    Refuses a move the table does not allow (409 ``case_transition``) and a move that lost a race
    with another one (409 ``case_changed``).
    """
    if not transition_allowed(case, to):
        raise CaseConflict(
            gettext("A case cannot go from %(from)s to %(to)s.")
            % {"from": Case.Status(case.status).label, "to": Case.Status(to).label},
            code="case_transition",
        )
    closed_at = timezone.now() if to in Case.CLOSED else None
    try:
        return transition_move(
            case, to=to, by=by, history=CaseEvent, link="case", note=note, changes={"closed_at": closed_at},
            history_extra={"kind": CaseEvent.Kind.STATUS_CHANGED},
        )
    except TransitionNotAllowed:
        raise CaseConflict(gettext("The case changed meanwhile; reload and try again."), code="case_changed")


def _case_refresh_status(*, case_id: int, by: User | None) -> Case:
    """After a task closes: the case is done when every task that counts is done."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if not case.is_active:
        return case
    statuses = list(case.tasks.exclude(status=CaseTask.Status.CANCELLED).values_list("status", flat=True))
    if statuses and all(status == CaseTask.Status.DONE for status in statuses):
        _case_move(case=case, to=Case.Status.DONE, by=by)
        if case.applicant_id:
            notify(
                users=[case.applicant],
                title=lambda: gettext("Your case is done: %(title)s") % {"title": case.title},
                body=lambda: gettext("Every department has finished its part. Thank you for your patience."),
                url=_case_url(case.pk),
            )
    elif case.status == Case.Status.OPEN and CaseTask.Status.DONE in statuses:
        _case_move(case=case, to=Case.Status.IN_PROGRESS, by=by)
    return case


def case_due_at(*, case: Case, due_on: date | None = None, working_days: int | None = None,
                now: datetime | None = None) -> datetime:
    """The deadline for a task of ``case``: a working day, given as a date or as working days from today.

    Raises CaseInvalid (field ``due_on`` or ``working_days``) when it is missing, both are given,
    it lies before the case was opened, in the past or more than WORKING_DAYS_MAX working days
    ahead, or falls on a day off.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if (due_on is None) == (working_days is None):
        raise CaseInvalid(gettext("Give either a due date or a number of working days."), field="due_on")
    if working_days is not None:
        if not WORKING_DAYS_MIN <= working_days <= WORKING_DAYS_MAX:
            raise CaseInvalid(gettext("Give between 1 and 250 working days."), field="working_days")
        due_on = workdays.add_working_days(today, working_days)
    if case.opened_at and due_on < timezone.localdate(case.opened_at):
        raise CaseInvalid(gettext("The due date cannot be before the case was opened."), field="due_on")
    if due_on < today:
        raise CaseInvalid(gettext("The due date cannot be in the past."), field="due_on")
    # The same horizon as a deadline in working days: beyond it the reminder ladder would walk
    # past the holiday calendar (and, at 9999-12-31, past the last date there is).
    if due_on > workdays.add_working_days(today, WORKING_DAYS_MAX):
        raise CaseInvalid(
            gettext("The due date cannot be more than %(days)s working days away.") % {"days": WORKING_DAYS_MAX},
            field="due_on",
        )
    if not workdays.is_working_day(due_on):
        raise CaseInvalid(gettext("The due date must be a working day."), field="due_on")
    return workdays.end_of_working_day(due_on)


def _case_due_count(*, working_days: int | None, now: datetime) -> dict:
    """The fields that let a calendar change move a deadline given in working days."""
    if working_days is None:
        return {"due_working_days": None, "due_counted_from": None}
    return {"due_working_days": working_days, "due_counted_from": timezone.localdate(now)}


def case_task_add(
    *,
    case: Case,
    department: Department,
    assignee: User,
    description: str,
    due_on: date | None = None,
    working_days: int | None = None,
    by: User,
) -> CaseTask:
    """Add a task to an open case and tell its responsible person.

    The responsible person must be an officer of the task's department (400); a closed case takes
    no new tasks (409).
    """
    description = _case_text(description, field="description", max_length=2000)
    if not department_officer_is(department=department, user=assignee):
        raise CaseInvalid(
            gettext("%(person)s is not an officer of %(department)s.") % {"person": assignee, "department": department},
            field="assignee",
            code="assignee_not_officer",
        )
    now = timezone.now()
    due_at = case_due_at(case=case, due_on=due_on, working_days=working_days, now=now)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not locked.is_active:
            raise CaseConflict(gettext("Tasks can only be added to an open case."), code="case_closed")
        task = CaseTask.objects.create(
            case=locked, department=department, assignee=assignee, description=description, due_at=due_at,
            next_reminder_at=case_task_first_reminder_at(due_at=due_at),
            **_case_due_count(working_days=working_days, now=now),
        )
        CaseEvent.objects.create(case=locked, task=task, kind=CaseEvent.Kind.TASK_ADDED, by=by,
                                 to_status=task.status, note=description)
        notify(
            users=[assignee],
            title=lambda: gettext("New case task for you: %(case)s") % {"case": locked.title},
            body=lambda: gettext("What to do: %(task)s\nDue: %(due)s")
            % {"task": description, "due": f"{timezone.localdate(due_at):%Y-%m-%d}"},
            url=_case_url(locked.pk),
        )
    return task


def case_task_complete(*, task: CaseTask, note: str = "", by: User) -> CaseTask:
    """Mark an open task done with a note; the case follows. Completing twice is a 409.

    Authorisation (the assignee or hall staff) is checked by ``case_task_get_for_user``.
    """
    note = _case_text(note, field="note", max_length=2000, required=False)
    closed = CaseConflict(gettext("This task is already closed."), code="task_closed")
    if not transition_allowed(task, CaseTask.Status.DONE):
        raise closed
    with transaction.atomic():
        try:
            # The conditional UPDATE is the lock: of two clicks, or a click and the sweep, one wins.
            transition_move(
                task, to=CaseTask.Status.DONE, by=by, history=CaseEvent, link="task", note=note,
                changes={"completed_at": timezone.now(), "completed_by": by, "note": note, "next_reminder_at": None},
                history_extra={"case_id": task.case_id, "kind": CaseEvent.Kind.TASK_COMPLETED},
            )
        except TransitionNotAllowed:
            raise closed
        _case_refresh_status(case_id=task.case_id, by=by)
    task.refresh_from_db()
    return task


def case_task_reschedule(
    *, task: CaseTask, due_on: date | None = None, working_days: int | None = None, reason: str = "",
    by: User,
) -> CaseTask:
    """Move an open task's deadline. Reminders follow the new date (the deadline is in their key).

    Not a move of the task's state machine: its status stays open, so the conditional UPDATE
    checks the status and the deadline read (a task closed or moved meanwhile is a 409).
    """
    reason = _case_text(reason, field="reason", max_length=500, required=False)
    now = timezone.now()
    due_at = case_due_at(case=task.case, due_on=due_on, working_days=working_days, now=now)
    if due_at == task.due_at:
        raise CaseInvalid(gettext("The task is already due on that day."), field="due_on")
    old_due = task.due_at
    with transaction.atomic():
        moved = CaseTask.objects.filter(pk=task.pk, status=CaseTask.Status.OPEN, due_at=old_due).update(
            due_at=due_at, next_reminder_at=case_task_first_reminder_at(due_at=due_at),
            **_case_due_count(working_days=working_days, now=now),
        )
        if not moved:
            raise CaseConflict(gettext("Only an open task's deadline can move."), code="task_closed")
        CaseEvent.objects.create(
            case_id=task.case_id, task=task, kind=CaseEvent.Kind.TASK_RESCHEDULED, by=by,
            note=gettext("From %(old)s to %(new)s. %(reason)s")
            % {"old": f"{timezone.localdate(old_due):%Y-%m-%d}",
               "new": f"{timezone.localdate(due_at):%Y-%m-%d}", "reason": reason},
        )
        notify(
            users=[task.assignee],
            title=lambda: gettext("New deadline %(due)s for your case task") % {
                "due": f"{timezone.localdate(due_at):%Y-%m-%d}"},
            body=task.description,
            url=_case_url(task.case_id),
        )
    task.refresh_from_db()
    return task


def case_cancel(*, case: Case, reason: str = "", by: User) -> Case:
    """Cancel a case and its open tasks; cancelled tasks get no more reminders."""
    reason = _case_text(reason, field="reason", max_length=500, required=False)
    with transaction.atomic():
        # The case's row lock keeps tasks from being added while it closes.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _case_move(case=locked, to=Case.Status.CANCELLED, by=by, note=reason)
        for task in locked.tasks.filter(status=CaseTask.Status.OPEN).order_by("pk"):
            try:
                transition_move(
                    task, to=CaseTask.Status.CANCELLED, by=by, history=CaseEvent, link="task", note=reason,
                    changes={"next_reminder_at": None},
                    history_extra={"case_id": locked.pk, "kind": CaseEvent.Kind.TASK_CANCELLED},
                )
            except TransitionNotAllowed:
                pass  # completed meanwhile: a done task stays done
    return locked


def case_tasks_follow_calendar(*, change, by: User | None = None) -> int:
    """Re-plan open tasks after a change of the holiday calendar (``portal.hall.hooks``); returns
    how many moved. Runs inside the transaction that changed the calendar.

    A deadline given in working days keeps its count from the day it was counted from, so a new
    day off inside it moves it one working day later (a day off that became a working day, one
    earlier). A deadline given as a date that is now a day off moves to the next working day.
    Reminders follow: the marker restarts at the new deadline's ladder, and the exactly-once
    record is keyed by the deadline, so the new date is reminded once and the old one no more.
    """
    first, last = min(change.days), max(change.days)
    candidates = (
        CaseTask.objects.filter(status=CaseTask.Status.OPEN, due_at__gte=workdays.end_of_working_day(first)
                                - timedelta(days=1))
        .filter(models.Q(due_counted_from__lt=last) | models.Q(due_working_days__isnull=True))
        .select_related("assignee")
        .order_by("pk")
    )
    moved = 0
    for task in candidates:
        old_day = timezone.localdate(task.due_at)
        if task.due_working_days is not None and task.due_counted_from is not None:
            new_day = workdays.add_working_days(task.due_counted_from, task.due_working_days)
        elif old_day in change.now_off:
            new_day = workdays.add_working_days(old_day, 0)
        else:
            continue
        if new_day == old_day:
            continue
        due_at = workdays.end_of_working_day(new_day)
        # Conditional on what was read: a task closed or moved meanwhile is left as it is now.
        if not CaseTask.objects.filter(pk=task.pk, status=CaseTask.Status.OPEN, due_at=task.due_at).update(
            due_at=due_at, next_reminder_at=case_task_first_reminder_at(due_at=due_at)
        ):
            continue
        CaseEvent.objects.create(
            case_id=task.case_id, task=task, kind=CaseEvent.Kind.TASK_RESCHEDULED, by=by,
            note=gettext("From %(old)s to %(new)s: the holiday calendar changed.")
            % {"old": f"{old_day:%Y-%m-%d}", "new": f"{new_day:%Y-%m-%d}"},
        )
        notify(
            users=[task.assignee],
            title=lambda new_day=new_day: gettext(
                "New deadline %(due)s for your case task: the holiday calendar changed") % {"due": f"{new_day:%Y-%m-%d}"},
            body=task.description,
            url=_case_url(task.case_id),
        )
        moved += 1
    return moved


# --- the reminder ladder ---------------------------------------------------------------------
def _case_at_hour(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def case_task_reminder_ladder(
    *, due_at: datetime, exceptions: dict | None = None
) -> list[tuple[str, datetime]]:
    """[(kind, when it falls due)] for a deadline, in time order, with the settings in force now.

    ``exceptions`` (``workdays.holiday_exceptions``) saves the calendar query when many tasks are
    computed at once; it must cover the deadline +/- the lead and grace periods.
    """
    due_day = timezone.localdate(due_at)
    hour = settings.CASE_REMINDER_HOUR
    lead = settings.CASE_REMINDER_LEAD_WORKING_DAYS
    grace = settings.CASE_ESCALATION_GRACE_WORKING_DAYS
    ladder = []
    if lead:
        ladder.append(
            (CASE_REMINDER_DUE_SOON, _case_at_hour(workdays.subtract_working_days(due_day, lead, exceptions), hour))
        )
    ladder.append((CASE_REMINDER_DUE_TODAY, _case_at_hour(due_day, hour)))
    ladder.append((CASE_REMINDER_OVERDUE, due_at + timedelta(seconds=1)))
    escalate_day = workdays.add_working_days(due_day, grace, exceptions) if grace else due_day
    escalate_at = max(workdays.end_of_working_day(escalate_day), due_at) + timedelta(seconds=1)
    ladder.append((CASE_REMINDER_ESCALATED, escalate_at))
    return ladder


def case_task_first_reminder_at(*, due_at: datetime) -> datetime:
    """The sweep marker for a new or moved deadline: the ladder's first step, even if passed.

    A step that has passed already is picked up by the next sweep, which sends only the steps
    that still make sense (no "due tomorrow" for a task due today).
    """
    return case_task_reminder_ladder(due_at=due_at)[0][1]


def _case_steps_due(ladder: list[tuple[str, datetime]], now: datetime) -> list[str]:
    passed = [kind for kind, at in ladder if at <= now]
    # Of the heads-up steps only the latest still makes sense after downtime: "due tomorrow" is
    # stale once the day has come, "due today" once the task is overdue. Escalation stands apart.
    heads_up = [kind for kind in passed if kind != CASE_REMINDER_ESCALATED][-1:]
    return heads_up + [kind for kind in passed if kind == CASE_REMINDER_ESCALATED]


def _case_reminder_message(kind: str, task: CaseTask) -> tuple[str, str]:
    due = f"{timezone.localdate(task.due_at):%Y-%m-%d}"
    values = {"case": task.case.title, "task": task.description[:80], "due": due,
              "department": task.department, "person": task.assignee}
    titles = {
        CASE_REMINDER_DUE_SOON: gettext("Case task due on %(due)s: %(task)s"),
        CASE_REMINDER_DUE_TODAY: gettext("Case task due today: %(task)s"),
        CASE_REMINDER_OVERDUE: gettext("Case task overdue since %(due)s: %(task)s"),
        CASE_REMINDER_ESCALATED: gettext("Escalated: %(department)s's case task overdue since %(due)s"),
    }
    body = gettext("Case: %(case)s\nWhat to do: %(task)s\nDepartment: %(department)s\n"
                   "Responsible person: %(person)s\nDue: %(due)s") % values
    return titles[kind] % values, body


def _case_reminder_title(kind: str, task: CaseTask) -> str:
    return _case_reminder_message(kind, task)[0]


def _case_reminder_body(kind: str, task: CaseTask) -> str:
    return _case_reminder_message(kind, task)[1]


def _case_tasks_claim(*, tasks: list[CaseTask], next_at: dict[int, datetime | None]) -> list[CaseTask]:
    """Claim a batch of tasks for this sweep in two statements; returns the ones claimed.

    On PostgreSQL, SELECT ... FOR UPDATE SKIP LOCKED leaves tasks another sweep holds to that
    sweep; of the rows locked, only those still carrying the marker and deadline this sweep read
    are its own (a task completed, moved or reminded meanwhile is left alone). One UPDATE moves
    every claimed marker on. The reminders' unique constraint stays the exactly-once guarantee
    (on SQLite, which has no row locks, it is the only one).
    """
    read = {task.pk: task for task in tasks}
    locked = CaseTask.objects.select_for_update(skip_locked=True).filter(
        pk__in=read, status=CaseTask.Status.OPEN
    ).values_list("pk", "due_at", "next_reminder_at")
    claimed = [read[pk] for pk, due_at, marker in locked
               if due_at == read[pk].due_at and marker == read[pk].next_reminder_at]
    if claimed:
        CaseTask.objects.filter(pk__in=[task.pk for task in claimed], status=CaseTask.Status.OPEN).update(
            # The column as the ELSE types the CASE on PostgreSQL even when every branch is NULL.
            next_reminder_at=SqlCase(
                *[When(pk=task.pk, then=Value(next_at[task.pk], output_field=models.DateTimeField()))
                  for task in claimed],
                default=F("next_reminder_at"), output_field=models.DateTimeField(),
            )
        )
    return sorted(claimed, key=lambda task: task.pk)


def _case_tasks_remind(*, tasks: list[CaseTask], now: datetime, exceptions: dict,
                       escalation: CaseEscalationRecipients) -> int:
    """Send what a batch of tasks owes at ``now`` in a fixed number of statements; returns how
    many reminders were sent."""
    owed: dict[int, list[str]] = {}
    next_at: dict[int, datetime | None] = {}
    for task in tasks:
        ladder = case_task_reminder_ladder(due_at=task.due_at, exceptions=exceptions)
        owed[task.pk] = _case_steps_due(ladder, now)
        next_at[task.pk] = min((at for _kind, at in ladder if at > now), default=None)
    with transaction.atomic():
        claimed = _case_tasks_claim(tasks=tasks, next_at=next_at)
        escalation.prefetch([task for task in claimed if CASE_REMINDER_ESCALATED in owed[task.pk]])
        drafts = []
        for task in claimed:
            for kind in owed[task.pk]:
                recipients = escalation(task) if kind == CASE_REMINDER_ESCALATED else [task.assignee]
                # Written in each recipient's language when the batch is sent (grouped by language).
                drafts.append(ReminderDraft(
                    subject=task, kind=kind, deadline=task.due_at, recipients=recipients,
                    title=partial(_case_reminder_title, kind, task), body=partial(_case_reminder_body, kind, task),
                    url=_case_url(task.case_id),
                ))
        # The database's unique (task, kind, deadline) is the exactly-once guarantee.
        return len(reminders_send_once(drafts=drafts))


def case_reminders_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Send every case-task reminder that is due at ``now``; returns how many were sent.

    Reads only open tasks whose marker (``next_reminder_at``) has passed, in batches of
    CASE_REMINDER_BATCH_SIZE by id, so the cost follows the reminders due: a fixed number of
    statements per batch (claim, reminders, recipients, notifications, outbox), and the batch's
    mail goes out over one connection after the commit. Safe to run twice or concurrently (each
    batch is claimed under row locks, each reminder is unique in the database) and after
    downtime (a passed marker is still a passed marker).
    """
    now = now or timezone.now()
    size = batch_size or settings.CASE_REMINDER_BATCH_SIZE
    lead = settings.CASE_REMINDER_LEAD_WORKING_DAYS
    grace = settings.CASE_ESCALATION_GRACE_WORKING_DAYS
    escalation = CaseEscalationRecipients()
    sent, last_id = 0, 0
    while True:
        batch = case_tasks_to_remind(now=now, after_id=last_id, size=size)
        if not batch:
            break
        last_id = batch[-1].pk
        days = [timezone.localdate(task.due_at) for task in batch]
        # One calendar read per batch, wide enough for the lead and grace walks of every task.
        exceptions = workdays.holiday_exceptions(
            min(days) - timedelta(days=lead * 3 + 30), max(days) + timedelta(days=grace * 3 + 30)
        )
        sent += _case_tasks_remind(tasks=batch, now=now, exceptions=exceptions, escalation=escalation)
        if len(batch) < size:
            break
    return sent
