from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Team(models.Model):
    """A youth volunteer service team (青年服务团队)."""

    class Positioning(models.TextChoices):
        OUTWARD = "outward", _("Outward-facing")
        SPECIALTY = "specialty", _("Specialty")
        PRECISION = "precision", _("Precision")

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    positioning = models.CharField(_("positioning"), max_length=20, choices=Positioning.choices)
    description = models.TextField(_("description"), blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("leading committee member"),
        help_text=_("The youth work committee member who leads the team (青工委委员领衔)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")

    def __str__(self) -> str:
        return self.name

    @property
    def captain(self):
        """The active captain (a user) or None. Uses ``active_captains`` when a selector prefetched it."""
        captains = getattr(self, "active_captains", None)
        if captains is None:
            captains = list(
                self.memberships.filter(role=Membership.Role.CAPTAIN, left_on__isnull=True).select_related("user")
            )
        return captains[0].user if captains else None


class Membership(models.Model):
    """A person's time in a team. Leaving sets ``left_on``; rows are kept so history survives moves."""

    class Role(models.TextChoices):
        CAPTAIN = "captain", _("Captain")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["team", "-role", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="captain", left_on__isnull=True),
                name="one_active_captain_per_team",
            ),
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(left_on__isnull=True),
                name="one_active_membership_per_person_and_team",
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.team} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class Activity(models.Model):
    """One team activity people can sign up for (a lecture, a service day, a door-to-door visit...).

    ``signed_up`` counts active sign-ups. It is kept by conditional UPDATEs in the sign-up actions
    so that capacity holds under simultaneous requests; a CHECK constraint backs it up.
    """

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Theory lecture")
        VOLUNTEER = "volunteer", _("Volunteer service")
        REFORM = "reform", _("Reform task")
        ASSISTED = "assisted", _("Assisted handling")
        DIRECT = "direct", _("Business direct-service visit")
        SALON = "salon", _("Salon or night school")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for sign-up")
        CLOSED = "closed", _("Sign-up closed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    # Allowed moves, as data: the actions move through portal.workflow, which refuses anything
    # else with a 409.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PLANNED: (Status.OPEN, Status.CANCELLED),
        Status.OPEN: (Status.CLOSED, Status.DONE, Status.CANCELLED),
        Status.CLOSED: (Status.OPEN, Status.DONE, Status.CANCELLED),
        Status.DONE: (),
        Status.CANCELLED: (),
    }
    # The statuses of an activity that takes (or took) place: attendance and hours count for these.
    TAKES_PLACE: tuple[str, ...] = (Status.OPEN, Status.CLOSED, Status.DONE)

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities", verbose_name=_("team"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=150)
    capacity = models.PositiveIntegerField(_("capacity"))
    signed_up = models.PositiveIntegerField(_("signed up"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    hours_approved_at = models.DateTimeField(_("hours approved at"), null=True, blank=True, editable=False)
    hours_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("hours approved by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activity_capacity_positive"),
            models.CheckConstraint(
                condition=Q(signed_up__lte=models.F("capacity")), name="activity_never_over_capacity"
            ),
        ]
        verbose_name = _("activity")
        verbose_name_plural = pgettext_lazy("model name", "activities")

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.signed_up, 0)

    @property
    def is_final(self) -> bool:
        """Done or cancelled: no move leads anywhere, and the details can no longer change."""
        return not self.TRANSITIONS.get(self.status)

    @property
    def duration_hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)


class ActivityStatusChange(models.Model):
    """History of an activity's status: who moved it, when, from what, and why."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("activity")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Activity.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Activity.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )
    note = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("activity status change")
        verbose_name_plural = _("activity status changes")

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.from_status} → {self.to_status}"


class SignUp(models.Model):
    """A person's place in an activity. Cancelling keeps the row; a new sign-up is a new row."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Signed up")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.ACTIVE: (Status.CANCELLED,),
        Status.CANCELLED: (),
    }

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_signups", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], condition=Q(status="active"), name="one_active_signup_per_person"
            ),
        ]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")

    def __str__(self) -> str:
        return f"{self.user} → {self.activity}"


class Attendance(models.Model):
    """Someone's presence at an activity and the service hours it earns.

    Check-in and check-out (or the captain/staff recording it) propose hours; only
    ``approved_hours``, set when the captain approves the whole activity, count anywhere.
    """

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("activity")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_attendances",
        verbose_name=_("person"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    proposed_hours = models.DecimalField(_("proposed hours"), max_digits=5, decimal_places=2, default=0)
    approved_hours = models.DecimalField(_("approved hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["activity", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="one_attendance_per_person_and_activity"),
            models.CheckConstraint(condition=Q(proposed_hours__gte=0), name="attendance_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(approved_hours__isnull=True) | Q(approved_hours__gte=0),
                name="attendance_approved_hours_not_negative",
            ),
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.user} @ {self.activity}"
