"""Journey 5: axe-core finds no serious or critical violation on the pages of the crawl, in both
languages, at both widths. axe-core is the copy shipped in the axe-playwright-python package."""
from pathlib import Path

import axe_playwright_python
import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD
from tests.e2e.conftest import click_through, sign_in

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")

PUBLIC = ["/", "/services/", "/bundles/restaurant/", "/services/r01/", "/teams/", "/teams/vanguard/",
          "/activities/", "/ideas/", "/leaderboard/", "/dashboard/", "/accounts/login/", "/accounts/signup/"]
SIGNED_IN = ["/me/", "/bookings/", "/ideas/new/", "/ideas/JDZ-2026-0001/"]
# Pages of other roles: the member's points and achievements (cards on a phone), the staff's
# case board and a case, the pre-check list and the desk (queue times).
ROLES = {"member": ["/points/me/", "/points/achievements/", "/ratings/"],
         "staff": ["/cases/", "/cases/1/", "/precheck/", "/hall/desk/", "/services/?stage=bogus"]}


def _violations(page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_serious_violation_in_either_language(screen):
    call_command("seed_demo", verbosity=0)
    problems = {}
    for language in ("zh-hans", "en"):
        if language == "en":
            screen.goto(screen.base_url + "/")
            click_through(screen, screen.locator(".language-switch button"))
        for url in PUBLIC:
            screen.goto(screen.base_url + url)
            if found := _violations(screen):
                problems[f"{language} {url}"] = found
    sign_in(screen, "founder", DEMO_PASSWORD)
    from services.models import Booking

    booked = Booking.objects.filter(user__username="founder", status="booked").order_by("id").first()
    # The slot picker (one day at a time), the cancel confirmation page and the 404 page.
    extra = ["/bundles/restaurant/book/", "/no-such-page/"] + ([f"/bookings/{booked.reference}/cancel/"] if booked else [])
    for url in SIGNED_IN + extra:
        screen.goto(screen.base_url + url)
        if found := _violations(screen):
            problems[f"signed in {url}"] = found
    for username, urls in ROLES.items():
        screen.context.clear_cookies()
        sign_in(screen, username, DEMO_PASSWORD)
        for url in urls:
            screen.goto(screen.base_url + url)
            if found := _violations(screen):
                problems[f"{username} {url}"] = found
    assert problems == {}
