"""Journey 1: a new founder signs up, finds the restaurant bundle from the home page search, books
a slot by keyboard, downloads the calendar file, reschedules, is checked in and completed by staff
in the admin, and rates the service. Only the home page and sign-in are reached by typed URL."""
import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.roles import Role
from services.models import Booking, Evaluation
from tests.e2e.conftest import click_through, fits, nav_go, sign_in
from tests.factories import (
    TEST_PASSWORD,
    BundleFactory,
    BundleItemFactory,
    ServiceItemFactory,
    SlotFactory,
    UserFactory,
)


def _catalogue():
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    bundle.name_en = "Youth start-up + restaurant (one thing)"
    bundle.save()
    BundleItemFactory(bundle=bundle, item=ServiceItemFactory(code="licence", name="营业执照办理"), position=0)
    BundleFactory(slug="logistics", name="青创+物流一件事")
    # Two days on at 10:00 in the hall's time: the check-in below, 20 minutes before the start, is
    # on the slot's own day at any hour of the run (a start at the hall's midnight was not).
    start = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=2), time(10)))
    for hours in (0, 1, 2):
        SlotFactory(bundle=bundle, starts_at=start + timedelta(hours=hours), ends_at=start + timedelta(hours=hours, minutes=30))
    UserFactory(username="staff", display_name="王晓窗", is_staff=True, roles=[Role.HALL_STAFF])


def _sign_out(page):
    from tests.e2e.conftest import open_menu

    open_menu(page)
    with page.expect_navigation():
        page.locator("#site-nav").get_by_role("button", name="Sign out").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_founder_books_reschedules_is_served_and_rates(screen):
    _catalogue()
    page = screen
    page.goto(page.base_url + "/")
    page.locator(".language-switch button").click()  # one step to English
    page.wait_for_selector("html[lang=en]")

    nav_go(page, "Sign up")
    page.locator("#id_username").fill("newfounder")
    page.locator("#id_email").fill("new@example.com")
    page.locator("#id_password1").fill("Qingchuang-2026!")
    page.locator("#id_password2").fill("Qingchuang-2026!")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/me/")
    assert fits(page)

    page.get_by_role("link", name="Youth service hall").click()
    page.get_by_label("Search services and bundles").fill("餐饮")
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/?search=*")
    assert page.locator("a[href='/bundles/logistics/']").count() == 0
    page.locator("a[href='/bundles/restaurant/']").first.click()
    page.wait_for_url("**/bundles/restaurant/")
    assert fits(page)

    # By keyboard: the booking link, a time, the confirm button.
    page.locator("a[href='/bundles/restaurant/book/']").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/bundles/restaurant/book/")
    radios = page.locator("input[name=slot]")
    radios.nth(0).focus()
    page.keyboard.press("Space")
    assert radios.nth(0).is_checked()
    page.get_by_role("button", name="Confirm the booking").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bookings/\w+/\?booked=1"))
    assert page.locator("#booked").is_visible()  # the confirmation panel
    booking = Booking.objects.get(user__username="newfounder")
    first_slot = booking.slot_id
    assert page.locator("#reference").inner_text() == booking.reference

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    ics = open(download.value.path(), encoding="utf-8").read()
    assert "BEGIN:VCALENDAR" in ics and booking.reference in ics

    page.get_by_role("link", name="Move to another time").click()
    page.locator("input[name=slot]:not([disabled])").first.check()
    page.get_by_role("button", name="Move to this time").click()
    page.wait_for_url(f"**/bookings/{booking.reference}/")
    booking.refresh_from_db()
    assert booking.slot_id != first_slot and booking.status == "booked"

    # The hall: staff check the founder in and complete the visit in the admin.
    _sign_out(page)
    sign_in(page, "staff", TEST_PASSWORD)
    nav_go(page, "Admin")
    page.locator("a[href='/admin/services/booking/']").first.click()
    page.locator("#searchbar").fill(booking.reference)
    page.keyboard.press("Enter")
    # Check-in is open on the booking's own day only: the hall's clock moves to that morning.
    with time_machine.travel(booking.slot.starts_at - timedelta(minutes=20), tick=True):
        for action in ("check_in", "complete"):
            page.locator("input[name=_selected_action]").first.check()
            page.locator("select[name=action]").select_option(action)
            click_through(page, page.locator("button[name=index]"))
    booking.refresh_from_db()
    assert booking.status == "completed"

    page.get_by_role("link", name="View site").click()
    _sign_out(page)
    sign_in(page, "newfounder", "Qingchuang-2026!")
    nav_go(page, "My bookings")
    page.locator(f"a[href='/bookings/{booking.reference}/']").first.click()
    page.locator("#evaluation-form input[name=grade][value='5']").check()
    click_through(page, page.get_by_role("button", name="Send my evaluation"))
    assert Evaluation.objects.get(booking=booking, stage="completion").grade == 5
    assert fits(page)
