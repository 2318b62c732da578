"""The main flow on a 375 px phone, by keyboard: bundle page, slot picker, confirmation."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from services.models import Booking
from tests.factories import (
    TEST_PASSWORD,
    BundleFactory,
    BundleItemFactory,
    ServiceItemFactory,
    SlotFactory,
    UserFactory,
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_books_a_bundle_by_keyboard_on_a_phone(page):
    UserFactory(username="founder", display_name="林小创")
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    BundleItemFactory(bundle=bundle, item=ServiceItemFactory(code="licence", name="营业执照办理"))
    full = SlotFactory(bundle=bundle, capacity=1, booked_count=1)
    SlotFactory(bundle=bundle, capacity=4, starts_at=full.starts_at + timedelta(hours=1))

    page.goto(page.base_url + "/accounts/login/?next=/bundles/restaurant/")
    page.get_by_label("用户名").fill("founder")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + "/bundles/restaurant/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "营业执照办理" in page.content()

    page.locator("a[href='/bundles/restaurant/book/']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + "/bundles/restaurant/book/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    radios = page.locator("input[name=slot]")
    assert radios.count() == 2
    assert radios.nth(0).is_disabled()  # the full slot cannot be chosen
    radios.nth(1).focus()
    page.keyboard.press("Space")
    assert radios.nth(1).is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("青禾餐饮")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bookings/\w+/\?booked=1"))

    booking = Booking.objects.get()
    assert booking.note == "青禾餐饮"
    assert page.locator("#reference").inner_text() == booking.reference
    assert page.locator("figure.qr svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375



@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_switches_days_by_keyboard_and_cancels_on_a_page_of_its_own(page):
    user = UserFactory(username="founder", display_name="林小创")
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    first = SlotFactory(bundle=bundle, capacity=2)
    later = SlotFactory(bundle=bundle, capacity=3, starts_at=first.starts_at + timedelta(days=1),
                        ends_at=first.ends_at + timedelta(days=1))

    page.goto(page.base_url + "/accounts/login/?next=/bundles/restaurant/book/")
    assert page.locator("#login-reason").is_visible()  # why sign-in is asked for
    page.get_by_label("用户名").fill("founder")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + "/bundles/restaurant/book/")
    page.wait_for_load_state("load")  # slot-picker.js (deferred)
    assert page.locator(f"input[value='{first.pk}']").is_visible()
    assert not page.locator(f"input[value='{later.pk}']").is_visible()  # one day at a time
    # The second date of the strip, by keyboard: its times show in place, the first day's hide.
    page.locator(".day-tab").nth(1).focus()
    page.keyboard.press("Enter")
    assert page.locator(f"input[value='{later.pk}']").is_visible()
    assert not page.locator(f"input[value='{first.pk}']").is_visible()
    assert page.locator(".day-tab").nth(1).get_attribute("aria-current") == "date"
    page.locator(f"input[value='{later.pk}']").focus()
    page.keyboard.press("Space")
    # The bar names the chosen time.
    assert timezone.localtime(later.starts_at).strftime("%H:%M") in page.locator("#picker-chosen").inner_text()
    assert page.locator("#picker-bar button").is_visible()  # the confirm button stays in view
    page.locator("#picker-bar button").click()
    page.wait_for_url(re.compile(r"/bookings/\w+/\?booked=1"))
    booking = Booking.objects.get(user=user)
    assert booking.slot_id == later.pk

    # Cancelling asks first, on its own page; the cancelled booking offers "book again".
    page.locator(f"a[href='/bookings/{booking.reference}/cancel/']").click()
    page.wait_for_url(page.base_url + f"/bookings/{booking.reference}/cancel/")
    booking.refresh_from_db()
    assert booking.status == "booked"
    page.locator("button[name=confirm]").click()
    page.wait_for_url(page.base_url + f"/bookings/{booking.reference}/")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert page.locator("figure.qr").count() == 0
    assert page.locator("#book-again").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
