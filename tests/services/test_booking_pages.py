"""The people's pages: catalogue, item and bundle pages, slot picker, confirmation, my bookings."""
from datetime import timedelta

import pytest
from django.utils import timezone

from services.models import Booking, Step
from tests.factories import (
    BookingFactory,
    BundleFactory,
    BundleItemFactory,
    MaterialFactory,
    ServiceItemFactory,
    SlotFactory,
    StepFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(department):
    id_card = MaterialFactory(name="身份证")
    licence = ServiceItemFactory(code="licence", name="营业执照办理", department=department, materials=[id_card])
    food = ServiceItemFactory(
        code="food", name="食品经营许可", department=department, materials=[id_card, MaterialFactory(name="平面图")]
    )
    for item in (licence, food):
        StepFactory(item=item, name="受理", kind=Step.Kind.JOINT)
        StepFactory(item=item, name="审查", kind=Step.Kind.OWN)
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    BundleItemFactory(bundle=bundle, item=licence, position=1)
    BundleItemFactory(bundle=bundle, item=food, position=2, requires=licence)
    return bundle


def test_it_shows_the_catalogue_with_bundles_and_items(client, bundle):
    response = client.get("/services/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "青创+餐饮企业一件事" in content
    assert "营业执照办理" in content and "食品经营许可" in content
    assert "25%" in content  # 4 steps item by item, 3 as one thing


def test_it_filters_the_catalogue_and_answers_400_for_nonsense(client, bundle):
    ServiceItemFactory(code="flat", name="人才公寓申请", stage="housing")
    content = client.get("/services/?stage=housing").content.decode()
    assert "人才公寓申请" in content and "营业执照办理" not in content
    content = client.get("/services/?search=食品").content.decode()
    assert "食品经营许可" in content and "人才公寓申请" not in content
    response = client.get("/services/?stage=moon")
    assert response.status_code == 400
    assert "moon" in response.content.decode()


def test_it_renders_the_catalogue_with_a_fixed_number_of_queries(client, department, django_assert_max_num_queries):
    def grow(count):
        for _n in range(count):
            bundle = BundleFactory()
            for _m in range(2):
                BundleItemFactory(bundle=bundle, item=ServiceItemFactory(department=department))

    grow(2)
    with django_assert_max_num_queries(10):
        assert client.get("/services/").status_code == 200
    grow(20)
    with django_assert_max_num_queries(10):
        assert client.get("/services/").status_code == 200


def test_it_shows_a_bundle_with_its_savings_and_materials_once(client, bundle):
    response = client.get("/bundles/restaurant/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("身份证") == 1
    assert "平面图" in content
    assert "营业执照办理" in content
    assert client.get("/bundles/nothing/").status_code == 404


def test_it_shows_an_item_with_materials_and_steps(client, bundle):
    content = client.get("/services/food/").content.decode()
    assert "平面图" in content and "受理" in content and "审查" in content
    assert client.get("/services/nothing/").status_code == 404


def test_it_sends_people_to_sign_in_before_booking(client, bundle):
    response = client.get("/bundles/restaurant/book/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_books_through_the_slot_picker_and_confirms(client_as, entrepreneur, bundle):
    slot = SlotFactory(bundle=bundle, capacity=3)
    client = client_as(entrepreneur)
    picker = client.get("/bundles/restaurant/book/").content.decode()
    assert f'value="{slot.pk}"' in picker
    response = client.post("/bundles/restaurant/book/", {"slot": slot.pk, "note": "青禾餐饮"})
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.reference}/?booked=1#booked"
    page = client.get(response["Location"]).content.decode()
    assert booking.reference in page
    assert 'id="booked"' in page
    assert 'id="booked"' not in client.get(f"/bookings/{booking.reference}/").content.decode()
    assert "<svg" in page
    assert f"/bookings/{booking.reference}/calendar.ics" in page
    assert "身份证" in page and "平面图" in page
    assert client.get(f"/bookings/{booking.reference}/calendar.ics")["Content-Type"].startswith("text/calendar")


def test_it_says_so_in_the_page_when_the_slot_is_full(client_as, entrepreneur, bundle):
    slot = SlotFactory(bundle=bundle, capacity=1, booked_count=1)
    response = client_as(entrepreneur).post("/bundles/restaurant/book/", {"slot": slot.pk})
    assert response.status_code == 409
    assert "role=\"alert\"" in response.content.decode()
    assert not Booking.objects.exists()


def test_it_answers_in_the_page_for_a_missing_or_foreign_slot(client_as, entrepreneur, bundle):
    other = SlotFactory(bundle=BundleFactory())
    client = client_as(entrepreneur)
    assert client.post("/bundles/restaurant/book/", {"slot": other.pk}).status_code == 400
    assert client.post("/bundles/restaurant/book/", {}).status_code == 400
    assert client.post("/bundles/restaurant/book/", {"slot": "x"}).status_code == 400
    assert not Booking.objects.exists()


def test_it_hides_other_peoples_bookings_in_pages(client_as, entrepreneur, other_entrepreneur):
    booking = BookingFactory(user=other_entrepreneur)
    client = client_as(entrepreneur)
    assert client.get(f"/bookings/{booking.reference}/").status_code == 404
    assert client.post(f"/bookings/{booking.reference}/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_it_cancels_from_the_booking_page(client_as, entrepreneur):
    booking = BookingFactory(user=entrepreneur)
    client = client_as(entrepreneur)
    response = client.post(f"/bookings/{booking.reference}/cancel/", follow=True)
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_it_shows_the_cut_off_message_instead_of_cancelling(client_as, entrepreneur, settings):
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 24 * 7
    booking = BookingFactory(user=entrepreneur)
    client = client_as(entrepreneur)
    page = client.get(f"/bookings/{booking.reference}/cancel/")
    assert page.status_code == 200 and page.context["can_cancel"] is False
    assert 'name="confirm"' not in page.content.decode()
    response = client.post(f"/bookings/{booking.reference}/cancel/")
    assert response.status_code == 409
    assert 'id="cancel-error"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_it_reschedules_from_the_page(client_as, entrepreneur, bundle):
    booking = BookingFactory(user=entrepreneur, slot__bundle=bundle)
    new = SlotFactory(bundle=bundle, starts_at=booking.slot.starts_at + timedelta(days=1))
    client = client_as(entrepreneur)
    assert f'value="{new.pk}"' in client.get(f"/bookings/{booking.reference}/reschedule/").content.decode()
    response = client.post(f"/bookings/{booking.reference}/reschedule/", {"slot": new.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.slot == new


def test_it_lists_my_bookings_on_my_page_and_the_bookings_page(client_as, entrepreneur, other_entrepreneur):
    mine = BookingFactory(user=entrepreneur)
    theirs = BookingFactory(user=other_entrepreneur)
    client = client_as(entrepreneur)
    for url in ["/me/", "/bookings/"]:
        content = client.get(url).content.decode()
        assert mine.reference in content
        assert theirs.reference not in content
    assert client.get("/bookings/?status=lost").status_code == 400


def test_it_lists_my_bookings_with_a_fixed_number_of_queries(client_as, entrepreneur, django_assert_max_num_queries):
    client = client_as(entrepreneur)
    BookingFactory.create_batch(2, user=entrepreneur)
    with django_assert_max_num_queries(12):
        assert client.get("/bookings/").status_code == 200
    for n in range(15):
        BookingFactory(user=entrepreneur, slot__starts_at=timezone.now() + timedelta(days=1, hours=n))
    with django_assert_max_num_queries(12):
        assert client.get("/bookings/").status_code == 200
