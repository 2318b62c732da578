"""/metrics for Prometheus: requests, latencies and database time, plus the hall's own gauges, only
for the addresses METRICS_ALLOWED_IPS names; JSON log lines carrying the request id."""
import datetime as dt
import json
import logging

import pytest
import time_machine
from django.utils import timezone

from portal.observability import JsonFormatter
from tests.factories import BookingFactory, CaseTaskFactory, SlotFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in the hall


def _value(body: str, name: str) -> float:
    line = next(line for line in body.splitlines() if line.startswith(name + " "))
    return float(line.split()[1])


@time_machine.travel(NOON, tick=False)
def test_it_counts_the_halls_figures_at_scrape_time(client, django_assert_max_num_queries):
    today = SlotFactory(starts_at=NOON + dt.timedelta(hours=2))
    BookingFactory.create_batch(2, slot=today)
    BookingFactory(slot=today, status="cancelled")
    BookingFactory(slot=SlotFactory(starts_at=NOON + dt.timedelta(days=1)))  # tomorrow
    CaseTaskFactory(due_at=timezone.now() - dt.timedelta(days=1))
    CaseTaskFactory()  # not yet due
    with django_assert_max_num_queries(8):
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert _value(body, "portal_bookings_today") == 2
    assert _value(body, "portal_case_tasks_overdue") == 1
    assert _value(body, "portal_queue_waiting") == 0
    assert _value(body, "portal_deliveries_undelivered") >= 0
    assert "portal_reminders_sent_today" in body


def test_it_exports_requests_latencies_and_database_time(client):
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert "django_http_requests_total_by_method_total" in body
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in body
    assert "django_db_query_duration_seconds_bucket" in body
    assert "django_db_execute_total" in body


def test_it_answers_404_to_an_address_not_allowed(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
    settings.METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics").status_code == 404


def test_it_judges_the_address_nginx_passes_not_nginx_itself(client):
    # nginx on 127.0.0.1 forwards a visitor from outside: refused, though nginx itself is allowed.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 404
    # A client cannot claim to be local through X-Forwarded-For: it is believed only from a proxy.
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404


def test_it_keeps_the_request_id_nginx_sets_or_makes_one(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc123").headers["X-Request-ID"] == "abc123"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="not valid; <script>").headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()


def test_it_writes_one_json_access_line_per_request_with_the_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.access")
    client.get("/healthz", HTTP_X_REQUEST_ID="req-42", HTTP_X_FORWARDED_FOR="198.51.100.9")
    lines = [record for record in caplog.records if record.name == "portal.access"]
    assert len(lines) == 1
    entry = json.loads(JsonFormatter().format(lines[0]))
    assert entry["request_id"] == "req-42"
    assert entry["status"] == 200 and entry["path"] == "/healthz" and entry["method"] == "GET"
    assert entry["client_ip"] == "198.51.100.9"
    assert entry["duration_ms"] >= 0
