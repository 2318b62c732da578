"""The main flow on a 375 px phone, by keyboard: bundle page, slot picker, confirmation."""
from datetime import timedelta

import pytest

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
    page.wait_for_url("**/bookings/*/")

    booking = Booking.objects.get()
    assert booking.note == "青禾餐饮"
    assert page.locator("#reference").inner_text() == booking.reference
    assert page.locator("figure.qr svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
