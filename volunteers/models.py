from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A youth volunteer service team (青年服务团队)."""

    class Positioning(models.TextChoices):
        OUTWARD = "outward", _("Outward-facing (外向型)")
        SPECIALTY = "specialty", _("Specialty (特色型)")
        PRECISION = "precision", _("Precision (精准型)")

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
