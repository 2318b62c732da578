from django.core.management.base import BaseCommand, CommandError

from services.actions import precheck_reminders_sweep


class Command(BaseCommand):
    help = (
        "Send the pre-check reminders that are due now (to the checking department on the due day and "
        "once overdue) and flag visits whose materials are not ready. The sweep Celery beat runs; safe to run often."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="uploads or bookings read per query")

    def handle(self, *args, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        sent = precheck_reminders_sweep(batch_size=batch_size)
        self.stdout.write(f"{sent} reminder(s) sent")
