from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.exceptions import DomainError
from portal.hall.actions import holiday_import, holiday_rows_parse


class Command(BaseCommand):
    help = (
        "Import the year's official holiday calendar from a CSV file (columns date, kind, name; kind "
        "is off or work), for example portal/hall/data/holidays-cn-2026.csv. Days in the file are "
        "created or updated, other days are left alone; importing again changes nothing. Deadlines "
        "in working days, their reminders and slots on new days off are re-planned at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")

    def handle(self, *args, path, **options):
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            result = holiday_import(rows=holiday_rows_parse(data))
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            f"{result.created} day(s) added, {result.updated} changed, {result.unchanged} unchanged; "
            f"{len(result.change.now_off)} working day(s) became days off, "
            f"{len(result.change.now_working)} day(s) off became working days"
        )
