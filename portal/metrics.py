"""Prometheus metrics at /metrics: django-prometheus's request counts and latencies, the time spent
in the database, and the hall's own gauges, computed when Prometheus scrapes (a few aggregate
queries, never a loop over rows).

Each app registers its gauges with ``@portal_gauge(name, help)``: a function with no arguments
returning a number. Only addresses in METRICS_ALLOWED_IPS (the client as
``portal.observability.client_ip`` sees it, so nginx in front changes nothing) get an answer;
anyone else gets 404, as if there were nothing there.

Under gunicorn with several worker processes, set PROMETHEUS_MULTIPROC_DIR (deploy/ does): every
process then writes its counters there and a scrape of any one process adds them all up.
"""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable

from django.conf import settings
from django.db.backends.signals import connection_created
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from portal.observability import client_ip

_GAUGES: list[tuple[str, str, Callable[[], float]]] = []


def portal_gauge(name: str, documentation: str) -> Callable:
    def register(func: Callable[[], float]) -> Callable[[], float]:
        _GAUGES.append((name, documentation, func))
        return func

    return register


def today_bounds():
    """The hall's day (Asia/Shanghai) as two aware datetimes."""
    now = timezone.localtime()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timezone.timedelta(days=1)


class _PortalCollector:
    def collect(self):
        for name, documentation, func in _GAUGES:
            family = GaugeMetricFamily(name, documentation)
            family.add_metric([], float(func()))
            yield family


def _allowed(request: HttpRequest) -> bool:
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    own = CollectorRegistry(auto_describe=False)
    own.register(_PortalCollector())
    body = generate_latest(registry) + generate_latest(own)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


# --- database time ----------------------------------------------------------------------------
def _db_wrapper(alias: str, vendor: str):
    from django_prometheus.db import errors_total, execute_total, query_duration_seconds

    def wrapper(execute, sql, params, many, context):
        execute_total.labels(alias, vendor).inc(len(params) if many and params else 1)
        with query_duration_seconds.labels(alias, vendor).time():
            try:
                return execute(sql, params, many, context)
            except Exception as exc:
                errors_total.labels(alias, vendor, type(exc).__name__).inc()
                raise

    wrapper.portal_metrics = True
    return wrapper


def _on_connection(sender, connection, **kwargs):
    # Django keeps execute_wrappers on the per-thread connection object across reconnects.
    if not any(getattr(w, "portal_metrics", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_db_wrapper(connection.alias, connection.vendor))


def install() -> None:
    """The same metrics django-prometheus's database backends export (django_db_execute_total,
    django_db_query_duration_seconds), without changing the database ENGINE."""
    connection_created.connect(_on_connection, weak=False, dispatch_uid="portal-metrics-db")


# --- the hall's own gauges (the apps under portal; services adds its own) ----------------------
@portal_gauge("portal_reminders_sent_today", "Reminders recorded today (one per task, idea or stage deadline).")
def _reminders_sent_today() -> float:
    from portal.notifications.models import Reminder

    start, end = today_bounds()
    return Reminder.objects.filter(sent_at__gte=start, sent_at__lt=end).count()


@portal_gauge("portal_deliveries_undelivered", "Mail and webhook deliveries not yet delivered and not given up.")
def _deliveries_undelivered() -> float:
    from portal.notifications.models import Delivery

    return Delivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=True).count()


@portal_gauge("portal_deliveries_failed", "Deliveries given up after NOTIFY_MAX_ATTEMPTS, waiting for staff.")
def _deliveries_failed() -> float:
    from portal.notifications.models import Delivery

    return Delivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=False).count()


@portal_gauge("portal_case_tasks_overdue", "Open case tasks past their deadline.")
def _case_tasks_overdue() -> float:
    from portal.cases.models import CaseTask

    return CaseTask.objects.filter(CaseTask.overdue_q(timezone.now())).count()
