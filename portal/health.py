"""The load balancer's health check: is the database, the cache and the broker answering?

Each check runs on a small, bounded pool of threads and is waited for at most
HEALTHZ_TIMEOUT_MS, so a Redis host that drops packets costs the answer one timeout, not the
client library's own (often 20 s or more). The checks run side by side: the answer takes about
as long as the slowest one. Only "ok" or "error" and a latency are reported: never a host name,
an address or an exception text.
"""
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from kombu import Connection

# At most this many checks hang at once (a dead host); further checks queue and time out.
_POOL = ThreadPoolExecutor(max_workers=6, thread_name_prefix="healthz")


def _database() -> None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # A pool thread keeps no connection between checks: each check proves a fresh connect.
        connection.close()


def _cache() -> None:
    token = secrets.token_hex(8)
    cache = caches["default"]
    cache.set("healthz", token, timeout=30)
    if cache.get("healthz") != token:
        raise RuntimeError("cache did not return what was stored")


def _broker() -> None:
    seconds = settings.HEALTHZ_TIMEOUT_MS / 1000
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=seconds,
        transport_options={"socket_connect_timeout": seconds, "socket_timeout": seconds,
                           "max_retries": 0},
    ) as broker:
        # No retries: kombu's default would retry with growing pauses, well past the deadline.
        broker.ensure_connection(max_retries=0)
        if broker.transport.driver_type == "redis":
            broker.default_channel.client.ping()


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _timed(check) -> float:
    started = time.perf_counter()
    check()
    return time.perf_counter() - started


def health_report() -> tuple[int, dict]:
    """(HTTP status, report). 200 "ok" when all answer, 200 "degraded" when the database answers
    but the cache or the broker does not, 503 "error" when the database does not."""
    timeout = settings.HEALTHZ_TIMEOUT_MS / 1000
    started = time.perf_counter()
    futures = {name: _POOL.submit(_timed, check) for name, check in CHECKS.items()}
    results = {}
    for name, future in futures.items():
        # One deadline for all: a check waits only for what is left of it.
        left = max(timeout - (time.perf_counter() - started), 0)
        try:
            latency = future.result(timeout=left)
        except FutureTimeout:
            future.cancel()
            results[name] = {"status": "error", "error": "timeout", "latency_ms": round(timeout * 1000)}
        except Exception:  # noqa: BLE001 - any failure of a dependency is reported, never raised
            results[name] = {"status": "error", "error": "unavailable",
                             "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
        else:
            results[name] = {"status": "ok", "latency_ms": round(latency * 1000, 1)}
    if results["database"]["status"] != "ok":
        overall, code = "error", 503
    elif any(result["status"] != "ok" for result in results.values()):
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return code, {"status": overall, "checks": results}
