from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
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
    # Set once every off-site copy (its Delivery rows: mail, webhook) went out, or at once when
    # there is none; the outbox rows themselves are what makes delivery exactly-once.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """The outbox: one off-site copy (mail, webhook) of one notification, written in the same
    transaction as the notification and the change it reports.

    The site channel is the Notification row itself. A worker claims due rows with a lease
    (``claim`` and ``lease_until``); a worker killed mid-delivery leaves the lease to run out, and
    the periodic re-send claims the row again. ``delivered_at`` is set once, for the claim that sent
    it, so a late duplicate task finds nothing to claim. After NOTIFY_MAX_ATTEMPTS failures the row
    gets ``failed_at`` and waits for staff (the admin's "retry").
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        WEBHOOK = "webhook", _("webhook")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the row may be claimed: now for a new row, after the lease while one holds it, after a
    # back-off once an attempt failed.
    due_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("gave up at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            # The re-send reads only what is still owed, so its cost follows the backlog.
            models.Index(
                fields=["due_at"], name="delivery_pending",
                condition=models.Q(delivered_at__isnull=True, failed_at__isnull=True),
            ),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.notification_id}"


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
    # The sweep run that inserted the row: a batch inserts with ON CONFLICT DO NOTHING and reads
    # back its own token to learn which reminders were new (and so are to be sent).
    batch = models.CharField(max_length=32, blank=True, editable=False)

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
