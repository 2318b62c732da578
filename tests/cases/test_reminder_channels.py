"""Reminders leave the site through the notification channels: mail, a webhook, and a real worker."""
import json
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from portal.cases.actions import case_reminders_sweep
from portal.cases.tasks import case_reminders_sweep as case_reminders_sweep_task
from portal.hall.workdays import end_of_working_day
from portal.notifications.models import Notification, Reminder
from tests.factories import CaseTaskFactory


@pytest.fixture
def webhook():
    """A local HTTP server on 127.0.0.1 that records the JSON posted to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_it_posts_reminders_to_the_webhook(webhook, settings, officer, department, django_capture_on_commit_callbacks):
    url, received = webhook
    settings.NOTIFY_WEBHOOK_URL = url
    task = CaseTaskFactory(case__lead_department=department, department=department, assignee=officer,
                           description="出具消防验收意见", due_at=end_of_working_day(date(2026, 3, 6)))
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 6, 9, 30)), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert case_reminders_sweep() == 1
    assert len(received) == 1
    assert received[0]["recipient"] == officer.username
    assert "出具消防验收意见" in received[0]["title"]
    # Links leaving the site are absolute (issue 11): SITE_URL in front of the page's path.
    assert received[0]["url"] == f"{settings.SITE_URL}/cases/{task.case_id}/"
    assert Notification.objects.get(user=officer).delivered_at is not None


@pytest.mark.worker
@pytest.mark.postgres
def test_it_mails_a_due_reminder_through_a_real_worker(celery_worker_process, department):
    from tests.factories import UserFactory

    mail_dir = celery_worker_process
    person = UserFactory(username="duty-officer", email="duty-officer@example.com")
    today = timezone.localdate()
    task = CaseTaskFactory(case__lead_department=department, department=department, assignee=person,
                           description="今天到期的协同任务", due_at=end_of_working_day(today))
    # Due tonight: whatever the hour, the heads-up (the working day before, 09:00) has passed, so the
    # sweep owes exactly one reminder now.
    assert task.next_reminder_at <= timezone.now()
    case_reminders_sweep_task.delay()
    deadline = time.monotonic() + 20
    files: list = []
    while time.monotonic() < deadline and not files:
        files = [path for path in mail_dir.iterdir() if path.stat().st_size]
        time.sleep(0.2)
    assert files, "no mail arrived from the worker within 20 s"
    content = "".join(path.read_text() for path in files)
    assert "duty-officer@example.com" in content
    assert Reminder.objects.filter(subject_id=task.pk).count() == 1
