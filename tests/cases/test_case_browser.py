import pytest

from portal.cases.models import Case, CaseTask
from tests.factories import TEST_PASSWORD, CaseFactory, CaseTaskFactory, DepartmentFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_completes_a_task_on_a_phone(page):
    department = DepartmentFactory(code="fire", name="区消防救援大队", short_name="消防")
    officer = UserFactory(username="fire-officer", display_name="消防李工", is_staff=True)
    case = CaseFactory(lead_department=department, title="青禾餐饮开业堵点")
    task = CaseTaskFactory(case=case, department=department, assignee=officer, description="出具消防验收意见")

    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/")

    page.goto(page.base_url + "/cases/my-tasks/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "出具消防验收意见" in page.content()
    page.locator("details.complete-task summary").first.click()
    page.fill(f"#note-{task.pk}", "已现场验收并出具意见")
    page.locator("details.complete-task button[type=submit]").first.press("Enter")
    page.wait_for_load_state()
    page.wait_for_selector(".message-success")

    task.refresh_from_db()
    assert task.status == CaseTask.Status.DONE and task.note == "已现场验收并出具意见"
    assert Case.objects.get(pk=case.pk).status == Case.Status.DONE

    page.goto(page.base_url + f"/cases/{case.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "已现场验收并出具意见" in page.content()
