from celery import shared_task

from portal.notifications.actions import notification_deliver, outbox_deliver, outbox_resend

# Results are never read: the outbox rows are the record, and a result backend that is down
# must not fail a delivery that went out.


@shared_task(ignore_result=True)
def deliver_outbox(delivery_ids: list[int]) -> int:
    """Deliver outbox rows handed over after a commit. Safe to run twice (rows are claimed)."""
    return outbox_deliver(delivery_ids=delivery_ids)


@shared_task(ignore_result=True)
def resend_notifications() -> int:
    """Celery beat's periodic re-send of what the outbox still owes. Safe to run concurrently."""
    return outbox_resend()


# Messages queued by earlier releases name this task; it delivers that notification's rows.
@shared_task(ignore_result=True)
def deliver_notification(notification_id: int) -> int:
    return notification_deliver(notification_id=notification_id)
