"""Journey 2: staff open slots in bulk in the admin, open a case with tasks for two departments from
the cases board, the officer completes a task from "my tasks", and the applicant sees the progress."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.cases.models import Case, CaseTask
from portal.roles import Role
from services.models import Slot
from tests.e2e.conftest import click_through, nav_go, sign_in
from tests.factories import TEST_PASSWORD, BundleFactory, DepartmentFactory, UserFactory


def _sign_out(page):
    from tests.e2e.conftest import open_menu

    open_menu(page)
    with page.expect_navigation():
        page.locator("#site-nav").get_by_role("button", name="Sign out").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", ["phone"], indirect=True)
def test_staff_open_slots_and_a_case_the_officer_finishes_a_task_the_applicant_follows(screen):
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    UserFactory(username="staff", display_name="王晓窗", is_staff=True, roles=[Role.HALL_STAFF])
    UserFactory(username="founder", display_name="林小创", roles=[Role.ENTREPRENEUR])
    market = DepartmentFactory(code="market", name="区市场监督管理局")
    fire = DepartmentFactory(code="fire", name="区消防救援大队")
    officer = UserFactory(username="officer", display_name="陈部门", is_staff=True, roles=[Role.DEPARTMENT_OFFICER])
    fire_officer = UserFactory(username="fire-officer", display_name="消防李工", is_staff=True,
                               roles=[Role.DEPARTMENT_OFFICER])
    market.officers.add(officer)
    fire.officers.add(fire_officer)
    page = screen
    page.goto(page.base_url + "/")
    page.locator(".language-switch button").click()
    page.wait_for_selector("html[lang=en]")

    sign_in(page, "staff", TEST_PASSWORD)
    nav_go(page, "Admin")
    page.locator("a[href='/admin/services/slot/']").first.click()
    page.get_by_role("link", name="Open slots in bulk").click()
    first = timezone.localdate() + timedelta(days=1)
    page.locator("#id_bundle").select_option(str(bundle.pk))
    page.locator("#id_date_from").fill(first.isoformat())
    page.locator("#id_date_to").fill((first + timedelta(days=6)).isoformat())
    for day in range(5):
        page.locator(f"#id_weekdays_{day}").check()
    page.locator("#id_times").fill("09:00-09:30, 10:00-10:30")
    page.locator("#id_capacity").fill("4")
    click_through(page, page.locator("input[type=submit][value='Open the slots']"))
    assert Slot.objects.filter(bundle=bundle).count() >= 8
    page.get_by_role("link", name="View site").click()

    nav_go(page, "Cases board")
    page.get_by_role("link", name="Open a case").click()
    page.locator("#id_title").fill("青禾餐饮开业堵点")
    page.locator("#id_description").fill("食品经营许可与消防检查需要衔接。")
    page.locator("#id_lead_department").select_option(str(market.pk))
    page.locator("#id_applicant").fill("founder")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))  # "**/cases/*/" would match /cases/new/ itself
    case = Case.objects.get(title="青禾餐饮开业堵点")
    for department, person, what in ((market, officer, "核发食品经营许可"), (fire, fire_officer, "出具消防检查意见")):
        page.locator("#id_department").select_option(str(department.pk))
        page.locator("#id_assignee").select_option(str(person.pk))
        page.locator("#id_description").fill(what)
        page.locator("#id_working_days").fill("5")
        click_through(page, page.get_by_role("button", name="Add the task"))
    assert case.tasks.count() == 2
    _sign_out(page)

    sign_in(page, "fire-officer", TEST_PASSWORD)
    nav_go(page, "My tasks")
    task = CaseTask.objects.get(case=case, department=fire)
    page.locator("details.complete-task summary").first.click()
    page.locator(f"#note-{task.pk}").fill("已现场检查并出具意见")
    page.locator("details.complete-task button[type=submit]").first.click()
    page.wait_for_selector(".message-success")
    task.refresh_from_db()
    assert task.status == CaseTask.Status.DONE
    _sign_out(page)

    sign_in(page, "founder", TEST_PASSWORD)
    section = page.locator("#my-cases")
    assert "青禾餐饮开业堵点" in section.inner_text()
    assert "1 of 2 tasks done" in section.inner_text()
