"""Journey 4: a golden idea is submitted, supported by another person, accepted, assigned,
answered and adopted by the hall, and the public ledger shows it, without the submitter's name."""
import pytest

from portal.roles import Role
from suggestions.models import Suggestion
from tests.e2e.conftest import click_through, nav_go, sign_in
from tests.factories import TEST_PASSWORD, DepartmentFactory, UserFactory


def _sign_out(page):
    from tests.e2e.conftest import open_menu

    open_menu(page)
    with page.expect_navigation():
        page.locator("#site-nav").get_by_role("button", name="Sign out").click()


def _move(page, to: str, **fields) -> None:
    page.locator("#id_to").select_option(to)
    if "department" in fields:
        page.locator("#id_department").select_option(value=fields["department"])
    if "answer" in fields:
        page.locator("#id_answer").fill(fields["answer"])
    with page.expect_navigation():
        page.get_by_role("button", name="Move", exact=True).click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", ["desktop"], indirect=True)
def test_an_idea_goes_from_submission_to_adoption_and_the_ledger_shows_it(screen):
    UserFactory(username="founder", display_name="林小创", roles=[Role.ENTREPRENEUR])
    UserFactory(username="founder2", display_name="王二创", roles=[Role.ENTREPRENEUR])
    UserFactory(username="staff", display_name="王晓窗", is_staff=True, roles=[Role.HALL_STAFF])
    department = DepartmentFactory(code="market", name="区市场监督管理局")
    department.name_en = "District Market Regulation Bureau"
    department.save()
    page = screen
    page.goto(page.base_url + "/")
    page.locator(".language-switch button").click()
    page.wait_for_selector("html[lang=en]")

    sign_in(page, "founder", TEST_PASSWORD)
    nav_go(page, "Golden ideas")
    page.locator("a.button[href='/ideas/new/']").click()
    page.locator("#id_kind_0").check()
    page.locator("#id_category").select_option("service")
    page.locator("#id_title").fill("青年专区周六上午开放")
    page.locator("#id_content").fill("很多创业青年工作日走不开，建议青年专区周六上午也能办事。")
    page.locator("#id_content").press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ideas/JDZ-*/")
    entry = Suggestion.objects.get(title="青年专区周六上午开放")
    _sign_out(page)

    sign_in(page, "founder2", TEST_PASSWORD)
    nav_go(page, "Golden ideas")
    page.get_by_role("link", name="青年专区周六上午开放").first.click()
    click_through(page, page.get_by_role("button", name="Me too"))
    assert entry.supports.count() == 1
    _sign_out(page)

    sign_in(page, "staff", TEST_PASSWORD)
    nav_go(page, "Golden ideas")
    page.get_by_role("link", name="青年专区周六上午开放").first.click()
    _move(page, "accepted")
    _move(page, "assigned", department=str(department.pk))
    _move(page, "answered", answer="From next month the youth zone opens on Saturday mornings.")
    _move(page, "adopted")
    entry.refresh_from_db()
    assert entry.status == "adopted"
    _sign_out(page)

    nav_go(page, "Golden ideas")
    page.get_by_role("link", name="青年专区周六上午开放").first.click()
    body = page.content()
    assert "Adopted" in body and "opens on Saturday mornings" in body
    assert "林小创" not in body and "王二创" not in body
