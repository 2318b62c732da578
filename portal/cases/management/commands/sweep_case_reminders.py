from django.core.management.base import BaseCommand, CommandError

from portal.cases.actions import case_reminders_sweep


class Command(BaseCommand):
    help = (
        "Send the case-task reminders that are due now (before the deadline, on the day, overdue, "
        "escalation). The same sweep Celery beat runs, for sites that use cron. Safe to run often."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="tasks read per query")

    def handle(self, *args, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        sent = case_reminders_sweep(batch_size=batch_size)
        self.stdout.write(f"{sent} reminder(s) sent")
