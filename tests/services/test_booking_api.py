"""The booking API: book, list, cancel, reschedule, check in, complete, review, calendar."""
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from services.actions import REFERENCE_ALPHABET
from services.models import Booking, BookingEvent, Slot
from tests.factories import BookingFactory, BundleFactory, ServiceItemFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(db):
    return BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")


@pytest.fixture
def slot(bundle):
    return SlotFactory(bundle=bundle, capacity=2)


def _book(client, slot, **extra):
    return client.post("/api/v1/bookings/", {"slot": slot.pk, **extra}, format="json")


def test_it_books_a_slot_with_a_short_unambiguous_reference(api_as, entrepreneur, slot):
    response = _book(api_as(entrepreneur), slot, bundle="restaurant", note="青禾餐饮")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "booked"
    assert body["slot"] == slot.pk
    assert len(body["reference"]) == 8
    assert set(body["reference"]) <= set(REFERENCE_ALPHABET)
    assert not set(body["reference"]) & set("0O1IL")
    booking = Booking.objects.get(reference=body["reference"])
    assert booking.user == entrepreneur
    assert booking.note == "青禾餐饮"
    slot.refresh_from_db()
    assert slot.booked_count == 1
    assert BookingEvent.objects.filter(booking=booking, to_status="booked").count() == 1
    assert entrepreneur.notifications.filter(title__contains=booking.reference).exists()


def test_it_asks_to_sign_in_before_booking(api_as, slot):
    response = _book(api_as(None), slot)
    assert response.status_code == 401
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"slot": 999999}, "slot"),
        ({"slot": 2**63}, "slot"),  # past every database's integer: still "no such slot"
        ({"slot": -(2**70)}, "slot"),
        ({"slot": "abc"}, "slot"),
        ({}, "slot"),
        ({"bundle": "nothing"}, "bundle"),
        ({"service": "nothing"}, "service"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_it_answers_400_for_bad_booking_input(api_as, entrepreneur, slot, payload, field):
    data = {"slot": slot.pk, **payload} if payload != {} else {}
    response = api_as(entrepreneur).post("/api/v1/bookings/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Booking.objects.count() == 0
    slot.refresh_from_db()
    assert slot.booked_count == 0


def test_it_refuses_a_slot_of_another_bundle(api_as, entrepreneur, slot):
    BundleFactory(slug="logistics")
    response = _book(api_as(entrepreneur), slot, bundle="logistics")
    assert response.status_code == 400
    assert response.json()["code"] == "slot_mismatch"
    item = ServiceItemFactory(code="licence")
    assert _book(api_as(entrepreneur), slot, service=item.code).status_code == 400
    assert Booking.objects.count() == 0


def test_it_answers_409_when_the_slot_is_full(api_as, entrepreneur, other_entrepreneur, hall_staff, slot):
    assert _book(api_as(entrepreneur), slot).status_code == 201
    assert _book(api_as(other_entrepreneur), slot).status_code == 201
    response = _book(api_as(hall_staff), slot)
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    slot.refresh_from_db()
    assert slot.booked_count == 2
    assert Booking.objects.count() == 2


def test_it_answers_409_for_a_second_booking_of_the_same_slot(api_as, entrepreneur, slot):
    client = api_as(entrepreneur)
    assert _book(client, slot).status_code == 201
    response = _book(client, slot)
    assert response.status_code == 409
    assert response.json()["code"] == "already_booked"
    slot.refresh_from_db()
    assert slot.booked_count == 1


def test_it_refuses_past_and_closed_slots(api_as, entrepreneur, bundle):
    past = SlotFactory(bundle=bundle, starts_at=timezone.now() - timedelta(hours=1))
    closed = SlotFactory(bundle=bundle, is_open=False)
    for slot in (past, closed):
        response = _book(api_as(entrepreneur), slot)
        assert response.status_code == 409
        assert response.json()["code"] == "slot_not_bookable"
    assert Booking.objects.count() == 0


def test_it_lets_a_user_book_again_after_cancelling(api_as, entrepreneur, slot):
    client = api_as(entrepreneur)
    reference = _book(client, slot).json()["reference"]
    assert client.post(f"/api/v1/bookings/{reference}/cancel/").status_code == 200
    assert _book(client, slot).status_code == 201


def test_it_lists_only_my_bookings_and_everything_for_staff(api_as, entrepreneur, other_entrepreneur, hall_staff):
    mine = BookingFactory(user=entrepreneur)
    BookingFactory(user=other_entrepreneur)
    body = api_as(entrepreneur).get("/api/v1/bookings/").json()
    assert [row["reference"] for row in body["results"]] == [mine.reference]
    assert api_as(hall_staff).get("/api/v1/bookings/").json()["count"] == 2
    assert api_as(None).get("/api/v1/bookings/").status_code == 401


def test_it_filters_bookings_and_refuses_malformed_filters(api_as, hall_staff, entrepreneur):
    booking = BookingFactory(user=entrepreneur)
    BookingFactory(status="cancelled")
    client = api_as(hall_staff)
    assert client.get("/api/v1/bookings/?status=booked").json()["count"] == 1
    day = timezone.localtime(booking.slot.starts_at).date().isoformat()
    assert client.get(f"/api/v1/bookings/?date={day}").json()["count"] == 2
    assert client.get(f"/api/v1/bookings/?search={entrepreneur.mobile}").json()["count"] == 1
    assert client.get("/api/v1/bookings/?date=tomorrow").status_code == 400
    assert client.get("/api/v1/bookings/?status=lost").status_code == 400


def test_it_lists_bookings_with_a_fixed_number_of_queries(api_as, hall_staff, django_assert_max_num_queries):
    client = api_as(hall_staff)
    BookingFactory.create_batch(2)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/bookings/").json()["count"] == 2
    BookingFactory.create_batch(15)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/bookings/").json()["count"] == 17


def test_it_hides_other_peoples_bookings(api_as, entrepreneur, other_entrepreneur, hall_staff):
    booking = BookingFactory(user=other_entrepreneur)
    client = api_as(entrepreneur)
    for suffix in ["", "ics/"]:
        assert client.get(f"/api/v1/bookings/{booking.reference}/{suffix}").status_code == 404
    for action in ["cancel", "reschedule", "check-in", "complete"]:
        response = client.post(f"/api/v1/bookings/{booking.reference}/{action}/", {"slot": 1}, format="json")
        assert response.status_code == 404, action
    booking.refresh_from_db()
    assert booking.status == "booked"
    assert api_as(hall_staff).get(f"/api/v1/bookings/{booking.reference}/").status_code == 200


def test_it_finds_a_booking_by_reference_in_any_case(api_as, entrepreneur):
    booking = BookingFactory(user=entrepreneur, reference="ABCD2345")
    assert api_as(entrepreneur).get("/api/v1/bookings/abcd2345/").json()["reference"] == booking.reference


def test_it_cancels_a_booking_and_frees_its_place(api_as, entrepreneur):
    booking = BookingFactory(user=entrepreneur)
    response = api_as(entrepreneur).post(f"/api/v1/bookings/{booking.reference}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    booking.refresh_from_db()
    booking.slot.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.slot.booked_count == 0
    assert booking.events.get().from_status == "booked"
    again = api_as(entrepreneur).post(f"/api/v1/bookings/{booking.reference}/cancel/")
    assert again.status_code == 409


def test_it_refuses_to_cancel_after_the_cut_off(api_as, entrepreneur, hall_staff, settings):
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 2
    booking = BookingFactory(user=entrepreneur)
    start = booking.slot.starts_at
    with time_machine.travel(start - timedelta(hours=2, minutes=1), tick=False):
        assert api_as(entrepreneur).get(f"/api/v1/bookings/{booking.reference}/").json()["can_change"] is True
    with time_machine.travel(start - timedelta(hours=1, minutes=59), tick=False):
        response = api_as(entrepreneur).post(f"/api/v1/bookings/{booking.reference}/cancel/")
        assert response.status_code == 409
        assert response.json()["code"] == "cutoff_passed"
        booking.refresh_from_db()
        assert booking.status == "booked"
        # The hall itself may still cancel (a closure, an emergency).
        assert api_as(hall_staff).post(f"/api/v1/bookings/{booking.reference}/cancel/").status_code == 200


def test_it_reads_the_cut_off_from_settings_at_call_time(api_as, entrepreneur, settings):
    booking = BookingFactory(user=entrepreneur)
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 24 * 4
    assert api_as(entrepreneur).post(f"/api/v1/bookings/{booking.reference}/cancel/").status_code == 409


def test_it_reschedules_to_another_slot_of_the_same_bundle(api_as, entrepreneur, bundle):
    booking = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    new = SlotFactory(bundle=bundle, starts_at=booking.slot.starts_at + timedelta(days=1))
    response = api_as(entrepreneur).post(
        f"/api/v1/bookings/{booking.reference}/reschedule/", {"slot": new.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["slot"] == new.pk
    booking.refresh_from_db()
    assert booking.slot_id == new.pk
    assert booking.status == "booked"
    assert Slot.objects.get(pk=new.pk).booked_count == 1
    assert Slot.objects.filter(bookings__isnull=True).get().booked_count == 0


def test_it_keeps_the_old_booking_when_the_new_slot_is_full(api_as, entrepreneur, bundle):
    booking = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    old_slot = booking.slot
    full = SlotFactory(bundle=bundle, capacity=1, booked_count=1, starts_at=old_slot.starts_at + timedelta(days=1))
    response = api_as(entrepreneur).post(
        f"/api/v1/bookings/{booking.reference}/reschedule/", {"slot": full.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    booking.refresh_from_db()
    old_slot.refresh_from_db()
    full.refresh_from_db()
    assert booking.slot_id == old_slot.pk
    assert (old_slot.booked_count, full.booked_count) == (1, 1)
    assert not booking.events.exists()


def test_it_refuses_to_reschedule_to_another_bundle_or_bad_slot(api_as, entrepreneur, bundle):
    booking = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    other = SlotFactory(bundle=BundleFactory())
    client = api_as(entrepreneur)
    url = f"/api/v1/bookings/{booking.reference}/reschedule/"
    assert client.post(url, {"slot": other.pk}, format="json").status_code == 400
    assert client.post(url, {"slot": booking.slot_id}, format="json").status_code == 400
    assert client.post(url, {"slot": "soon"}, format="json").status_code == 400
    assert client.post(url, {}, format="json").status_code == 400
    booking.refresh_from_db()
    assert booking.slot.bundle == bundle


def test_it_lets_staff_check_in_and_complete_and_owners_not(api_as, entrepreneur, hall_staff):
    booking = BookingFactory(user=entrepreneur)
    owner = api_as(entrepreneur)
    assert owner.post(f"/api/v1/bookings/{booking.reference}/check-in/").status_code == 403
    staff = api_as(hall_staff)
    assert staff.post(f"/api/v1/bookings/{booking.reference}/complete/").status_code == 409
    # Early on the booking's own (local) day: three hours before, or its midnight for an early slot.
    start = booking.slot.starts_at
    arrival = max(start - timedelta(hours=3), timezone.localtime(start).replace(hour=0, minute=0))
    with time_machine.travel(arrival, tick=False):
        assert staff.post(f"/api/v1/bookings/{booking.reference}/check-in/").json()["status"] == "checked_in"
        assert staff.post(f"/api/v1/bookings/{booking.reference}/check-in/").status_code == 409
        assert owner.post(f"/api/v1/bookings/{booking.reference}/cancel/").status_code == 409
        assert staff.post(f"/api/v1/bookings/{booking.reference}/complete/").json()["status"] == "completed"
    booking.refresh_from_db()
    assert booking.status == "completed"
    assert [(e.from_status, e.to_status) for e in booking.events.all()] == [
        ("booked", "checked_in"), ("checked_in", "completed")
    ]
    booking.slot.refresh_from_db()
    assert booking.slot.booked_count == 1


def test_it_marks_no_shows_only_once_the_slot_has_started(api_as, hall_staff, entrepreneur):
    booking = BookingFactory(user=entrepreneur)
    staff = api_as(hall_staff)
    assert staff.post(f"/api/v1/bookings/{booking.reference}/no-show/").status_code == 409
    with time_machine.travel(booking.slot.starts_at + timedelta(minutes=40), tick=False):
        assert staff.post(f"/api/v1/bookings/{booking.reference}/no-show/").json()["status"] == "no_show"
    booking.refresh_from_db()
    assert booking.status == "no_show"


def test_it_downloads_a_booking_as_an_icalendar_event(api_as, entrepreneur, hall_staff, bundle):
    booking = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    response = api_as(entrepreneur).get(f"/api/v1/bookings/{booking.reference}/ics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == booking.slot.starts_at
    assert event.decoded("dtend") == booking.slot.ends_at
    assert booking.reference in str(event["summary"])
    assert "青创+餐饮企业一件事" in str(event["summary"])
    assert api_as(hall_staff).get(f"/api/v1/bookings/{booking.reference}/ics/").status_code == 403
    assert api_as(None).get(f"/api/v1/bookings/{booking.reference}/ics/").status_code == 401


def test_it_lists_slots_with_remaining_places_and_filters(api_as, bundle):
    item = ServiceItemFactory(code="licence")
    # Ten in the morning two days on: both slots fall on the same hall day at any hour of the run.
    start = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=2), time(10)))
    full = SlotFactory(bundle=bundle, capacity=1, booked_count=1, starts_at=start)
    free = SlotFactory(bundle=bundle, capacity=3, booked_count=1, starts_at=start + timedelta(hours=1))
    SlotFactory(bundle=None, item=item, starts_at=start)
    SlotFactory(bundle=bundle, starts_at=timezone.now() - timedelta(days=2))
    client = api_as(None)
    body = client.get("/api/v1/slots/?bundle=restaurant").json()
    assert [(row["id"], row["remaining"]) for row in body["results"]] == [(full.pk, 0), (free.pk, 2)]
    assert [row["id"] for row in client.get("/api/v1/slots/?bundle=restaurant&available=true").json()["results"]] == [free.pk]
    assert client.get("/api/v1/slots/?service=licence").json()["count"] == 1
    day = timezone.localtime(start).date()
    assert client.get(f"/api/v1/slots/?date_from={day + timedelta(days=1)}").json()["count"] == 0
    assert client.get(f"/api/v1/slots/?date_to={day}").json()["count"] == 3
    assert client.get("/api/v1/slots/?available=maybe").status_code == 400


def test_it_lists_slots_with_a_fixed_number_of_queries(api_as, bundle, django_assert_max_num_queries):
    client = api_as(None)
    SlotFactory(bundle=bundle, starts_at=factory_start(0))
    SlotFactory(bundle=bundle, starts_at=factory_start(30))
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/slots/").status_code == 200
    for n in range(1, 20):
        SlotFactory(bundle=BundleFactory(), starts_at=factory_start(n))
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/slots/").json()["count"] == 21


def factory_start(n: int):
    return timezone.now().replace(microsecond=0) + timedelta(days=1, hours=n)


def test_it_refuses_a_staff_check_in_on_another_day_with_a_409(api_as, hall_staff, english, settings):
    settings.LANGUAGE_CODE = "en"  # the refusal is read in English
    booking = BookingFactory(slot__starts_at=timezone.now() + timedelta(days=2))
    response = api_as(hall_staff).post(f"/api/v1/bookings/{booking.reference}/check-in/")
    assert response.status_code == 409
    assert response.json()["code"] == "check_in_wrong_day"
    assert booking.reference in response.json()["detail"] and "only be checked in on that day" in response.json()["detail"]
    booking.refresh_from_db()
    assert booking.status == "booked" and not booking.events.exists()
