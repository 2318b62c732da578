"""Periodic jobs of the ledger (CELERY_BEAT_SCHEDULE in portal/settings.py). Thin wrappers: the
actions select work by state plus a marker, in bounded batches, and are safe to run twice."""
from celery import shared_task

from suggestions.actions import suggestion_ask_follow_up, suggestion_remind_overdue


@shared_task
def remind_overdue_answers() -> int:
    return suggestion_remind_overdue()


@shared_task
def ask_follow_up() -> int:
    return suggestion_ask_follow_up()
