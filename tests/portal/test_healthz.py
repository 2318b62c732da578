"""/healthz for the load balancer: each dependency reported, 200 while the database answers."""
import json
import os
import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from portal import health

# Nothing listens on port 1: a Redis that is down answers "connection refused" at once.
CLOSED = "redis://127.0.0.1:1/0"


def _redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def _get(client=None):
    started = time.perf_counter()
    response = (client or Client()).get("/healthz")
    return response, time.perf_counter() - started


@pytest.mark.django_db
def test_it_reports_each_dependency_ok_without_sign_in_and_uncached():
    response, _seconds = _get(Client(enforce_csrf_checks=True))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and check["latency_ms"] >= 0
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


@pytest.mark.django_db
def test_it_answers_head_and_refuses_writes():
    assert Client().head("/healthz").status_code == 200
    assert Client(enforce_csrf_checks=True).post("/healthz").status_code == 405


@pytest.mark.django_db
def test_with_redis_down_it_is_degraded_but_200_and_fast(settings):
    settings.CACHES = _redis_cache(CLOSED)
    settings.CELERY_BROKER_URL = CLOSED
    response, seconds = _get()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "error"
    assert body["checks"]["broker"]["status"] == "error"
    assert seconds < 1.5
    # Nothing about where the services live.
    assert "127.0.0.1" not in response.content.decode() and ":1" not in json.dumps(body["checks"])


@pytest.mark.django_db
def test_a_dependency_that_hangs_is_cut_off_at_the_timeout(settings):
    settings.HEALTHZ_TIMEOUT_MS = 300

    def hangs():
        time.sleep(3)

    with mock.patch.dict(health.CHECKS, {"broker": hangs}):
        response, seconds = _get()
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"status": "error", "error": "timeout", "latency_ms": 300}
    assert seconds < 1.0


@pytest.mark.django_db
def test_without_the_database_it_answers_503():
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("down")):
        response, seconds = _get()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["checks"]["database"]["status"] == "error"
    assert body["checks"]["cache"]["status"] == "ok"
    assert "down" not in response.content.decode()
    assert seconds < 1.5


@pytest.mark.worker
@pytest.mark.django_db
def test_with_the_real_redis_everything_is_ok(settings):
    url = os.environ["REDIS_URL"]
    settings.CACHES = _redis_cache(url)
    settings.CELERY_BROKER_URL = url
    response, seconds = _get()
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert seconds < 1.5
