from celery import shared_task

from portal.cases.actions import case_reminders_sweep as _case_reminders_sweep


# The name the task was registered under while cases lived in the services app. A hall that
# upgrades still has messages with this name in its queue and a running beat that sends it until
# restarted; keeping the name means neither is rejected as an unregistered task.
@shared_task(name="services.tasks.case_reminders_sweep")
def case_reminders_sweep() -> int:
    """Celery beat's periodic sweep of case-task reminders. Safe to run twice or concurrently."""
    return _case_reminders_sweep()
