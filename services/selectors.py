import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from portal.accounts.selectors import ME_SECTION_ROWS, me_section, me_todo
from portal.context_processors import nav_provider
from portal.filters import filters_apply
from portal.hall.workdays import start_of_day
from portal.home import home_section
from portal.pagecache import memoize
from portal.roles import is_hall_staff
from services import booking_sql
from services.exceptions import Invalid, NotFound, PrecheckFileNotYours
from services.filters import BookingFilter, BundleFilter, PrecheckUploadFilter, ServiceItemFilter, SlotFilter
from services.models import (
    GRADES_BAD,
    GRADES_SATISFIED,
    Booking,
    Bundle,
    BundleItem,
    Evaluation,
    Material,
    PrecheckFile,
    PrecheckUpload,
    QueueTicket,
    Rectification,
    RectificationEvent,
    ServiceItem,
    Slot,
    Step,
    Window,
)


def department_item_count() -> Count:
    """Each department's catalogue items: the provider of the hall's departments list."""
    return Count("service_items")


def service_item_list(*, filters=None) -> QuerySet:
    queryset = ServiceItem.objects.select_related("department")
    return filters_apply(ServiceItemFilter, filters, queryset)


def _item_prefetches(prefix: str = "") -> list:
    return [
        Prefetch(f"{prefix}materials", queryset=Material.objects.order_by("name")),
        Prefetch(f"{prefix}steps", queryset=Step.objects.order_by("position", "id")),
    ]


def service_item_get(*, code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.select_related("department")
        .prefetch_related(*_item_prefetches(), "issues_materials",
                          Prefetch("bundles", queryset=Bundle.objects.order_by("position")))
        .filter(code=code)
        .first()
    )
    if item is None:
        raise NotFound(_("There is no service item with this code."))
    return item


def _bundle_queryset() -> QuerySet:
    entries = BundleItem.objects.select_related("item__department", "requires").order_by("position", "id")
    return Bundle.objects.prefetch_related(
        Prefetch("bundle_items", queryset=entries),
        *_item_prefetches("bundle_items__item__"),
    )


def bundle_list(*, filters=None) -> QuerySet:
    return filters_apply(BundleFilter, filters, _bundle_queryset()).distinct()


def bundle_get(*, slug: str) -> Bundle:
    bundle = _bundle_queryset().prefetch_related("bundle_items__item__issues_materials").filter(slug=slug).first()
    if bundle is None:
        raise NotFound(_("There is no bundle with this name."))
    return bundle


def bundle_materials(bundle: Bundle) -> list:
    """The bundle's materials, each once, in the order the items need them (prefetched data only)."""
    seen: dict[int, object] = {}
    for entry in bundle.bundle_items.all():
        for material in entry.item.materials.all():
            seen.setdefault(material.pk, material)
    return list(seen.values())


def bundle_material_rows(bundle: Bundle) -> list[dict]:
    """The bundle's materials, each once in the order the items need them, as
    ``{"material", "item", "department", "issued_by"}``: ``item`` is the first item that needs it
    (its department pre-checks it); ``issued_by`` is the earlier item of the bundle that issues it
    (营业执照 from the registration item), when there is one: nothing to upload or bring then.
    Prefetched data only (``bundle_get``)."""
    entries = list(bundle.bundle_items.all())
    issuer: dict[int, tuple[int, ServiceItem]] = {}
    for index, entry in enumerate(entries):
        for material in entry.item.issues_materials.all():
            issuer.setdefault(material.pk, (index, entry.item))
    rows: dict[int, dict] = {}
    for index, entry in enumerate(entries):
        for material in entry.item.materials.all():
            if material.pk in rows:
                continue
            issued = issuer.get(material.pk)
            rows[material.pk] = {
                "material": material,
                "item": entry.item,
                "department": entry.item.department,
                "issued_by": issued[1] if issued is not None and issued[0] < index else None,
            }
    return list(rows.values())


def _longest_chain_days(entries: list[BundleItem]) -> int:
    """Days when items without a dependency run in parallel and a dependent item waits for its
    predecessor: the longest chain of promised days. A dependency outside the bundle is ignored,
    and a cycle (a data error) is cut where it closes."""
    days = {entry.item_id: entry.item.promised_days for entry in entries}
    requires = {entry.item_id: entry.requires_id for entry in entries if entry.requires_id in days}
    finish: dict[int, int] = {}

    def finish_of(item_id: int, path: frozenset) -> int:
        if item_id in finish:
            return finish[item_id]
        before = requires.get(item_id)
        wait = finish_of(before, path | {item_id}) if before is not None and before not in path else 0
        finish[item_id] = wait + days[item_id]
        return finish[item_id]

    return max((finish_of(item_id, frozenset()) for item_id in days), default=0)


def _percent(before: int, after: int) -> int:
    return round(100 * (before - after) / before) if before else 0


def bundle_savings(bundle: Bundle) -> dict:
    """What handling the bundle as one thing saves, computed from its items (never typed in).

    Steps: separately every step of every item; in the bundle, joint steps (apply, acceptance,
    material check, delivery) once by name plus each item's own steps. Materials: the sum over
    items vs each material once. Visits: the sum vs the largest single item's. Days: promised
    days one after another vs the longest chain of dependencies.
    """
    entries = list(bundle.bundle_items.all())
    items = [entry.item for entry in entries]
    steps = [step for item in items for step in item.steps.all()]
    joint_names = {step.name.strip() for step in steps if step.kind == Step.Kind.JOINT}
    own_steps = sum(1 for step in steps if step.kind == Step.Kind.OWN)
    separate_steps = len(steps)
    bundle_steps = len(joint_names) + own_steps
    separate_materials = sum(len(item.materials.all()) for item in items)
    bundle_materials_count = len({m.pk for item in items for m in item.materials.all()})
    separate_visits = sum(item.visits for item in items)
    bundle_visits = max((item.visits for item in items), default=0)
    separate_days = sum(item.promised_days for item in items)
    bundle_days = _longest_chain_days(entries)
    return {
        "separate_steps": separate_steps,
        "bundle_steps": bundle_steps,
        "separate_materials": separate_materials,
        "bundle_materials": bundle_materials_count,
        "separate_visits": separate_visits,
        "bundle_visits": bundle_visits,
        "separate_days": separate_days,
        "bundle_days": bundle_days,
        "steps_saved_percent": _percent(separate_steps, bundle_steps),
        "materials_saved_percent": _percent(separate_materials, bundle_materials_count),
        "visits_saved_percent": _percent(separate_visits, bundle_visits),
        "days_saved_percent": _percent(separate_days, bundle_days),
    }


def bundle_savings_all() -> dict[int, dict]:
    """Every bundle's savings by bundle id. Computed from the items once and kept until the next
    write to the database (portal.pagecache), instead of building every bundle's items, steps and
    materials on each request."""
    return memoize("bundle-savings", lambda: {bundle.pk: bundle_savings(bundle) for bundle in bundle_list()})


def bundle_cards() -> list[dict]:
    """The catalogue's bundle cards: each bundle with its item count and savings (two queries when kept)."""
    savings = bundle_savings_all()
    cards = []
    for bundle in Bundle.objects.annotate(item_count=Count("bundle_items")):
        if bundle.pk not in savings:  # created since the savings were kept
            savings = {**savings, bundle.pk: bundle_savings(bundle_get(slug=bundle.slug))}
        cards.append({"bundle": bundle, "item_count": bundle.item_count, "savings": savings[bundle.pk]})
    return cards


def _upcoming_slots() -> QuerySet:
    return Slot.objects.filter(starts_at__gte=start_of_day(timezone.localdate())).select_related("bundle", "item")


def slot_list(*, filters=None) -> QuerySet:
    """Slots from today on (a past slot is of no use to anyone booking), filtered."""
    return filters_apply(SlotFilter, filters, _upcoming_slots()).order_by("starts_at", "id")


def slot_picker(*, bundle: Bundle | None = None, item: ServiceItem | None = None, exclude: Iterable[int] = ()) -> list[dict]:
    """Open future slots of a bundle or item for the next BOOKING_PICKER_DAYS days, grouped by day:
    ``[{"day": date, "slots": [slot, ...]}]``. Full slots stay in the list (shown as full)."""
    now = timezone.now()
    until = now + timedelta(days=settings.BOOKING_PICKER_DAYS)
    subject = {"bundle": bundle} if bundle is not None else {"item": item}
    slots = (
        Slot.objects.filter(**subject, is_open=True, starts_at__gt=now, starts_at__lte=until)
        .exclude(pk__in=list(exclude))
        .order_by("starts_at", "id")
    )
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return [{"day": day, "slots": day_slots} for day, day_slots in days.items()]


def slot_picker_days(days: list[dict], *, chosen: str = "", day: str = "") -> dict:
    """The picker's strip of dates: each day with its places left, and which day is shown.

    The day shown is ``day`` (``?day=YYYY-MM-DD``) when it is one of ``days``, else the day of the
    ``chosen`` slot, else the first day with a place left. Works on the list ``slot_picker`` gave
    (no query of its own), so the picker's query count stays the same.
    """
    strip = []
    shown = None
    for entry in days:
        key = entry["day"].isoformat()
        places = sum(slot.remaining for slot in entry["slots"])
        strip.append({**entry, "key": key, "places": places})
        if key == day:
            shown = key
    if shown is None and chosen:
        shown = next((e["key"] for e in strip if any(str(s.pk) == chosen for s in e["slots"])), None)
    if shown is None:
        shown = next((e["key"] for e in strip if e["places"]), strip[0]["key"] if strip else "")
    chosen_slot = next((s for e in strip for s in e["slots"] if str(s.pk) == chosen), None)
    return {"strip": strip, "shown": shown, "chosen_slot": chosen_slot}


def slot_next_open(*, bundle: Bundle | None = None, item: ServiceItem | None = None) -> Slot | None:
    """The first future open slot with a place left for this bundle or item, however far ahead."""
    subject = {"bundle": bundle} if bundle is not None else {"item": item}
    return (
        Slot.objects.filter(**subject, is_open=True, starts_at__gt=timezone.now(), booked_count__lt=F("capacity"))
        .order_by("starts_at", "id").first()
    )


def booking_offer(*, bundle: Bundle | None = None, item: ServiceItem | None = None) -> dict:
    """What a bundle's or item's page offers: "book" while a time with a place left is open within
    the picker's BOOKING_PICKER_DAYS, else the date times next open (if any) and the hall's phone."""
    next_open = slot_next_open(bundle=bundle, item=item)
    horizon = timezone.now() + timedelta(days=settings.BOOKING_PICKER_DAYS)
    return {"next_open": next_open, "bookable": next_open is not None and next_open.starts_at <= horizon,
            "picker_days": settings.BOOKING_PICKER_DAYS}


def booking_active_for_subject(*, user, bundle: Bundle | None = None, item: ServiceItem | None = None) -> list[Booking]:
    """The person's active bookings (booked or checked in, from today on) for this bundle or item.

    A booking left "booked" on a past day (nobody marked the no-show) no longer counts.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    # The booking's own checks ask the same with hand-written SQL (services.booking_sql).
    start = start_of_day(timezone.localdate())
    subject = {"slot__bundle": bundle} if bundle is not None else {"slot__item": item}
    return list(
        Booking.objects.filter(user=user, status__in=Booking.ACTIVE, slot__starts_at__gte=start, **subject)
        .select_related("slot").order_by("slot__starts_at", "id")
    )


def slot_get(*, slot_id) -> Slot:
    """The slot with this id (as given in a form or request), or a 400 on the ``slot`` field."""
    try:
        slot = booking_sql.slot_with_subject(slot_id=int(slot_id))
    except (TypeError, ValueError):
        slot = None
    if slot is None:
        raise Invalid(_("This slot does not exist."), code="slot_unknown", field="slot")
    return slot


def _booking_queryset() -> QuerySet:
    return Booking.objects.select_related("user", "slot__bundle", "slot__item")


def booking_list(*, user, filters=None, mine: bool = False) -> QuerySet:
    """The user's own bookings; hall staff see everyone's unless ``mine``."""
    queryset = _booking_queryset()
    if mine or not is_hall_staff(user):
        queryset = queryset.filter(user=user)
    return filters_apply(BookingFilter, filters, queryset).order_by("-slot__starts_at", "-id")


def bookings_to_remind(*, kind: str, starts_after: datetime, starts_until: datetime, after_id: int,
                       size: int) -> list[Booking]:
    """One batch of the appointment reminder sweep: booked visits whose slot starts in
    (``starts_after``, ``starts_until``] and that have no ``kind`` reminder for that start yet, by id.

    A rescheduled booking has a new start, so its earlier reminders do not count; cancelled,
    checked-in or missed bookings are not ``booked`` and get none."""
    from portal.notifications.selectors import reminder_sent

    return list(
        Booking.objects.filter(status=Booking.Status.BOOKED, slot__starts_at__gt=starts_after,
                               slot__starts_at__lte=starts_until, pk__gt=after_id)
        .exclude(reminder_sent(model=Booking, kind=kind, deadline="slot__starts_at"))
        .select_related("user", "slot__bundle", "slot__item")
        .order_by("pk")[:size]
    )


def booking_get_for_user(*, user, reference: str) -> Booking:
    """The booking with this reference if ``user`` may see it (its owner or hall staff), else 404.

    Who may change it is checked by each action (403): staff cannot review, owners cannot check in.
    """
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("There is no booking with this reference."))
    queryset = _booking_queryset().filter(reference=(reference or "").strip().upper())
    if not is_hall_staff(user):
        queryset = queryset.filter(user=user)
    booking = queryset.first()
    if booking is None:
        raise NotFound(_("There is no booking with this reference."))
    return booking


def booking_subject_with_materials(booking: Booking):
    """The bundle (with its items and deduplicated materials prefetched) or item booked."""
    if booking.slot.bundle_id:
        bundle = bundle_get(slug=booking.slot.bundle.slug)
        return bundle, bundle_materials(bundle)
    item = service_item_get(code=booking.slot.item.code)
    return item, list(item.materials.all())


def booking_material_rows(booking: Booking) -> list[dict]:
    """What the booking's bundle or item needs, as ``bundle_material_rows`` gives it."""
    if booking.slot.bundle_id:
        return bundle_material_rows(bundle_get(slug=booking.slot.bundle.slug))
    item = service_item_get(code=booking.slot.item.code)
    issued = {m.pk for m in item.issues_materials.all()}
    return [
        {"material": material, "item": item, "department": item.department, "issued_by": None}
        for material in item.materials.all()
        if material.pk not in issued
    ]


def booking_can_change(booking: Booking) -> bool:
    """True while the applicant may still cancel or move it (the cut-off has not passed)."""
    cutoff = booking.slot.starts_at - timedelta(hours=settings.BOOKING_CANCEL_CUTOFF_HOURS)
    return booking.status == Booking.Status.BOOKED and timezone.now() <= cutoff


def satisfaction(*, since: datetime | None = None) -> dict:
    """Satisfaction rate (好差评): the share of evaluations in the three upper grades, in percent
    (None without evaluations)."""
    evaluations = Evaluation.objects.all()
    if since is not None:
        evaluations = evaluations.filter(created_at__gte=since)
    counts = evaluations.aggregate(total=Count("id"), happy=Count("id", filter=Q(grade__in=GRADES_SATISFIED)))
    rate = round(100 * counts["happy"] / counts["total"], 1) if counts["total"] else None
    return {"rate": rate, "reviews": counts["total"], "satisfied": counts["happy"]}


def booking_calendar(booking: Booking) -> bytes:
    """The booking as an iCalendar (RFC 5545) document with one event, for the applicant's calendar."""
    from icalendar import Calendar, Event

    subject = booking.slot.subject
    calendar = Calendar()
    calendar.add("prodid", "-//Youth service hall//Bookings//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"booking-{booking.reference}@youth-service-hall")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.slot.starts_at)
    event.add("dtend", booking.slot.ends_at)
    event.add("summary", f"{subject} · {booking.reference}")
    event.add("location", str(_("Youth zone, government service hall")))
    event.add(
        "description",
        str(_("Booking reference %(reference)s. Show it or its QR code at the youth zone."))
        % {"reference": booking.reference},
    )
    if booking.status == Booking.Status.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def booking_qr_svg(reference: str) -> str:
    """The reference as an inline SVG QR code (no image files, no JavaScript)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(reference, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Drop the XML declaration so the SVG can sit inside the HTML page.
    return svg[svg.index("<svg"):]


@me_section(10)
def my_bookings_section(*, user) -> dict | None:
    """My bookings on /me/: the latest few; the booking list has them all."""
    bookings = list(_booking_queryset().filter(user=user).order_by("-slot__starts_at", "-id")[:ME_SECTION_ROWS + 1])
    if not bookings:
        return None
    return {
        "title": _("My bookings"),
        "anchor": "my-bookings",
        "template": "services/me_bookings.html",
        "context": {"bookings": bookings[:ME_SECTION_ROWS], "more": len(bookings) > ME_SECTION_ROWS},
    }


@me_todo(10)
def my_bookings_todo(*, user) -> list[dict]:
    """Completed bookings the person has not rated yet (好差评)."""
    rated = Evaluation.objects.filter(booking=models.OuterRef("pk"), stage=Evaluation.Stage.COMPLETION)
    count = Booking.objects.filter(user=user, status=Booking.Status.COMPLETED).exclude(models.Exists(rated)).count()
    label = ngettext("%(count)d completed service to rate", "%(count)d completed services to rate", count)
    return [{"label": label % {"count": count}, "count": count,
             "url": reverse("services:booking_list") + "?status=completed"}]


@home_section(10)
def popular_bundles_section() -> dict | None:
    """The three most booked bundles and what each saves, for the home page."""
    bundles = list(
        _bundle_queryset().annotate(booked=Count("slots__bookings", distinct=True)).order_by("-booked", "position")[:3]
    )
    if not bundles:
        return None
    return {
        "title": _("Popular one-thing bundles"),
        "template": "services/_home_bundles.html",
        "context": {"bundles": [{"bundle": b, "savings": bundle_savings(b)} for b in bundles]},
        "more_url": reverse("services:catalogue"),
        "more_label": _("All services and bundles"),
    }


# --- pre-check of materials (材料预审) ---------------------------------------------------------
def _upload_queryset() -> QuerySet:
    return PrecheckUpload.objects.select_related(
        "booking__user", "booking__slot__bundle", "booking__slot__item", "material", "department",
        "decided_by", "uploaded_by",
    ).prefetch_related(Prefetch("files", queryset=PrecheckFile.objects.order_by("position", "id")))


def booking_precheck(booking: Booking) -> dict:
    """The pre-check of a booking: each material with its latest version and every earlier one,
    and the readiness ``accepted`` of ``needed`` (materials issued within the bundle need nothing).

    ``{"rows": [{material, item, department, issued_by, latest, versions, can_upload}],
    "needed", "accepted", "ready"}``; a fixed number of queries.
    """
    rows = booking_material_rows(booking)
    uploads: dict[int, list[PrecheckUpload]] = {}
    for upload in _upload_queryset().filter(booking=booking).order_by("material_id", "-version"):
        uploads.setdefault(upload.material_id, []).append(upload)
    accepted = needed = 0
    for row in rows:
        versions = uploads.get(row["material"].pk, [])
        row["versions"] = versions
        row["latest"] = versions[0] if versions else None
        row["can_upload"] = row["issued_by"] is None and (
            row["latest"] is None or row["latest"].status not in PrecheckUpload.OPEN
        )
        if row["issued_by"] is None:
            needed += 1
            if row["latest"] is not None and row["latest"].status == PrecheckUpload.Status.ACCEPTED:
                accepted += 1
    return {"rows": rows, "needed": needed, "accepted": accepted, "ready": accepted == needed}


def booking_precheck_open(booking: Booking) -> bool:
    """Uploads are taken while the booking is still booked and its slot has not ended."""
    return booking.status == Booking.Status.BOOKED and timezone.now() < booking.slot.ends_at


def _officer_department_ids(user) -> list[int]:
    return list(user.departments.values_list("pk", flat=True)) if user.is_active else []


def precheck_upload_list(*, user, filters=None) -> QuerySet:
    """Uploads ``user`` may see: hall staff every one, a department officer those of their
    departments, an applicant their own; the earliest deadline first."""
    queryset = _upload_queryset()
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if not is_hall_staff(user):
        queryset = queryset.filter(Q(department__in=_officer_department_ids(user)) | Q(booking__user=user))
    return filters_apply(PrecheckUploadFilter, filters, queryset).order_by("due_at", "id")


def precheck_upload_get_for_user(*, user, upload_id) -> PrecheckUpload:
    """The upload if ``user`` may see it (the applicant, an officer of the checking department,
    hall staff), else 404 (existence does not leak). What they may do is checked by each action."""
    try:
        upload_id = int(upload_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no such pre-check upload."))
    upload = precheck_upload_list(user=user).filter(pk=upload_id).first()
    if upload is None:
        raise NotFound(_("There is no such pre-check upload."))
    return upload


def precheck_file_get_for_user(*, user, file_id) -> PrecheckFile:
    """A file of an upload ``user`` may see, still kept (404 once deleted after retention).

    Seeing that an upload exists is not enough to open its files (the Personal Information
    Protection Law's "minimum necessary"): a hall staff member who neither checks it nor sits at a
    window serving the booking gets 403."""
    try:
        file_id = int(file_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no such file."))
    file = PrecheckFile.objects.select_related("upload").filter(pk=file_id).exclude(file="").first()
    if file is None:
        raise NotFound(_("There is no such file."))
    upload = precheck_upload_get_for_user(user=user, upload_id=file.upload_id)
    if not precheck_file_opener(user=user, bookings=[upload.booking])(upload):
        raise PrecheckFileNotYours()
    return file


def _booking_item_ids(bookings: Iterable[Booking]) -> dict[int, set[int]]:
    """Each booking's service items: its slot's item, or every item of its slot's bundle (one query
    for all the bundles)."""
    bookings = list(bookings)
    bundle_ids = {booking.slot.bundle_id for booking in bookings if booking.slot.bundle_id}
    bundle_items: dict[int, set[int]] = {}
    for bundle_id, item_id in BundleItem.objects.filter(bundle_id__in=bundle_ids).values_list("bundle_id", "item_id"):
        bundle_items.setdefault(bundle_id, set()).add(item_id)
    return {
        booking.pk: ({booking.slot.item_id} if booking.slot.item_id else bundle_items.get(booking.slot.bundle_id, set()))
        for booking in bookings
    }


def precheck_file_opener(*, user, bookings: Iterable[Booking]):
    """Who may open the files of an upload of these bookings: the applicant, an officer of the
    checking department, and hall staff sitting at a window that serves one of the booking's
    items or has called the booking's number (superusers too, as everywhere; every opening is
    recorded). Returns ``opens(upload) -> bool``; two queries whatever the number of uploads."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return lambda upload: False
    if user.is_superuser:
        return lambda upload: True
    bookings = list(bookings)
    if all(booking.user_id == user.pk for booking in bookings):
        return lambda upload: True  # the applicant's own page: no query
    department_ids = set(_officer_department_ids(user))
    served: set[int] = set()
    if is_hall_staff(user) and bookings:
        seats = Window.objects.filter(staff=user)
        seat_items = set(seats.filter(items__isnull=False).values_list("items", flat=True))
        items = _booking_item_ids(bookings)
        served = {booking.pk for booking in bookings if items[booking.pk] & seat_items}
        served |= set(QueueTicket.objects.filter(booking__in=bookings, window__in=seats).values_list("booking_id", flat=True))

    def opens(upload: PrecheckUpload) -> bool:
        return (upload.booking.user_id == user.pk or upload.department_id in department_ids
                or upload.booking_id in served)

    return opens


def precheck_may_decide(*, upload: PrecheckUpload, user, department_ids: Iterable[int] | None = None) -> bool:
    """Only an officer of the checking department decides (superusers too, as everywhere).
    A list page passes the user's ``department_ids`` once instead of a query per row."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if department_ids is None:
        department_ids = _officer_department_ids(user)
    return user.is_superuser or upload.department_id in department_ids


def precheck_waiting_count(*, user) -> int:
    return PrecheckUpload.objects.filter(
        status=PrecheckUpload.Status.SUBMITTED, department__in=_officer_department_ids(user)
    ).count()


def _in_language(field: str):
    """The current language's column of a translated name (django-modeltranslation), null when empty."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    from django.db.models.functions import NullIf

    return NullIf(F(f"{field}_{language}"), Value(""), output_field=models.CharField())


def one_visit_rates(*, since: datetime | None = None) -> list[dict]:
    """Completed bookings settled in one visit, per bundle (or item) and month, with and without
    pre-check (a booking "with" had at least one material accepted before the visit). One query.

    ``[{"subject", "month", "with_total", "with_settled", "with_rate", "without_total",
    "without_settled", "without_rate"}]``, newest month first; a rate is None without bookings.
    """
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Coalesce, TruncMonth

    accepted = PrecheckUpload.objects.filter(booking=OuterRef("pk"), status=PrecheckUpload.Status.ACCEPTED)
    bookings = Booking.objects.filter(status=Booking.Status.COMPLETED, settled_in_one_visit__isnull=False)
    if since is not None:
        bookings = bookings.filter(slot__starts_at__gte=since)
    rows = (
        bookings.annotate(
            month=TruncMonth("slot__starts_at"),
            subject=Coalesce(
                _in_language("slot__bundle__name"), "slot__bundle__name", _in_language("slot__item__name"), "slot__item__name",
                output_field=models.CharField(),
            ),
            prechecked=Exists(accepted),
        )
        .values("subject", "month", "prechecked")
        .annotate(total=Count("id"), settled=Count("id", filter=Q(settled_in_one_visit=True)))
        .order_by("-month", "subject")
    )
    table: dict[tuple, dict] = {}
    for row in rows:
        key = (row["subject"], row["month"])
        entry = table.setdefault(key, {
            "subject": row["subject"], "month": row["month"],
            "with_total": 0, "with_settled": 0, "without_total": 0, "without_settled": 0,
        })
        side = "with" if row["prechecked"] else "without"
        entry[f"{side}_total"] += row["total"]
        entry[f"{side}_settled"] += row["settled"]
    for entry in table.values():
        for side in ("with", "without"):
            total = entry[f"{side}_total"]
            entry[f"{side}_rate"] = round(100 * entry[f"{side}_settled"] / total) if total else None
    return list(table.values())


@me_section(12)
def precheck_me_section(*, user) -> dict | None:
    """For a department officer: the uploads waiting for their department's pre-check."""
    if not user.departments.exists():
        return None
    return {
        "title": _("Materials to pre-check"),
        "template": "services/me_precheck.html",
        "context": {"waiting": precheck_waiting_count(user=user)},
    }


# --- The queue at the windows -----------------------------------------------------------------
def window_list(*, user) -> QuerySet[Window]:
    """Every window with its zone, items and staff (hall staff only; others see none)."""
    if not is_hall_staff(user):
        return Window.objects.none()
    return Window.objects.select_related("zone").prefetch_related("items", "staff").order_by("number")


def window_get_for_user(*, user, window_id) -> Window:
    """The window if ``user`` is hall staff, else 404. Whether they sit at it (403) is
    ``window_is_seat`` and each action's own check."""
    window = window_list(user=user).filter(pk=window_id).first() if str(window_id).isdigit() else None
    if window is None:
        raise NotFound(_("There is no such window."))
    return window


def window_is_seat(*, window: Window, user) -> bool:
    return any(person.pk == user.pk for person in window.staff.all())


@nav_provider
def window_nav_items(user) -> list[dict]:
    """The header's link to each window the hall staff member sits at (one query; none for others)."""
    if not is_hall_staff(user):
        return []
    return [{"url": reverse("services:hall_window", args=[window.pk]), "label": str(window)}
            for window in Window.objects.filter(staff=user).order_by("number")]


def queue_ticket_get_for_user(*, user, ticket_id) -> QueueTicket:
    """A ticket for hall staff, else 404 (a ticket says who waits for what)."""
    ticket = None
    if is_hall_staff(user) and str(ticket_id).isdigit():
        ticket = QueueTicket.objects.select_related("zone", "window", "item", "bundle").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("There is no such queue number."))
    return ticket


def _window_subject_filter(item_ids: list[int]) -> Q:
    bundle_ids = BundleItem.objects.filter(item_id__in=item_ids).values("bundle_id")
    return Q(item_id__in=item_ids) | Q(bundle_id__in=bundle_ids)


def queue_waiting_for_window(*, window: Window) -> QuerySet[QueueTicket]:
    """Today's waiting tickets this window may call, in the order it will call them."""
    item_ids = [item.pk for item in window.items.all()]
    return (
        QueueTicket.objects.filter(day=timezone.localdate(), zone_id=window.zone_id, status=QueueTicket.Status.WAITING)
        .filter(_window_subject_filter(item_ids))
        .select_related("zone", "item", "bundle")
        .order_by("queue_at", "kind", "number")
    )


def queue_window_current(*, window: Window) -> QueueTicket | None:
    return (
        QueueTicket.objects.filter(window=window, day=timezone.localdate(), status=QueueTicket.Status.CALLED)
        .select_related("zone", "item", "bundle").first()
    )


def queue_ahead(*, ticket: QueueTicket) -> int:
    """How many waiting people will be called before this ticket by the windows that serve it."""
    if ticket.status != QueueTicket.Status.WAITING:
        return 0
    own_items = [ticket.item_id] if ticket.item_id else list(
        BundleItem.objects.filter(bundle_id=ticket.bundle_id).values_list("item_id", flat=True)
    )
    item_ids = list(
        ServiceItem.objects.filter(windows__items__in=own_items, windows__is_open=True).values_list("pk", flat=True)
    ) or own_items
    before = (
        Q(queue_at__lt=ticket.queue_at)
        | Q(queue_at=ticket.queue_at, kind__lt=ticket.kind)
        | Q(queue_at=ticket.queue_at, kind=ticket.kind, number__lt=ticket.number)
    )
    return (
        QueueTicket.objects.filter(day=ticket.day, zone_id=ticket.zone_id, status=QueueTicket.Status.WAITING)
        .filter(_window_subject_filter(item_ids)).filter(before).distinct().count()
    )


def booking_ticket(booking: Booking) -> QueueTicket | None:
    return QueueTicket.objects.select_related("zone", "window").filter(booking=booking).first()


def booking_is_today(booking: Booking) -> bool:
    return timezone.localdate(booking.slot.starts_at) == timezone.localdate()


def booking_check_in_window(booking: Booking) -> tuple[datetime, datetime]:
    """When the applicant may check themselves in: QUEUE_CHECK_IN_EARLY_MINUTES before the start
    to QUEUE_CHECK_IN_LATE_MINUTES after (hall staff at the desk: all of the booking's day)."""
    starts_at = booking.slot.starts_at
    return (starts_at - timedelta(minutes=settings.QUEUE_CHECK_IN_EARLY_MINUTES),
            starts_at + timedelta(minutes=settings.QUEUE_CHECK_IN_LATE_MINUTES))


def booking_check_in_open(booking: Booking, *, now: datetime | None = None) -> bool:
    """Whether the applicant's "check in" button works now: a booked booking, on its own day, in its window."""
    now = now or timezone.now()
    if booking.status != Booking.Status.BOOKED or timezone.localdate(booking.slot.starts_at) != timezone.localdate(now):
        return False
    opens, closes = booking_check_in_window(booking)
    return opens <= now <= closes


def queue_number_spoken(*, code: str, window_number: int) -> str:
    """The call as it is read aloud: A012 at window 3 is "Number A-zero-one-two, please go to
    window 3" (Chinese: 请 A零一二 号到 3 号窗口). Each digit carries its joining dash in the
    English text so the Chinese catalogue can drop it."""
    digits = {
        "0": pgettext("a queue number's digit read aloud", "-zero"),
        "1": pgettext("a queue number's digit read aloud", "-one"),
        "2": pgettext("a queue number's digit read aloud", "-two"),
        "3": pgettext("a queue number's digit read aloud", "-three"),
        "4": pgettext("a queue number's digit read aloud", "-four"),
        "5": pgettext("a queue number's digit read aloud", "-five"),
        "6": pgettext("a queue number's digit read aloud", "-six"),
        "7": pgettext("a queue number's digit read aloud", "-seven"),
        "8": pgettext("a queue number's digit read aloud", "-eight"),
        "9": pgettext("a queue number's digit read aloud", "-nine"),
    }
    spelled = "".join(digits.get(char, char) for char in code)
    return str(_("Number %(number)s, please go to window %(window)s")) % {"number": spelled, "window": window_number}


def queue_screen() -> dict:
    """What the hall's calling screen shows: each open window's number being called and the last
    calls, newest first, and how many wait. Nothing personal: numbers and windows only. Three queries."""
    today = timezone.localdate()
    windows = list(Window.objects.filter(is_open=True).order_by("number"))
    called = list(
        QueueTicket.objects.filter(day=today, last_called_at__isnull=False, window__isnull=False)
        .select_related("zone", "window").order_by("-last_called_at", "-id")[:50]
    )
    current = {}
    for ticket in called:
        if ticket.status == QueueTicket.Status.CALLED:
            current.setdefault(ticket.window_id, ticket)
    rows = [
        {
            "window": window,
            "ticket": current.get(window.pk),
            "spoken": queue_number_spoken(code=current[window.pk].code, window_number=window.number)
            if window.pk in current else "",
        }
        for window in windows
    ]
    latest = next((ticket for ticket in called if ticket.status == QueueTicket.Status.CALLED), None)
    return {
        "windows": rows,
        "waiting": QueueTicket.objects.filter(day=today, status=QueueTicket.Status.WAITING).count(),
        "latest": latest,
        "latest_spoken": queue_number_spoken(code=latest.code, window_number=latest.window.number) if latest else "",
        "recent": called[:8],
    }


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above ``share`` of the values."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _time_summary(waits: list[float], services: list[float]) -> dict:
    def minutes(values: list[float], share: float) -> float | None:
        return round(_percentile(values, share) / 60, 1) if values else None

    return {
        "called": len(waits), "served": len(services),
        "wait_median": minutes(waits, 0.5), "wait_p90": minutes(waits, 0.9),
        "service_median": minutes(services, 0.5), "service_p90": minutes(services, 0.9),
    }


def queue_times(*, day_from: date, day_to: date, window: Window | None = None) -> dict:
    """Waiting (called − checked in) and service (done − called) times, in minutes: median and
    90th percentile per day, per item (or bundle) and per window. One query; a day's tickets are
    a few hundred rows at most, so the percentiles are taken here, the same on SQLite and PostgreSQL."""
    tickets = QueueTicket.objects.filter(day__gte=day_from, day__lte=day_to, called_at__isnull=False)
    if window is not None:
        tickets = tickets.filter(window=window)
    from django.db.models.functions import Coalesce

    # Names in the page's language (the Chinese when a name has no English), as one_visit_rates does.
    rows = tickets.annotate(
        item_local=Coalesce(_in_language("item__name"), F("item__name"), output_field=models.CharField()),
        bundle_local=Coalesce(_in_language("bundle__name"), F("bundle__name"), output_field=models.CharField()),
    ).values_list(
        "day", "item_local", "bundle_local", "window__number", "checked_in_at", "called_at", "done_at", "status"
    )
    groups: dict[tuple, tuple[list, list]] = {}
    for day, item_name, bundle_name, window_number, checked_in_at, called_at, done_at, status in rows:
        wait = (called_at - checked_in_at).total_seconds()
        service = (done_at - called_at).total_seconds() if status == QueueTicket.Status.DONE and done_at else None
        for key in (("day", day), ("subject", bundle_name or item_name), ("window", window_number), ("all", None)):
            waits, services = groups.setdefault(key, ([], []))
            waits.append(wait)
            if service is not None:
                services.append(service)

    def summaries(kind: str) -> list[dict]:
        return [
            {"key": key, **_time_summary(*values)}
            for (group, key), values in sorted(groups.items(), key=lambda pair: str(pair[0][1]))
            if group == kind
        ]

    return {
        "all": _time_summary(*groups.get(("all", None), ([], []))),
        "per_day": summaries("day"),
        "per_subject": summaries("subject"),
        "per_window": summaries("window"),
    }


def queue_times_today(*, window: Window | None = None) -> dict:
    today = timezone.localdate()
    return queue_times(day_from=today, day_to=today, window=window)


# --- 好差评: evaluations, rectifications and their figures ----------------------------------------
def evaluation_list(*, user) -> QuerySet:
    """The person's own evaluations, newest first."""
    return (Evaluation.objects.filter(booking__user=user)
            .select_related("booking", "item", "window", "staff", "rectification").order_by("-created_at", "-id"))


def booking_evaluations(booking: Booking) -> dict:
    """{stage: evaluation} of a booking, and which stages it may still be rated at (one query)."""
    from services.actions import evaluation_stage_allowed

    given = {e.stage: e for e in Evaluation.objects.filter(booking=booking).select_related("rectification")}
    # Completion first: once the matter is done, that is the evaluation the person came to give.
    open_stages = [stage for stage in reversed(Evaluation.Stage.values)
                   if stage not in given and evaluation_stage_allowed(booking=booking, stage=stage)]
    return {"given": given, "open": open_stages,
            "list": [given[stage] for stage in Evaluation.Stage.values if stage in given]}


def rectification_can_see_all(user) -> bool:
    """Hall staff and the committee reviewers (who receive escalations) read every rectification."""
    from portal.roles import Role, has_role

    return has_role(user, Role.HALL_STAFF, Role.COMMITTEE_REVIEWER)


def rectification_can_use_list(user) -> bool:
    from portal.roles import Role, has_role

    return has_role(user, Role.HALL_STAFF, Role.COMMITTEE_REVIEWER, Role.DEPARTMENT_OFFICER)


def _rectification_queryset() -> QuerySet:
    return Rectification.objects.select_related(
        "department", "evaluation__booking__user", "evaluation__booking__slot__item",
        "evaluation__booking__slot__bundle", "evaluation__item", "evaluation__window", "evaluation__staff",
    )


def rectification_list(*, user, status: str | None = None) -> QuerySet:
    """Rectifications ``user`` may see: all for hall staff and committee reviewers, their own
    departments' for officers, their own reviews' for the person; pending first by deadline."""
    queryset = _rectification_queryset()
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if not rectification_can_see_all(user):
        queryset = queryset.filter(Q(department__officers=user) | Q(evaluation__booking__user=user)).distinct()
    if status in Rectification.Status.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by(models.Case(models.When(status__in=Rectification.PENDING, then=0), default=1),
                             "due_at", "id")


def rectification_get_for_user(*, user, rectification_id) -> Rectification:
    """A rectification ``user`` may see, else 404 (another department's does not exist for them)."""
    if not str(rectification_id).isdigit():
        raise NotFound(_("There is no such rectification."))
    rectification = rectification_list(user=user).filter(pk=int(rectification_id)).first()
    if rectification is None:
        raise NotFound(_("There is no such rectification."))
    return rectification


def rectification_officer_is(*, rectification: Rectification, user) -> bool:
    return rectification.department.officers.filter(pk=user.pk, is_active=True).exists()


def rectification_events(rectification: Rectification) -> QuerySet:
    return RectificationEvent.objects.filter(rectification=rectification).select_related("by").order_by("at", "id")


@me_todo(15)
def rectification_me_todo(*, user) -> list[dict]:
    """Officers: their departments' rectifications still owing a callback or an outcome (one query;
    none for others). The person hears of an outcome by notification, linked to where they answer."""
    from portal.roles import Role, has_role

    todos = []
    if has_role(user, Role.DEPARTMENT_OFFICER):
        count = Rectification.objects.filter(department__officers=user, status__in=Rectification.PENDING).count()
        label = ngettext("%(count)d bad review to call back and rectify",
                         "%(count)d bad reviews to call back and rectify", count)
        todos.append({"label": label % {"count": count}, "count": count,
                      "url": reverse("services:rectification_list")})
    return todos


@nav_provider
def rectification_nav_items(user) -> list[dict]:
    """The header's link to the rectifications list, for officers, staff and reviewers (no query)."""
    if not rectification_can_use_list(user):
        return []
    return [{"url": reverse("services:rectification_list"), "label": str(_("Rectifications"))}]


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


EVALUATION_GROUPS = {
    "item": ("item_id", "item__name"),
    "window": ("window_id", "window__number"),
    "staff": ("staff_id", "staff__display_name"),  # the username when there is no display name
    "department": ("department_id", "department__name"),
    "month": None,
}


def evaluation_figures(*, by: str | None = None, since: datetime | None = None) -> list[dict]:
    """The 好差评 figures from the records, overall (``by=None``) or per item, window, staff member,
    department or month: evaluations, satisfaction (three upper grades), share of 非常满意, bad
    reviews, callback rate (bad reviews with a rectification whose callback is recorded, out of
    the bad reviews that opened one: every review is named, given by a signed-in person), the
    rectification rate (outcome given) and the on-time rate (outcome by the deadline, of those
    given). One query.

    Each row: {"key", "label", "evaluations", "satisfied", "very_satisfied", "bad", "satisfaction",
    "very_satisfied_share", "rectifications", "called_back", "callback_rate", "answered",
    "rectification_rate", "on_time", "on_time_rate"}.
    """
    from django.db.models.functions import TruncMonth

    queryset = Evaluation.objects.all()
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    answered = Q(rectification__answered_at__isnull=False)
    aggregates = {
        "evaluations": Count("id"),
        "satisfied": Count("id", filter=Q(grade__in=GRADES_SATISFIED)),
        "very_satisfied": Count("id", filter=Q(grade=5)),
        "bad": Count("id", filter=Q(grade__in=GRADES_BAD)),
        "rectifications": Count("rectification"),
        "called_back": Count("rectification", filter=Q(rectification__called_back_at__isnull=False)),
        "answered": Count("rectification", filter=answered),
        "on_time": Count("rectification", filter=answered & Q(rectification__answered_at__lte=F("rectification__due_at"))),
    }
    if by is None:
        rows = [{"key": None, "label": "", **queryset.aggregate(**aggregates)}]
    elif by == "month":
        rows = [{"key": row["month"], "label": f"{timezone.localtime(row['month']):%Y-%m}", **row}
                for row in queryset.annotate(month=TruncMonth("created_at")).values("month")
                .annotate(**aggregates).order_by("month")]
    else:
        key, label = EVALUATION_GROUPS[by]
        names = [key, label, "staff__username"] if by == "staff" else [key, label]
        rows = [{"key": row[key], "label": str(row[label] or row.get("staff__username") or ""), **row}
                for row in queryset.values(*names).annotate(**aggregates).order_by(label, key)]
        if by == "window":
            for row in rows:
                row["label"] = str(_("Window %(number)s") % {"number": row["label"]}) if row["key"] else ""
    for row in rows:
        row["satisfaction"] = _rate(row["satisfied"], row["evaluations"])
        row["very_satisfied_share"] = _rate(row["very_satisfied"], row["evaluations"])
        row["callback_rate"] = _rate(row["called_back"], row["rectifications"])
        row["rectification_rate"] = _rate(row["answered"], row["rectifications"])
        row["on_time_rate"] = _rate(row["on_time"], row["answered"])
    return rows
