from celery import shared_task

from portal.notifications.actions import notification_deliver


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def deliver_notification(notification_id: int) -> bool:
    return notification_deliver(notification_id=notification_id)
