import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.notifications.actions import notify, reminder_send_once
from portal.roles import Role, is_hall_staff
from services import workdays
from services.exceptions import (
    AlreadyBooked,
    AlreadyReviewed,
    CaseConflict,
    CaseInvalid,
    Conflict,
    CutoffPassed,
    Forbidden,
    Invalid,
    SlotFull,
    SlotNotBookable,
    TransitionNotAllowed,
)
from services.models import (
    Booking,
    BookingEvent,
    Bundle,
    Case,
    CaseEvent,
    CaseTask,
    Department,
    Holiday,
    Review,
    ServiceItem,
    Slot,
)
from services.workdays import is_working_day

# --- catalogue and booking (issue 3) ---



# Read aloud at a window and typed on a phone: no 0/O, 1/I/L look-alikes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def booking_reference_generate() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))


def _slot_for_booking(*, slot_id, bundle: Bundle | None, item: ServiceItem | None) -> Slot:
    """The slot asked for, checked against the bundle or item it is booked for (400s)."""
    try:
        slot = Slot.objects.select_related("bundle", "item").get(pk=int(slot_id))
    except (Slot.DoesNotExist, TypeError, ValueError):
        raise Invalid(_("This slot does not exist."), code="slot_unknown", field="slot")
    if bundle is not None and slot.bundle_id != bundle.pk:
        raise Invalid(_("This slot is not for the bundle you chose."), code="slot_mismatch", field="slot")
    if item is not None and slot.item_id != item.pk:
        raise Invalid(_("This slot is not for the service item you chose."), code="slot_mismatch", field="slot")
    return slot


def _slot_take(*, slot: Slot) -> None:
    """Take one place in ``slot`` or raise; the single conditional UPDATE is what prevents overbooking.

    Two requests racing for the last place both run this UPDATE; the database serialises them
    on the row, and the second sees ``booked_count = capacity`` and updates nothing.
    """
    now = timezone.now()
    taken = Slot.objects.filter(
        pk=slot.pk, is_open=True, starts_at__gt=now, booked_count__lt=F("capacity")
    ).update(booked_count=F("booked_count") + 1)
    if taken:
        return
    current = Slot.objects.filter(pk=slot.pk).values("is_open", "starts_at").first()
    if current is None or not current["is_open"] or current["starts_at"] <= now:
        raise SlotNotBookable()
    raise SlotFull()


def _slot_release(*, slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked_count__gt=0).update(booked_count=F("booked_count") - 1)


def _booking_url(booking: Booking) -> str:
    return reverse("services:booking_detail", kwargs={"reference": booking.reference})


def booking_create(
    *,
    user,
    slot_id,
    bundle: Bundle | None = None,
    item: ServiceItem | None = None,
    note: str = "",
) -> Booking:
    """Book one place in a slot for ``user``.

    Raises Invalid (unknown slot, a slot of another bundle or item), SlotNotBookable (closed or
    started), SlotFull, AlreadyBooked. Nothing is written when it raises. Sends a confirmation
    notification after commit.
    """
    slot = _slot_for_booking(slot_id=slot_id, bundle=bundle, item=item)
    if len(note) > 500:
        raise Invalid(_("Keep the note under 500 characters."), field="note")
    if Booking.objects.filter(user=user, slot=slot, status__in=Booking.ACTIVE).exists():
        raise AlreadyBooked()
    try:
        with transaction.atomic():
            _slot_take(slot=slot)
            booking = _booking_insert(user=user, slot=slot, note=note)
            BookingEvent.objects.create(booking=booking, to_status=Booking.Status.BOOKED, actor=user)
            start = timezone.localtime(slot.starts_at)
            notify(
                users=[user],
                title=_("Booking %(reference)s confirmed for %(when)s")
                % {"reference": booking.reference, "when": f"{start:%Y-%m-%d %H:%M}"},
                body=_("Show the reference or its QR code at the youth zone (青年专区)."),
                url=_booking_url(booking),
            )
    except IntegrityError:
        # The partial unique constraint caught a double submit the check above could not see.
        raise AlreadyBooked()
    booking.slot = slot
    return booking


def _booking_insert(*, user, slot: Slot, note: str) -> Booking:
    # A reference collision (about 1 in 10^12 per pair) gets a new reference; any other
    # integrity error (the same user twice in one slot) goes up to the caller.
    for _attempt in range(5):
        reference = booking_reference_generate()
        try:
            with transaction.atomic():
                return Booking.objects.create(reference=reference, user=user, slot=slot, note=note)
        except IntegrityError:
            if not Booking.objects.filter(reference=reference).exists():
                raise
    raise IntegrityError("could not find a free booking reference")


def _check_cutoff(*, booking: Booking, what: str) -> None:
    hours = settings.BOOKING_CANCEL_CUTOFF_HOURS
    if timezone.now() > booking.slot.starts_at - timedelta(hours=hours):
        if what == "cancel":
            message = _("Bookings can be cancelled until %(hours)s hours before the start; please call the hall.")
        else:
            message = _("Bookings can be moved until %(hours)s hours before the start; please call the hall.")
        raise CutoffPassed(message % {"hours": hours})


def _booking_transition(*, booking: Booking, to: str, actor, note: str = "", **fields) -> Booking:
    """Move ``booking`` to ``to`` if the workflow allows it, with its history row, atomically.

    The UPDATE is conditional on the status read, so two staff pressing "check in" and
    "no-show" at once cannot both win.
    """
    from_status = booking.status
    if to not in Booking.TRANSITIONS.get(from_status, set()):
        raise TransitionNotAllowed(
            _("A booking that is %(status)s cannot become %(to)s.")
            % {"status": Booking.Status(from_status).label, "to": Booking.Status(to).label}
        )
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status=from_status).update(
            status=to, updated_at=timezone.now(), **fields
        )
        if not changed:
            raise TransitionNotAllowed(_("This booking was changed meanwhile; please reload."))
        # Only a cancellation gives the place back; a completed or missed booking used it.
        if to == Booking.Status.CANCELLED:
            _slot_release(slot_id=booking.slot_id)
        BookingEvent.objects.create(booking=booking, from_status=from_status, to_status=to, actor=actor, note=note)
    booking.status = to
    for name, value in fields.items():
        setattr(booking, name, value)
    return booking


def booking_cancel(*, booking: Booking, actor) -> Booking:
    """The owner cancels until the cut-off; hall staff may cancel at any time (the hall closes)."""
    staff = is_hall_staff(actor)
    if booking.user_id != actor.pk and not staff:
        raise Forbidden(_("Only the applicant or hall staff can cancel a booking."))
    if booking.status != Booking.Status.BOOKED:
        raise TransitionNotAllowed(_("Only a booking that is still booked can be cancelled."))
    if not staff:
        _check_cutoff(booking=booking, what="cancel")
    return _booking_transition(booking=booking, to=Booking.Status.CANCELLED, actor=actor)


def booking_reschedule(*, booking: Booking, actor, slot_id) -> Booking:
    """Move the booking to another slot of the same bundle or item, atomically.

    When the new slot is full, closed or already booked by the applicant, the booking stays in
    its old slot exactly as it was.
    """
    if booking.user_id != actor.pk:
        raise Forbidden(_("Only the applicant can move a booking."))
    if booking.status != Booking.Status.BOOKED:
        raise TransitionNotAllowed(_("Only a booking that is still booked can be moved."))
    old = booking.slot
    new = _slot_for_booking(slot_id=slot_id, bundle=old.bundle, item=old.item)
    if new.pk == old.pk:
        raise Invalid(_("Choose a different time from the one you have."), code="same_slot", field="slot")
    _check_cutoff(booking=booking, what="move")
    if Booking.objects.filter(user=booking.user_id, slot=new, status__in=Booking.ACTIVE).exists():
        raise AlreadyBooked()
    try:
        with transaction.atomic():
            _slot_take(slot=new)
            moved = Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED, slot=old).update(
                slot=new, updated_at=timezone.now()
            )
            if not moved:
                raise Conflict(_("This booking was changed meanwhile; please reload."))
            _slot_release(slot_id=old.pk)
            old_start = timezone.localtime(old.starts_at)
            BookingEvent.objects.create(
                booking=booking,
                from_status=booking.status,
                to_status=booking.status,
                actor=actor,
                note=_("Moved from %(when)s") % {"when": f"{old_start:%Y-%m-%d %H:%M}"},
            )
    except IntegrityError:
        raise AlreadyBooked()
    booking.slot = new
    return booking


def _require_staff(actor) -> None:
    if not is_hall_staff(actor):
        raise Forbidden(_("Only hall staff can do this."))


def booking_check_in(*, booking: Booking, actor) -> Booking:
    _require_staff(actor)
    return _booking_transition(booking=booking, to=Booking.Status.CHECKED_IN, actor=actor)


def booking_complete(*, booking: Booking, actor) -> Booking:
    _require_staff(actor)
    return _booking_transition(booking=booking, to=Booking.Status.COMPLETED, actor=actor)


def booking_mark_no_show(*, booking: Booking, actor) -> Booking:
    _require_staff(actor)
    if booking.status == Booking.Status.BOOKED and timezone.now() < booking.slot.starts_at:
        raise TransitionNotAllowed(_("A booking can only be marked as a no-show once its slot has started."))
    return _booking_transition(booking=booking, to=Booking.Status.NO_SHOW, actor=actor)


def review_create(*, booking: Booking, user, stars, comment: str = "") -> Review:
    """The applicant's one review of a completed booking. Raises Invalid, Forbidden, Conflict."""
    if booking.user_id != user.pk:
        raise Forbidden(_("Only the applicant can review a booking."))
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise Invalid(_("Give between 1 and 5 stars."), field="stars")
    if not 1 <= stars <= 5:
        raise Invalid(_("Give between 1 and 5 stars."), field="stars")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise Invalid(_("Keep the comment under 1000 characters."), field="comment")
    if booking.status != Booking.Status.COMPLETED:
        raise TransitionNotAllowed(_("You can review a booking once it is completed."))
    if Review.objects.filter(booking=booking).exists():
        raise AlreadyReviewed()
    try:
        with transaction.atomic():
            return Review.objects.create(booking=booking, stars=stars, comment=comment)
    except IntegrityError:
        raise AlreadyReviewed()


def slot_open_bulk(
    *,
    bundle: Bundle | None = None,
    item: ServiceItem | None = None,
    date_from: date,
    date_to: date,
    weekdays: Iterable[int],
    times: Iterable[tuple[time, time]],
    capacity: int,
    working_days_only: bool = True,
) -> tuple[int, int]:
    """Open a slot at each time on each chosen weekday between the dates (both included).

    ``weekdays`` are 0 (Monday) to 6. Days off in the holiday calendar are skipped unless
    ``working_days_only`` is false, and a make-up working day counts as a working day whatever
    its weekday. Idempotent: a slot that already exists at the same start is left alone.
    Returns (opened, skipped).
    """
    if (bundle is None) == (item is None):
        raise Invalid(_("Choose either a bundle or a service item."), field="bundle")
    if date_to < date_from:
        raise Invalid(_("The last day must not be before the first."), field="date_to")
    if (date_to - date_from).days > 366:
        raise Invalid(_("Open at most one year of slots at a time."), field="date_to")
    if capacity < 1:
        raise Invalid(_("Capacity must be at least 1."), field="capacity")
    times = list(times)
    for start, end in times:
        if end <= start:
            raise Invalid(_("Each time must end after it starts."), field="times")
    weekdays = set(weekdays)
    exceptions = {
        day: kind == Holiday.Kind.WORKING_DAY
        for day, kind in Holiday.objects.filter(date__range=(date_from, date_to)).values_list("date", "kind")
    }
    wanted = []
    day = date_from
    while day <= date_to:
        if working_days_only:
            chosen = is_working_day(day, exceptions) and (day.weekday() in weekdays or day in exceptions)
        else:
            chosen = day.weekday() in weekdays
        if chosen:
            for start, end in times:
                wanted.append(
                    (
                        timezone.make_aware(datetime.combine(day, start)),
                        timezone.make_aware(datetime.combine(day, end)),
                    )
                )
        day += timedelta(days=1)
    subject = {"bundle": bundle} if bundle is not None else {"item": item}
    existing = set(
        Slot.objects.filter(**subject, starts_at__in=[start for start, _end in wanted]).values_list("starts_at", flat=True)
    )
    new = [
        Slot(**subject, starts_at=start, ends_at=end, capacity=capacity)
        for start, end in wanted
        if start not in existing
    ]
    with transaction.atomic():
        Slot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), len(wanted) - len(new)


def slot_close(*, slot: Slot) -> Slot:
    """Stop new bookings in a slot; the bookings it has keep their places."""
    Slot.objects.filter(pk=slot.pk).update(is_open=False)
    slot.is_open = False
    return slot



# --- cross-department cases (issue 4) ---



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
    return reverse("services:case_detail", args=[case_id])


def case_open(
    *,
    opened_by: User,
    title: str,
    description: str,
    lead_department: Department,
    applicant: User | None = None,
    source: str,
    suggestion=None,
) -> Case:
    """Open a case led by ``lead_department``; tasks are added with ``case_task_add``.

    Raises CaseInvalid for bad input and CaseConflict when the ledger entry already has a case.
    """
    title = _case_text(title, field="title", max_length=120)
    description = _case_text(description, field="description", max_length=5000)
    if source not in Case.Source.values:
        raise CaseInvalid(gettext("Choose a valid source."), field="source")
    if suggestion is not None and Case.objects.filter(suggestion=suggestion).exists():
        raise CaseConflict(gettext("This ledger entry already has a case."), code="suggestion_has_case")
    with transaction.atomic():
        # The one-to-one constraint still decides under a race; the API turns it into a 409.
        case = Case.objects.create(
            title=title,
            description=description,
            lead_department=lead_department,
            applicant=applicant,
            source=source,
            suggestion=suggestion,
            opened_by=opened_by,
        )
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, actor=opened_by, to_status=case.status)
    return case


def case_set_status(*, case: Case, to: str, by: User | None, note: str = "") -> Case:
    """Move a case along Case.TRANSITIONS; refuses any other move with a 409. Writes history."""
    if to not in Case.TRANSITIONS.get(case.status, set()):
        raise CaseConflict(
            gettext("A case cannot go from %(from)s to %(to)s.")
            % {"from": Case.Status(case.status).label, "to": Case.Status(to).label},
            code="case_transition",
        )
    now = timezone.now()
    closed_at = now if to in (Case.Status.DONE, Case.Status.CANCELLED) else None
    with transaction.atomic():
        # Conditional on the status we read: a concurrent move makes this one a conflict.
        moved = Case.objects.filter(pk=case.pk, status=case.status).update(status=to, closed_at=closed_at)
        if not moved:
            raise CaseConflict(gettext("The case changed meanwhile; reload and try again."), code="case_changed")
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STATUS_CHANGED, actor=by,
                                 from_status=case.status, to_status=to, note=note)
        case.status, case.closed_at = to, closed_at
    return case


def _case_refresh_status(*, case_id: int, by: User | None) -> Case:
    """After a task closes: the case is done when every task that counts is done."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status not in Case.ACTIVE:
        return case
    statuses = list(case.tasks.exclude(status=CaseTask.Status.CANCELLED).values_list("status", flat=True))
    if statuses and all(status == CaseTask.Status.DONE for status in statuses):
        case_set_status(case=case, to=Case.Status.DONE, by=by)
        if case.applicant_id:
            notify(
                users=[case.applicant],
                title=gettext("Your case is done: %(title)s") % {"title": case.title},
                body=gettext("Every department has finished its part. Thank you for your patience."),
                url=_case_url(case.pk),
            )
    elif case.status == Case.Status.OPEN and CaseTask.Status.DONE in statuses:
        case_set_status(case=case, to=Case.Status.IN_PROGRESS, by=by)
    return case


def case_due_at(*, case: Case, due_on: date | None = None, working_days: int | None = None,
                now: datetime | None = None) -> datetime:
    """The deadline for a task of ``case``: a working day, given as a date or as working days from today.

    Raises CaseInvalid (field ``due_on`` or ``working_days``) when it is missing, both are given,
    it lies before the case was opened or in the past, or falls on a day off.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if (due_on is None) == (working_days is None):
        raise CaseInvalid(gettext("Give either a due date or a number of working days."), field="due_on")
    if working_days is not None:
        if working_days < 1 or working_days > 250:
            raise CaseInvalid(gettext("Give between 1 and 250 working days."), field="working_days")
        due_on = workdays.add_working_days(today, working_days)
    if case.opened_at and due_on < timezone.localdate(case.opened_at):
        raise CaseInvalid(gettext("The due date cannot be before the case was opened."), field="due_on")
    if due_on < today:
        raise CaseInvalid(gettext("The due date cannot be in the past."), field="due_on")
    if not workdays.is_working_day(due_on):
        raise CaseInvalid(gettext("The due date must be a working day."), field="due_on")
    return workdays.end_of_working_day(due_on)


def case_task_add(
    *,
    case: Case,
    added_by: User,
    department: Department,
    assignee: User,
    description: str,
    due_on: date | None = None,
    working_days: int | None = None,
) -> CaseTask:
    """Add a task to an open case and tell its responsible person.

    The responsible person must be an officer of the task's department (400); a closed case takes
    no new tasks (409).
    """
    description = _case_text(description, field="description", max_length=2000)
    if not department.officers.filter(pk=assignee.pk, is_active=True).exists():
        raise CaseInvalid(
            gettext("%(person)s is not an officer of %(department)s.") % {"person": assignee, "department": department},
            field="assignee",
            code="assignee_not_officer",
        )
    due_at = case_due_at(case=case, due_on=due_on, working_days=working_days)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status not in Case.ACTIVE:
            raise CaseConflict(gettext("Tasks can only be added to an open case."), code="case_closed")
        task = CaseTask.objects.create(
            case=locked, department=department, assignee=assignee, description=description, due_at=due_at,
            next_reminder_at=case_task_first_reminder_at(due_at=due_at),
        )
        CaseEvent.objects.create(case=locked, task=task, kind=CaseEvent.Kind.TASK_ADDED, actor=added_by,
                                 to_status=task.status, note=description)
        notify(
            users=[assignee],
            title=gettext("New case task for you: %(case)s") % {"case": locked.title},
            body=gettext("What to do: %(task)s\nDue: %(due)s")
            % {"task": description, "due": f"{timezone.localdate(due_at):%Y-%m-%d}"},
            url=_case_url(locked.pk),
        )
    return task


def case_task_complete(*, task: CaseTask, by: User, note: str = "") -> CaseTask:
    """Mark an open task done with a note; the case follows. Completing twice is a 409.

    Authorisation (the assignee or hall staff) is checked by ``case_task_get_for_user``.
    """
    note = _case_text(note, field="note", max_length=2000, required=False)
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE is the lock: of two clicks, or a click and the sweep, one wins.
        done = CaseTask.objects.filter(pk=task.pk, status=CaseTask.Status.OPEN).update(
            status=CaseTask.Status.DONE, completed_at=now, completed_by=by, note=note, next_reminder_at=None
        )
        if not done:
            raise CaseConflict(gettext("This task is already closed."), code="task_closed")
        CaseEvent.objects.create(case_id=task.case_id, task=task, kind=CaseEvent.Kind.TASK_COMPLETED, actor=by,
                                 from_status=CaseTask.Status.OPEN, to_status=CaseTask.Status.DONE, note=note)
        _case_refresh_status(case_id=task.case_id, by=by)
    task.refresh_from_db()
    return task


def case_task_reschedule(
    *, task: CaseTask, by: User, due_on: date | None = None, working_days: int | None = None,
    reason: str = "",
) -> CaseTask:
    """Move an open task's deadline. Reminders follow the new date (the deadline is in their key)."""
    reason = _case_text(reason, field="reason", max_length=500, required=False)
    due_at = case_due_at(case=task.case, due_on=due_on, working_days=working_days)
    if due_at == task.due_at:
        raise CaseInvalid(gettext("The task is already due on that day."), field="due_on")
    old_due = task.due_at
    with transaction.atomic():
        moved = CaseTask.objects.filter(pk=task.pk, status=CaseTask.Status.OPEN, due_at=old_due).update(
            due_at=due_at, next_reminder_at=case_task_first_reminder_at(due_at=due_at)
        )
        if not moved:
            raise CaseConflict(gettext("Only an open task's deadline can move."), code="task_closed")
        CaseEvent.objects.create(
            case_id=task.case_id, task=task, kind=CaseEvent.Kind.TASK_RESCHEDULED, actor=by,
            note=gettext("From %(old)s to %(new)s. %(reason)s")
            % {"old": f"{timezone.localdate(old_due):%Y-%m-%d}",
               "new": f"{timezone.localdate(due_at):%Y-%m-%d}", "reason": reason},
        )
        notify(
            users=[task.assignee],
            title=gettext("New deadline %(due)s for your case task") % {"due": f"{timezone.localdate(due_at):%Y-%m-%d}"},
            body=task.description,
            url=_case_url(task.case_id),
        )
    task.refresh_from_db()
    return task


def case_cancel(*, case: Case, by: User, reason: str = "") -> Case:
    """Cancel a case and its open tasks; cancelled tasks get no more reminders."""
    reason = _case_text(reason, field="reason", max_length=500, required=False)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        case_set_status(case=locked, to=Case.Status.CANCELLED, by=by, note=reason)
        open_tasks = list(locked.tasks.filter(status=CaseTask.Status.OPEN))
        CaseTask.objects.filter(pk__in=[t.pk for t in open_tasks], status=CaseTask.Status.OPEN).update(
            status=CaseTask.Status.CANCELLED, next_reminder_at=None
        )
        CaseEvent.objects.bulk_create([
            CaseEvent(case=locked, task=t, kind=CaseEvent.Kind.TASK_CANCELLED, actor=by,
                      from_status=CaseTask.Status.OPEN, to_status=CaseTask.Status.CANCELLED, note=reason)
            for t in open_tasks
        ])
    return locked


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


class _CaseEscalationRecipients:
    """Committee reviewers (read once per sweep) plus the lead department's officers."""

    def __init__(self) -> None:
        self._reviewers: list | None = None

    def __call__(self, task: CaseTask) -> list:
        if self._reviewers is None:
            self._reviewers = list(
                User.objects.filter(groups__name=Role.COMMITTEE_REVIEWER, is_active=True).distinct()
            )
        officers = list(task.case.lead_department.officers.filter(is_active=True))
        return self._reviewers + officers


def _case_task_remind(*, task: CaseTask, now: datetime, exceptions: dict, escalation) -> int:
    ladder = case_task_reminder_ladder(due_at=task.due_at, exceptions=exceptions)
    kinds = _case_steps_due(ladder, now)
    next_at = min((at for _kind, at in ladder if at > now), default=None)
    sent = 0
    with transaction.atomic():
        # Claim the task: of two sweeps that read the same marker, only one moves it on. A task
        # completed or moved meanwhile no longer matches and is left alone.
        claimed = CaseTask.objects.filter(
            pk=task.pk, status=CaseTask.Status.OPEN, due_at=task.due_at, next_reminder_at=task.next_reminder_at
        ).update(next_reminder_at=next_at)
        if not claimed:
            return 0
        for kind in kinds:
            recipients = escalation(task) if kind == CASE_REMINDER_ESCALATED else [task.assignee]
            title, body = _case_reminder_message(kind, task)
            # The database's unique (task, kind, deadline) is the exactly-once guarantee.
            if reminder_send_once(subject=task, kind=kind, deadline=task.due_at, recipients=recipients,
                                  title=title, body=body, url=_case_url(task.case_id)):
                sent += 1
    return sent


def case_reminders_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Send every case-task reminder that is due at ``now``; returns how many were sent.

    Reads only open tasks whose marker (``next_reminder_at``) has passed, in batches of
    CASE_REMINDER_BATCH_SIZE by id, so the cost follows the reminders due. Safe to run twice or
    concurrently (each task is claimed by a conditional UPDATE, each reminder is unique in the
    database) and after downtime (a passed marker is still a passed marker).
    """
    now = now or timezone.now()
    size = batch_size or settings.CASE_REMINDER_BATCH_SIZE
    lead = settings.CASE_REMINDER_LEAD_WORKING_DAYS
    grace = settings.CASE_ESCALATION_GRACE_WORKING_DAYS
    escalation = _CaseEscalationRecipients()
    sent, last_id = 0, 0
    while True:
        batch = list(
            CaseTask.objects.filter(status=CaseTask.Status.OPEN, next_reminder_at__lte=now, pk__gt=last_id)
            .select_related("case", "case__lead_department", "department", "assignee")
            .order_by("pk")[:size]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        days = [timezone.localdate(task.due_at) for task in batch]
        # One calendar read per batch, wide enough for the lead and grace walks of every task.
        exceptions = workdays.holiday_exceptions(
            min(days) - timedelta(days=lead * 3 + 30), max(days) + timedelta(days=grace * 3 + 30)
        )
        for task in batch:
            sent += _case_task_remind(task=task, now=now, exceptions=exceptions, escalation=escalation)
        if len(batch) < size:
            break
    return sent
