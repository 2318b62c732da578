"""Celery tasks of the volunteers app: thin wrappers over one action each, safe to run twice."""
from celery import shared_task

from volunteers import actions


@shared_task(name="volunteers.tasks.activity_reminders_sweep")
def activity_reminders_sweep() -> int:
    """Beat's sweep: remind people signed up for an activity the day before it (exactly once)."""
    return actions.activity_reminders_sweep()
