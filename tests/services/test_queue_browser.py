"""The calling screen on the hall's TV picks up a window's call by itself (meta refresh)."""
import pytest
from playwright.sync_api import expect

from services import actions
from tests.factories import TEST_PASSWORD
from tests.services.queue_setup import hall, window_staff


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_a_call_on_the_screen_when_a_window_calls(page, _browser, live_server, settings):
    settings.QUEUE_SCREEN_REFRESH_SECONDS = 1
    clerk = window_staff("clerk")
    _zone, window, item = hall(staff=clerk)
    actions.queue_walk_in(item=item, by=window_staff("desk"))

    # The TV: no sign-in, a wide screen.
    tv = _browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN").new_page()
    tv.goto(live_server.url + "/hall/screen/")
    assert tv.locator("#window-3 .screen-number").inner_text() == "—"

    # The clerk at window 3, on a 375 px screen, by keyboard.
    page.goto(page.base_url + f"/accounts/login/?next=/hall/windows/{window.pk}/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + f"/hall/windows/{window.pk}/")
    page.locator("button.queue-call").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#current-number")
    assert page.locator("#current-number").inner_text() == "A001"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Nobody touches the TV: it reloads itself and shows the call.
    expect(tv.locator("#window-3 .screen-number")).to_have_text("A001", timeout=10_000)
    assert "A001" in tv.locator("#latest").inner_text()
    assert tv.locator("#window-3").get_attribute("class") == "screen-now"
    tv.context.close()
