"""Under the Content-Security-Policy the pages, the admin and the API docs still work in a real
browser, and the browser reports no violation (a blocked inline script or style, another host)."""
import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD
from services.models import Booking

# Runs before any page script; the browser fires this event for every blocked resource or inline.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + (event.sourceFile || ""));
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation the browser reports gathered in page.violations."""
    page.violations = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page.violations.append(message.text)

    page.on("console", on_console)
    page.add_init_script(LISTEN)
    return page


def _visit(page, path: str) -> None:
    response = page.goto(page.base_url + path)
    assert response.status < 400, (path, response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    _collect(page, path)


def _collect(page, where: str) -> None:
    for violation in page.evaluate("window.__csp || []"):
        page.violations.append(f"{where}: {violation}")


def _sign_in(page, username: str, url: str = "/accounts/login/") -> None:
    page.goto(page.base_url + url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_site_the_admin_and_the_api_docs_work_without_csp_violations(watched):
    page = watched
    call_command("seed_demo")

    _visit(page, "/")
    _visit(page, "/accounts/login/")
    _visit(page, "/accounts/signup/")
    _visit(page, "/services/")

    _sign_in(page, "founder")
    _visit(page, "/ideas/new/")
    assert page.locator("#id_title").is_visible()
    _visit(page, "/me/")
    page.context.clear_cookies()

    _sign_in(page, "staff", "/admin/login/")
    _visit(page, "/admin/")
    assert page.locator("#site-name").is_visible()
    _visit(page, "/admin/suggestions/suggestion/")
    _visit(page, "/admin/services/booking/")
    booking = Booking.objects.order_by("pk").first()
    _visit(page, f"/admin/services/booking/{booking.pk}/change/")
    _visit(page, "/admin/services/slot/open/")
    _visit(page, "/admin/cases/case/")
    _visit(page, "/dashboard/")
    # The admin's own scripts run: the changelist's "select all" box ticks every row's box.
    page.goto(page.base_url + "/admin/suggestions/suggestion/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() == page.locator("input.action-select").count() > 0
    _collect(page, "admin actions")
    # The date widgets' scripts run too: the calendar opens beside the date field.
    _visit(page, "/admin/services/slot/add/")
    page.locator("#calendarlink0").click()
    assert page.locator("#calendarbox0").is_visible()
    _collect(page, "admin calendar")

    page.goto(page.base_url + "/api/docs/")
    page.wait_for_selector(".opblock", timeout=15_000)
    operations = page.locator(".opblock").count()
    assert operations > 20  # Swagger UI rendered the schema's operations
    assert page.locator(".opblock-summary-path").first.is_visible()
    _collect(page, "/api/docs/")

    assert page.violations == []
