"""The notification outbox: a write never fails or waits because the broker is down, and every
notification leaves exactly once (handed over after commit, re-sent when it was not, claimed
with a lease so a killed worker loses nothing and a success is never repeated)."""
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from portal.celery import app as celery_app
from portal.notifications import actions
from portal.notifications.actions import notify, outbox_deliver, outbox_resend
from portal.notifications.models import Delivery, Notification
from portal.notifications.tasks import resend_notifications
from services.models import Booking
from tests.factories import BundleFactory, SlotFactory, UserFactory

# Nothing listens here: a Redis that is down.
DOWN_BROKER = "redis://127.0.0.1:6390/0"


@contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker for a while (fresh connection pools both ways)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager, celery_app._pool, celery_app.amqp._producer_pool
    celery_app._pool, celery_app.amqp._producer_pool = None, None
    conf.broker_url, conf.task_always_eager = url, False
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved[0], saved[1]
        celery_app._pool, celery_app.amqp._producer_pool = saved[2], saved[3]


@pytest.fixture
def slot(db):
    return SlotFactory(bundle=BundleFactory(slug="restaurant", name="青创+餐饮企业一件事"), capacity=3)


def _mails_to(address: str) -> int:
    return sum(address in message.to for message in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_it_books_by_api_at_once_while_the_broker_is_down_and_mails_once_later(api_as, entrepreneur, slot):
    entrepreneur.email = "founder@example.com"
    entrepreneur.save()
    client = api_as(entrepreneur)
    assert client.get("/api/v1/bookings/").status_code == 200  # warm up URLs and serializers
    with broker_at(DOWN_BROKER):
        started = time.monotonic()
        response = client.post("/api/v1/bookings/", {"slot": slot.pk}, format="json")
        elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < 1.0, f"the booking took {elapsed:.2f} s with the broker down"
    booking = Booking.objects.get()
    assert response.json()["reference"] == booking.reference
    # Committed with the booking, not sent: the outbox still owes the mail.
    delivery = Delivery.objects.get(notification__user=entrepreneur)
    assert delivery.channel == "email" and delivery.delivered_at is None
    assert _mails_to("founder@example.com") == 0

    call_command("resend_notifications")
    call_command("resend_notifications")
    assert _mails_to("founder@example.com") == 1
    assert booking.reference in mail.outbox[0].subject
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 1
    assert Notification.objects.get(user=entrepreneur).delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_it_books_by_page_at_once_while_the_broker_is_down(client_as, entrepreneur, slot):
    client = client_as(entrepreneur)
    # The process's first page pays for loading URLs and templates; time the booking, not that.
    assert client.get("/bundles/restaurant/book/").status_code == 200
    with broker_at(DOWN_BROKER):
        started = time.monotonic()
        response = client.post("/bundles/restaurant/book/", {"slot": slot.pk})
        elapsed = time.monotonic() - started
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.reference}/?booked=1#booked"
    assert elapsed < 1.0, f"the booking took {elapsed:.2f} s with the broker down"
    assert Booking.objects.filter(user=entrepreneur).count() == 1
    assert Delivery.objects.filter(notification__user=entrepreneur, delivered_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_writes_nothing_to_the_outbox_when_the_change_rolls_back():
    person = UserFactory(email="p@example.com")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            notify(users=[person], title="不会发送")
            raise RuntimeError("the change failed")
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert outbox_resend() == 0 and mail.outbox == []


@pytest.mark.django_db
def test_it_hands_over_after_commit_and_delivers_once(django_capture_on_commit_callbacks):
    person = UserFactory(email="p@example.com")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[person], title="材料已受理")
    # Besides the hand-over, the page cache's version bump waits for the commit too.
    callbacks = [callback for callback in callbacks if callback.__module__ != "portal.pagecache"]
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()  # the hand-over: the (eager) worker delivers
    delivery = Delivery.objects.get()
    # A duplicate task, a re-send and another hand-over find nothing left to send.
    assert outbox_deliver(delivery_ids=[delivery.pk]) == 0
    assert outbox_resend() == 0
    callbacks[0]()
    assert _mails_to("p@example.com") == 1


@pytest.mark.django_db
def test_it_gives_no_mail_row_to_someone_without_an_address():
    person = UserFactory(email="")
    notify(users=[person], title="站内消息")
    assert not Delivery.objects.exists()
    assert Notification.objects.get().delivered_at is not None


@pytest.mark.django_db
def test_it_resends_once_after_a_worker_died_holding_the_claim(settings):
    person = UserFactory(email="p@example.com")
    notify(users=[person], title="预约已确认")  # not committed here: nothing handed over
    delivery = Delivery.objects.get()
    # The worker claims the row, then is killed before it sends or marks anything.
    token, claimed = actions._outbox_claim(delivery_ids=[delivery.pk], limit=10)
    assert [row.pk for row in claimed] == [delivery.pk]
    # While the lease runs, nobody else takes it: a slow but live worker is not doubled.
    assert outbox_resend() == 0 and mail.outbox == []
    later = timezone.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert outbox_resend() == 1
        assert outbox_resend() == 0
        # The dead worker's claim is void: even if it came back it could not record a delivery.
        assert Delivery.objects.filter(pk=delivery.pk, claim=token).count() == 0
    assert _mails_to("p@example.com") == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 2


@pytest.mark.django_db
def test_it_never_resends_a_success_even_after_the_lease(settings):
    person = UserFactory(email="p@example.com")
    notify(users=[person], title="预约已确认")
    delivery = Delivery.objects.get()
    assert outbox_deliver(delivery_ids=[delivery.pk]) == 1
    later = timezone.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS * 3)
    with time_machine.travel(later, tick=False):
        assert outbox_resend() == 0
        assert outbox_deliver(delivery_ids=[delivery.pk]) == 0
    assert _mails_to("p@example.com") == 1


@pytest.mark.django_db
def test_it_gives_up_after_the_attempts_and_staff_see_and_retry_it(settings, hall_staff, client_as):
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # refuses connections
    settings.NOTIFY_MAX_ATTEMPTS = 3
    person = UserFactory(email="", username="no-mail")
    notify(users=[person], title="活动已取消")
    delivery = Delivery.objects.get(channel="webhook")
    now = timezone.now()
    for attempt in range(1, 4):
        with time_machine.travel(now + timedelta(hours=attempt), tick=False):
            assert outbox_resend() == 0
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert "URLError" in delivery.last_error or "Connection refused" in delivery.last_error
    assert delivery.failed_at is not None
    # Given up: later re-sends leave it alone.
    with time_machine.travel(now + timedelta(days=2), tick=False):
        assert outbox_resend() == 0
    assert Delivery.objects.get(pk=delivery.pk).attempts == 3

    client = client_as(hall_staff)
    listing = client.get("/admin/notifications/delivery/?state=failed")
    assert listing.status_code == 200
    content = listing.content.decode()
    assert "活动已取消" in content and str(person) in content and "Connection refused" in content

    received = []
    settings.NOTIFY_WEBHOOK_URL = "http://hook.invalid/"
    from portal.notifications import channels

    original = channels.WebhookChannel.send
    channels.WebhookChannel.send = lambda self, notification: received.append(notification.title)
    try:
        response = client.post("/admin/notifications/delivery/", {
            "action": "retry_now", "_selected_action": [delivery.pk],
        })
        assert response.status_code == 302
        # The admin's hand-over runs after commit; the test transaction never commits, so the
        # re-send delivers it, as beat would.
        assert outbox_resend() == 1
    finally:
        channels.WebhookChannel.send = original
    delivery.refresh_from_db()
    assert received == ["活动已取消"]
    assert delivery.delivered_at is not None and delivery.failed_at is None and delivery.last_error == ""


@pytest.mark.django_db
def test_it_keeps_the_outbox_away_from_people_who_are_not_staff(client_as, entrepreneur):
    response = client_as(entrepreneur).get("/admin/notifications/delivery/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_it_resends_from_the_command_and_says_how_many(capsys):
    people = [UserFactory(email=f"p{n}@example.com") for n in range(3)]
    notify(users=people, title="政策窗口开放")
    call_command("resend_notifications", "--batch-size", "2")
    assert "3 delivery(ies) sent" in capsys.readouterr().out
    assert len(mail.outbox) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_delivers_each_once_under_concurrent_resends():
    people = [UserFactory(email=f"p{n}@example.com") for n in range(40)]
    for person in people:
        notify(users=[person], title="并发补发")
    mail.outbox = []  # the eager hand-over after each commit sent them; start over unsent
    Delivery.objects.update(delivered_at=None, due_at=timezone.now(), attempts=0, claim="")
    barrier = threading.Barrier(4)
    counts = []

    def resend():
        barrier.wait()
        try:
            counts.append(outbox_resend(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=resend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 40
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in people)
    assert not Delivery.objects.filter(delivered_at__isnull=True).exists()


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the worker process must see the booking
def test_it_mails_once_through_a_real_worker_when_the_broker_is_back(request, api_as, entrepreneur, slot):
    entrepreneur.email = "founder-worker@example.com"
    entrepreneur.save()
    with broker_at(DOWN_BROKER):
        started = time.monotonic()
        response = api_as(entrepreneur).post("/api/v1/bookings/", {"slot": slot.pk}, format="json")
        elapsed = time.monotonic() - started
    assert response.status_code == 201 and elapsed < 1.0, (response.status_code, elapsed)
    assert Booking.objects.count() == 1

    mail_dir = request.getfixturevalue("celery_worker_process")  # Redis is back, with a worker
    resend_notifications.delay()
    resend_notifications.delay()  # beat firing twice, or beat and cron together
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Delivery.objects.filter(delivered_at__isnull=True).exists():
        time.sleep(0.2)
    time.sleep(1.0)  # let the second run finish: it must find nothing to send
    content = "".join(path.read_text() for path in mail_dir.iterdir())
    assert content.count("To: founder-worker@example.com") == 1
    assert Delivery.objects.get().delivered_at is not None
    assert outbox_resend() == 0


@pytest.mark.django_db
def test_it_records_what_went_out_before_a_batch_was_interrupted(monkeypatch):
    """The soft time limit (or any error) in the middle of a batch: the messages sent before it
    are recorded as delivered, the rest are re-sent later, nothing twice."""
    from celery.exceptions import SoftTimeLimitExceeded

    from portal.notifications import channels

    people = [UserFactory(email=f"p{n}@example.com") for n in range(5)]
    notify(users=people, title="批次中断")
    real_send = channels.EmailChannel.send
    calls = []

    def send_then_stop(self, notification):
        if len(calls) == 3:
            raise SoftTimeLimitExceeded()
        calls.append(notification.pk)
        real_send(self, notification)

    monkeypatch.setattr(channels.EmailChannel, "send", send_then_stop)
    with pytest.raises(SoftTimeLimitExceeded):
        outbox_resend()
    assert len(mail.outbox) == 3
    assert Delivery.objects.filter(delivered_at__isnull=False).count() == 3
    monkeypatch.setattr(channels.EmailChannel, "send", real_send)
    later = timezone.now() + timedelta(seconds=700)
    with time_machine.travel(later, tick=False):
        assert outbox_resend() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in people)
