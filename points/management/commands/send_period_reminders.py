from points.actions import period_reminders_send
from portal.management.jobs import PeriodicJobCommand


class Command(PeriodicJobCommand):
    help = (
        "Remind those who still owe their part of a stage (before its due date and once overdue). "
        "The job Celery beat runs hourly, for sites that use cron. Two runs at once: one runs, the "
        "other says so and exits."
    )
    job_name = "points-stage-reminders"

    def run(self, **options) -> str:
        return f"{period_reminders_send()} reminder(s) sent"
