from django.core.management.base import BaseCommand, CommandError

from portal.notifications.actions import outbox_resend


class Command(BaseCommand):
    help = (
        "Deliver the notifications (mail, webhook) the outbox still owes: never handed to the worker "
        "(the broker was down), left by a worker that died, or due for another attempt. The same job "
        "Celery beat runs, for sites that use cron. Safe to run often and twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="deliveries claimed at a time")

    def handle(self, *args, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        sent = outbox_resend(batch_size=batch_size)
        self.stdout.write(f"{sent} delivery(ies) sent")
