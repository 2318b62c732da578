from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        # The table (and the officers' table, services_department_officers) keeps the name it got
        # when departments lived in the services app: moving the model moved no rows.
        db_table = "services_department"
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
        db_table = "services_holiday"
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
