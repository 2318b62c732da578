from portal.management.jobs import PeriodicJobCommand
from suggestions.actions import suggestion_remind_overdue


class Command(PeriodicJobCommand):
    help = (
        "Remind departments of ledger entries whose answer is overdue (once per entry and deadline). "
        "The job Celery beat runs hourly, for sites that use cron. Two runs at once: one runs, the "
        "other says so and exits."
    )
    job_name = "suggestions-overdue-answers"

    def run(self, **options) -> str:
        return f"{suggestion_remind_overdue()} reminder(s) sent"
