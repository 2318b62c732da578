"""A new day off in the calendar closes its slots; the people booked there are told and offered the
nearest open slot, which they can take even inside the cut-off."""
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.hall import hooks
from portal.hall.actions import HolidayRow, holiday_import
from portal.hall.models import Holiday
from portal.notifications.models import Notification
from services.models import Booking, BookingEvent, Slot
from tests.factories import BookingFactory, BundleFactory, SlotFactory

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


NEW_DAY_OFF = HolidayRow(date(2026, 6, 3), Holiday.Kind.DAY_OFF, "临时闭厅")


@pytest.fixture
def bundle():
    return BundleFactory(slug="restaurant")


def slot(bundle, *args, **kwargs) -> Slot:
    start = at(*args)
    return SlotFactory(bundle=bundle, starts_at=start, ends_at=start + timedelta(minutes=30), **kwargs)


@pytest.fixture
def booked(bundle, entrepreneur):
    """Entrepreneur booked Wednesday 3 June 2026 10:00; other times that week are open."""
    on_the_day = slot(bundle, 2026, 6, 3, 10, 0, booked_count=1)
    return BookingFactory(user=entrepreneur, slot=on_the_day)


def test_a_booked_slot_on_a_new_day_off_closes_and_its_person_is_offered_the_nearest_open_slot(
        bundle, booked, entrepreneur, hall_staff, client_as, django_capture_on_commit_callbacks):
    far = slot(bundle, 2026, 6, 1, 9, 0)
    full = slot(bundle, 2026, 6, 3, 16, 0, capacity=1, booked_count=1)  # same day: closes too
    nearest = slot(bundle, 2026, 6, 4, 9, 0)
    slot(bundle, 2026, 6, 4, 14, 0, capacity=2, booked_count=2)  # full: never offered
    with time_machine.travel(at(2026, 5, 28, 10, 0), tick=False), django_capture_on_commit_callbacks(execute=True):
        holiday_import(rows=[NEW_DAY_OFF], by=hall_staff)

    assert not Slot.objects.get(pk=booked.slot_id).is_open
    assert not Slot.objects.get(pk=full.pk).is_open
    assert Slot.objects.get(pk=far.pk).is_open and Slot.objects.get(pk=nearest.pk).is_open
    booking = Booking.objects.get(pk=booked.pk)
    assert booking.status == Booking.Status.BOOKED and booking.slot_id == booked.slot_id  # nothing cancelled
    assert BookingEvent.objects.filter(booking=booking, by=hall_staff).count() == 1
    notice = Notification.objects.get(user=entrepreneur)
    assert "2026-06-03 10:00" in notice.title
    assert "2026-06-04 09:00" in notice.body
    assert notice.url == f"/bookings/{booking.reference}/reschedule/?slot={nearest.pk}"

    # The link opens the reschedule page with the offered time chosen; taking it moves the booking,
    # even though the original time is now inside the cut-off.
    client = client_as(entrepreneur)
    with time_machine.travel(at(2026, 6, 3, 8, 0), tick=False):
        page = client.get(notice.url)
        assert page.status_code == 200
        assert f'value="{nearest.pk}" checked'.encode() in page.content
        response = client.post(f"/bookings/{booking.reference}/reschedule/", {"slot": nearest.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == nearest.pk
    assert Slot.objects.get(pk=booked.slot_id).booked_count == 0


def test_nobody_can_book_the_closed_slot(booked, hall_staff, other_entrepreneur, api_as):
    with time_machine.travel(at(2026, 5, 28, 10, 0), tick=False):
        holiday_import(rows=[NEW_DAY_OFF], by=hall_staff)
        response = api_as(other_entrepreneur).post("/api/v1/bookings/", {"slot": booked.slot_id}, format="json")
    assert response.status_code == 409


def test_without_an_open_slot_the_person_is_asked_to_choose_another_time(booked, entrepreneur, hall_staff):
    with time_machine.travel(at(2026, 5, 28, 10, 0), tick=False):
        holiday_import(rows=[NEW_DAY_OFF], by=hall_staff)
    notice = Notification.objects.get(user=entrepreneur)
    assert notice.url == f"/bookings/{booked.reference}/reschedule/"


def test_a_slot_the_person_already_holds_is_not_offered(bundle, booked, entrepreneur, hall_staff):
    mine = slot(bundle, 2026, 6, 4, 9, 0, booked_count=1)
    BookingFactory(user=entrepreneur, slot=mine)
    later = slot(bundle, 2026, 6, 5, 9, 0)
    with time_machine.travel(at(2026, 5, 28, 10, 0), tick=False):
        holiday_import(rows=[NEW_DAY_OFF], by=hall_staff)
    notice = Notification.objects.get(user=entrepreneur, url__contains=booked.reference)
    assert notice.url.endswith(f"?slot={later.pk}")


def test_a_day_off_on_a_weekend_or_in_the_past_touches_no_slot(bundle, hall_staff):
    saturday = slot(bundle, 2026, 6, 6, 10, 0)
    past = slot(bundle, 2026, 5, 20, 10, 0)
    with time_machine.travel(at(2026, 5, 28, 10, 0), tick=False):
        holiday_import(rows=[HolidayRow(date(2026, 6, 6), Holiday.Kind.DAY_OFF, "周六"),
                             HolidayRow(date(2026, 5, 20), Holiday.Kind.DAY_OFF, "补录")], by=hall_staff)
    assert Slot.objects.get(pk=saturday.pk).is_open and Slot.objects.get(pk=past.pk).is_open


def test_the_change_and_its_replanning_are_one_transaction(booked, entrepreneur, hall_staff):
    def broken(*, change, by):
        raise RuntimeError("a subscriber failed")

    hooks.calendar_changed_subscriber(broken)
    try:
        with time_machine.travel(at(2026, 5, 28, 10, 0), tick=False), pytest.raises(RuntimeError):
            holiday_import(rows=[NEW_DAY_OFF], by=hall_staff)
    finally:
        hooks._CALENDAR_CHANGED.remove(broken)
    assert not Holiday.objects.exists()
    assert Slot.objects.get(pk=booked.slot_id).is_open
    assert not Notification.objects.filter(user=entrepreneur).exists()


def test_the_admin_adding_a_day_off_replans_too(booked, entrepreneur, hall_staff, client_as):
    with time_machine.travel(at(2026, 5, 28, 10, 0), tick=False):
        response = client_as(hall_staff).post(
            "/admin/hall/holiday/add/", {"date": "2026-06-03", "kind": "day_off", "name": "临时闭厅"}
        )
    assert response.status_code == 302
    assert not Slot.objects.get(pk=booked.slot_id).is_open
    assert Notification.objects.filter(user=entrepreneur).count() == 1
