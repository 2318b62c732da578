"""Journey: on a phone (375 px), a founder gives a bad review (不满意) of a completed booking; the
department's officer finds the rectification from the header, records the callback and the
outcome; the founder reads it from the booking page and accepts it."""
import pytest
from django.utils import timezone

from portal.roles import Role
from services.models import Rectification
from tests.e2e.conftest import click_through, fits, open_menu, sign_in
from tests.e2e.test_accessibility import _violations
from tests.factories import (
    TEST_PASSWORD,
    BookingFactory,
    DepartmentFactory,
    ServiceItemFactory,
    SlotFactory,
    UserFactory,
)


def _sign_out(page):
    open_menu(page)
    with page.expect_navigation():
        page.locator("#site-nav form[action='/accounts/logout/'] button").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_bad_review_from_the_phone_is_rectified_and_accepted(page):
    page.width = 375  # the phone viewport of the ``page`` fixture
    department = DepartmentFactory(code="market", name="区市场监督管理局", short_name="市场监管")
    officer = UserFactory(username="officer", display_name="陈部门", is_staff=True, roles=[Role.DEPARTMENT_OFFICER])
    department.officers.add(officer)
    founder = UserFactory(username="founder", display_name="林小创", roles=[Role.ENTREPRENEUR])
    item = ServiceItemFactory(code="food-licence", name="食品经营许可", department=department)
    booking = BookingFactory(user=founder, status="completed",
                             slot=SlotFactory(bundle=None, item=item, starts_at=timezone.now()))

    # The founder, on the phone: the booking page's evaluation form, a bad grade and a comment.
    sign_in(page, "founder", TEST_PASSWORD)
    page.goto(page.base_url + f"/bookings/{booking.reference}/")
    form = page.locator("#evaluation-form")
    assert form.get_attribute("data-stage") == "completion"
    assert _violations(page) == []
    form.locator("input[name=grade][value='2']").check()
    form.locator("textarea[name=comment]").fill("补充材料要求没讲清楚，来回跑了两趟")
    click_through(page, form.locator("button[type=submit]"))  # the booking's page again
    assert page.locator("#my-rectification").is_visible()
    assert fits(page)
    rectification = Rectification.objects.get()
    assert rectification.department == department

    # The officer reaches the department's rectifications from the header.
    _sign_out(page)
    sign_in(page, "officer", TEST_PASSWORD)
    open_menu(page)
    page.locator("#site-nav a[href='/rectifications/']").click()
    page.wait_for_url("**/rectifications/")
    assert fits(page)
    assert _violations(page) == []
    click_through(page, page.locator(f"a[href='/rectifications/{rectification.pk}/']"))
    assert _violations(page) == []
    callback = page.locator("#callback-form")
    callback.locator("input[name=contacted][value=yes]").check()
    callback.locator("textarea[name=note]").fill("电话回访：窗口未出具书面补正清单")
    click_through(page, callback.locator("button[type=submit]"))  # the rectification's page again
    outcome = page.locator("#outcome-form")
    # Without its text the outcome is refused, and nothing changes.
    outcome.locator("input[name=outcome][value=rectified]").check()
    click_through(page, outcome.locator("button[type=submit]"))
    rectification.refresh_from_db()
    assert rectification.status == "called_back"
    outcome = page.locator("#outcome-form")
    outcome.locator("input[name=outcome][value=rectified]").check()
    outcome.locator("textarea[name=text]").fill("补正材料一律一次性书面告知，并在青年专区张贴清单")
    click_through(page, outcome.locator("button[type=submit]"))  # the rectification's page again
    assert page.locator("#outcome").is_visible()
    assert fits(page)

    # The founder reads the outcome from the booking page and accepts it.
    _sign_out(page)
    sign_in(page, "founder", TEST_PASSWORD)
    page.goto(page.base_url + f"/bookings/{booking.reference}/")
    page.locator("#my-rectification").click()
    page.wait_for_url(f"**/rectifications/{rectification.pk}/")
    assert "一次性书面告知" in page.locator("#outcome").inner_text()
    assert _violations(page) == []
    response = page.locator("#response-form")
    response.locator("input[name=accepted][value=yes]").check()
    click_through(page, response.locator("button[type=submit]"))  # the rectification's page again
    assert fits(page)
    rectification.refresh_from_db()
    assert rectification.status == "accepted"
    assert page.locator("#rectification").get_attribute("data-status") == "accepted"
