"""Celery tasks of the catalogue and booking: thin wrappers over one action each, safe to run twice.

(The case reminder sweep keeps its old name ``services.tasks.case_reminders_sweep`` but lives in
``portal/cases/tasks.py``.)
"""
from celery import shared_task

from services import actions


@shared_task(name="services.tasks.precheck_reminders_sweep")
def precheck_reminders_sweep() -> int:
    """Beat's sweep: pre-check reminders to departments and the day-before "not ready" flag."""
    return actions.precheck_reminders_sweep()


@shared_task(name="services.tasks.precheck_files_purge")
def precheck_files_purge() -> int:
    """Beat's hourly job: delete pre-check files PRECHECK_RETENTION_DAYS after the booking ended."""
    return actions.precheck_files_purge()


@shared_task(name="services.tasks.booking_reminders_sweep")
def booking_reminders_sweep() -> int:
    """Beat's sweep: remind applicants the day before and shortly before their visit (exactly once)."""
    return actions.booking_reminders_sweep()


@shared_task(name="services.tasks.evaluation_sweep")
def evaluation_sweep() -> int:
    """Beat's 好差评 job: the invitations to rate (智能邀评) and the rectifications' reminders."""
    return actions.evaluation_invitations_send() + actions.rectification_reminders_sweep()
