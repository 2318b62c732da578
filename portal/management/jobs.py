"""The shape of every periodic job's management command (for sites that run cron, not beat)."""
from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from redis.exceptions import RedisError

from portal.locks import job_lock


class PeriodicJobCommand(BaseCommand):
    """Runs ``run()`` under the job's lock; a second run started meanwhile says so and exits 0.

    Exiting 0 is deliberate: cron mails whatever fails, and an overlapping run is expected (a
    slow run meets the next minute's start), not an error.
    """

    job_name: str = ""
    lock_timeout: int = 3600

    def run(self, **options) -> str:  # pragma: no cover - each command defines it
        raise NotImplementedError

    def handle(self, *args, **options):
        with ExitStack() as stack:
            try:
                acquired = stack.enter_context(job_lock(self.job_name, timeout=self.lock_timeout))
            except (DatabaseError, OSError, ConnectionError, RedisError) as exc:  # the lock's store is down
                raise CommandError(f"{self.job_name}: cannot take the job lock: {exc}") from exc
            if not acquired:
                self.stdout.write(f"{self.job_name} is already running; nothing done.")
                return
            self.stdout.write(self.run(**options))
