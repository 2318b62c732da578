from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.files import private_storage_get
from portal.hall.models import Department


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
    issues_materials = models.ManyToManyField(
        Material,
        blank=True,
        related_name="issued_by_items",
        verbose_name=_("materials it issues"),
        help_text=_("Documents this item produces (a business licence): a later item of the same bundle "
                    "that needs one finds it issued here, with nothing to upload or bring."),
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

    # The only moves a booking may make, each through portal.workflow (services.actions).
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
    # Recorded by the window when it completes the booking: was the matter settled on this one
    # visit (最多跑一次), or must the applicant come back? None until completed.
    settled_in_one_visit = models.BooleanField(_("settled in one visit"), null=True, blank=True)
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
    by = models.ForeignKey(
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


class PrecheckReason(models.TextChoices):
    """The common reasons a department sends a material back (材料预审: needs correction)."""

    UNREADABLE = "unreadable", _("Blurred or unreadable")
    INCOMPLETE = "incomplete", _("Pages or parts missing")
    WRONG_DOCUMENT = "wrong_document", _("Not the document asked for")
    EXPIRED = "expired", _("Expired or no longer valid")
    SIGNATURE = "signature", _("Signature or seal missing")
    MISMATCH = "mismatch", _("Details do not match the application")
    OTHER = "other", _("Other (see the note)")


class PrecheckUpload(models.Model):
    """One version of one material of a booking, uploaded before the visit for the pre-check.

    A corrected upload is a new row with the next ``version``; every version is kept and the latest
    is shown. The files of a version are ``PrecheckFile`` rows (several pages allowed). When the
    retention period after the booking has passed the files are deleted and ``files_deleted_at`` is
    set, but this row, its history and its file names stay: the record of what was checked.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the pre-check")
        ACCEPTED = "accepted", _("Accepted")
        NEEDS_CORRECTION = "needs_correction", _("Needs correction")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS: dict[str, set[str]] = {
        Status.SUBMITTED: {Status.ACCEPTED, Status.NEEDS_CORRECTION, Status.WITHDRAWN},
        Status.ACCEPTED: set(),
        Status.NEEDS_CORRECTION: set(),
        Status.WITHDRAWN: set(),
    }
    # A material has at most one version waiting or accepted at a time (a database constraint).
    OPEN = (Status.SUBMITTED, Status.ACCEPTED)

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="precheck_uploads",
                                verbose_name=_("booking"))
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="precheck_uploads",
                                   verbose_name=_("checking department"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    due_at = models.DateTimeField(_("pre-check due"), db_index=True)
    # When the sweep should next look at this upload for a reminder; None once nothing is left to send.
    next_reminder_at = models.DateTimeField(_("next reminder at"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("checked by"))
    reason = models.CharField(_("reason"), max_length=20, choices=PrecheckReason.choices, blank=True)
    reason_text = models.CharField(_("explanation"), max_length=500, blank=True)
    files_deleted_at = models.DateTimeField(_("files deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["booking", "material__name", "-version"]
        verbose_name = _("pre-check upload")
        verbose_name_plural = _("pre-check uploads")
        constraints = [
            models.UniqueConstraint(fields=["booking", "material", "version"], name="precheck_version_unique"),
            models.UniqueConstraint(
                fields=["booking", "material"],
                condition=models.Q(status__in=["submitted", "accepted"]),
                name="precheck_one_open_version",
                violation_error_message=_("This material already has a version waiting or accepted."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking} · {self.material} v{self.version}"

    def due_state(self) -> str:
        """"overdue", "due_today" or "" for an upload still waiting; "" once checked."""
        if self.status != self.Status.SUBMITTED:
            return ""
        now = timezone.now()
        if now > self.due_at:
            return "overdue"
        if timezone.localdate(self.due_at) == timezone.localdate(now):
            return "due_today"
        return ""


def _precheck_file_path(instance, filename: str) -> str:
    # The stored name carries no personal data; the original name is kept in the row.
    import secrets

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"precheck/{instance.upload.booking_id}/{secrets.token_hex(16)}.{extension}"


class PrecheckFile(models.Model):
    """One file (a photo of a page, or a PDF) of a pre-check upload, kept in the private storage."""

    upload = models.ForeignKey(PrecheckUpload, on_delete=models.CASCADE, related_name="files",
                               verbose_name=_("upload"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    file = models.FileField(_("file"), storage=private_storage_get, upload_to=_precheck_file_path,
                            max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)

    class Meta:
        ordering = ["upload", "position", "id"]
        verbose_name = _("pre-check file")
        verbose_name_plural = _("pre-check files")

    def __str__(self) -> str:
        return self.original_name


class PrecheckEvent(models.Model):
    """History of a pre-check upload: submitted, accepted, sent back with a reason, withdrawn."""

    upload = models.ForeignKey(PrecheckUpload, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("upload"))
    from_status = models.CharField(_("from"), max_length=20, choices=PrecheckUpload.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=PrecheckUpload.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                           verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=600, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("pre-check history entry")
        verbose_name_plural = _("pre-check history")

    def __str__(self) -> str:
        return f"{self.upload_id}: {self.from_status} → {self.to_status}"


class PrecheckFileAccess(models.Model):
    """Who opened which pre-check file, and when (个人信息保护法: every access is recorded)."""

    file = models.ForeignKey(PrecheckFile, on_delete=models.CASCADE, related_name="accesses",
                             verbose_name=_("file"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("pre-check file access")
        verbose_name_plural = _("pre-check file accesses")

    def __str__(self) -> str:
        return f"{self.file_id} · {self.by_id} @ {self.at:%Y-%m-%d %H:%M}"


class Zone(models.Model):
    """A part of the hall (the youth zone, ...). Its letter starts every queue number issued there."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    letter = models.CharField(
        _("letter"), max_length=1, unique=True,
        help_text=_("One capital letter: the zone's numbers read A001, A002, ..."),
    )

    class Meta:
        ordering = ["letter"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(letter__regex=r"^[A-Z]$"), name="zone_letter_one_capital",
                violation_error_message=_("A zone's letter is one capital letter A-Z."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.name}"


class Window(models.Model):
    """A counter (窗口) in a zone: the service items it handles and the staff who sit at it."""

    number = models.PositiveSmallIntegerField(_("window number"), unique=True)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="windows", verbose_name=_("zone"))
    items = models.ManyToManyField(ServiceItem, blank=True, related_name="windows", verbose_name=_("service items"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="windows", verbose_name=_("staff at this window")
    )
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("window")
        verbose_name_plural = _("windows")

    def __str__(self) -> str:
        return str(_("Window %(number)s") % {"number": self.number})


class QueueCounter(models.Model):
    """The last number issued in a zone on a day. Taken under a row lock in the transaction that
    writes the ticket, so numbers are sequential and a rolled-back check-in leaves no gap."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "day"], name="queue_counter_one_per_zone_day")]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.day}: {self.last}"


class QueueTicket(models.Model):
    """A queue number (A012) given at check-in, for a booking or a walk-in, until a window is done with it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("No-show")

    TRANSITIONS: dict[str, set[str]] = {
        Status.WAITING: {Status.CALLED},
        Status.CALLED: {Status.DONE, Status.NO_SHOW},
        Status.DONE: set(),
        Status.NO_SHOW: set(),
    }

    class Kind(models.IntegerChoices):
        # The value orders the queue: a booked person goes before a walk-in of the same time.
        BOOKED = 0, _("Booked")
        WALK_IN = 1, _("Walk-in")

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("zone"))
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    kind = models.PositiveSmallIntegerField(_("kind"), choices=Kind.choices)
    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket", verbose_name=_("booking")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("service item")
    )
    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bundle")
    )
    # Where the ticket stands in the queue: the slot's start for a booking (so a booked person is
    # called before walk-ins who came during their slot), the check-in time for a walk-in.
    queue_at = models.DateTimeField(_("place in the queue"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("window")
    )
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    checked_in_at = models.DateTimeField(_("checked in at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["day", "queue_at", "kind", "number"]
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        constraints = [
            models.UniqueConstraint(fields=["zone", "day", "number"], name="queue_ticket_unique_number"),
            models.CheckConstraint(
                condition=models.Q(item__isnull=False) | models.Q(bundle__isnull=False),
                name="queue_ticket_for_an_item_or_bundle",
            ),
        ]
        indexes = [models.Index(fields=["day", "status", "queue_at"], name="queue_ticket_waiting_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.zone.letter}{self.number:03d}"

    @property
    def subject(self):
        return self.bundle or self.item


class QueueTicketEvent(models.Model):
    """History of a ticket: every call, recall, no-show and completion, with the window."""

    ticket = models.ForeignKey(QueueTicket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket"))
    from_status = models.CharField(_("from"), max_length=20, choices=QueueTicket.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=QueueTicket.Status.choices)
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("window"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("queue history entry")
        verbose_name_plural = _("queue history")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_status} → {self.to_status}"


# --- 好差评: the evaluation of a booking and the rectification of every bad review ---------------
class Grade(models.IntegerChoices):
    """The national 好差评 system's five grades; the value orders them (5 is the best)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# The three upper grades count as satisfied; the two lower ones are bad reviews (差评).
GRADES_SATISFIED = (Grade.VERY_SATISFIED, Grade.SATISFIED, Grade.FAIRLY_SATISFIED)
GRADES_BAD = (Grade.DISSATISFIED, Grade.VERY_DISSATISFIED)


class Evaluation(models.Model):
    """The applicant's 好差评 of a booking at one stage (一事多评): at acceptance, once checked in,
    and at completion. It rates the service item, the window and the staff member who served
    (taken from the booking's queue ticket when there is one). One per booking and stage."""

    class Stage(models.TextChoices):
        ACCEPTANCE = "acceptance", _("At acceptance")
        COMPLETION = "completion", _("At completion")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="evaluations",
                                verbose_name=_("booking"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations",
                             verbose_name=_("service item"))
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluations",
                               verbose_name=_("window"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="evaluations_received", verbose_name=_("staff member who served"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="evaluations", verbose_name=_("department"))
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["booking", "stage"], name="evaluation_one_per_booking_and_stage",
                                    violation_error_message=_("This booking has already been rated at this stage.")),
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=5), name="evaluation_grade_one_to_five"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} · {self.get_stage_display()} · {self.get_grade_display()}"

    @property
    def is_bad(self) -> bool:
        return self.grade in GRADES_BAD


class Rectification(models.Model):
    """The rectification (整改) a bad review opens, assigned to the department that handled the
    service (谁办理、谁负责), due in RECTIFICATION_DAYS working days: the callback, then the outcome,
    then the person's word on it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the callback")
        CALLED_BACK = "called_back", _("Called back")
        ANSWERED = "answered", _("Outcome given")
        ACCEPTED = "accepted", _("Accepted by the person")
        NOT_ACCEPTED = "not_accepted", _("Not accepted by the person")

    class Outcome(models.TextChoices):
        RECTIFIED = "rectified", _("Rectified")
        EXPLAINED = "explained", _("Explained (no change possible)")
        NOT_UPHELD = "not_upheld", _("Not upheld")

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.CALLED_BACK},
        Status.CALLED_BACK: {Status.ANSWERED},
        Status.ANSWERED: {Status.ACCEPTED, Status.NOT_ACCEPTED},
        Status.ACCEPTED: set(),
        Status.NOT_ACCEPTED: set(),
    }
    # Still owed by the department: the deadline and its reminders run.
    PENDING = (Status.OPEN, Status.CALLED_BACK)

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="rectification",
                                      verbose_name=_("evaluation"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="rectifications",
                                   verbose_name=_("responsible department"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), db_index=True)
    # The deadline as given (a count of working days from a day), so a calendar change re-plans it.
    due_working_days = models.PositiveSmallIntegerField(_("working days given"))
    due_counted_from = models.DateField(_("counted from"))
    next_reminder_at = models.DateTimeField(_("next reminder at"), null=True, blank=True, db_index=True)
    contacted = models.BooleanField(_("person reached"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("callback made at"), null=True, blank=True)
    callback_note = models.TextField(_("what the callback found"), max_length=2000, blank=True)
    called_back_at = models.DateTimeField(_("callback recorded at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_text = models.TextField(_("outcome explained"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("outcome given at"), null=True, blank=True)
    response_note = models.CharField(_("the person's note"), max_length=1000, blank=True)
    responded_at = models.DateTimeField(_("the person answered at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["answered", "accepted", "not_accepted"])
                | (~models.Q(outcome="") & ~models.Q(outcome_text="")),
                name="rectification_outcome_has_text",
                violation_error_message=_("An outcome needs its explanation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation.booking} · {self.department}"

    def due_state(self) -> str:
        """"overdue", "due_today" or "" while the department still owes the outcome; "" after."""
        if self.status not in self.PENDING:
            return ""
        now = timezone.now()
        if now > self.due_at:
            return "overdue"
        if timezone.localdate(self.due_at) == timezone.localdate(now):
            return "due_today"
        return ""

    @property
    def on_time(self) -> bool | None:
        return None if self.answered_at is None else self.answered_at <= self.due_at


class RectificationEvent(models.Model):
    """History of a rectification: opened, called back, answered, accepted or not."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events",
                                      verbose_name=_("rectification"))
    from_status = models.CharField(_("from"), max_length=20, choices=Rectification.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Rectification.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                           verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=2000, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("rectification history entry")
        verbose_name_plural = _("rectification history")

    def __str__(self) -> str:
        return f"{self.rectification_id}: {self.from_status} → {self.to_status}"


class Review(models.Model):
    """Today's 1-5 star review, replaced by ``Evaluation`` (migration 0010 copies every review).

    Kept one release, unused, for the code still running during the upgrade (add, then use, then
    drop); the next release copies the reviews written since and drops the table."""

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
