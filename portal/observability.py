"""Running behind nginx: who the client is, the request id, JSON logs with one line per request.

- ``client_ip(request)``: the address of the person, not of the proxy. ``X-Forwarded-For`` is
  believed only when the request comes from an address in TRUSTED_PROXY_IPS (nginx on the same
  machine: 127.0.0.1); then its right-most entry is the one the proxy itself saw. django-axes
  (AXES_CLIENT_IP_CALLABLE), the access log and /metrics all use it.
- ``RequestIdMiddleware``: every request gets an id, the X-Request-ID nginx sets (``$request_id``)
  or a new one; it is on every log line written while the request runs, on the response, and in
  the headers of every Celery task the request queues, so a worker's lines carry it too.
- ``JsonFormatter``: one JSON object a line (time, level, logger, message, request_id, extras).
"""
from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime

from django.conf import settings

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
access_log = logging.getLogger("portal.access")

# What we accept from a client or proxy as a request id: short, printable, no spaces or quotes.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _address(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _trusted(address: str | None) -> bool:
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_ip(request) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if not _trusted(remote):
        return remote
    # Walk X-Forwarded-For from the right: the first address that is not one of our proxies is the
    # client as the outermost trusted proxy saw it. Anything to its left the client could invent.
    forwarded = [item for item in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if item.strip()]
    for item in reversed(forwarded):
        address = _address(item)
        if address is None:
            return remote
        if not _trusted(address):
            return address
    return remote


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain: the id is set before anything logs, and the access line is written last."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _REQUEST_ID.match(given) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s", request.method, request.path, status,
                extra={
                    "request_id": request_id, "method": request.method, "path": request.path, "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client_ip": client_ip(request),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (a Celery task's lines get the id of the
    request that queued it, see ``install_celery_signals``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


# The attributes every LogRecord has; anything else was passed in ``extra=`` and is written out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


def install_celery_signals() -> None:
    """A task published while a request runs carries its id in the message headers; the worker
    sets it around the task, so the task's log lines have the same request_id."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def _add_request_id(headers=None, **kwargs):
        request_id = request_id_var.get()
        if headers is not None and request_id and "request_id" not in headers:
            headers["request_id"] = request_id

    tokens: dict[str, contextvars.Token] = {}

    @signals.task_prerun.connect(weak=False)
    def _enter(task_id=None, task=None, **kwargs):
        request = getattr(task, "request", None)
        request_id = getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get(
            "request_id"
        )
        if not (request_id and _REQUEST_ID.match(str(request_id))):
            # An eager task runs inside the request that queued it and keeps its id.
            request_id = request_id_var.get() or new_request_id()
        tokens[task_id] = request_id_var.set(str(request_id))

    @signals.task_postrun.connect(weak=False)
    def _leave(task_id=None, **kwargs):
        token = tokens.pop(task_id, None)
        if token is not None:
            try:
                request_id_var.reset(token)
            except ValueError:  # set in another context (an eager task inside a request)
                request_id_var.set("")
