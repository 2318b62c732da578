"""The booking journey as people meet it (issue 11): the one-day-at-a-time slot picker, the cap on
active bookings per person, the cancel confirmation page, "book again", pages of items without
open times and the check-in button only while check-in is open."""
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from services import actions, booking_sql, selectors
from services.exceptions import BookingLimitReached
from services.models import Booking, Slot
from tests.factories import BookingFactory, BundleFactory, ServiceItemFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.django_db


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def bundle():
    return BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")


# --- the slot picker ---------------------------------------------------------------------------
def test_it_shows_one_day_at_a_time_with_a_strip_of_dates(client_as, entrepreneur, bundle):
    first = SlotFactory(bundle=bundle, starts_at=_at(2, 9), capacity=3, booked_count=1)
    second = SlotFactory(bundle=bundle, starts_at=_at(3, 9), capacity=4)
    page = client_as(entrepreneur).get("/bundles/restaurant/book/")
    strip = page.context["picker"]["strip"]
    assert [day["places"] for day in strip] == [2, 4]
    body = page.content.decode()
    assert f'href="?day={first.starts_at.date().isoformat()}#slot-picker"' in body.replace("&amp;", "&")
    # The first day is shown, the second is in the page but hidden until its date is chosen.
    shown = body.split(f'id="day-{timezone.localdate(second.starts_at).isoformat()}"')[1].split(">")[0]
    assert "hidden" in shown
    assert f'value="{first.pk}"' in body and f'value="{second.pk}"' in body
    assert 'src="/static/js/slot-picker.js"' in body and "<script>" not in body
    assert 'id="picker-bar"' in body


def test_it_opens_the_day_named_by_the_link_without_javascript(client_as, entrepreneur, bundle):
    SlotFactory(bundle=bundle, starts_at=_at(2, 9))
    later = SlotFactory(bundle=bundle, starts_at=_at(4, 14))
    key = timezone.localdate(later.starts_at).isoformat()
    page = client_as(entrepreneur).get(f"/bundles/restaurant/book/?day={key}")
    assert page.context["picker"]["shown"] == key
    body = page.content.decode()
    assert f'id="day-{key}" data-day="{key}">' in body  # not hidden
    assert 'aria-current="date"' in body.split(f'data-day="{key}"')[1].split("</a>")[0] or \
        f'data-day="{key}" data-places="5" aria-current="date"' in body


def test_it_starts_on_the_first_day_with_a_place_left_and_names_the_chosen_time(client_as, entrepreneur, bundle):
    SlotFactory(bundle=bundle, starts_at=_at(2, 9), capacity=1, booked_count=1)
    free = SlotFactory(bundle=bundle, starts_at=_at(3, 10))
    client = client_as(entrepreneur)
    assert client.get("/bundles/restaurant/book/").context["picker"]["shown"] == \
        timezone.localdate(free.starts_at).isoformat()
    page = client.get(f"/bundles/restaurant/book/?slot={free.pk}")
    assert page.context["picker"]["chosen_slot"] == free
    assert f'value="{free.pk}" checked' in page.content.decode()


def test_it_keeps_the_note_and_shows_the_error_beside_the_slot(client_as, entrepreneur, bundle):
    slot = SlotFactory(bundle=bundle, starts_at=_at(2, 9), capacity=1, booked_count=1)
    response = client_as(entrepreneur).post("/bundles/restaurant/book/", {"slot": slot.pk, "note": "青禾餐饮"})
    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="slot-errors"' in body and "青禾餐饮</textarea>" in body


# --- the cap on active bookings ------------------------------------------------------------------
def test_it_tells_a_person_with_an_active_booking_before_a_second(client_as, entrepreneur, bundle):
    mine = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    SlotFactory(bundle=bundle, starts_at=mine.slot.starts_at + timedelta(days=1))
    page = client_as(entrepreneur).get("/bundles/restaurant/book/")
    body = page.content.decode()
    assert 'id="already-booked"' in body and mine.reference in body
    assert 'data-at-limit="1"' in body
    assert 'id="picker-bar"' not in body  # no confirm button at the cap


def test_it_refuses_a_booking_beyond_the_cap_in_the_action_and_the_api(api_as, entrepreneur, bundle, english):
    mine = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    other = SlotFactory(bundle=bundle, starts_at=mine.slot.starts_at + timedelta(days=1))
    response = api_as(entrepreneur).post("/api/v1/bookings/", {"slot": other.pk, "bundle": bundle.slug}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "booking_limit_reached"
    assert mine.reference in response.json()["detail"]
    other.refresh_from_db()
    assert other.booked_count == 0 and Booking.objects.filter(user=entrepreneur).count() == 1


def test_it_counts_only_active_bookings_of_the_same_bundle(entrepreneur, bundle, settings):
    BookingFactory(user=entrepreneur, slot__bundle=bundle, status=Booking.Status.CANCELLED)
    BookingFactory(user=entrepreneur, slot__bundle=BundleFactory())
    # A booking left "booked" on a past day (nobody marked the no-show) does not block.
    BookingFactory(user=entrepreneur, slot__bundle=bundle, slot__starts_at=_at(-2, 9))
    slot = SlotFactory(bundle=bundle, starts_at=_at(2, 9))
    booking = actions.booking_create(slot=slot, bundle=bundle, by=entrepreneur)
    second = SlotFactory(bundle=bundle, starts_at=_at(3, 9))
    with pytest.raises(BookingLimitReached):
        actions.booking_create(slot=second, bundle=bundle, by=entrepreneur)
    settings.BOOKING_MAX_ACTIVE_PER_PERSON = 2
    actions.booking_create(slot=second, bundle=bundle, by=entrepreneur)
    settings.BOOKING_MAX_ACTIVE_PER_PERSON = 0
    actions.booking_create(slot=SlotFactory(bundle=bundle, starts_at=_at(4, 9)), bundle=bundle, by=entrepreneur)
    assert booking.status == Booking.Status.BOOKED


def test_the_bookings_own_check_sees_the_same_active_bookings_as_the_pages(entrepreneur, bundle, settings, english):
    """services.booking_sql (the booking's hand-written checks) and the selector the pages show
    agree on which bookings are active, and in which order; the refusal lists them so."""
    BookingFactory(user=entrepreneur, slot__bundle=bundle, slot__starts_at=_at(5, 9), reference="LATER234")
    sooner = BookingFactory(user=entrepreneur, slot__bundle=bundle, slot__starts_at=_at(2, 14), reference="SOONER23")
    BookingFactory(user=entrepreneur, slot__bundle=bundle, slot__starts_at=_at(0, 0, 5), status=Booking.Status.CHECKED_IN,
                   reference="TODAY234")  # checked in early today: still active
    BookingFactory(user=entrepreneur, slot__bundle=bundle, slot__starts_at=_at(3, 9), status=Booking.Status.CANCELLED)
    BookingFactory(user=entrepreneur, slot__bundle=bundle, slot__starts_at=_at(-1, 23, 55))  # yesterday's
    BookingFactory(user=entrepreneur, slot__bundle=BundleFactory(), slot__starts_at=_at(2, 9))  # another bundle
    BookingFactory(slot=sooner.slot)  # someone else in the same slot
    slot = SlotFactory(bundle=bundle, starts_at=_at(6, 9))

    shown = selectors.booking_active_for_subject(user=entrepreneur, bundle=bundle)
    assert [booking.reference for booking in shown] == ["TODAY234", "SOONER23", "LATER234"]
    assert booking_sql.active_bookings(user=entrepreneur, slot=slot) == [(b.slot_id, b.reference) for b in shown]
    settings.BOOKING_MAX_ACTIVE_PER_PERSON = 3
    with pytest.raises(BookingLimitReached) as refused:
        actions.booking_create(slot=slot, bundle=bundle, by=entrepreneur)
    assert "(TODAY234, SOONER23, LATER234)" in str(refused.value)
    slot.refresh_from_db()  # the refused booking took no place
    assert slot.booked_count == 0


@pytest.mark.parametrize("subject", ["bundle", "item"])
def test_the_hand_read_slot_is_the_slot_the_orm_reads(subject, bundle, english, django_assert_num_queries):
    """selectors.slot_get (hand-written in services.booking_sql) gives the same slot, bundle and
    item as the ORM's select_related, every field with the type the ORM gives it."""
    item = ServiceItemFactory(bookable=True, name="食品经营许可", name_en="Food licence")
    slot = SlotFactory(bundle=bundle if subject == "bundle" else None, item=item if subject == "item" else None,
                       starts_at=_at(2, 9, 30), capacity=7, booked_count=3, is_open=False)
    expected = Slot.objects.select_related("bundle", "item").get(pk=slot.pk)
    got = selectors.slot_get(slot_id=str(slot.pk))

    def fields(instance):
        return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}

    assert fields(got) == fields(expected)
    assert {name: type(value) for name, value in fields(got).items()} == \
        {name: type(value) for name, value in fields(expected).items()}
    assert got.starts_at == _at(2, 9, 30) and got.starts_at.tzinfo is not None and got.is_open is False
    with django_assert_num_queries(0):  # loaded with the slot
        if subject == "bundle":
            assert got.item is None and fields(got.bundle) == fields(expected.bundle)
            assert str(got.subject) == "青创+餐饮企业一件事"
        else:
            assert got.bundle is None and fields(got.item) == fields(expected.item)
            assert got.item.name == "Food licence"  # the English column, in English
    assert got.remaining == 4


def test_the_hand_written_inserts_write_the_booking_and_its_history_as_save_would(entrepreneur, bundle):
    """booking_sql.insert (the booking's two INSERTs): every field stored as given or defaulted,
    both times stamped, and the instance in hand the row in the database."""
    slot = SlotFactory(bundle=bundle, starts_at=_at(2, 9))
    before = timezone.now()
    booking = actions.booking_create(slot=slot, bundle=bundle, note="青禾餐饮 ✓", by=entrepreneur)
    stored = Booking.objects.get(pk=booking.pk)
    assert {f.attname: getattr(booking, f.attname) for f in Booking._meta.concrete_fields} == \
        {f.attname: getattr(stored, f.attname) for f in Booking._meta.concrete_fields}
    assert (stored.status, stored.note, stored.user, stored.slot, stored.settled_in_one_visit) == \
        (Booking.Status.BOOKED, "青禾餐饮 ✓", entrepreneur, slot, None)
    assert before <= stored.created_at <= timezone.now() and stored.updated_at >= stored.created_at
    assert not booking._state.adding
    (event,) = stored.events.all()
    assert (event.from_status, event.to_status, event.by, event.note) == ("", Booking.Status.BOOKED, entrepreneur, "")
    assert before <= event.at <= timezone.now()


def test_it_applies_the_cap_per_item_too(entrepreneur):
    item = ServiceItemFactory(bookable=True)
    actions.booking_create(slot=SlotFactory(bundle=None, item=item, starts_at=_at(2, 9)), item=item, by=entrepreneur)
    with pytest.raises(BookingLimitReached):
        actions.booking_create(slot=SlotFactory(bundle=None, item=item, starts_at=_at(3, 9)), item=item, by=entrepreneur)
    other = UserFactory()
    actions.booking_create(slot=SlotFactory(bundle=None, item=item, starts_at=_at(3, 10)), item=item, by=other)


# --- cancelling on a page of its own -------------------------------------------------------------
def test_it_asks_before_cancelling_and_cancels_only_on_post(client_as, entrepreneur, bundle):
    booking = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    client = client_as(entrepreneur)
    detail = client.get(f"/bookings/{booking.reference}/").content.decode()
    assert f'href="/bookings/{booking.reference}/cancel/"' in detail
    page = client.get(f"/bookings/{booking.reference}/cancel/")
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    response = client.post(f"/bookings/{booking.reference}/cancel/", {"confirm": "1"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_it_hides_the_qr_code_and_calendar_of_a_cancelled_booking_and_offers_book_again(client_as, entrepreneur,
                                                                                        bundle):
    booking = BookingFactory(user=entrepreneur, slot__bundle=bundle, status=Booking.Status.CANCELLED)
    body = client_as(entrepreneur).get(f"/bookings/{booking.reference}/").content.decode()
    assert "<svg" not in body
    assert "calendar.ics" not in body
    assert 'id="book-again" href="/bundles/restaurant/book/"' in body
    active = BookingFactory(user=entrepreneur, slot__bundle=bundle, slot__starts_at=_at(5, 9))
    body = client_as(entrepreneur).get(f"/bookings/{active.reference}/").content.decode()
    assert "<svg" in body and "calendar.ics" in body and 'id="book-again"' not in body


def test_it_keeps_another_persons_booking_cancel_page_hidden(client_as, bundle):
    booking = BookingFactory(slot__bundle=bundle)
    assert client_as(UserFactory()).get(f"/bookings/{booking.reference}/cancel/").status_code == 404


# --- items and bundles without open times --------------------------------------------------------
def test_it_says_so_on_an_item_page_without_open_times_instead_of_offering_book(client):
    item = ServiceItemFactory(code="seal", bookable=True)
    body = client.get("/services/seal/").content.decode()
    assert 'data-bookable="0"' in body and "/services/seal/book/" not in body
    SlotFactory(bundle=None, item=item, starts_at=timezone.now() + timedelta(days=40))
    body = client.get("/services/seal/").content.decode()
    assert 'data-bookable="0"' in body and "/services/seal/book/" not in body
    assert f'data-next-open="{timezone.localdate(timezone.now() + timedelta(days=40)).isoformat()}"' in body
    SlotFactory(bundle=None, item=item, starts_at=_at(2, 9))
    body = client.get("/services/seal/").content.decode()
    assert 'data-bookable="1"' in body and "/services/seal/book/" in body


def test_it_says_so_on_a_bundle_page_without_open_times(client, bundle):
    SlotFactory(bundle=bundle, starts_at=_at(2, 9), capacity=1, booked_count=1)  # full: nothing to book
    body = client.get("/bundles/restaurant/").content.decode()
    assert 'data-bookable="0"' in body and "/bundles/restaurant/book/" not in body


# --- check-in ---------------------------------------------------------------------------------
def test_it_shows_the_check_in_button_only_while_check_in_is_open(client_as, entrepreneur, settings):
    settings.QUEUE_CHECK_IN_EARLY_MINUTES = 60
    booking = BookingFactory(user=entrepreneur, slot__starts_at=_at(1, 14))
    url = f"/bookings/{booking.reference}/"
    check_in = f"/bookings/{booking.reference}/check-in/"
    client = client_as(entrepreneur)
    with time_machine.travel(_at(0, 14), tick=False):  # the day before
        assert check_in not in client.get(url).content.decode()
    with time_machine.travel(_at(1, 9), tick=False):  # its day, before the window
        body = client.get(url).content.decode()
        assert check_in not in body and 'id="check-in-opens"' in body
    with time_machine.travel(_at(1, 13, 30), tick=False):
        assert check_in in client.get(url).content.decode()


def test_it_shows_the_day_of_the_refused_time_after_a_post(client_as, entrepreneur, bundle):
    SlotFactory(bundle=bundle, starts_at=_at(2, 9))
    full = SlotFactory(bundle=bundle, starts_at=_at(4, 9), capacity=1, booked_count=1)
    first_day = timezone.localdate(_at(2, 9)).isoformat()
    response = client_as(entrepreneur).post(f"/bundles/restaurant/book/?day={first_day}", {"slot": full.pk})
    assert response.status_code == 409
    assert response.context["picker"]["shown"] == timezone.localdate(full.starts_at).isoformat()
