from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Suggestion(models.Model):
    """One entry of the public golden-ideas ledger (金点子台账): an idea or a blocker (堵点).

    The submitter is kept for notifications and limits; the public ledger never shows them.
    """

    class Kind(models.TextChoices):
        IDEA = "idea", _("Golden idea")
        BLOCKER = "blocker", _("Blocker")

    class Category(models.TextChoices):
        BUSINESS_ENVIRONMENT = "business_environment", _("Business environment")
        POLICY = "policy", _("Policy implementation")
        SERVICE = "service", _("Service handling")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        IMPLEMENTED = "implemented", _("Implemented")

    number = models.CharField(_("ledger number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    title = models.CharField(_("title"), max_length=100)
    content = models.TextField(_("content"), max_length=5000)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("submitter")
    )
    department = models.ForeignKey(
        "services.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="suggestions", verbose_name=_("department"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("golden-ideas ledger")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
