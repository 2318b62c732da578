"""Writes of the catalogue and booking: booking, cancelling, moving and reviewing a booking, the
hall's check-in, completion and no-show, and opening slots. The person acting is ``by``; a
booking's status moves through ``portal.workflow`` (``Booking.TRANSITIONS``) with its history row.
"""
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.models import User
from portal.exceptions import TransitionNotAllowed
from portal.files import upload_check
from portal.hall.workdays import deadline_after_working_days, holiday_exceptions, is_working_day, start_of_day
from portal.notifications.actions import (
    ReminderDraft,
    Text,
    notify,
    reminder_send_once,
    reminders_send_once,
    reminders_sweep_batches,
)
from portal.roles import is_hall_staff
from portal.workflow import transition_allowed, transition_move
from services import booking_sql, selectors
from services.exceptions import (
    AlreadyBooked,
    AlreadyCheckedIn,
    AlreadyRated,
    BookingLimitReached,
    CheckInNotToday,
    CheckInOutsideWindow,
    Conflict,
    CutoffPassed,
    Forbidden,
    Invalid,
    NotAtThisWindow,
    NoWindowForService,
    PrecheckClosed,
    PrecheckVersionOpen,
    QueueEmpty,
    RecallsNeeded,
    SlotFull,
    SlotNotBookable,
    WindowBusy,
)
from services.models import (
    Booking,
    BookingEvent,
    Bundle,
    BundleItem,
    Evaluation,
    Grade,
    Material,
    PrecheckEvent,
    PrecheckFile,
    PrecheckFileAccess,
    PrecheckReason,
    PrecheckUpload,
    QueueCounter,
    QueueTicket,
    QueueTicketEvent,
    Rectification,
    RectificationEvent,
    ServiceItem,
    Slot,
    Window,
    Zone,
)

# Read aloud at a window and typed on a phone: no 0/O, 1/I/L look-alikes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def booking_reference_generate() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))


def _slot_check_subject(*, slot: Slot, bundle: Bundle | None, item: ServiceItem | None) -> None:
    """The slot must be one of the bundle or item it is booked for (400)."""
    if bundle is not None and slot.bundle_id != bundle.pk:
        raise Invalid(_("This slot is not for the bundle you chose."), code="slot_mismatch", field="slot")
    if item is not None and slot.item_id != item.pk:
        raise Invalid(_("This slot is not for the service item you chose."), code="slot_mismatch", field="slot")


def _slot_take(*, slot: Slot) -> None:
    """Take one place in ``slot`` (``booking_sql.slot_take``: the single conditional UPDATE that
    prevents overbooking) or raise, telling a closed or started slot from a full one."""
    if booking_sql.slot_take(slot_id=slot.pk):
        return
    now = timezone.now()
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
    slot: Slot,
    bundle: Bundle | None = None,
    item: ServiceItem | None = None,
    note: str = "",
    by: User,
) -> Booking:
    """Book one place in ``slot`` for ``by``.

    Raises Invalid (a slot of another bundle or item, a long note), SlotNotBookable (closed or
    started), SlotFull, AlreadyBooked. Nothing is written when it raises. Sends a confirmation
    notification after commit.
    """
    _slot_check_subject(slot=slot, bundle=bundle, item=item)
    if len(note) > 500:
        raise Invalid(_("Keep the note under 500 characters."), field="note")
    # A reference collision (about 1 in 10^12 per pair) gives the whole booking another try with
    # a new reference: cheaper than a savepoint around every insert.
    for _attempt in range(5):
        reference = booking_reference_generate()
        try:
            booking = _booking_write(slot=slot, reference=reference, note=note, by=by)
        except IntegrityError:
            if not Booking.objects.filter(reference=reference).exists():
                # The partial unique constraint caught a second active booking of the slot
                # (two tabs at once) that the check under the person's lock could not see.
                raise AlreadyBooked()
            continue
        booking.slot = slot
        return booking
    raise IntegrityError("could not find a free booking reference")


def _booking_write(*, slot: Slot, reference: str, note: str, by: User) -> Booking:
    with transaction.atomic():
        _check_active_limit(user=by, slot=slot)
        _slot_take(slot=slot)
        booking = Booking(reference=reference, user=by, slot=slot, note=note)
        booking_sql.insert(booking)
        booking_sql.insert(BookingEvent(booking=booking, to_status=Booking.Status.BOOKED, by=by))
        start = timezone.localtime(slot.starts_at)
        notify(
            users=[by],
            # Written in the applicant's language (User.language), like every notification.
            title=lambda: _("Booking %(reference)s confirmed for %(when)s")
            % {"reference": booking.reference, "when": f"{start:%Y-%m-%d %H:%M}"},
            body=lambda: _("Show the reference or its QR code at the youth zone (青年专区)."),
            url=_booking_url(booking),
        )
    return booking


def _check_active_limit(*, user: User, slot: Slot) -> None:
    """Refuse a second booking of the same slot (409 AlreadyBooked) and one beyond
    BOOKING_MAX_ACTIVE_PER_PERSON for the slot's bundle or item (409).

    Runs inside the booking's transaction with the person's row locked, so two tabs booking at
    once are counted one after the other (PostgreSQL); SQLite serialises writers anyway.
    """
    cap = settings.BOOKING_MAX_ACTIVE_PER_PERSON
    if cap:
        booking_sql.person_lock(user=user)
    # One query for both checks: the slot is bookable, so it starts today or later and is among
    # these. (Without a cap, two tabs at once are caught by the partial unique constraint.)
    active = booking_sql.active_bookings(user=user, slot=slot)
    if any(slot_id == slot.pk for slot_id, _reference in active):
        raise AlreadyBooked()
    if cap and len(active) >= cap:
        raise BookingLimitReached(
            ngettext(
                "You already have %(count)s active booking for “%(subject)s” (%(references)s); "
                "cancel it or wait until it is done before booking again.",
                "You already have %(count)s active bookings for “%(subject)s” (%(references)s); "
                "cancel one or wait until it is done before booking again.",
                len(active),
            ) % {"count": len(active), "subject": slot.subject, "references": ", ".join(reference for _slot, reference in active)},
            field="slot",
        )


def _check_cutoff(*, booking: Booking, what: str) -> None:
    hours = settings.BOOKING_CANCEL_CUTOFF_HOURS
    if timezone.now() > booking.slot.starts_at - timedelta(hours=hours):
        if what == "cancel":
            message = _("Bookings can be cancelled until %(hours)s hours before the start; please call the hall.")
        else:
            message = _("Bookings can be moved until %(hours)s hours before the start; please call the hall.")
        raise CutoffPassed(message % {"hours": hours})


def _booking_move(*, booking: Booking, to: str, by: User, changes: dict | None = None) -> Booking:
    """Move ``booking`` along Booking.TRANSITIONS with its history row, atomically.

    The UPDATE is conditional on the status read, so two staff pressing "check in" and
    "no-show" at once cannot both win; the loser gets a 409.
    """
    if not transition_allowed(booking, to):
        raise TransitionNotAllowed(
            _("A booking that is %(status)s cannot become %(to)s.")
            % {"status": Booking.Status(booking.status).label, "to": Booking.Status(to).label}
        )
    with transaction.atomic():
        transition_move(
            booking, to=to, by=by, history=BookingEvent, link="booking",
            changes={"updated_at": timezone.now(), **(changes or {})},
            message=_("This booking was changed meanwhile; please reload."),
        )
        # Only a cancellation gives the place back; a completed or missed booking used it.
        if to == Booking.Status.CANCELLED:
            _slot_release(slot_id=booking.slot_id)
    return booking


def booking_cancel(*, booking: Booking, by: User) -> Booking:
    """The owner cancels until the cut-off; hall staff may cancel at any time (the hall closes)."""
    staff = is_hall_staff(by)
    if booking.user_id != by.pk and not staff:
        raise Forbidden(_("Only the applicant or hall staff can cancel a booking."))
    if not transition_allowed(booking, Booking.Status.CANCELLED):
        raise TransitionNotAllowed(_("Only a booking that is still booked can be cancelled."))
    if not staff:
        _check_cutoff(booking=booking, what="cancel")
    return _booking_move(booking=booking, to=Booking.Status.CANCELLED, by=by)


def booking_reschedule(*, booking: Booking, slot: Slot, by: User) -> Booking:
    """Move the booking to another slot of the same bundle or item, atomically.

    Not a move of the booking's state machine (it stays booked): the conditional UPDATE checks
    the status and the slot read instead. When the new slot is full, closed or already booked by
    the applicant, the booking stays in its old slot exactly as it was.
    """
    if booking.user_id != by.pk:
        raise Forbidden(_("Only the applicant can move a booking."))
    if booking.status != Booking.Status.BOOKED:
        raise TransitionNotAllowed(_("Only a booking that is still booked can be moved."))
    old = booking.slot
    _slot_check_subject(slot=slot, bundle=old.bundle, item=old.item)
    if slot.pk == old.pk:
        raise Invalid(_("Choose a different time from the one you have."), code="same_slot", field="slot")
    # A booking on a day the hall has since closed (a new day off in the calendar) may always
    # move: the person was told to, however close the day is.
    if is_working_day(timezone.localdate(old.starts_at)):
        _check_cutoff(booking=booking, what="move")
    if Booking.objects.filter(user=booking.user_id, slot=slot, status__in=Booking.ACTIVE).exists():
        raise AlreadyBooked()
    try:
        with transaction.atomic():
            _slot_take(slot=slot)
            moved = Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED, slot=old).update(
                slot=slot, updated_at=timezone.now()
            )
            if not moved:
                raise Conflict(_("This booking was changed meanwhile; please reload."))
            _slot_release(slot_id=old.pk)
            old_start = timezone.localtime(old.starts_at)
            BookingEvent.objects.create(
                booking=booking,
                from_status=booking.status,
                to_status=booking.status,
                by=by,
                note=_("Moved from %(when)s") % {"when": f"{old_start:%Y-%m-%d %H:%M}"},
            )
    except IntegrityError:
        raise AlreadyBooked()
    booking.slot = slot
    return booking


def _require_staff(by: User) -> None:
    if not is_hall_staff(by):
        raise Forbidden(_("Only hall staff can do this."))


def booking_check_in(*, booking: Booking, by: User) -> Booking:
    """Hall staff check a booking in (admin, API): only on the booking's own day (409 otherwise)."""
    _require_staff(by)
    if booking.status == Booking.Status.BOOKED and not selectors.booking_is_today(booking):
        raise CheckInNotToday(
            _("Booking %(reference)s is for %(day)s; it can only be checked in on that day.")
            % {"reference": booking.reference, "day": f"{timezone.localdate(booking.slot.starts_at):%Y-%m-%d}"}
        )
    return _booking_move(booking=booking, to=Booking.Status.CHECKED_IN, by=by)


def booking_complete(*, booking: Booking, by: User, settled_in_one_visit: bool = True) -> Booking:
    """The window completes the booking and records whether the matter was settled on this one
    visit (最多跑一次) or the applicant must come back."""
    _require_staff(by)
    if not isinstance(settled_in_one_visit, bool):
        raise Invalid(_("Say whether the matter was settled in one visit."), field="settled_in_one_visit")
    return _booking_move(
        booking=booking, to=Booking.Status.COMPLETED, by=by,
        changes={"settled_in_one_visit": settled_in_one_visit},
    )


def booking_mark_no_show(*, booking: Booking, by: User) -> Booking:
    _require_staff(by)
    if booking.status == Booking.Status.BOOKED and timezone.now() < booking.slot.starts_at:
        raise TransitionNotAllowed(_("A booking can only be marked as a no-show once its slot has started."))
    return _booking_move(booking=booking, to=Booking.Status.NO_SHOW, by=by)


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
    exceptions = holiday_exceptions(date_from, date_to)
    wanted = []
    # Counted by offset, not by stepping past date_to: the day after 9999-12-31 does not exist.
    for offset in range((date_to - date_from).days + 1):
        day = date_from + timedelta(days=offset)
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


# --- pre-check of materials (材料预审) ---------------------------------------------------------
PRECHECK_REMINDER_DUE_TODAY = "precheck_due_today"
PRECHECK_REMINDER_OVERDUE = "precheck_overdue"
PRECHECK_NOT_READY = "precheck_not_ready"


def _officers(department) -> list[User]:
    return list(department.officers.filter(is_active=True))


def _precheck_ladder(*, due_at: datetime) -> list[tuple[str, datetime]]:
    """When each reminder of an upload falls due: on the due day at PRECHECK_REMINDER_HOUR, and
    once the deadline has passed."""
    due_day = timezone.localdate(due_at)
    morning = timezone.make_aware(datetime.combine(due_day, time(settings.PRECHECK_REMINDER_HOUR)))
    return [(PRECHECK_REMINDER_DUE_TODAY, min(morning, due_at)), (PRECHECK_REMINDER_OVERDUE, due_at + timedelta(seconds=1))]


def precheck_upload_create(*, booking: Booking, material: Material, files: list, by: User) -> PrecheckUpload:
    """The applicant uploads a version of one material of ``booking``: one or more files (photos
    of the pages, or PDFs), each checked by content (``portal.files.upload_check``).

    Raises Forbidden (not the applicant), PrecheckClosed (the booking is no longer booked or its
    time has passed), Invalid (a material the booking does not need or that is issued within the
    bundle, no file, too many files, a file that is not what it claims, too big, too many pages),
    PrecheckVersionOpen (a version is already waiting or accepted). Nothing is written, and no file
    kept, when it raises. The checking department's officers are notified after commit.
    """
    from services.selectors import booking_material_rows, booking_precheck_open

    if booking.user_id != by.pk:
        raise Forbidden(_("Only the applicant can upload materials for a booking."))
    if not booking_precheck_open(booking):
        raise PrecheckClosed()
    row = next((row for row in booking_material_rows(booking) if row["material"].pk == material.pk), None)
    if row is None:
        raise Invalid(_("This booking does not need this material."), code="material_not_needed", field="material")
    if row["issued_by"] is not None:
        raise Invalid(
            _("This material is issued here by “%(item)s”: there is nothing to upload.") % {"item": row["issued_by"].name},
            code="material_issued_here", field="material",
        )
    files = [upload for upload in files if upload is not None]
    if not files:
        raise Invalid(_("Choose at least one file (a photo or a PDF)."), code="no_file", field="files")
    if len(files) > settings.PRECHECK_MAX_FILES:
        raise Invalid(_("Upload at most %(count)d files for one material.") % {"count": settings.PRECHECK_MAX_FILES},
                      code="too_many_files", field="files")
    checked = [
        upload_check(upload, max_bytes=settings.PRECHECK_MAX_BYTES, max_pages=settings.PRECHECK_MAX_PAGES, field="files")
        for upload in files
    ]
    if PrecheckUpload.objects.filter(booking=booking, material=material, status__in=PrecheckUpload.OPEN).exists():
        raise PrecheckVersionOpen()
    now = timezone.now()
    # Checked before the visit, or the check saves nobody a trip: an upload made close to the
    # visit is due by its start rather than after it.
    due_at = min(deadline_after_working_days(now, settings.PRECHECK_DEADLINE_WORKING_DAYS), booking.slot.starts_at)
    department = row["department"]
    saved: list[PrecheckFile] = []
    try:
        with transaction.atomic():
            last = (
                PrecheckUpload.objects.filter(booking=booking, material=material).order_by("-version")
                .values_list("version", flat=True).first()
            )
            upload = PrecheckUpload.objects.create(
                booking=booking, material=material, department=department, version=(last or 0) + 1,
                uploaded_by=by, uploaded_at=now, due_at=due_at,
                next_reminder_at=_precheck_ladder(due_at=due_at)[0][1],
            )
            for position, (original, info) in enumerate(zip(files, checked, strict=True)):
                original.seek(0)
                record = PrecheckFile(
                    upload=upload, position=position, original_name=(original.name or "")[-200:] or "file",
                    content_type=info.content_type, size=info.size, pages=info.pages,
                )
                record.file.save(f"file.{info.extension}", original, save=False)
                saved.append(record)
                record.save()
            PrecheckEvent.objects.create(upload=upload, to_status=PrecheckUpload.Status.SUBMITTED, by=by, at=now)
            notify(
                users=_officers(department),
                title=lambda: _("Materials to pre-check: %(material)s for booking %(reference)s")
                % {"material": material.name, "reference": booking.reference},
                body=lambda: _("Please check them by %(due)s.") % {"due": f"{timezone.localtime(due_at):%Y-%m-%d %H:%M}"},
                url=reverse("services:precheck_list"),
            )
    except IntegrityError:
        _precheck_files_delete(saved)
        # Two uploads of the same material at once: the partial unique constraint let one in.
        raise PrecheckVersionOpen()
    except BaseException:
        _precheck_files_delete(saved)
        raise
    return upload


def _precheck_files_delete(files) -> None:
    for record in files:
        if record.file and record.file.name:
            record.file.storage.delete(record.file.name)


def _precheck_decide(*, upload: PrecheckUpload, by: User, to: str, changes: dict, note: str, title: Text,
                     body: Text) -> PrecheckUpload:
    from services.selectors import precheck_may_decide

    if not precheck_may_decide(upload=upload, user=by):
        raise Forbidden(_("Only an officer of the checking department can pre-check this material."))
    if upload.status != PrecheckUpload.Status.SUBMITTED:
        raise TransitionNotAllowed(
            _("This material has already been checked or withdrawn (%(status)s).")
            % {"status": PrecheckUpload.Status(upload.status).label}
        )
    booking = upload.booking
    url = _booking_url(booking)
    with transaction.atomic():
        transition_move(
            upload, to=to, by=by, history=PrecheckEvent, link="upload", note=note,
            changes={"decided_at": timezone.now(), "decided_by": by, "next_reminder_at": None, **changes},
            message=_("This material was checked or withdrawn meanwhile; please reload."),
        )
        # The site notification is written with the decision (mail and webhook go after commit).
        notify(users=[booking.user], title=title, body=body, url=url)
    return upload


def precheck_upload_accept(*, upload: PrecheckUpload, by: User) -> PrecheckUpload:
    """The checking department accepts the material; the applicant is told at once. 409 when it
    was already checked or withdrawn (two officers at once: one decision stands)."""
    return _precheck_decide(
        upload=upload, by=by, to=PrecheckUpload.Status.ACCEPTED, changes={"reason": "", "reason_text": ""}, note="",
        title=lambda: _("%(material)s accepted in the pre-check") % {"material": upload.material.name},
        body=lambda: _("Bring the original to your visit (booking %(reference)s); the window only compares it.")
        % {"reference": upload.booking.reference},
    )


def precheck_upload_request_correction(*, upload: PrecheckUpload, by: User, reason: str = "",
                                       reason_text: str = "") -> PrecheckUpload:
    """The checking department sends the material back with a common reason and/or a note; the
    applicant is told at once and can upload a corrected version. 400 without a reason."""
    reason = (reason or "").strip()
    reason_text = (reason_text or "").strip()
    if reason and reason not in PrecheckReason.values:
        raise Invalid(_("Choose one of the reasons."), code="reason_unknown", field="reason")
    if len(reason_text) > 500:
        raise Invalid(_("Keep the explanation under 500 characters."), field="reason_text")
    if not reason_text and reason in ("", PrecheckReason.OTHER):
        raise Invalid(_("Choose a reason or explain what needs to change."), code="reason_required", field="reason")
    if not reason:
        reason = PrecheckReason.OTHER
    label = str(PrecheckReason(reason).label)
    note = f"{label}: {reason_text}" if reason_text else label

    def body() -> str:  # in the applicant's language, the reason's label included
        label = str(PrecheckReason(reason).label)
        return _("%(reason)s Please upload a corrected version for booking %(reference)s.") % {
            "reason": f"{label}: {reason_text}" if reason_text else label, "reference": upload.booking.reference}

    return _precheck_decide(
        upload=upload, by=by, to=PrecheckUpload.Status.NEEDS_CORRECTION,
        changes={"reason": reason, "reason_text": reason_text}, note=note[:600],
        title=lambda: _("%(material)s needs correction") % {"material": upload.material.name},
        body=body,
    )


def precheck_upload_withdraw(*, upload: PrecheckUpload, by: User) -> PrecheckUpload:
    """The applicant withdraws a version before it is checked; its files are deleted at once
    (the record that it was uploaded and withdrawn stays). 409 once checked."""
    if upload.booking.user_id != by.pk:
        raise Forbidden(_("Only the applicant can withdraw an upload."))
    if upload.status != PrecheckUpload.Status.SUBMITTED:
        raise TransitionNotAllowed(_("Only an upload still waiting for the pre-check can be withdrawn."))
    files = list(upload.files.exclude(file=""))
    with transaction.atomic():
        transition_move(
            upload, to=PrecheckUpload.Status.WITHDRAWN, by=by, history=PrecheckEvent, link="upload",
            changes={"next_reminder_at": None, "files_deleted_at": timezone.now()},
            message=_("This material was checked meanwhile; please reload."),
        )
        PrecheckFile.objects.filter(upload=upload).update(file="")
        transaction.on_commit(lambda: _precheck_files_delete(files))
    return upload


def precheck_file_open(*, file: PrecheckFile, by: User) -> PrecheckFileAccess:
    """Record that ``by`` opened ``file`` (the caller has checked they may)."""
    return PrecheckFileAccess.objects.create(file=file, by=by)


def precheck_reminders_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Remind the checking department of uploads due today and overdue, and flag bookings whose
    materials are not ready PRECHECK_NOT_READY_HOURS before the visit. Exactly once per reminder
    (the shared Reminder record); catches up after downtime; safe to run twice or concurrently.
    Returns how many reminders were sent."""
    now = now or timezone.now()
    batch_size = batch_size or settings.PRECHECK_BATCH_SIZE
    sent = 0
    last_id = 0
    while True:
        uploads = list(
            PrecheckUpload.objects.select_related("material", "booking", "department")
            .filter(status=PrecheckUpload.Status.SUBMITTED, next_reminder_at__lte=now, pk__gt=last_id)
            .order_by("pk")[:batch_size]
        )
        if not uploads:
            break
        last_id = uploads[-1].pk
        for upload in uploads:
            sent += _precheck_upload_remind(upload=upload, now=now)
    return sent + _precheck_not_ready_flag(now=now, batch_size=batch_size)


def _precheck_upload_remind(*, upload: PrecheckUpload, now: datetime) -> int:
    ladder = _precheck_ladder(due_at=upload.due_at)
    due = [kind for kind, at in ladder if at <= now]
    next_at = next((at for _kind, at in ladder if at > now), None)
    if upload.booking.status != Booking.Status.BOOKED:
        # Cancelled, missed or already at the window: checking it in advance no longer helps anyone.
        due, next_at = [], None
    with transaction.atomic():
        claimed = PrecheckUpload.objects.filter(
            pk=upload.pk, status=PrecheckUpload.Status.SUBMITTED, next_reminder_at=upload.next_reminder_at
        ).update(next_reminder_at=next_at)
        if not claimed:
            return 0
        officers = _officers(upload.department)
        sent = 0
        for kind in due:
            def title(kind=kind) -> str:  # written in each officer's language
                if kind == PRECHECK_REMINDER_OVERDUE:
                    text = _("Pre-check overdue: %(material)s for booking %(reference)s")
                else:
                    text = _("Pre-check due today: %(material)s for booking %(reference)s")
                return text % {"material": upload.material.name, "reference": upload.booking.reference}

            if reminder_send_once(subject=upload, kind=kind, deadline=upload.due_at, recipients=officers,
                                  title=title, url=reverse("services:precheck_list")):
                sent += 1
    return sent


def _precheck_not_ready_flag(*, now: datetime, batch_size: int) -> int:
    """Flag each booked visit starting within PRECHECK_NOT_READY_HOURS whose needed materials are
    not all accepted, to the applicant and hall staff, once per booking and start time."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from portal.notifications.models import Reminder
    from portal.roles import Role
    from services.selectors import booking_precheck

    flagged = Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(Booking), subject_id=OuterRef("pk"),
        kind=PRECHECK_NOT_READY, deadline=OuterRef("slot__starts_at"),
    )
    bookings = list(
        Booking.objects.select_related("user", "slot__bundle", "slot__item")
        .filter(status=Booking.Status.BOOKED, slot__starts_at__gt=now,
                slot__starts_at__lte=now + timedelta(hours=settings.PRECHECK_NOT_READY_HOURS))
        .exclude(Exists(flagged))
        .order_by("slot__starts_at", "pk")[:batch_size]
    )
    if not bookings:
        return 0
    staff = list(User.objects.filter(groups__name=Role.HALL_STAFF, is_active=True).distinct())
    sent = 0
    for booking in bookings:
        readiness = booking_precheck(booking)
        if readiness["ready"]:
            continue
        start = timezone.localtime(booking.slot.starts_at)
        values = {"reference": booking.reference, "when": f"{start:%Y-%m-%d %H:%M}",
                  "accepted": readiness["accepted"], "needed": readiness["needed"]}
        if reminder_send_once(subject=booking, kind=PRECHECK_NOT_READY, deadline=booking.slot.starts_at,
                              recipients=[booking.user, *staff],
                              title=lambda values=values: _(
                                  "Materials not ready for booking %(reference)s on %(when)s: "
                                  "%(accepted)d of %(needed)d accepted") % values,
                              body=lambda: _("Upload the missing materials before the visit, or bring every original."),
                              url=_booking_url(booking)):
            sent += 1
    return sent


def precheck_files_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete the files of uploads whose booking's slot ended more than PRECHECK_RETENTION_DAYS
    ago. The upload rows, their file names, sizes and history stay (what was checked, by whom,
    when). Idempotent: deleting a file twice is harmless and a purged upload is not read again.
    Returns how many uploads were purged."""
    now = now or timezone.now()
    batch_size = batch_size or settings.PRECHECK_BATCH_SIZE
    cutoff = now - timedelta(days=settings.PRECHECK_RETENTION_DAYS)
    purged = 0
    while True:
        uploads = list(
            PrecheckUpload.objects.filter(files_deleted_at__isnull=True, booking__slot__ends_at__lte=cutoff)
            .prefetch_related("files").order_by("pk")[:batch_size]
        )
        if not uploads:
            return purged
        for upload in uploads:
            # Files first: if the process dies here, the next run finds the row and tries again.
            _precheck_files_delete(upload.files.all())
            with transaction.atomic():
                PrecheckFile.objects.filter(upload=upload).update(file="")
                claimed = PrecheckUpload.objects.filter(pk=upload.pk, files_deleted_at__isnull=True).update(
                    files_deleted_at=now, next_reminder_at=None
                )
                if claimed:
                    PrecheckEvent.objects.create(
                        upload=upload, from_status=upload.status, to_status=upload.status, at=now,
                        note=_("Files deleted %(days)d days after the booking ended.")
                        % {"days": settings.PRECHECK_RETENTION_DAYS},
                    )
                    purged += 1
def _slot_nearest_open(*, slot: Slot, user_id: int, now: datetime) -> Slot | None:
    """The open slot of the same bundle or item closest in time to ``slot`` with a free place,
    in the future, that the person has not booked already; None when there is none."""
    subject = {"bundle_id": slot.bundle_id} if slot.bundle_id else {"item_id": slot.item_id}
    candidates = (
        Slot.objects.filter(**subject, is_open=True, starts_at__gt=now, booked_count__lt=F("capacity"))
        .exclude(pk=slot.pk)
        .exclude(bookings__user_id=user_id, bookings__status__in=Booking.ACTIVE)
    )
    later = candidates.filter(starts_at__gte=slot.starts_at).order_by("starts_at", "id").first()
    earlier = candidates.filter(starts_at__lt=slot.starts_at).order_by("-starts_at", "-id").first()
    options = [option for option in (later, earlier) if option is not None]
    return min(options, key=lambda option: abs(option.starts_at - slot.starts_at), default=None)


def slots_follow_calendar(*, change, by: User | None = None) -> int:
    """Close the future slots on days that became days off (``portal.hall.hooks``) and tell each
    person booked there, offering the nearest open slot (a link to move the booking to it).
    Runs inside the calendar's transaction; returns how many people were told.

    The bookings keep their place (nothing is cancelled behind the person's back); the slot
    takes no new bookings, and the booking may be moved whatever the cut-off.
    """
    if not change.now_off:
        return 0
    now = timezone.now()
    on_days = Q()
    for day in change.now_off:
        start = start_of_day(day)
        on_days |= Q(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    slots = list(Slot.objects.select_for_update().filter(on_days, starts_at__gt=now).order_by("starts_at", "id"))
    Slot.objects.filter(pk__in=[slot.pk for slot in slots], is_open=True).update(is_open=False)
    bookings = (
        Booking.objects.filter(slot__in=slots, status=Booking.Status.BOOKED)
        .select_related("user", "slot__bundle", "slot__item")
        .order_by("slot__starts_at", "pk")
    )
    told = 0
    for booking in bookings:
        slot = booking.slot
        when = f"{timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}"
        offer = _slot_nearest_open(slot=slot, user_id=booking.user_id, now=now)
        BookingEvent.objects.create(
            booking=booking, from_status=booking.status, to_status=booking.status, by=by,
            note=_("The hall is closed on this day (holiday calendar); the person was offered another time."),
        )
        url = reverse("services:booking_reschedule", kwargs={"reference": booking.reference})
        if offer is not None:
            url += f"?slot={offer.pk}"

        # Written in the person's language (notify calls these at once, within this iteration).
        def body(offer=offer, booking=booking) -> str:
            if offer is not None:
                offered = f"{timezone.localtime(offer.starts_at):%Y-%m-%d %H:%M}"
                return _("The hall is closed that day. The nearest open time is %(offer)s: choose it, or "
                         "another time, to move your booking %(reference)s.") % {
                    "offer": offered, "reference": booking.reference}
            return _("The hall is closed that day. Please choose another time for your booking "
                     "%(reference)s, or cancel it.") % {"reference": booking.reference}

        notify(
            users=[booking.user],
            title=lambda when=when, slot=slot: _("Your appointment on %(when)s (%(subject)s) has to move") % {
                "when": when, "subject": slot.subject},
            body=body,
            url=url,
        )
        told += 1
    return told


# --- The queue at the windows -----------------------------------------------------------------
def _queue_item_ids(*, item: ServiceItem | None, bundle: Bundle | None) -> list[int]:
    if item is not None:
        return [item.pk]
    return list(BundleItem.objects.filter(bundle=bundle).values_list("item_id", flat=True))


def _queue_zone(*, item: ServiceItem | None, bundle: Bundle | None) -> Zone:
    """The zone of the first open window that handles the item (or one of the bundle's items)."""
    window = (
        Window.objects.filter(is_open=True, items__in=_queue_item_ids(item=item, bundle=bundle))
        .select_related("zone").order_by("number").first()
    )
    if window is None:
        raise NoWindowForService()
    return window.zone


def _ticket_issue(*, kind: int, queue_at: datetime | None = None, booking: Booking | None = None,
                  item: ServiceItem | None = None, bundle: Bundle | None = None) -> QueueTicket:
    """The next number of the zone for today. Call inside a transaction: the counter's row stays
    locked until the ticket is committed, so two desks never issue the same number, and a
    check-in that rolls back gives its number back (no gaps)."""
    zone = _queue_zone(item=item, bundle=bundle)
    now = timezone.now()
    day = timezone.localdate(now)
    counter, _created = QueueCounter.objects.get_or_create(zone=zone, day=day)
    QueueCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    number = QueueCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
    try:
        with transaction.atomic():
            ticket = QueueTicket.objects.create(
                zone=zone, day=day, number=number, kind=kind, booking=booking, item=item, bundle=bundle,
                queue_at=queue_at or now, checked_in_at=now,
            )
    except IntegrityError:
        # The booking got its ticket from another request a moment ago.
        raise AlreadyCheckedIn()
    QueueTicketEvent.objects.create(ticket=ticket, at=now, to_status=QueueTicket.Status.WAITING, note="check-in")
    return ticket


def queue_check_in(*, booking: Booking, by: User) -> QueueTicket:
    """Check a booking in on its day and give it a queue number.

    Hall staff at the desk may check in anyone booked for today; the applicant may check
    themselves in from the booking page only around their slot's time (QUEUE_CHECK_IN_EARLY_MINUTES
    before to QUEUE_CHECK_IN_LATE_MINUTES after the start). Raises Forbidden, CheckInNotToday,
    CheckInOutsideWindow, AlreadyCheckedIn, TransitionNotAllowed, NoWindowForService (all 403/409);
    nothing is written when it refuses.
    """
    staff = is_hall_staff(by)
    if not staff and booking.user_id != by.pk:
        raise Forbidden(_("Only the applicant or hall staff can check this booking in."))
    if QueueTicket.objects.filter(booking=booking).exists():
        raise AlreadyCheckedIn()
    if booking.status not in (Booking.Status.BOOKED, Booking.Status.CHECKED_IN):
        raise TransitionNotAllowed(
            _("A booking that is %(status)s cannot be checked in.") % {"status": Booking.Status(booking.status).label}
        )
    now = timezone.now()
    starts_at = booking.slot.starts_at
    if timezone.localdate(starts_at) != timezone.localdate(now):
        raise CheckInNotToday()
    if not staff:
        opens, closes = selectors.booking_check_in_window(booking)
        if not opens <= now <= closes:
            raise CheckInOutsideWindow(
                _("You can check in yourself from %(opens)s to %(closes)s; otherwise please go to the reception desk.")
                % {"opens": f"{timezone.localtime(opens):%H:%M}", "closes": f"{timezone.localtime(closes):%H:%M}"}
            )
    with transaction.atomic():
        if booking.status == Booking.Status.BOOKED:
            _booking_move(booking=booking, to=Booking.Status.CHECKED_IN, by=by)
        return _ticket_issue(
            kind=QueueTicket.Kind.BOOKED, queue_at=starts_at, booking=booking,
            item=booking.slot.item, bundle=booking.slot.bundle,
        )


def queue_walk_in(*, item: ServiceItem, by: User) -> QueueTicket:
    """The desk gives a person without a booking a number for one item. Hall staff only."""
    _require_staff(by)
    with transaction.atomic():
        return _ticket_issue(kind=QueueTicket.Kind.WALK_IN, item=item)


def _require_seat(*, window: Window, by: User) -> None:
    if not window.staff.filter(pk=by.pk).exists():
        raise NotAtThisWindow()


def queue_call_next(*, window: Window, by: User) -> QueueTicket:
    """Call the next waiting person for the window's items and return their ticket.

    The window's row is locked first (its two staff pressing at once call one person), then the
    next waiting ticket is claimed with SELECT ... FOR UPDATE SKIP LOCKED, so two windows calling
    at the same moment take two different people. Raises NotAtThisWindow (403), WindowBusy and
    QueueEmpty (409).
    """
    _require_seat(window=window, by=by)
    with transaction.atomic():
        window = Window.objects.select_for_update().select_related("zone").get(pk=window.pk)
        if not window.is_open:
            raise WindowBusy(_("This window is closed."))
        today = timezone.localdate()
        current = QueueTicket.objects.filter(window=window, day=today, status=QueueTicket.Status.CALLED).first()
        if current is not None:
            raise WindowBusy(
                _("Number %(number)s is still at this window: mark it done or a no-show first.")
                % {"number": current.code}
            )
        item_ids = list(window.items.values_list("pk", flat=True))
        bundle_ids = list(BundleItem.objects.filter(item_id__in=item_ids).values_list("bundle_id", flat=True))
        ticket = (
            QueueTicket.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(day=today, zone=window.zone, status=QueueTicket.Status.WAITING)
            .filter(Q(item_id__in=item_ids) | Q(bundle_id__in=bundle_ids))
            .order_by("queue_at", "kind", "number")
            .first()
        )
        if ticket is None:
            raise QueueEmpty()
        now = timezone.now()
        transition_move(
            ticket, to=QueueTicket.Status.CALLED, by=by, history=QueueTicketEvent, link="ticket",
            changes={"window": window, "called_at": now, "last_called_at": now},
            history_extra={"window": window},
        )
    return ticket


def _require_ticket_at_seat(*, ticket: QueueTicket, by: User) -> None:
    if ticket.window_id is None or not Window.staff.through.objects.filter(
        window_id=ticket.window_id, user_id=by.pk
    ).exists():
        raise NotAtThisWindow(_("This number is not at a window you sit at."))


def queue_recall(*, ticket: QueueTicket, by: User) -> QueueTicket:
    """Call the same number again (it shows again at the top of the screen). Raises 403/409."""
    _require_ticket_at_seat(ticket=ticket, by=by)
    now = timezone.now()
    with transaction.atomic():
        moved = QueueTicket.objects.filter(pk=ticket.pk, status=QueueTicket.Status.CALLED).update(
            recalls=F("recalls") + 1, last_called_at=now
        )
        if moved != 1:
            raise TransitionNotAllowed(_("Only a number that is being called can be called again."))
        QueueTicketEvent.objects.create(
            ticket=ticket, at=now, by=by, from_status=QueueTicket.Status.CALLED, to_status=QueueTicket.Status.CALLED,
            window_id=ticket.window_id, note="recall",
        )
    ticket.refresh_from_db(fields=["recalls", "last_called_at"])
    return ticket


def queue_no_show(*, ticket: QueueTicket, by: User) -> QueueTicket:
    """The person did not come after QUEUE_MAX_RECALLS recalls. Raises 403, RecallsNeeded (409)."""
    _require_ticket_at_seat(ticket=ticket, by=by)
    needed = settings.QUEUE_MAX_RECALLS
    if ticket.status == QueueTicket.Status.CALLED and ticket.recalls < needed:
        raise RecallsNeeded(
            _("Call the number again %(count)s more time(s) before marking it a no-show.")
            % {"count": needed - ticket.recalls}
        )
    return transition_move(
        ticket, to=QueueTicket.Status.NO_SHOW, by=by, history=QueueTicketEvent, link="ticket",
        changes={"done_at": timezone.now()}, history_extra={"window_id": ticket.window_id},
        message=_("Only a number that is being called can be marked a no-show."),
    )


def queue_done(*, ticket: QueueTicket, by: User) -> QueueTicket:
    """The window has served the person. Raises 403, TransitionNotAllowed (409)."""
    _require_ticket_at_seat(ticket=ticket, by=by)
    return transition_move(
        ticket, to=QueueTicket.Status.DONE, by=by, history=QueueTicketEvent, link="ticket",
        changes={"done_at": timezone.now()}, history_extra={"window_id": ticket.window_id},
        message=_("Only a number that is being called can be marked done."),
    )


# --- Reminders to the people served: the day before and shortly before the appointment ----------
# Reminder kinds, keyed by the slot's start: a rescheduled booking has a new start and so a fresh
# pair; the old pair is never sent because the sweep reads only the booking's current slot.
BOOKING_REMINDER_DAY_BEFORE = "booking_day_before"
BOOKING_REMINDER_SOON = "booking_soon"


def _booking_reminder_text(booking: Booking, kind: str) -> tuple[str, str]:
    """The reminder's title and body, written in the active language (called per recipient's)."""
    start = timezone.localtime(booking.slot.starts_at)
    values = {"what": booking.slot.subject.name, "when": f"{start:%Y-%m-%d %H:%M}",
              "time": f"{start:%H:%M}", "reference": booking.reference,
              "address": settings.HALL_CONTACT["address"]}
    if kind == BOOKING_REMINDER_SOON:
        title = _("Reminder: %(what)s today at %(time)s (booking %(reference)s)") % values
    else:
        title = _("Reminder: %(what)s on %(when)s (booking %(reference)s)") % values
    body = _(
        "Your appointment for %(what)s is on %(when)s at the youth zone, %(address)s. Bring your booking "
        "reference %(reference)s and the original materials; check in at the reception desk. If you "
        "cannot come, cancel or reschedule the booking so that someone else can have the time."
    ) % values
    return str(title), str(body)


def _booking_reminder_title(booking: Booking, kind: str) -> str:
    return _booking_reminder_text(booking, kind)[0]


def _booking_reminder_body(booking: Booking, kind: str) -> str:
    return _booking_reminder_text(booking, kind)[1]


def booking_reminders_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Remind applicants of their visit BOOKING_REMINDER_DAY_BEFORE_HOURS and
    BOOKING_REMINDER_SOON_HOURS before their slot starts (site, mail, webhook); returns how many
    reminders were sent.

    Exactly once per booking, kind and start (the shared Reminder record, unique in the database),
    so repeated or concurrent sweeps send nothing twice. A fixed number of statements per batch of
    BOOKING_REMINDER_BATCH_SIZE bookings. After downtime it catches up with the reminder that still
    makes sense: within the short lead time only the short one is sent, not both at once.
    """
    now = now or timezone.now()
    size = batch_size or settings.BOOKING_REMINDER_BATCH_SIZE
    soon = now + timedelta(hours=settings.BOOKING_REMINDER_SOON_HOURS)
    windows = [
        (BOOKING_REMINDER_SOON, now, soon),
        (BOOKING_REMINDER_DAY_BEFORE, soon, now + timedelta(hours=settings.BOOKING_REMINDER_DAY_BEFORE_HOURS)),
    ]
    sent = 0
    for kind, starts_after, starts_until in windows:
        if starts_until <= starts_after:
            continue  # that lead time is switched off (0) or inside the shorter one
        sent += reminders_sweep_batches(
            fetch=partial(_bookings_to_remind, kind, starts_after, starts_until),
            draft=partial(_booking_reminder_draft, kind), size=size,
        )
    return sent


def _bookings_to_remind(kind: str, starts_after: datetime, starts_until: datetime, after_id: int, size: int):
    return selectors.bookings_to_remind(kind=kind, starts_after=starts_after, starts_until=starts_until,
                                        after_id=after_id, size=size)


def _booking_reminder_draft(kind: str, booking: Booking) -> ReminderDraft:
    return ReminderDraft(
        subject=booking, kind=kind, deadline=booking.slot.starts_at, recipients=[booking.user],
        title=partial(_booking_reminder_title, booking, kind), body=partial(_booking_reminder_body, booking, kind),
        url=_booking_url(booking),
    )


# --- 好差评: evaluations, the invitation, rectifications and their reminder ladder -----------------
EVALUATION_INVITE = "evaluation_invite"
RECTIFICATION_DUE_SOON = "rectification_due_soon"
RECTIFICATION_DUE_TODAY = "rectification_due_today"
RECTIFICATION_OVERDUE = "rectification_overdue"
RECTIFICATION_ESCALATED = "rectification_escalated"
EVALUATION_COMMENT_MAX = 1000
RECTIFICATION_TEXT_MAX = 2000


def _evaluation_subject(booking: Booking) -> dict:
    """What the evaluation rates: the item (a bundle's first item when booked as a bundle, or the
    one its ticket was issued for), its department, and the window and staff member who served
    (from the queue ticket's last call or completion)."""
    slot = booking.slot
    ticket = QueueTicket.objects.filter(booking=booking).select_related("item", "window").first()
    item = slot.item or (ticket.item if ticket else None)
    if item is None and slot.bundle_id:
        first = BundleItem.objects.filter(bundle_id=slot.bundle_id).select_related("item").order_by("position", "pk")
        item = first[0].item if first else None
    staff = None
    if ticket is not None:
        event = (QueueTicketEvent.objects.filter(ticket=ticket, by__isnull=False,
                                                 to_status__in=[QueueTicket.Status.CALLED, QueueTicket.Status.DONE])
                 .select_related("by").order_by("-at", "-pk").first())
        staff = event.by if event else None
    return {"item": item, "department_id": item.department_id if item else None,
            "window": ticket.window if ticket else None, "staff": staff}


def evaluation_stage_allowed(*, booking: Booking, stage: str) -> bool:
    """At acceptance once the booking is checked in (or called, or done); at completion once completed."""
    if stage == Evaluation.Stage.ACCEPTANCE:
        return booking.status in (Booking.Status.CHECKED_IN, Booking.Status.COMPLETED)
    return booking.status == Booking.Status.COMPLETED


def _rectification_url(rectification: Rectification) -> str:
    return reverse("services:rectification_detail", kwargs={"rectification_id": rectification.pk})


def evaluation_create(*, booking: Booking, stage: str, grade, comment: str = "", by: User) -> Evaluation:
    """The applicant's 好差评 of their booking at one stage. A bad review (the two lower grades)
    opens its rectification for the item's department in the same transaction and tells the
    department's officers. Raises Forbidden (not the applicant), Invalid (stage, grade, comment),
    TransitionNotAllowed (stage not reached) and AlreadyRated (409, once per booking and stage)."""
    if booking.user_id != by.pk:
        raise Forbidden(_("Only the applicant can rate a booking."))
    if stage not in Evaluation.Stage.values:
        raise Invalid(_("Choose the stage: at acceptance or at completion."), field="stage")
    try:
        grade = int(grade)
    except (TypeError, ValueError):
        raise Invalid(_("Choose one of the five grades."), field="grade")
    if grade not in Grade.values:
        raise Invalid(_("Choose one of the five grades."), field="grade")
    comment = (comment or "").strip()
    if len(comment) > EVALUATION_COMMENT_MAX:
        raise Invalid(_("Keep the comment under 1000 characters."), field="comment")
    if not evaluation_stage_allowed(booking=booking, stage=stage):
        if stage == Evaluation.Stage.ACCEPTANCE:
            raise TransitionNotAllowed(_("You can rate the acceptance once you are checked in."))
        raise TransitionNotAllowed(_("You can rate the service once the booking is completed."))
    if Evaluation.objects.filter(booking=booking, stage=stage).exists():
        raise AlreadyRated()
    subject = _evaluation_subject(booking)
    now = timezone.now()
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(booking=booking, stage=stage, grade=grade, comment=comment,
                                                   created_at=now, **subject)
            if evaluation.is_bad and evaluation.department_id:
                _rectification_open(evaluation=evaluation, now=now)
    except IntegrityError:
        raise AlreadyRated()
    return evaluation


def _rectification_open(*, evaluation: Evaluation, now: datetime) -> Rectification:
    from portal.cases.actions import case_task_first_reminder_at

    days = settings.RECTIFICATION_DAYS
    counted_from = timezone.localdate(now)
    due_at = deadline_after_working_days(now, days)
    rectification = Rectification.objects.create(
        evaluation=evaluation, department_id=evaluation.department_id, opened_at=now, due_at=due_at,
        due_working_days=days, due_counted_from=counted_from,
        next_reminder_at=case_task_first_reminder_at(due_at=due_at),
    )
    RectificationEvent.objects.create(rectification=rectification, to_status=Rectification.Status.OPEN,
                                      by=evaluation.booking.user, at=now, note=evaluation.comment[:2000])
    department = rectification.department
    notify(
        users=_officers(department),
        title=_("Bad review to call back and rectify by %(due)s: %(item)s")
        % {"due": f"{timezone.localdate(due_at):%Y-%m-%d}", "item": evaluation.item},
        body=evaluation.comment, url=_rectification_url(rectification),
    )
    return rectification


def _require_rectification_officer(*, rectification: Rectification, by: User) -> None:
    from portal.hall.selectors import department_officer_is

    if not department_officer_is(department=rectification.department, user=by):
        raise Forbidden(_("Only the responsible department's officers can act on this rectification."))


def _rectification_text(value, *, field: str, required: bool, message: str) -> str:
    if value is not None and not isinstance(value, str):
        raise Invalid(message, field=field)
    text = (value or "").strip()
    if required and not text:
        raise Invalid(message, field=field)
    if len(text) > RECTIFICATION_TEXT_MAX:
        raise Invalid(_("Keep it under 2000 characters."), field=field)
    return text


def rectification_callback(*, rectification: Rectification, contacted, note: str,
                           contacted_at: datetime | None = None, by: User) -> Rectification:
    """The department records its callback (回访): whether the person was reached, when, and what
    was found. Raises Forbidden, Invalid, TransitionNotAllowed (409: recorded already)."""
    _require_rectification_officer(rectification=rectification, by=by)
    if not isinstance(contacted, bool):
        raise Invalid(_("Say whether the person was reached."), field="contacted")
    note = _rectification_text(note, field="note", required=True, message=_("Say what the callback found."))
    now = timezone.now()
    contacted_at = contacted_at or now
    if contacted_at > now + timedelta(minutes=5):
        raise Invalid(_("A callback cannot be in the future."), field="contacted_at")
    return transition_move(
        rectification, to=Rectification.Status.CALLED_BACK, by=by, history=RectificationEvent, link="rectification",
        note=note, changes={"contacted": contacted, "contacted_at": contacted_at, "callback_note": note,
                            "called_back_at": now},
        message=_("The callback of this rectification has been recorded already."),
    )


def rectification_answer(*, rectification: Rectification, outcome: str, text: str, by: User) -> Rectification:
    """The department gives the outcome (rectified: what changed; explained: why no change is
    possible; not upheld) with its required text; the person is told and asked whether they accept
    it. Raises Forbidden, Invalid (400: no outcome or no text), TransitionNotAllowed (409)."""
    _require_rectification_officer(rectification=rectification, by=by)
    if outcome not in Rectification.Outcome.values:
        raise Invalid(_("Choose the outcome: rectified, explained or not upheld."), field="outcome")
    text = _rectification_text(text, field="text", required=True,
                               message=_("Explain the outcome: what changed, or why not."))
    person = rectification.evaluation.booking.user
    url = _rectification_url(rectification)
    label = Rectification.Outcome(outcome).label

    with transaction.atomic():
        moved = transition_move(
            rectification, to=Rectification.Status.ANSWERED, by=by, history=RectificationEvent,
            link="rectification", note=text,
            changes={"outcome": outcome, "outcome_text": text, "answered_at": timezone.now(), "next_reminder_at": None},
            message=_("An outcome can be given once, after the callback."),
        )
        notify(users=[person], title=_("The answer to your review: %(outcome)s") % {"outcome": label},
               body=text, url=url)
    return moved


def rectification_respond(*, rectification: Rectification, accepted, note: str = "", by: User) -> Rectification:
    """The person says whether they accept the outcome; the department is told. Raises Forbidden
    (not the person), Invalid, TransitionNotAllowed (409: no outcome yet, or answered already)."""
    if rectification.evaluation.booking.user_id != by.pk:
        raise Forbidden(_("Only the person who gave the review can answer."))
    if not isinstance(accepted, bool):
        raise Invalid(_("Say whether you accept the outcome."), field="accepted")
    note = _rectification_text(note, field="note", required=False, message=_("Keep it short."))[:1000]
    to = Rectification.Status.ACCEPTED if accepted else Rectification.Status.NOT_ACCEPTED
    with transaction.atomic():
        moved = transition_move(
            rectification, to=to, by=by, history=RectificationEvent, link="rectification", note=note,
            changes={"response_note": note, "responded_at": timezone.now()},
            message=_("You can answer once, after the department has given its outcome."),
        )
        title = (_("The person accepted the outcome of a rectification") if accepted
                 else _("The person did not accept the outcome of a rectification"))
        notify(users=_officers(rectification.department), title=title, body=note,
               url=_rectification_url(rectification))
    return moved


def evaluation_invitations_send(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """智能邀评: invite, once, each person whose booking was completed EVALUATION_INVITE_DAYS ago
    or more (up to EVALUATION_INVITE_WITHIN_DAYS) and who has not rated its completion: a site
    notification and mail, through the exactly-once Reminder record (keyed by the completion
    time). Safe to run twice or concurrently. Returns how many were invited."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef, Subquery

    from portal.notifications.models import Reminder

    now = now or timezone.now()
    size = batch_size or settings.EVALUATION_INVITE_BATCH_SIZE
    completed_at = Subquery(
        BookingEvent.objects.filter(booking=OuterRef("pk"), to_status=Booking.Status.COMPLETED)
        .order_by("-at").values("at")[:1]
    )
    invited = Reminder.objects.filter(subject_type=ContentType.objects.get_for_model(Booking),
                                      subject_id=OuterRef("pk"), kind=EVALUATION_INVITE)
    rated = Evaluation.objects.filter(booking=OuterRef("pk"), stage=Evaluation.Stage.COMPLETION)
    due = now - timedelta(days=settings.EVALUATION_INVITE_DAYS)
    oldest = now - timedelta(days=settings.EVALUATION_INVITE_WITHIN_DAYS)
    sent, last_id = 0, 0
    while True:
        bookings = list(
            Booking.objects.filter(status=Booking.Status.COMPLETED, pk__gt=last_id)
            .annotate(completed_at=completed_at)
            .filter(completed_at__lte=due, completed_at__gt=oldest)
            .exclude(Exists(rated)).exclude(Exists(invited))
            .select_related("user", "slot__item", "slot__bundle").order_by("pk")[:size]
        )
        if not bookings:
            return sent
        last_id = bookings[-1].pk
        drafts = [
            ReminderDraft(
                subject=booking, kind=EVALUATION_INVITE, deadline=booking.completed_at, recipients=[booking.user],
                title=_("How was %(service)s? Please rate it") % {"service": booking.slot.subject},
                body=_("Your booking %(reference)s was completed. Rate the service, the window and the staff "
                       "member in one minute: very satisfied to very dissatisfied.") % {"reference": booking.reference},
                url=_booking_url(booking) + "#evaluate",
            )
            for booking in bookings
        ]
        with transaction.atomic():
            sent += len(reminders_send_once(drafts=drafts))
        if len(bookings) < size:
            return sent


_RECTIFICATION_KINDS = {
    "case_due_soon": RECTIFICATION_DUE_SOON, "case_due_today": RECTIFICATION_DUE_TODAY,
    "case_overdue": RECTIFICATION_OVERDUE, "case_escalated": RECTIFICATION_ESCALATED,
}


def _rectification_message(kind: str, rectification: Rectification) -> str:
    values = {"due": f"{timezone.localdate(rectification.due_at):%Y-%m-%d}",
              "item": rectification.evaluation.item, "department": rectification.department}
    titles = {
        RECTIFICATION_DUE_SOON: _("Rectification due on %(due)s: bad review of %(item)s"),
        RECTIFICATION_DUE_TODAY: _("Rectification due today: bad review of %(item)s"),
        RECTIFICATION_OVERDUE: _("Rectification overdue since %(due)s: bad review of %(item)s"),
        RECTIFICATION_ESCALATED: _("Escalated: %(department)s's rectification overdue since %(due)s"),
    }
    return titles[kind] % values


def rectification_reminders_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Remind the department of rectifications due soon, today and overdue, and escalate to the
    committee (the committee reviewers and the department's officers) after the grace period: the
    case tasks' ladder and settings, through the same exactly-once Reminder record (keyed by the
    deadline, so a moved deadline is reminded afresh). Reads only pending rectifications whose
    marker has passed, in batches; safe to run twice or concurrently. Returns how many were sent."""
    from portal.cases.actions import case_task_reminder_ladder
    from portal.roles import Role

    now = now or timezone.now()
    size = batch_size or settings.CASE_REMINDER_BATCH_SIZE
    committee: list[User] | None = None  # the committee reviewers, read once per sweep
    officers: dict[int, list[User]] = {}
    sent, last_id = 0, 0
    while True:
        batch = list(
            Rectification.objects.filter(status__in=Rectification.PENDING, next_reminder_at__lte=now, pk__gt=last_id)
            .select_related("department", "evaluation__item").order_by("pk")[:size]
        )
        if not batch:
            return sent
        last_id = batch[-1].pk
        drafts = []
        with transaction.atomic():
            for rectification in batch:
                ladder = [(_RECTIFICATION_KINDS[kind], at) for kind, at in case_task_reminder_ladder(
                    due_at=rectification.due_at)]
                passed = [kind for kind, at in ladder if at <= now]
                # After downtime only the latest heads-up still makes sense; escalation stands apart.
                owed = [k for k in passed if k != RECTIFICATION_ESCALATED][-1:] + [
                    k for k in passed if k == RECTIFICATION_ESCALATED]
                next_at = min((at for _kind, at in ladder if at > now), default=None)
                if not Rectification.objects.filter(
                    pk=rectification.pk, status__in=Rectification.PENDING,
                    next_reminder_at=rectification.next_reminder_at, due_at=rectification.due_at,
                ).update(next_reminder_at=next_at):
                    continue  # another sweep, an answer or a moved deadline came first
                if rectification.department_id not in officers:
                    officers[rectification.department_id] = _officers(rectification.department)
                department_officers = officers[rectification.department_id]
                for kind in owed:
                    recipients = department_officers
                    if kind == RECTIFICATION_ESCALATED:
                        if committee is None:
                            committee = list(User.objects.filter(groups__name=Role.COMMITTEE_REVIEWER,
                                                                 is_active=True).distinct())
                        recipients = committee + department_officers
                    drafts.append(ReminderDraft(
                        subject=rectification, kind=kind, deadline=rectification.due_at, recipients=recipients,
                        title=_rectification_message(kind, rectification), body=rectification.evaluation.comment,
                        url=_rectification_url(rectification)))
            sent += len(reminders_send_once(drafts=drafts))
        if len(batch) < size:
            return sent


def rectifications_follow_calendar(*, change, by: User | None = None) -> int:
    """Re-plan pending rectifications after a change of the holiday calendar (portal.hall.hooks):
    each keeps its count of working days from the day it was opened, so a new day off inside it
    moves it one working day later; the reminder marker restarts at the new deadline's ladder (the
    exactly-once record is keyed by the deadline). Returns how many moved."""
    from portal.cases.actions import case_task_first_reminder_at
    from portal.hall import workdays

    last = max(change.days)
    moved = 0
    for rectification in (Rectification.objects.filter(status__in=Rectification.PENDING, due_counted_from__lt=last,
                                                        due_at__gte=workdays.end_of_working_day(min(change.days))
                                                        - timedelta(days=1))
                          .select_related("department").order_by("pk")):
        new_day = workdays.add_working_days(rectification.due_counted_from, rectification.due_working_days)
        old_day = timezone.localdate(rectification.due_at)
        if new_day == old_day:
            continue
        due_at = workdays.end_of_working_day(new_day)
        if not Rectification.objects.filter(pk=rectification.pk, status__in=Rectification.PENDING,
                                            due_at=rectification.due_at).update(
                due_at=due_at, next_reminder_at=case_task_first_reminder_at(due_at=due_at)):
            continue
        notify(users=_officers(rectification.department),
               title=_("New deadline %(due)s for a rectification: the holiday calendar changed")
               % {"due": f"{new_day:%Y-%m-%d}"}, url=_rectification_url(rectification))
        moved += 1
    return moved
