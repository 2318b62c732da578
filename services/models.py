from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Department(models.Model):
    """A unit stationed in the hall (进驻单位). Its officers answer its cases and ideas."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    window = models.CharField(_("window"), max_length=60, blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("department officers"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.short_name or self.name


class Holiday(models.Model):
    """One day that differs from the plain Monday-Friday week.

    A public holiday on a weekday is a day off; a make-up working day (调休) on a weekend is a
    working day. Staff keep this calendar in the admin; deadlines in working days read it.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Public holiday (day off)")
        WORKING_DAY = "working_day", _("Make-up working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DAY_OFF)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


# --- cross-department cases (issue 4) ---
class Case(models.Model):
    """A hard problem handled by several departments (跨部门协同办理), led by one of them.

    It is listed, assigned to named people and finished within a time limit: its tasks carry the
    people and the deadlines. A case is done when all its (not cancelled) tasks are done.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        BLOCKER = "blocker", _("Blocker from the ideas ledger")
        IDEA = "idea", _("Golden idea")
        WALK_IN = "walk_in", _("Walk-in at the youth zone")
        STAFF = "staff", _("Raised by hall staff")

    # The only moves a case may make; case_set_status refuses anything else with a 409.
    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.IN_PROGRESS, Status.DONE, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }
    ACTIVE = (Status.OPEN, Status.IN_PROGRESS)

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="cases_applied", verbose_name=_("applicant"),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WALK_IN)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases_led", verbose_name=_("lead department")
    )
    suggestion = models.OneToOneField(
        "suggestions.Suggestion", null=True, blank=True, on_delete=models.PROTECT, related_name="case",
        verbose_name=_("ledger entry"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_opened",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "lead_department"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["done", "cancelled"], closed_at__isnull=False)
                | models.Q(status__in=["open", "in_progress"], closed_at__isnull=True),
                name="case_closed_at_matches_status",
            )
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class CaseTask(models.Model):
    """One department's part of a case: a named responsible person and a deadline.

    ``next_reminder_at`` is the sweep's marker: when the next reminder of the ladder falls due.
    The sweep only reads tasks whose marker has passed, so its cost follows the reminders due.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="case_tasks", verbose_name=_("department")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_tasks",
        verbose_name=_("responsible person"),
    )
    description = models.TextField(_("what to do"), max_length=2000)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("completed by"),
    )
    note = models.TextField(_("completion note"), max_length=2000, blank=True)
    next_reminder_at = models.DateTimeField(_("next reminder at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["next_reminder_at"], name="casetask_next_reminder"),
            models.Index(fields=["assignee", "status", "due_at"], name="casetask_assignee_due"),
            models.Index(fields=["department", "status", "due_at"], name="casetask_department_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", completed_at__isnull=False)
                | (~models.Q(status="done") & models.Q(completed_at__isnull=True)),
                name="casetask_completed_at_matches_status",
            ),
            # Closed tasks are never reminded: the marker must be empty.
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(next_reminder_at__isnull=True),
                name="casetask_no_reminder_when_closed",
            ),
        ]
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")

    def __str__(self) -> str:
        return f"{self.department}: {self.description[:40]}"


class CaseEvent(models.Model):
    """The case's history (办理记录): append-only, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        TASK_ADDED = "task_added", _("Task added")
        TASK_COMPLETED = "task_completed", _("Task completed")
        TASK_RESCHEDULED = "task_rescheduled", _("Deadline moved")
        TASK_CANCELLED = "task_cancelled", _("Task cancelled")
        STATUS_CHANGED = "status_changed", _("Status changed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    task = models.ForeignKey(
        CaseTask, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("task")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case history entry")
        verbose_name_plural = _("case history")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"


# --- catalogue and booking (issue 3) ---
class Stage(models.TextChoices):
    """The founder's life cycle, in the order the catalogue shows it."""

    HOUSING = "housing", _("Housing and residence")
    REGISTRATION = "registration", _("Business registration")
    POLICY = "policy", _("Policy application")
    GROWTH = "growth", _("Growth follow-up")


class Material(models.Model):
    """A document an applicant brings (an ID card, a lease). Shared between items: what bundles save."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """One administrative item (事项) owned by one department."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    stage = models.CharField(_("life-cycle stage"), max_length=20, choices=Stage.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="service_items", verbose_name=_("department")
    )
    legal_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"))
    promised_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    visits = models.PositiveSmallIntegerField(_("visits in person"), default=1)
    fee = models.DecimalField(_("fee (yuan)"), max_digits=9, decimal_places=2, default=0)
    bookable = models.BooleanField(_("can be booked"), default=True)
    description = models.TextField(_("description"), blank=True)
    materials = models.ManyToManyField(
        Material, blank=True, related_name="service_items", verbose_name=_("materials")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("legal_days")),
                name="service_item_promise_within_legal_limit",
                violation_error_message=_("The promised time limit cannot exceed the legal one."),
            ),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="service_item_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One handling step of an item.

    A *joint* step (apply, acceptance, material check, delivery of the certificate) is done once
    for a whole bundle: joint steps with the same name across the bundle's items count once.
    An *own* step (review, decision) stays with each item.
    """

    class Kind(models.TextChoices):
        JOINT = "joint", _("Joint (once per bundle)")
        OWN = "own", _("Own (per item)")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps", verbose_name=_("service item"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OWN)

    class Meta:
        ordering = ["item", "position", "id"]
        verbose_name = _("handling step")
        verbose_name_plural = _("handling steps")
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="step_name_unique_per_item"),
        ]

    def __str__(self) -> str:
        return self.name


class Bundle(models.Model):
    """A one-thing package (一件事套餐): an ordered set of items handled jointly in the youth zone."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    items = models.ManyToManyField(
        ServiceItem,
        through="BundleItem",
        through_fields=("bundle", "item"),
        related_name="bundles",
        verbose_name=_("service items"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("one-thing bundle")
        verbose_name_plural = _("one-thing bundles")

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    """An item's place in a bundle, and the item of the same bundle it has to wait for, if any."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_items", verbose_name=_("bundle"))
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("service item"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    requires = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("needs first"),
        help_text=_("Another item of this bundle that must be finished before this one starts."),
    )

    class Meta:
        ordering = ["bundle", "position", "id"]
        verbose_name = _("bundle item")
        verbose_name_plural = _("bundle items")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique"),
            models.CheckConstraint(
                condition=~models.Q(requires=models.F("item")), name="bundle_item_not_requiring_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"


class Slot(models.Model):
    """A bookable time window at the youth zone, for one bundle or one item.

    ``booked_count`` is the number of active bookings. It only moves through conditional UPDATEs
    in services.actions, and the database refuses a count above capacity, so no rush oversells.
    """

    bundle = models.ForeignKey(
        Bundle, on_delete=models.CASCADE, null=True, blank=True, related_name="slots", verbose_name=_("bundle")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, null=True, blank=True, related_name="slots", verbose_name=_("service item")
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked_count = models.PositiveSmallIntegerField(_("booked"), default=0, editable=False)
    is_open = models.BooleanField(_("open for booking"), default=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(bundle__isnull=False, item__isnull=True) | models.Q(bundle__isnull=True, item__isnull=False)),
                name="slot_for_a_bundle_or_an_item",
                violation_error_message=_("A slot is for either a bundle or a service item."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="slot_ends_after_start",
                violation_error_message=_("A slot must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(booked_count__lte=models.F("capacity")), name="slot_never_overbooked"
            ),
            models.UniqueConstraint(
                fields=["bundle", "starts_at"], condition=models.Q(bundle__isnull=False), name="slot_unique_bundle_start"
            ),
            models.UniqueConstraint(
                fields=["item", "starts_at"], condition=models.Q(item__isnull=False), name="slot_unique_item_start"
            ),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        start = timezone.localtime(self.starts_at)
        return f"{self.bundle or self.item} {start:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked_count, 0)

    @property
    def subject(self):
        return self.bundle or self.item


class Booking(models.Model):
    """A user's reservation of a slot (预约), with a short reference to show at the window."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    # The only moves a booking may make; services.actions.booking_transition enforces them.
    TRANSITIONS: dict[str, set[str]] = {
        Status.BOOKED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
        Status.CHECKED_IN: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
        Status.NO_SHOW: set(),
    }
    # Bookings that hold a place in their slot.
    ACTIVE = (Status.BOOKED, Status.CHECKED_IN)

    reference = models.CharField(_("reference"), max_length=12, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("applicant")
    )
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "slot"],
                condition=models.Q(status__in=["booked", "checked_in"]),
                name="booking_one_active_per_user_and_slot",
                violation_error_message=_("You already have a booking for this slot."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class BookingEvent(models.Model):
    """History of a booking: every status change and reschedule, written with the change itself."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events", verbose_name=_("booking"))
    from_status = models.CharField(_("from"), max_length=20, choices=Booking.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Booking.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("booking history entry")
        verbose_name_plural = _("booking history")

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status} → {self.to_status}"


class Review(models.Model):
    """The applicant's rating of a completed booking. One per booking."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="review", verbose_name=_("booking"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5),
                name="review_stars_one_to_five",
                violation_error_message=_("Stars must be between 1 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.stars}★"
