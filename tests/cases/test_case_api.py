"""The cases API: /api/v1/cases/, tasks, completion, reminders; every answer a client can get."""
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from portal.cases.models import Case, CaseEvent, CaseTask
from portal.notifications.models import Notification
from tests.factories import CaseFactory, CaseTaskFactory, DepartmentFactory, SuggestionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 3, 2, 10, 0))  # a Monday


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(hall_staff, department, entrepreneur):
    return CaseFactory(lead_department=department, opened_by=hall_staff, applicant=entrepreneur)


@pytest.fixture
def task(case, officer, department):
    return CaseTaskFactory(case=case, department=department, assignee=officer)


def test_it_opens_a_case_from_a_blocker(api_as, hall_staff, department, entrepreneur):
    blocker = SuggestionFactory(kind="blocker")
    response = api_as(hall_staff).post("/api/v1/cases/", {
        "title": "食品经营许可与消防验收衔接", "description": "两个部门的材料要求不一致。",
        "lead_department": department.code, "applicant": entrepreneur.pk, "source": "blocker",
        "suggestion": blocker.number,
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open" and body["progress"] == {"done": 0, "total": 0, "percent": 0}
    assert body["suggestion"] == blocker.number
    case = Case.objects.get(pk=body["id"])
    blocker.refresh_from_db()
    assert blocker.case == case
    assert case.events.get().kind == CaseEvent.Kind.OPENED


def test_it_refuses_a_second_case_for_the_same_ledger_entry(api_as, hall_staff, department):
    blocker = SuggestionFactory(kind="blocker")
    blocker.case = CaseFactory(source_reference=blocker.number, lead_department=department)
    blocker.save(update_fields=["case"])
    response = api_as(hall_staff).post("/api/v1/cases/", {
        "title": "再开一次", "description": "重复", "lead_department": department.code, "source": "blocker",
        "suggestion": blocker.number,
    }, format="json")
    assert response.status_code == 409
    assert Case.objects.count() == 1


def test_it_answers_400_for_a_bad_case(api_as, hall_staff):
    response = api_as(hall_staff).post("/api/v1/cases/", {
        "title": "", "description": "x", "lead_department": "nowhere", "source": "rumour"
    }, format="json")
    assert response.status_code == 400
    assert {"title", "lead_department", "source"} <= set(response.json()["errors"])
    assert not Case.objects.exists()


def test_it_lets_only_staff_open_cases(api_as, entrepreneur, officer, department):
    payload = {"title": "t", "description": "d", "lead_department": department.code, "source": "walk_in"}
    assert api_as(None).post("/api/v1/cases/", payload, format="json").status_code == 401
    assert api_as(entrepreneur).post("/api/v1/cases/", payload, format="json").status_code == 403
    assert api_as(officer).post("/api/v1/cases/", payload, format="json").status_code == 403
    assert not Case.objects.exists()


def test_it_shows_the_applicant_their_own_case_only(api_as, case, task, entrepreneur, other_entrepreneur):
    mine = api_as(entrepreneur).get("/api/v1/cases/").json()
    assert [c["id"] for c in mine["results"]] == [case.pk]
    assert mine["results"][0]["tasks"][0]["assignee"]["name"] == "陈部门"
    assert api_as(entrepreneur).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert api_as(other_entrepreneur).get("/api/v1/cases/").json()["count"] == 0
    assert api_as(other_entrepreneur).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api_as(None).get("/api/v1/cases/").status_code == 401
    assert api_as(entrepreneur).get("/api/v1/cases/999999/").status_code == 404


def test_it_shows_an_officer_the_cases_of_their_department(api_as, task, officer, case):
    elsewhere = CaseFactory(lead_department=DepartmentFactory())
    ids = [c["id"] for c in api_as(officer).get("/api/v1/cases/").json()["results"]]
    assert ids == [case.pk]
    assert api_as(officer).get(f"/api/v1/cases/{elsewhere.pk}/").status_code == 404


def test_it_filters_cases_and_refuses_malformed_filters(api_as, hall_staff, case, task, department):
    CaseFactory(lead_department=DepartmentFactory(code="tax"), title="税务登记问题")
    client = api_as(hall_staff)
    assert client.get("/api/v1/cases/", {"department": department.code}).json()["count"] == 1
    assert client.get("/api/v1/cases/", {"search": "税务"}).json()["count"] == 1
    assert client.get("/api/v1/cases/", {"overdue": "true"}).json()["count"] == 0
    bad = client.get("/api/v1/cases/", {"status": "lost", "overdue": "maybe", "department": "nowhere"})
    assert bad.status_code == 400
    assert {"status", "overdue", "department"} <= set(bad.json()["errors"])


def test_it_adds_a_task_in_working_days(api_as, hall_staff, case, officer, department):
    response = api_as(hall_staff).post(f"/api/v1/cases/{case.pk}/tasks/", {
        "department": department.code, "assignee": officer.pk, "description": "出具意见", "working_days": 5,
    }, format="json")
    assert response.status_code == 201, response.json()
    task = CaseTask.objects.get(pk=response.json()["id"])
    assert timezone.localdate(task.due_at) == date(2026, 3, 9)  # Monday + 5 working days
    assert task.next_reminder_at is not None
    assert Notification.objects.filter(user=officer).exists()
    assert case.events.filter(kind=CaseEvent.Kind.TASK_ADDED).count() == 1


@pytest.mark.parametrize("payload, field", [
    ({"due_on": "2026-02-27"}, "due_on"),  # before the case was opened
    ({"due_on": "2026-03-07"}, "due_on"),  # a Saturday
    ({}, "due_on"),  # no deadline
    ({"due_on": "2026-03-09", "working_days": 3}, "due_on"),  # both
    ({"working_days": 0}, "working_days"),
    ({"due_on": "next week"}, "due_on"),
])
def test_it_refuses_bad_deadlines(api_as, hall_staff, case, officer, department, payload, field):
    response = api_as(hall_staff).post(f"/api/v1/cases/{case.pk}/tasks/", {
        "department": department.code, "assignee": officer.pk, "description": "出具意见", **payload,
    }, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not CaseTask.objects.exists()


def test_it_refuses_an_unknown_department_or_a_person_who_is_not_its_officer(
    api_as, hall_staff, case, officer, department, entrepreneur
):
    client = api_as(hall_staff)
    url = f"/api/v1/cases/{case.pk}/tasks/"
    base = {"description": "x", "due_on": "2026-03-06"}
    unknown = client.post(url, {**base, "department": "nowhere", "assignee": officer.pk}, format="json")
    assert unknown.status_code == 400 and "department" in unknown.json()["errors"]
    outsider = client.post(url, {**base, "department": department.code, "assignee": entrepreneur.pk}, format="json")
    assert outsider.status_code == 400 and "assignee" in outsider.json()["errors"]
    other_dept = DepartmentFactory(code="tax")
    wrong = client.post(url, {**base, "department": other_dept.code, "assignee": officer.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "assignee_not_officer"
    assert not CaseTask.objects.exists()


def test_it_lets_only_staff_add_tasks(api_as, case, officer, entrepreneur, other_entrepreneur, department):
    payload = {"department": department.code, "assignee": officer.pk, "description": "x", "due_on": "2026-03-06"}
    url = f"/api/v1/cases/{case.pk}/tasks/"
    assert api_as(None).post(url, payload, format="json").status_code == 401
    assert api_as(entrepreneur).post(url, payload, format="json").status_code == 403  # may read, not change
    assert api_as(other_entrepreneur).post(url, payload, format="json").status_code == 404
    assert not CaseTask.objects.exists()


def test_it_refuses_tasks_on_a_closed_case(api_as, hall_staff, case, officer, department):
    case_url = f"/api/v1/cases/{case.pk}/"
    assert api_as(hall_staff).post(case_url + "cancel/", {"reason": "撤回"}, format="json").status_code == 200
    response = api_as(hall_staff).post(case_url + "tasks/", {
        "department": department.code, "assignee": officer.pk, "description": "x", "due_on": "2026-03-06",
    }, format="json")
    assert response.status_code == 409
    assert api_as(hall_staff).post(case_url + "cancel/", {}, format="json").status_code == 409


def test_it_completes_tasks_and_then_the_case(api_as, case, officer, department, entrepreneur):
    first = CaseTaskFactory(case=case, department=department, assignee=officer)
    second = CaseTaskFactory(case=case, department=department, assignee=officer)
    response = api_as(officer).post(f"/api/v1/case-tasks/{first.pk}/complete/", {"note": "已办结"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert api_as(officer).get(f"/api/v1/cases/{case.pk}/").json()["progress"] == {"done": 1, "total": 2, "percent": 50}
    api_as(officer).post(f"/api/v1/case-tasks/{second.pk}/complete/", {}, format="json")
    case.refresh_from_db()
    assert case.status == Case.Status.DONE and case.closed_at is not None
    assert Notification.objects.filter(user=entrepreneur, title__contains=case.title).exists()
    first.refresh_from_db()
    assert first.note == "已办结" and first.completed_by == officer and first.next_reminder_at is None


def test_it_refuses_to_complete_twice(api_as, task, officer):
    url = f"/api/v1/case-tasks/{task.pk}/complete/"
    assert api_as(officer).post(url, {"note": "一次"}, format="json").status_code == 200
    again = api_as(officer).post(url, {"note": "两次"}, format="json")
    assert again.status_code == 409
    task.refresh_from_db()
    assert task.note == "一次"
    assert task.events.filter(kind=CaseEvent.Kind.TASK_COMPLETED).count() == 1


def test_it_refuses_to_complete_someone_elses_task(api_as, task, entrepreneur, other_entrepreneur, department):
    colleague = UserFactory()
    department.officers.add(colleague)
    url = f"/api/v1/case-tasks/{task.pk}/complete/"
    assert api_as(None).post(url, {}, format="json").status_code == 401
    assert api_as(colleague).post(url, {}, format="json").status_code == 403  # sees it, not theirs
    assert api_as(entrepreneur).post(url, {}, format="json").status_code == 403  # the applicant reads it
    assert api_as(other_entrepreneur).post(url, {}, format="json").status_code == 404
    assert api_as(colleague).post("/api/v1/case-tasks/999999/complete/", {}, format="json").status_code == 404
    task.refresh_from_db()
    assert task.status == CaseTask.Status.OPEN


def test_it_refuses_an_overlong_note(api_as, task, officer):
    response = api_as(officer).post(f"/api/v1/case-tasks/{task.pk}/complete/", {"note": "x" * 2001}, format="json")
    assert response.status_code == 400 and "note" in response.json()["errors"]


def test_staff_can_complete_for_the_officer(api_as, task, hall_staff):
    assert api_as(hall_staff).post(f"/api/v1/case-tasks/{task.pk}/complete/", {}, format="json").status_code == 200


def test_it_moves_a_deadline(api_as, hall_staff, task, officer):
    url = f"/api/v1/case-tasks/{task.pk}/reschedule/"
    response = api_as(hall_staff).post(url, {"due_on": "2026-03-20", "reason": "等待材料"}, format="json")
    assert response.status_code == 200
    task.refresh_from_db()
    assert timezone.localdate(task.due_at) == date(2026, 3, 20)
    assert api_as(officer).post(url, {"due_on": "2026-03-23"}, format="json").status_code == 403
    assert api_as(hall_staff).post(url, {"due_on": "2026-03-20"}, format="json").status_code == 400
    api_as(officer).post(f"/api/v1/case-tasks/{task.pk}/complete/", {}, format="json")
    assert api_as(hall_staff).post(url, {"due_on": "2026-03-24"}, format="json").status_code == 409


def test_it_lists_reminders_for_staff(api_as, hall_staff, reviewer, task, entrepreneur, other_entrepreneur,
                                      django_capture_on_commit_callbacks):
    from portal.cases.actions import case_reminders_sweep

    # Due Monday 2026-03-09; by Friday it is overdue and past the two-day grace.
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 13, 10, 0)), tick=False):
        case_reminders_sweep()
    url = f"/api/v1/cases/{task.case_id}/reminders/"
    body = api_as(hall_staff).get(url).json()
    assert body["count"] == 2
    assert {r["kind"] for r in body["results"]} == {"case_overdue", "case_escalated"}
    assert "陈部门" in body["results"][0]["recipients"] or "陈部门" in body["results"][1]["recipients"]
    assert api_as(reviewer).get(url).status_code == 200
    assert api_as(entrepreneur).get(url).status_code == 403
    assert api_as(other_entrepreneur).get(url).status_code == 404
    assert api_as(None).get(url).status_code == 401


@pytest.mark.parametrize("size", [2, 12])
def test_its_case_list_runs_a_fixed_number_of_queries(api_as, hall_staff, department, size,
                                                       django_assert_max_num_queries):
    for _ in range(size):
        case = CaseFactory(lead_department=department)
        CaseTaskFactory.create_batch(2, case=case, department=department)
    client = api_as(hall_staff)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/cases/")
    assert response.json()["count"] == size
