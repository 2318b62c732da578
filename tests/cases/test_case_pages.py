"""Case pages: the board, the case page, "my tasks", the personal page, the admin, the dashboard."""
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.cases import actions
from portal.cases.models import Case, CaseTask
from portal.dashboard import dashboard_all
from tests.factories import CaseFactory, CaseTaskFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 3, 2, 10, 0))


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(hall_staff, department, entrepreneur):
    return CaseFactory(lead_department=department, opened_by=hall_staff, applicant=entrepreneur,
                       title="青禾餐饮开业堵点")


@pytest.fixture
def task(case, officer, department):
    return CaseTaskFactory(case=case, department=department, assignee=officer, description="出具消防验收意见")


def test_it_shows_the_board_with_overdue_tasks_first(client_as, hall_staff, case, officer, department):
    late = CaseTaskFactory(case=case, department=department, assignee=officer, description="逾期的任务",
                           due_at=timezone.make_aware(datetime(2026, 2, 27, 23, 59, 59)))
    CaseTaskFactory(case=case, department=department, assignee=officer, description="下周的任务")
    page = client_as(hall_staff).get(reverse("cases:case_board"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("逾期的任务") < html.index("下周的任务")
    assert 'class="overdue"' in html
    assert late.case.title in html


def test_it_filters_the_board_and_shows_bad_filters(client_as, hall_staff, task):
    page = client_as(hall_staff).get(reverse("cases:case_board"), {"department": "nowhere"})
    assert page.status_code == 400  # as every list page answers a bad filter value
    assert 'class="error" id="id_department_error"' in page.content.decode()


def test_it_keeps_the_board_from_founders(client, client_as, entrepreneur):
    assert client.get(reverse("cases:case_board")).status_code == 302  # to sign-in
    assert client_as(entrepreneur).get(reverse("cases:case_board")).status_code == 403


@pytest.mark.parametrize("size", [2, 10])
def test_its_board_runs_a_fixed_number_of_queries(client_as, hall_staff, department, size,
                                                  django_assert_max_num_queries):
    for _ in range(size):
        CaseTaskFactory(case__lead_department=department, department=department)
    client = client_as(hall_staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("cases:case_board"))
    assert page.content.decode().count('class="case-meta"') == size


def test_it_opens_a_case_in_the_page(client_as, hall_staff, department, entrepreneur):
    client = client_as(hall_staff)
    assert client.get(reverse("cases:case_create")).status_code == 200
    response = client.post(reverse("cases:case_create"), {
        "title": "跨部门协同：外卖平台入驻", "description": "需要市场监管和消防共同出具意见。",
        "lead_department": department.pk, "source": "walk_in", "applicant": entrepreneur.username,
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[case.pk])
    assert case.applicant == entrepreneur


def test_it_shows_form_errors_when_opening_a_case(client_as, hall_staff, department):
    response = client_as(hall_staff).post(reverse("cases:case_create"), {
        "title": "", "description": "x", "lead_department": department.pk, "source": "walk_in", "applicant": "ghost",
    })
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert 'class="error"' in response.content.decode()


def test_founders_cannot_open_cases_in_the_page(client_as, entrepreneur):
    assert client_as(entrepreneur).get(reverse("cases:case_create")).status_code == 403


def test_it_shows_the_case_with_its_timeline_and_reminders(client_as, hall_staff, task):
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 13, 10, 0)), tick=False):
        actions.case_reminders_sweep()
        html = client_as(hall_staff).get(reverse("cases:case_detail", args=[task.case_id])).content.decode()
    assert "出具消防验收意见" in html
    assert 'class="timeline"' in html
    assert 'class="reminder-list"' in html
    assert html.count("<li>") >= 2


def test_it_adds_a_task_in_the_page_and_shows_refusals(client_as, hall_staff, case, officer, department):
    client = client_as(hall_staff)
    url = reverse("cases:case_task_add", args=[case.pk])
    bad = client.post(url, {"department": department.pk, "assignee": officer.pk, "description": "x",
                            "due_on": "2026-02-20"})
    assert bad.status_code == 400
    assert "办结日期不能早于立案日期" in bad.content.decode()
    assert not CaseTask.objects.exists()
    good = client.post(url, {"department": department.pk, "assignee": officer.pk, "description": "核对材料",
                             "working_days": 3})
    assert good.status_code == 302
    assert timezone.localdate(CaseTask.objects.get().due_at) == date(2026, 3, 5)


def test_the_applicant_sees_the_case_but_no_staff_tools(client_as, entrepreneur, other_entrepreneur, task):
    html = client_as(entrepreneur).get(reverse("cases:case_detail", args=[task.case_id])).content.decode()
    assert "出具消防验收意见" in html
    assert reverse("cases:case_task_add", args=[task.case_id]) not in html
    assert reverse("cases:case_task_complete", args=[task.pk]) not in html
    assert client_as(other_entrepreneur).get(reverse("cases:case_detail", args=[task.case_id])).status_code == 404


def test_the_officer_completes_a_task_from_my_tasks(client_as, officer, task, case):
    client = client_as(officer)
    page = client.get(reverse("cases:my_tasks"))
    assert "出具消防验收意见" in page.content.decode()
    response = client.post(reverse("cases:case_task_complete", args=[task.pk]), {"note": "已出具", "next": "my_tasks"})
    assert response.status_code == 302 and response.url == reverse("cases:my_tasks")
    task.refresh_from_db()
    case.refresh_from_db()
    assert task.status == CaseTask.Status.DONE and case.status == Case.Status.DONE
    again = client.post(reverse("cases:case_task_complete", args=[task.pk]), {"note": "再次"})
    assert again.status_code == 409
    assert "该任务已经办结或取消。" in again.content.decode()
    task.refresh_from_db()
    assert task.note == "已出具"


def test_another_officer_cannot_complete_it_in_the_page(client_as, task, department):
    from tests.factories import UserFactory

    colleague = UserFactory()
    department.officers.add(colleague)
    response = client_as(colleague).post(reverse("cases:case_task_complete", args=[task.pk]), {"note": "x"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == CaseTask.Status.OPEN


@pytest.mark.parametrize("size", [2, 10])
def test_its_my_tasks_page_runs_a_fixed_number_of_queries(client_as, officer, department, size,
                                                          django_assert_max_num_queries):
    for _ in range(size):
        CaseTaskFactory(case__lead_department=department, department=department, assignee=officer)
    client = client_as(officer)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("cases:my_tasks"))
    assert page.content.decode().count('class="complete-task"') == size


def test_the_applicant_follows_progress_on_the_personal_page(client_as, entrepreneur, task, officer):
    actions.case_task_complete(task=task, by=officer)
    CaseTaskFactory(case=task.case, department=task.department, assignee=officer)
    html = client_as(entrepreneur).get(reverse("accounts:me")).content.decode()
    assert "青禾餐饮开业堵点" in html
    assert "1" in html and "2" in html


def test_it_cancels_a_case_in_the_page(client_as, hall_staff, task):
    response = client_as(hall_staff).post(reverse("cases:case_cancel", args=[task.case_id]), {"reason": "撤回"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == CaseTask.Status.CANCELLED and task.next_reminder_at is None


def test_the_dashboard_counts_cases_and_on_time_tasks(task, officer, department, django_assert_max_num_queries):
    late = CaseTaskFactory(case__lead_department=department, department=department, assignee=officer,
                           due_at=timezone.make_aware(datetime(2026, 3, 2, 23, 59, 59)))
    actions.case_task_complete(task=task, by=officer)
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 4, 10, 0)), tick=False):
        actions.case_task_complete(task=late, by=officer)
    from portal.cases.dashboard import case_figures

    with django_assert_max_num_queries(2):
        figures = {figure["label"]: figure for figure in case_figures()}
    values = [f["value"] for f in figures.values()]
    assert values == [0, 2, 50]
    assert any(f["label"] for f in dashboard_all())


def test_the_admin_lists_cases_with_filters(client_as, task):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client = client_as(admin)
    assert client.get(reverse("admin:cases_case_changelist"), {"overdue": "yes"}).status_code == 200
    assert client.get(reverse("admin:cases_case_changelist"), {"lead_department__id__exact": task.department_id}).status_code == 200
    assert client.get(reverse("admin:cases_case_change", args=[task.case_id])).status_code == 200
    assert client.get(reverse("admin:cases_casetask_changelist"), {"overdue": "no"}).status_code == 200
    response = client.post(reverse("admin:cases_case_changelist"),
                           {"action": "cancel_cases", "_selected_action": [task.case_id]})
    assert response.status_code == 302
    assert Case.objects.get(pk=task.case_id).status == Case.Status.CANCELLED


def test_an_officer_only_sees_their_departments_on_the_board(client_as, officer, task):
    elsewhere = CaseTaskFactory(case__lead_department=DepartmentFactory(), description="别处的任务")
    html = client_as(officer).get(reverse("cases:case_board")).content.decode()
    assert "出具消防验收意见" in html and elsewhere.description not in html


def test_it_moves_a_deadline_in_the_page_and_refuses_others(client_as, hall_staff, officer, task):
    old_due = task.due_at
    officer_response = client_as(officer).post(
        reverse("cases:case_task_reschedule", args=[task.pk]), {"working_days": 5, "reason": "材料补正"}
    )
    assert officer_response.status_code == 403
    task.refresh_from_db()
    assert task.due_at == old_due

    client = client_as(hall_staff)
    page = client.get(reverse("cases:case_detail", args=[task.case_id])).content.decode()
    assert "调整期限" in page
    bad = client.post(reverse("cases:case_task_reschedule", args=[task.pk]),
                      {"due_on": "2026-01-01", "reason": "材料补正"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "办结日期不能早于立案日期" in body
    # What was typed stays, and the error stands beside its field.
    assert 'value="2026-01-01"' in body and 'value="材料补正"' in body
    assert body.index(f'id="due-on-{task.pk}"') < body.index("办结日期不能早于立案日期") < body.index(
        f'id="working-days-{task.pk}"')
    task.refresh_from_db()
    assert task.due_at == old_due

    response = client.post(
        reverse("cases:case_task_reschedule", args=[task.pk]), {"working_days": 8, "reason": "材料补正"}, follow=True
    )
    assert "期限已调整，并已通知责任人。" in response.content.decode()
    task.refresh_from_db()
    assert task.due_at > old_due
    assert task.events.filter(kind="task_rescheduled").exists()


def test_it_asks_before_cancelling_a_case_saying_how_many_tasks_stop(client_as, hall_staff, task):
    client = client_as(hall_staff)
    url = reverse("cases:case_cancel", args=[task.case_id])
    assert f'href="{url}"' in client.get(reverse("cases:case_detail", args=[task.case_id])).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="confirm"' in body and 'name="reason"' in body and "1" in body
    task.refresh_from_db()
    assert task.status == CaseTask.Status.OPEN and task.case.status != Case.Status.CANCELLED


def test_it_keeps_a_too_long_reason_beside_its_field(client_as, hall_staff, task):
    response = client_as(hall_staff).post(reverse("cases:case_cancel", args=[task.case_id]), {"reason": "撤" * 501})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_reason_error"' in body and "撤" * 501 in body
    task.refresh_from_db()
    assert task.status == CaseTask.Status.OPEN


def test_it_offers_nothing_to_cancel_on_a_cancelled_case(client_as, hall_staff, task):
    actions.case_cancel(case=task.case, by=hall_staff)
    body = client_as(hall_staff).get(reverse("cases:case_cancel", args=[task.case_id])).content.decode()
    assert 'id="not-allowed"' in body and 'name="confirm"' not in body


@pytest.mark.parametrize("next_page", ["", "my_tasks"])
def test_a_refused_completion_keeps_the_note_beside_its_error(client_as, officer, task, next_page):
    client = client_as(officer)
    typed = "已出具意见" + "长" * 2000
    response = client.post(reverse("cases:case_task_complete", args=[task.pk]), {"note": typed, "next": next_page})
    assert response.status_code == 400
    body = response.content.decode()
    # The note comes back as typed, the form is open, and the error stands right after the field.
    assert typed in body
    assert f'aria-describedby="note-{task.pk}-error"' in body
    field = body.index(f'id="note-{task.pk}"')
    error = body.index(f'id="note-{task.pk}-error"')
    assert field < error < body.index("</form>", field)
    task.refresh_from_db()
    assert task.status == CaseTask.Status.OPEN and task.note == ""
