"""manage.py restore <backup.tar>: load a backup into the configured, empty database and
PRIVATE_MEDIA_ROOT, then check every table's rows and every file against the backup."""
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup written by `manage.py backup` into a new, empty database."

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--force-files", action="store_true",
                            help="Write the files even though PRIVATE_MEDIA_ROOT is not empty.")

    def handle(self, *args, backup, force_files, **options):
        try:
            manifest = backup_restore(backup, force_files=force_files)
        except BackupError as exc:
            raise CommandError(f"Restore failed: {exc}") from None
        self.stdout.write(f"Restored the backup of {manifest['created_at']}: "
                          f"{sum(manifest['rows'].values())} rows, {len(manifest['files'])} files, all checked.")
