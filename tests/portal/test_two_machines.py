"""Past one machine: two gunicorn instances and two Celery workers on one database and one broker.
A rush of bookings sent to both instances never oversells the slot; sweeps run by both workers
at once never send a reminder twice; every delivery goes out once; the worker's log lines carry
the request id of the web request that queued their task."""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from portal.celery import app as celery_app
from portal.notifications.models import Delivery, Notification, Reminder
from services.models import Booking, Slot
from tests.factories import BundleFactory, CaseTaskFactory, SlotFactory, UserFactory
from tests.portal.test_nginx import free_port, stop, wait_for_port

pytestmark = [pytest.mark.postgres, pytest.mark.worker]

ROOT = Path(settings.BASE_DIR)
CAPACITY = 4
CLIENTS = 16


def _env(mail_dir: Path) -> dict:
    db = settings.DATABASES["default"]
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **base, "DEBUG": "true", "REDIS_URL": os.environ["REDIS_URL"],
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail_dir),
        "LOG_FORMAT": "json", "PAGE_CACHE": "false",
    }


@pytest.fixture
def two_of_each(transactional_db, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = _env(mail_dir)
    celery_app.control.purge()
    ports = [free_port(), free_port()]
    processes, logs = [], []
    for n, port in enumerate(ports):
        log = (tmp_path / f"web{n}.log").open("w")
        logs.append(log)
        processes.append(("web", subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "portal.wsgi:application"],
            cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"},
            stdout=log, stderr=subprocess.STDOUT)))
    for n in range(2):
        log = (tmp_path / f"worker{n}.log").open("w")
        logs.append(log)
        processes.append(("worker", subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-heartbeat", "--without-mingle", "--without-gossip", "-n", f"two{n}-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)))
    try:
        for (_kind, process), port in zip(processes[:2], ports, strict=True):
            wait_for_port(port, process, "gunicorn")
        deadline = time.monotonic() + 30
        while len(celery_app.control.ping(timeout=0.5)) < 2:
            assert time.monotonic() < deadline, "the two Celery workers did not answer within 30 s"
            assert all(p.poll() is None for _k, p in processes), "a process exited at start-up"
        yield {"ports": ports, "mail": mail_dir, "logs": tmp_path}
    finally:
        for _kind, process in processes:
            process.send_signal(signal.SIGQUIT)  # quick shutdown for all four: the work is done
        for _kind, process in processes:
            stop(process, signal.SIGQUIT)
        for log in logs:
            log.close()


def _post(port: int, token: str, body: dict) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/bookings/", body=json.dumps(body),
                 headers={"Content-Type": "application/json", "Authorization": f"Token {token}"})
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("X-Request-ID")


def _messages(mail_dir: Path) -> int:
    return sum(path.read_text(errors="replace").count("Message-ID:") for path in mail_dir.glob("*.log"))


def test_it_never_oversells_or_sends_twice_across_two_machines(two_of_each):
    slot = SlotFactory(bundle=BundleFactory(slug="two"), capacity=CAPACITY)
    tokens = [Token.objects.create(user=UserFactory(username=f"two{n}")).key for n in range(CLIENTS)]
    overdue = timezone.now() - timedelta(days=10)
    CaseTaskFactory.create_batch(6, due_at=overdue)

    barrier = threading.Barrier(CLIENTS)
    results, lock = [], threading.Lock()

    def book(n):
        barrier.wait(timeout=30)
        outcome = _post(two_of_each["ports"][n % 2], tokens[n], {"slot": slot.pk, "bundle": "two"})
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Counter(status for status, _id in results) == Counter({201: CAPACITY, 409: CLIENTS - CAPACITY})
    assert Slot.objects.get(pk=slot.pk).booked_count == CAPACITY
    assert Booking.objects.filter(slot=slot).count() == CAPACITY

    # Four sweeps at once, taken by both workers: each reminder recorded and notified once.
    sweeps = [celery_app.send_task("services.tasks.case_reminders_sweep") for _ in range(4)]
    sent = sum(result.get(timeout=30) for result in sweeps)
    assert sent == Reminder.objects.count() > 0
    reminded = Notification.objects.exclude(user__username__startswith="two").count()
    assert reminded == sum(reminder.recipients.count() for reminder in Reminder.objects.all())

    # Every mail delivery (booking confirmations, reminders) went out exactly once.
    deadline = time.monotonic() + 30
    while Delivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=True).exists():
        assert time.monotonic() < deadline, "deliveries still waiting after 30 s"
        time.sleep(0.2)
    emails = Delivery.objects.filter(channel=Delivery.Channel.EMAIL)
    assert emails.count() >= CAPACITY and not emails.filter(failed_at__isnull=False).exists()
    assert _messages(two_of_each["mail"]) == emails.count()

    # The worker that delivered a booking's confirmation logged the booking request's id.
    booked_ids = {request_id for status, request_id in results if status == 201}
    worker_lines = []
    for n in range(2):
        for line in (two_of_each["logs"] / f"worker{n}.log").read_text().splitlines():
            if line.startswith("{"):
                worker_lines.append(json.loads(line))
    assert booked_ids & {line.get("request_id") for line in worker_lines}
