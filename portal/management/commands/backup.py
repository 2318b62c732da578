"""manage.py backup <directory>: the database and the private uploads in one timestamped file
(portal/backup.py). Exits non-zero, saying why, when it cannot write; earlier backups stay."""
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_read_manifest, backup_write


class Command(BaseCommand):
    help = "Write a consistent backup of the database and the private uploads into DIRECTORY."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        try:
            path = backup_write(directory)
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from None
        manifest = backup_read_manifest(path)
        self.stdout.write(f"{path} ({sum(manifest['rows'].values())} rows in {len(manifest['rows'])} tables, "
                          f"{len(manifest['files'])} files)")
