"""The admin for hall staff: catalogue, bulk slot opening, booking actions and the day's CSV."""
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.hall.models import Holiday
from services.actions import slot_open_bulk
from services.models import Booking, Slot
from tests.factories import BookingFactory, BundleFactory, ServiceItemFactory, SlotFactory

pytestmark = pytest.mark.django_db

# Monday 2026-09-28 to Sunday 2026-10-11: National Day holidays, and Saturday 10-10 is a make-up working day.
MONDAY = date(2026, 9, 28)


@pytest.fixture
def holidays(db):
    for day in [date(2026, 10, d) for d in (1, 2, 5, 6, 7)]:
        Holiday.objects.create(date=day, kind=Holiday.Kind.DAY_OFF, name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 10), kind=Holiday.Kind.WORKING_DAY, name="国庆调休上班")


@time_machine.travel(datetime(2026, 9, 1, 9, 0), tick=False)
def test_it_opens_slots_in_bulk_on_working_days_only(hall_staff, client_as, holidays):
    bundle = BundleFactory(slug="restaurant")
    response = client_as(hall_staff).post(
        "/admin/services/slot/open/",
        {
            "bundle": bundle.pk,
            "date_from": "2026-09-28",
            "date_to": "2026-10-11",
            "weekdays": ["0", "1", "2", "3", "4"],
            "times": "09:00-09:30, 14:00-14:30",
            "capacity": "5",
            "working_days_only": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    days = sorted({timezone.localtime(s.starts_at).date() for s in Slot.objects.all()})
    # 9-28, 9-29, 9-30, 10-8, 10-9 and the make-up Saturday 10-10.
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
    assert Slot.objects.count() == 12
    assert set(Slot.objects.values_list("capacity", flat=True)) == {5}
    # A second run opens nothing new.
    opened, skipped = slot_open_bulk(
        bundle=bundle, date_from=MONDAY, date_to=MONDAY + timedelta(days=13), weekdays=range(5),
        times=[(time(9), time(9, 30)), (time(14), time(14, 30))], capacity=5,
    )
    assert (opened, skipped) == (0, 12)


@time_machine.travel(datetime(2026, 9, 1, 9, 0), tick=False)
def test_it_explains_bad_bulk_opening_input(hall_staff, client_as):
    bundle = BundleFactory()
    item = ServiceItemFactory()
    client = client_as(hall_staff)
    base = {"bundle": bundle.pk, "date_from": "2026-09-28", "date_to": "2026-09-30", "weekdays": ["0"],
            "times": "09:00-09:30", "capacity": "5"}
    for change in [{"times": "nine to ten"}, {"times": "10:00-09:00"}, {"date_to": "2026-09-01"},
                   {"capacity": "0"}, {"item": item.pk}, {"date_from": "2026-08-01"}]:
        response = client.post("/admin/services/slot/open/", {**base, **change})
        assert response.status_code == 200, change
        assert "errorlist" in response.content.decode(), change
    assert not Slot.objects.exists()


def test_it_keeps_non_staff_out_of_bulk_opening(entrepreneur, client_as):
    response = client_as(entrepreneur).get("/admin/services/slot/open/")
    assert response.status_code == 302


def test_it_checks_in_and_completes_from_the_admin(hall_staff, client_as):
    booking = BookingFactory()
    cancelled = BookingFactory(status="cancelled")
    client = client_as(hall_staff)
    with time_machine.travel(booking.slot.starts_at - timedelta(minutes=10), tick=False):
        for action in ["check_in", "complete"]:
            response = client.post(
                "/admin/services/booking/",
                {"action": action, "_selected_action": [booking.pk, cancelled.pk]},
                follow=True,
            )
            assert response.status_code == 200
    booking.refresh_from_db()
    cancelled.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.reference in response.content.decode()  # the refusal is reported, not hidden


def test_it_exports_the_days_bookings_as_csv(hall_staff, client_as, entrepreneur):
    today = BookingFactory(user=entrepreneur, slot__starts_at=timezone.now() + timedelta(days=1))
    other_day = BookingFactory(slot__starts_at=timezone.now() + timedelta(days=3))
    day = timezone.localtime(today.slot.starts_at).date()
    response = client_as(hall_staff).get(f"/admin/services/booking/export-day/?date={day}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert today.reference in text and entrepreneur.mobile in text
    assert other_day.reference not in text
    assert client_as(hall_staff).get("/admin/services/booking/export-day/?date=someday").status_code == 400


def test_it_refuses_a_capacity_below_the_places_booked(hall_staff, client_as):
    slot = SlotFactory(capacity=5, booked_count=3)
    start = timezone.localtime(slot.starts_at)
    end = timezone.localtime(slot.ends_at)
    response = client_as(hall_staff).post(
        f"/admin/services/slot/{slot.pk}/change/",
        {"bundle": slot.bundle_id, "item": "", "starts_at_0": f"{start:%Y-%m-%d}", "starts_at_1": f"{start:%H:%M:%S}",
         "ends_at_0": f"{end:%Y-%m-%d}", "ends_at_1": f"{end:%H:%M:%S}", "capacity": "2", "is_open": "on"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    slot.refresh_from_db()
    assert slot.capacity == 5


@pytest.mark.parametrize("model", ["material", "serviceitem", "bundle", "slot", "booking", "evaluation", "rectification"])
def test_it_shows_the_admin_lists_to_hall_staff(hall_staff, client_as, model):
    BookingFactory()
    client = client_as(hall_staff)
    assert client.get(f"/admin/services/{model}/").status_code == 200
    assert client.get(f"/admin/services/{model}/?q=abc").status_code == 200


def test_it_lets_hall_staff_add_a_bundle_with_ordered_items(hall_staff, client_as):
    first, second = ServiceItemFactory(code="licence"), ServiceItemFactory(code="food")
    unrelated = ServiceItemFactory(code="other")
    client = client_as(hall_staff)
    assert client.get("/admin/services/bundle/add/").status_code == 200
    data = {
        # The admin keeps the Chinese and the English side by side (django-modeltranslation).
        "name_zh_hans": "青创+餐饮企业一件事", "name_en": "Youth start-up + restaurant", "slug": "restaurant",
        "summary_zh_hans": "", "summary_en": "", "description_zh_hans": "", "description_en": "", "position": "0",
        "bundle_items-TOTAL_FORMS": "2", "bundle_items-INITIAL_FORMS": "0",
        "bundle_items-MIN_NUM_FORMS": "0", "bundle_items-MAX_NUM_FORMS": "1000",
        "bundle_items-0-position": "1", "bundle_items-0-item": first.pk, "bundle_items-0-requires": "",
        "bundle_items-1-position": "2", "bundle_items-1-item": second.pk, "bundle_items-1-requires": unrelated.pk,
    }
    response = client.post("/admin/services/bundle/add/", data)
    assert response.status_code == 200  # the dependency outside the bundle is refused
    data["bundle_items-1-requires"] = first.pk
    response = client.post("/admin/services/bundle/add/", data)
    assert response.status_code == 302
    from services.models import Bundle

    bundle = Bundle.objects.get(slug="restaurant")
    assert [e.item.code for e in bundle.bundle_items.all()] == ["licence", "food"]
    assert (bundle.name_zh_hans, bundle.name_en) == ("青创+餐饮企业一件事", "Youth start-up + restaurant")


def test_it_refuses_to_check_a_booking_in_on_another_day_from_the_admin(hall_staff, client_as):
    booking = BookingFactory(slot__starts_at=timezone.now() + timedelta(days=2))
    response = client_as(hall_staff).post(
        "/admin/services/booking/", {"action": "check_in", "_selected_action": [booking.pk]}, follow=True
    )
    assert response.status_code == 200
    assert booking.reference in response.content.decode()  # named in the refusal
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
