"""Writes of the catalogue and booking: booking, cancelling, moving and reviewing a booking, the
hall's check-in, completion and no-show, and opening slots. The person acting is ``by``; a
booking's status moves through ``portal.workflow`` (``Booking.TRANSITIONS``) with its history row.
"""
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exceptions import TransitionNotAllowed
from portal.hall.workdays import holiday_exceptions, is_working_day
from portal.notifications.actions import notify
from portal.roles import is_hall_staff
from portal.workflow import transition_allowed, transition_move
from services.exceptions import (
    AlreadyBooked,
    AlreadyReviewed,
    Conflict,
    CutoffPassed,
    Forbidden,
    Invalid,
    SlotFull,
    SlotNotBookable,
)
from services.models import Booking, BookingEvent, Bundle, Review, ServiceItem, Slot

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
    if Booking.objects.filter(user=by, slot=slot, status__in=Booking.ACTIVE).exists():
        raise AlreadyBooked()
    try:
        with transaction.atomic():
            _slot_take(slot=slot)
            booking = _booking_insert(user=by, slot=slot, note=note)
            BookingEvent.objects.create(booking=booking, to_status=Booking.Status.BOOKED, by=by)
            start = timezone.localtime(slot.starts_at)
            notify(
                users=[by],
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


def _booking_insert(*, user: User, slot: Slot, note: str) -> Booking:
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


def _booking_move(*, booking: Booking, to: str, by: User) -> Booking:
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
            booking, to=to, by=by, history=BookingEvent, link="booking", changes={"updated_at": timezone.now()},
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
    _require_staff(by)
    return _booking_move(booking=booking, to=Booking.Status.CHECKED_IN, by=by)


def booking_complete(*, booking: Booking, by: User) -> Booking:
    _require_staff(by)
    return _booking_move(booking=booking, to=Booking.Status.COMPLETED, by=by)


def booking_mark_no_show(*, booking: Booking, by: User) -> Booking:
    _require_staff(by)
    if booking.status == Booking.Status.BOOKED and timezone.now() < booking.slot.starts_at:
        raise TransitionNotAllowed(_("A booking can only be marked as a no-show once its slot has started."))
    return _booking_move(booking=booking, to=Booking.Status.NO_SHOW, by=by)


def review_create(*, booking: Booking, stars, comment: str = "", by: User) -> Review:
    """The applicant's one review of a completed booking. Raises Invalid, Forbidden, Conflict."""
    if booking.user_id != by.pk:
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
