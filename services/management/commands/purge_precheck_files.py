from django.core.management.base import BaseCommand, CommandError

from services.actions import precheck_files_purge


class Command(BaseCommand):
    help = (
        "Delete the files of pre-check uploads whose booking ended more than PRECHECK_RETENTION_DAYS "
        "days ago, keeping the record of what was checked. The job Celery beat runs hourly; safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="uploads read per query")

    def handle(self, *args, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        purged = precheck_files_purge(batch_size=batch_size)
        self.stdout.write(f"{purged} upload(s) purged")
