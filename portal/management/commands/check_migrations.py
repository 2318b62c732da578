"""Refuse a migration that would lock a table with rows for long, or break the release still
running during an upgrade (portal/migration_safety.py says what and why). Run by .ci/run."""
from django.core.management.base import BaseCommand, CommandError

from portal.migration_safety import project_findings


class Command(BaseCommand):
    help = "Check that every migration can run while the previous release still serves."

    def handle(self, *args, **options):
        findings = project_findings()
        if findings:
            lines = "\n".join(f"  {finding}" for finding in findings)
            raise CommandError(
                f"{len(findings)} unsafe migration operation(s):\n{lines}\n"
                "See portal/migration_safety.py and the README's 'Upgrades without downtime'."
            )
        self.stdout.write("Every migration is safe to run while the previous release serves.")
