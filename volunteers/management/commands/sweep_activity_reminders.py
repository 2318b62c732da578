from django.core.management.base import CommandError

from portal.management.jobs import PeriodicJobCommand
from volunteers.actions import activity_reminders_sweep


class Command(PeriodicJobCommand):
    help = (
        "Remind people signed up for an activity the day before it (site, mail, webhook), exactly once "
        "per activity time. The sweep Celery beat runs, for sites that use cron; safe to run often. "
        "Two runs at once: one runs, the other says so and exits."
    )
    job_name = "activity-reminders"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="sign-ups read per query")

    def handle(self, *args, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        return super().handle(*args, batch_size=batch_size, **options)

    def run(self, *, batch_size=None, **options) -> str:
        return f"{activity_reminders_sweep(batch_size=batch_size)} reminder(s) sent"
