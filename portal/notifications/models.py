from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one person. It is shown on the site; e-mail and webhook are extra channels."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when the off-site channels (mail, webhook) took it; the marker makes delivery idempotent.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """The record of one reminder about one deadline of one thing (a case task, an idea, a stage).

    The unique constraint is what makes reminders exactly-once: two sweeps, a retried task or a
    repeated beat all try to insert the same row, and only one insert wins.
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("kind"), max_length=30)
    deadline = models.DateTimeField(_("deadline"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="reminders_received", verbose_name=_("sent to")
    )
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "deadline"],
                name="reminder_once_per_subject_kind_deadline",
            )
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.deadline:%Y-%m-%d %H:%M}"
