from celery import shared_task

from points.actions import period_reminders_send


@shared_task
def send_period_reminders() -> int:
    """Periodic: remind those who still owe their part of a stage. Safe to run twice (exactly-once records)."""
    return period_reminders_send()
