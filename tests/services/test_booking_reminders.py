"""Reminders to applicants before their visit, with the clock moved by time-machine: the day
before and two hours before the slot starts, exactly once per appointment time, a fresh pair
after a reschedule, none after a cancellation, and once under concurrent sweeps."""
import threading
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.notifications.models import Notification, Reminder
from services import actions
from services.actions import BOOKING_REMINDER_DAY_BEFORE, BOOKING_REMINDER_SOON, booking_reminders_sweep
from services.models import Booking
from tests.factories import BookingFactory, ServiceItemFactory, SlotFactory, UserFactory


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


VISIT = local(2026, 12, 10, 10, 0)  # a Thursday, 10:00 in the hall (Asia/Shanghai)


@pytest.fixture
def item(db):
    return ServiceItemFactory(code="company-setup", name="企业开办", name_en="Company registration")


@pytest.fixture
def person(db):
    return UserFactory(username="lin", email="lin@example.com", language="en")


@pytest.fixture
def booking(item, person):
    slot = SlotFactory(bundle=None, item=item, starts_at=VISIT, booked_count=1)
    return BookingFactory(user=person, slot=slot, reference="K7M2QX")


def sweep_at(moment: datetime, capture) -> int:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return booking_reminders_sweep()


def kinds(booking: Booking) -> list[tuple[str, datetime]]:
    return sorted(Reminder.objects.filter(subject_id=booking.pk, kind__startswith="booking_")
                  .values_list("kind", "deadline"))


@pytest.mark.django_db
def test_it_reminds_the_day_before_once_and_two_hours_before_once(booking, person, settings,
                                                                  django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    mail.outbox.clear()
    assert sweep_at(local(2026, 12, 9, 9, 59), capture) == 0
    assert sweep_at(local(2026, 12, 9, 10, 0), capture) == 1
    assert sweep_at(local(2026, 12, 9, 10, 5), capture) == 0
    assert sweep_at(local(2026, 12, 10, 7, 59), capture) == 0
    assert kinds(booking) == [(BOOKING_REMINDER_DAY_BEFORE, VISIT)]

    assert sweep_at(local(2026, 12, 10, 8, 0), capture) == 1
    assert sweep_at(local(2026, 12, 10, 9, 30), capture) == 0
    assert kinds(booking) == [(BOOKING_REMINDER_DAY_BEFORE, VISIT), (BOOKING_REMINDER_SOON, VISIT)]

    titles = list(Notification.objects.filter(user=person).order_by("pk").values_list("title", flat=True))
    assert titles == [
        "Reminder: Company registration on 2026-12-10 10:00 (booking K7M2QX)",
        "Reminder: Company registration today at 10:00 (booking K7M2QX)",
    ]
    # Both went out by mail too, with an absolute link to the booking.
    assert [message.to for message in mail.outbox] == [["lin@example.com"], ["lin@example.com"]]
    assert mail.outbox[0].subject == titles[0]
    assert mail.outbox[0].body.rstrip().endswith(f"{settings.SITE_URL}/bookings/K7M2QX/")


@pytest.mark.django_db
def test_it_sends_only_the_short_reminder_when_the_sweep_comes_late(booking, django_capture_on_commit_callbacks):
    assert sweep_at(local(2026, 12, 10, 9, 0), django_capture_on_commit_callbacks) == 1
    assert kinds(booking) == [(BOOKING_REMINDER_SOON, VISIT)]
    assert sweep_at(local(2026, 12, 10, 10, 1), django_capture_on_commit_callbacks) == 0


@pytest.mark.django_db
def test_it_gives_a_rescheduled_booking_a_fresh_pair_and_forgets_the_old_one(
        booking, item, person, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    assert sweep_at(local(2026, 12, 9, 12, 0), capture) == 1
    later = SlotFactory(bundle=None, item=item, starts_at=local(2026, 12, 11, 15, 0))
    with time_machine.travel(local(2026, 12, 9, 13, 0), tick=False):
        actions.booking_reschedule(booking=booking, slot=later, by=person)

    # The old time passes in silence: its two-hour reminder is never sent.
    assert sweep_at(local(2026, 12, 10, 8, 30), capture) == 0
    assert sweep_at(local(2026, 12, 10, 15, 0), capture) == 1
    assert sweep_at(local(2026, 12, 11, 13, 0), capture) == 1
    assert kinds(booking) == [
        (BOOKING_REMINDER_DAY_BEFORE, VISIT),
        (BOOKING_REMINDER_DAY_BEFORE, later.starts_at),
        (BOOKING_REMINDER_SOON, later.starts_at),
    ]


@pytest.mark.django_db
def test_it_does_not_remind_a_cancelled_booking(booking, person, django_capture_on_commit_callbacks):
    with time_machine.travel(local(2026, 12, 8, 9, 0), tick=False):
        actions.booking_cancel(booking=booking, by=person)
    before = Notification.objects.count()
    assert sweep_at(local(2026, 12, 9, 10, 0), django_capture_on_commit_callbacks) == 0
    assert sweep_at(local(2026, 12, 10, 8, 0), django_capture_on_commit_callbacks) == 0
    assert kinds(booking) == []
    assert Notification.objects.count() == before


def _queries_to_remind(item, day: int, count: int) -> int:
    for n in range(count):
        BookingFactory(slot=SlotFactory(bundle=None, item=item, starts_at=local(2026, 12, day, 9, 0)
                                        + timedelta(minutes=5 * n), booked_count=1))
    with time_machine.travel(local(2026, 12, day - 1, 12, 0), tick=False), CaptureQueriesContext(connection) as queries:
        assert booking_reminders_sweep() == count
    return len(queries)


@pytest.mark.django_db
def test_it_sends_a_batch_in_a_fixed_number_of_queries(item):
    # Read, insert the reminders, read them back, their recipients, notifications and outbox:
    # the same few statements for 3 bookings as for 30.
    assert _queries_to_remind(item, 10, 3) == _queries_to_remind(item, 15, 30) <= 10


@pytest.mark.django_db
def test_the_command_runs_the_sweep(booking):
    out = StringIO()
    with time_machine.travel(local(2026, 12, 9, 12, 0), tick=False):
        call_command("sweep_booking_reminders", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) sent"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_sends_each_reminder_once_under_concurrent_sweeps():
    item = ServiceItemFactory(code="company-setup")
    bookings = [
        BookingFactory(slot=SlotFactory(bundle=None, item=item, starts_at=local(2026, 12, 10, 9, 0)
                                        + timedelta(minutes=10 * n), booked_count=1))
        for n in range(15)
    ]
    barrier = threading.Barrier(3)
    results: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        try:
            barrier.wait()
            results.append(booking_reminders_sweep(now=local(2026, 12, 9, 12, 0), batch_size=4))
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(results) == len(bookings)
    assert Reminder.objects.filter(kind=BOOKING_REMINDER_DAY_BEFORE).count() == len(bookings)
    assert Notification.objects.count() == len(bookings)
