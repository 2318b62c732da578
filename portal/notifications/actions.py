import logging
from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from portal.notifications.models import Notification, Reminder

logger = logging.getLogger(__name__)


def notify(*, users: Iterable, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Tell people something: a site notification each, then mail/webhook after commit.

    Safe inside a transaction: off-site delivery is queued with on_commit, so a rolled-back
    change sends nothing.
    """
    from portal.notifications.tasks import deliver_notification

    unique_users = {user.pk: user for user in users if user is not None}.values()
    created = Notification.objects.bulk_create(
        [Notification(user=user, title=title[:200], body=body, url=url) for user in unique_users]
    )
    for notification in created:
        transaction.on_commit(lambda pk=notification.pk: deliver_notification.delay(pk))
    return created


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification through the off-site channels, at most once.

    Claims the row with a conditional UPDATE first, so a task that runs twice sends once.
    Returns False when it was already delivered.
    """
    from portal.notifications.channels import channels

    claimed = Notification.objects.filter(pk=notification_id, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    for channel in channels():
        try:
            channel.send(notification)
        except Exception:  # one broken channel must not stop the others
            logger.exception("channel %s failed for notification %s", channel.name, notification_id)
    return True


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def reminder_send_once(
    *,
    subject: models.Model,
    kind: str,
    deadline: datetime,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
) -> Reminder | None:
    """Record and send one reminder unless this (subject, kind, deadline) was already reminded.

    Returns the new Reminder, or None when it had been sent before. The database's unique
    constraint decides, so concurrent sweeps on PostgreSQL or SQLite send it exactly once.
    Call it inside the caller's transaction or alone; it opens a savepoint of its own.
    """
    recipients = [user for user in recipients if user is not None]
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
                kind=kind,
                deadline=deadline,
                message=title[:300],
            )
            reminder.recipients.set(recipients)
            notify(users=recipients, title=title, body=body, url=url)
    except IntegrityError:
        return None
    return reminder
