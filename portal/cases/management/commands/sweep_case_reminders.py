from django.core.management.base import CommandError

from portal.cases.actions import case_reminders_sweep
from portal.management.jobs import PeriodicJobCommand


class Command(PeriodicJobCommand):
    help = (
        "Send the case-task reminders that are due now (before the deadline, on the day, overdue, "
        "escalation). The same sweep Celery beat runs, for sites that use cron. Safe to run often; "
        "two runs at once: one runs, the other says so and exits."
    )
    job_name = "case-reminders-sweep"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="tasks read per query")

    def handle(self, *args, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        return super().handle(*args, batch_size=batch_size, **options)

    def run(self, *, batch_size=None, **options) -> str:
        return f"{case_reminders_sweep(batch_size=batch_size)} reminder(s) sent"
