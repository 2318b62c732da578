from celery import shared_task

from services.actions import case_reminders_sweep as _case_reminders_sweep

# --- catalogue and booking (issue 3) ---


# --- cross-department cases (issue 4) ---



@shared_task(name="services.tasks.case_reminders_sweep")
def case_reminders_sweep() -> int:
    """Celery beat's periodic sweep of case-task reminders. Safe to run twice or concurrently."""
    return _case_reminders_sweep()
