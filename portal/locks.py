"""One run at a time for periodic jobs started by cron as well as by Celery beat.

On PostgreSQL the lock is a session-level advisory lock (``pg_try_advisory_lock``): it holds
across processes and machines that share the database, and the server drops it by itself when
the holder's connection ends, so a killed run never leaves it stuck. Elsewhere (SQLite) it is the
cache's atomic ``add()`` with a timeout, which holds across processes when the cache is shared
(Redis) and expires after ``timeout`` seconds if its holder died. The jobs are idempotent on their
own (exactly-once reminder records, conditional claims); the lock keeps two runs from doing the
same reads and sends the second home at once.
"""
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection

CACHE_PREFIX = "job-lock:"


def _advisory_key(name: str) -> int:
    # PostgreSQL's advisory keys are signed 64-bit integers; a stable hash of the name fits one.
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def job_lock(name: str, *, timeout: int = 3600) -> Iterator[bool]:
    """Hold the lock called ``name`` for the ``with`` block; yields whether it was acquired.

    Never waits: when another run holds it, yields False at once. ``timeout`` (seconds) only
    matters for the cache lock: a holder that dies without releasing it blocks others that long.
    """
    if connection.vendor == "postgresql":
        key = _advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    token = secrets.token_hex(16)
    acquired = cache.add(CACHE_PREFIX + name, token, timeout)
    try:
        yield acquired
    finally:
        # Release only our own lock: one that expired and was taken by another run stays theirs.
        if acquired and cache.get(CACHE_PREFIX + name) == token:
            cache.delete(CACHE_PREFIX + name)
