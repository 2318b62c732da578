"""End-to-end journeys in Debian's Chromium through Playwright, at a phone's 375 px and a
desktop's 1280 px. A failing journey leaves a screenshot in E2E_SCREENSHOT_DIR (default
tmp/e2e-screenshots/) named after the test, so CI shows what the person saw."""
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _screenshot_dir() -> Path:
    return Path(os.environ.get("E2E_SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "tmp" / "e2e-screenshots")


@pytest.fixture(params=list(WIDTHS))
def screen(request, _browser, live_server):
    """A Playwright page at one of the two widths, pointed at the live server (Chinese first,
    as the hall's visitors meet it)."""
    width, height = WIDTHS[request.param]
    context = _browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    page.width = width
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = _screenshot_dir()
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    context.close()


def fits(page) -> bool:
    """No sideways scrolling of the whole page at this width."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.width


def open_menu(page) -> None:
    """On a phone the navigation sits behind the menu button; open it (by keyboard) if closed."""
    page.wait_for_load_state("load")  # nav.js (deferred) has set the button up
    button = page.locator(".menu-button")
    if button.is_visible() and button.get_attribute("aria-expanded") == "false":
        button.focus()
        page.keyboard.press("Enter")


def click_through(page, control) -> None:
    """Press a link or a form's button, and return once the page it leads to has loaded.

    `page.wait_for_load_state()` after a click is no wait at all: the page that is still showing
    has loaded already, so the next step can run against it (or the database can be read) before
    the form's answer arrives."""
    with page.expect_navigation():
        control.click()


def nav_go(page, label: str) -> None:
    """Reach a page from the header, as a person would."""
    open_menu(page)
    page.locator("#site-nav").get_by_role("link", name=label, exact=True).click()


def sign_in(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
