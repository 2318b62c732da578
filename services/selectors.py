from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as _CaseWhenCase
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts.selectors import me_section
from portal.filters import filters_apply
from portal.notifications.models import Reminder
from portal.roles import Role, has_role, is_hall_staff
from services.exceptions import CaseForbidden, CaseNotFound, CaseTaskNotFound, NotFound
from services.filters import (
    BookingFilter,
    BundleFilter,
    CaseFilter,
    CaseTaskFilter,
    ServiceItemFilter,
    SlotFilter,
)
from services.models import (
    Booking,
    Bundle,
    BundleItem,
    Case,
    CaseEvent,
    CaseTask,
    Department,
    Material,
    Review,
    ServiceItem,
    Slot,
    Step,
)

# --- catalogue and booking (issue 3) ---




def department_list() -> QuerySet:
    return Department.objects.annotate(item_count=Count("service_items")).order_by("position", "name")


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
        .prefetch_related(*_item_prefetches(), Prefetch("bundles", queryset=Bundle.objects.order_by("position")))
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
    bundle = _bundle_queryset().filter(slug=slug).first()
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


def _upcoming_slots() -> QuerySet:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    return Slot.objects.filter(starts_at__gte=start).select_related("bundle", "item")


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


def _booking_queryset() -> QuerySet:
    return Booking.objects.select_related("user", "slot__bundle", "slot__item", "review")


def booking_list(*, user, filters=None, mine: bool = False) -> QuerySet:
    """The user's own bookings; hall staff see everyone's unless ``mine``."""
    queryset = _booking_queryset()
    if mine or not is_hall_staff(user):
        queryset = queryset.filter(user=user)
    return filters_apply(BookingFilter, filters, queryset).order_by("-slot__starts_at", "-id")


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


def booking_can_change(booking: Booking) -> bool:
    """True while the applicant may still cancel or move it (the cut-off has not passed)."""
    cutoff = booking.slot.starts_at - timedelta(hours=settings.BOOKING_CANCEL_CUTOFF_HOURS)
    return booking.status == Booking.Status.BOOKED and timezone.now() <= cutoff


def satisfaction(*, since: datetime | None = None) -> dict:
    """Satisfaction rate: the share of reviews with 4 or 5 stars, in percent (None without reviews)."""
    reviews = Review.objects.all()
    if since is not None:
        reviews = reviews.filter(created_at__gte=since)
    counts = reviews.aggregate(total=Count("id"), happy=Count("id", filter=Q(stars__gte=4)))
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
    """My bookings on /me/: the coming ones first, then the latest past ones."""
    bookings = list(_booking_queryset().filter(user=user).order_by("-slot__starts_at", "-id")[:10])
    if not bookings:
        return None
    return {
        "title": _("My bookings"),
        "template": "services/me_bookings.html",
        "context": {"bookings": bookings},
    }




# --- cross-department cases (issue 4) ---



def case_can_manage(user) -> bool:
    """Hall staff open cases, add and move tasks, cancel cases."""
    return has_role(user, Role.HALL_STAFF)


def case_can_see_all(user) -> bool:
    """Hall staff and the committee reviewers (who receive escalations) read every case."""
    return has_role(user, Role.HALL_STAFF, Role.COMMITTEE_REVIEWER)


def _case_own_departments(user) -> QuerySet:
    return Department.objects.filter(officers=user).values("pk")


def _case_visible(user) -> Q | None:
    """The cases ``user`` may read as a Q, or None for all of them."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if case_can_see_all(user):
        return None
    departments = _case_own_departments(user)
    their_tasks = CaseTask.objects.filter(case=OuterRef("pk")).filter(
        Q(assignee=user) | Q(department__in=departments)
    )
    return Q(applicant=user) | Q(lead_department__in=departments) | Q(Exists(their_tasks))


def _case_annotated(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("lead_department", "applicant", "opened_by", "suggestion").annotate(
        tasks_total=Count("tasks", filter=~Q(tasks__status=CaseTask.Status.CANCELLED)),
        tasks_done=Count("tasks", filter=Q(tasks__status=CaseTask.Status.DONE)),
        next_due_at=Min("tasks__due_at", filter=Q(tasks__status=CaseTask.Status.OPEN)),
    )


def case_progress(case: Case) -> dict:
    """{"done", "total", "percent"} of the tasks that count (cancelled ones do not)."""
    done = getattr(case, "tasks_done", None)
    total = getattr(case, "tasks_total", None)
    if done is None or total is None:
        statuses = [task.status for task in case.tasks.all()]
        total = sum(1 for status in statuses if status != CaseTask.Status.CANCELLED)
        done = sum(1 for status in statuses if status == CaseTask.Status.DONE)
    return {"done": done, "total": total, "percent": round(100 * done / total) if total else 0}


def case_list(*, user, filters=None) -> QuerySet:
    """The cases ``user`` may read, filtered, with progress annotations and tasks prefetched.

    Soonest open deadline first, so overdue work leads; raises ValidationError for bad filters.
    """
    queryset = Case.objects.all()
    visible = _case_visible(user)
    if visible is not None:
        queryset = queryset.filter(visible)
    queryset = filters_apply(CaseFilter, filters, queryset)
    return _case_annotated(queryset).prefetch_related(
        Prefetch("tasks", queryset=CaseTask.objects.select_related("department", "assignee"))
    ).order_by(F("next_due_at").asc(nulls_last=True), "-opened_at", "-id")


def case_get_for_user(*, user, case_id: int, for_change: bool = False) -> Case:
    """One case: 404 when ``user`` may not read it, 403 when they may read but not manage it."""
    case = case_list(user=user).filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound()
    if for_change and not case_can_manage(user):
        raise CaseForbidden(gettext("Only hall staff can change a case."))
    return case


def case_task_get_for_user(*, user, task_id: int, need: str | None = None) -> CaseTask:
    """One task: 404 when ``user`` may not read it; 403 when they may read it but not do ``need``.

    ``need="complete"``: the responsible person or hall staff. ``need="manage"``: hall staff.
    """
    queryset = CaseTask.objects.select_related("case", "case__lead_department", "department", "assignee")
    visible = _case_visible(user)
    if visible is not None:
        queryset = queryset.filter(case__in=Case.objects.filter(visible))
    task = queryset.filter(pk=task_id).first()
    if task is None:
        raise CaseTaskNotFound()
    if need == "complete" and not (task.assignee_id == user.pk or case_can_manage(user)):
        raise CaseForbidden(gettext("Only the responsible person or hall staff can complete this task."))
    if need == "manage" and not case_can_manage(user):
        raise CaseForbidden(gettext("Only hall staff can change a case."))
    return task


def case_task_list_for_assignee(*, user, filters=None) -> QuerySet:
    """ "My tasks": open ones first by deadline, then the closed ones, newest first."""
    queryset = CaseTask.objects.filter(assignee=user) if user.is_authenticated else CaseTask.objects.none()
    queryset = filters_apply(CaseTaskFilter, filters, queryset)
    return queryset.select_related("case", "department").annotate(
        open_first=_CaseWhenCase(
            When(status=CaseTask.Status.OPEN, then=Value(0)), default=Value(1)
        )
    ).order_by("open_first", "due_at", "id")


def case_board(*, user, filters=None) -> QuerySet:
    """The board's tasks by department, overdue (earliest deadline) first. Open tasks by default.

    Staff and reviewers see every department; an officer sees the departments they belong to.
    """
    filters = dict(filters or {})
    filters.setdefault("status", CaseTask.Status.OPEN)
    queryset = CaseTask.objects.all()
    if not case_can_see_all(user):
        queryset = queryset.filter(department__in=_case_own_departments(user)) if user.is_authenticated\
            else queryset.none()
    queryset = filters_apply(CaseTaskFilter, filters, queryset)
    return queryset.select_related("case", "department", "assignee").order_by(
        "department__position", "department__name", "due_at", "id"
    )


def case_event_list(*, case: Case) -> QuerySet:
    return CaseEvent.objects.filter(case=case).select_related("actor", "task")


def case_reminder_list(*, case: Case) -> QuerySet:
    """The reminders sent about the case's tasks, newest first, with their recipients."""
    return Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(CaseTask),
        subject_id__in=CaseTask.objects.filter(case=case).values("pk"),
    ).prefetch_related("recipients").order_by("-sent_at", "-id")


@me_section(40)
def case_me_section(*, user) -> dict | None:
    """The applicant's cases and their progress on the personal page."""
    cases = list(_case_annotated(Case.objects.filter(applicant=user)).order_by("-opened_at")[:10])
    if not cases:
        return None
    for case in cases:
        case.progress = case_progress(case)
    return {"title": gettext("My cases"), "template": "services/case_me_section.html",
            "context": {"cases": cases}}

