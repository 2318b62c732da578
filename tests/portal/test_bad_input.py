"""Input that once answered 500: each answers a clear 4xx (or works) now, and writes nothing half-way.

One regression test per case found by hand (issue 12) or by the fuzzing in test_fuzz_pages.py and
test_schemathesis.py.
"""
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.cases.models import CaseTask
from services.models import Slot
from tests.factories import (
    ActivityFactory,
    BundleFactory,
    CaseFactory,
    CaseTaskFactory,
    SignUpFactory,
)
from volunteers.models import Attendance

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 3, 2, 10, 0))  # a Monday


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "9999-12-27", "0001-01-07"])
def test_it_shows_the_activity_week_at_the_ends_of_the_calendar(client, week):
    response = client.get("/activities/", {"week": week})
    assert response.status_code in (200, 400)
    assert "<form" in response.content.decode()


def test_it_refuses_a_week_beyond_the_calendar_with_a_message(client):
    response = client.get("/activities/", {"week": "9999-12-31"})
    assert response.status_code == 400
    assert "week" in response.content.decode().lower() or "周" in response.content.decode()


@pytest.fixture
def case(hall_staff, department, entrepreneur):
    return CaseFactory(lead_department=department, opened_by=hall_staff, applicant=entrepreneur)


@time_machine.travel(NOW, tick=False)
def test_it_refuses_a_case_task_due_at_the_end_of_the_calendar_in_the_api(api_as, hall_staff, case, officer, department):
    response = api_as(hall_staff).post(f"/api/v1/cases/{case.pk}/tasks/", {
        "department": department.code, "assignee": officer.pk, "description": "出具意见", "due_on": "9999-12-31",
    }, format="json")
    assert response.status_code == 400
    assert "due_on" in response.json()["errors"]
    assert not CaseTask.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_it_refuses_to_reschedule_a_case_task_to_the_end_of_the_calendar(api_as, client_as, hall_staff, case, officer, department):
    task = CaseTaskFactory(case=case, department=department, assignee=officer)
    old_due = task.due_at
    response = api_as(hall_staff).post(f"/api/v1/case-tasks/{task.pk}/reschedule/", {"due_on": "9999-12-31"}, format="json")
    assert response.status_code == 400
    assert "due_on" in response.json()["errors"]
    page = client_as(hall_staff).post(f"/case-tasks/{task.pk}/reschedule/", {"due_on": "9999-12-31"})
    # The case page again, with the date typed kept and the error beside its field.
    assert page.status_code == 400
    assert 'value="9999-12-31"' in page.content.decode() and f'id="due-on-{task.pk}-error"' in page.content.decode()
    task.refresh_from_db()
    assert task.due_at == old_due
    assert not task.events.filter(kind="task_rescheduled").exists()


@time_machine.travel(NOW, tick=False)
def test_it_refuses_a_case_task_at_the_end_of_the_calendar_on_the_page(client_as, hall_staff, case, officer, department):
    response = client_as(hall_staff).post(f"/cases/{case.pk}/tasks/", {
        "department": department.pk, "assignee": officer.pk, "description": "出具意见", "due_on": "9999-12-31",
    }, follow=True)
    assert response.status_code in (200, 400)
    assert not CaseTask.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_it_opens_slots_on_the_last_day_of_the_calendar_in_the_admin(client_as, hall_staff):
    bundle = BundleFactory()
    response = client_as(hall_staff).post("/admin/services/slot/open/", {
        "bundle": bundle.pk, "date_from": "9999-12-27", "date_to": "9999-12-31", "weekdays": ["0", "1", "2", "3", "4"],
        "times": "09:00-09:30", "capacity": "5", "working_days_only": "on",
    })
    assert response.status_code == 302
    # 9999-12-27 is a Monday: Monday to Friday, the last day there is included.
    days = sorted(timezone.localtime(slot.starts_at).date() for slot in Slot.objects.all())
    assert [day.isoformat() for day in days] == ["9999-12-27", "9999-12-28", "9999-12-29", "9999-12-30", "9999-12-31"]
    assert client_as(hall_staff).get("/api/v1/slots/", {"date_from": "9999-12-31"}).json()["count"] == 1


@pytest.mark.parametrize("hours", ["1e309", "-1e309", "NaN", "Infinity", "1e5", "99999999999999999999"])
def test_it_refuses_impossible_hours_on_the_attendance_page(client_as, captain, entrepreneur, team, hours):
    activity = ActivityFactory(team=team)
    SignUpFactory(activity=activity, user=entrepreneur)
    with time_machine.travel(activity.ends_at + timedelta(minutes=5)):
        response = client_as(captain).post(f"/activities/{activity.pk}/attendance/", {"user": entrepreneur.pk, "hours": hours})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/ledger/", "/api/v1/achievements/", "/api/v1/leaderboard/"])
@pytest.mark.parametrize("period", ["99999999999999999999", "-99999999999999999999", "1e400", "NaN"])
def test_it_answers_400_for_a_period_id_out_of_range(api_as, member, path, period):
    response = api_as(member).get(path, {"period": period})
    assert response.status_code == 400
    assert "period" in response.json()["errors"]
    assert response.json()["detail"]


def test_it_fills_in_the_unknown_department_in_the_message(api_as, hall_staff):
    from suggestions.models import Suggestion
    from tests.factories import SuggestionFactory

    suggestion = SuggestionFactory(status=Suggestion.Status.ACCEPTED)
    response = api_as(hall_staff).post(
        f"/api/v1/suggestions/{suggestion.number}/transition/", {"to": "assigned", "department": "nowhere"}, format="json"
    )
    assert response.status_code == 400
    message = str(response.json()["errors"])
    assert "nowhere" in message and "%(value)s" not in message and "{value}" not in message


@pytest.mark.parametrize("value", ["ÖÓM", "1.5", "99999999999999999999", "\x00"])
def test_it_redraws_an_admin_form_with_a_malformed_autocomplete_id(client_as, hall_staff, value):
    # Found by test_fuzz_pages.py: the autocomplete widget looked the bad id up again (a 500).
    response = client_as(hall_staff).post("/admin/services/slot/add/", {"bundle": value, "starts_at_0": "0001-01-01"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Slot.objects.exists()


HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [
    f"/activities/{HUGE}/", f"/ratings/{HUGE}/", f"/cases/{HUGE}/", f"/points/periods/{HUGE}/peer-review/",
    f"/api/v1/activities/{HUGE}/", f"/api/v1/periods/{HUGE}/", f"/api/v1/cases/{HUGE}/",
])
def test_it_answers_404_for_an_id_beyond_the_database_integers(client_as, hall_staff, path):
    assert client_as(hall_staff).get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/api/v1/case-tasks/{HUGE}/complete/", f"/api/v1/activities/{HUGE}/signup/"])
def test_it_answers_404_for_a_write_to_an_id_beyond_the_database_integers(api_as, hall_staff, path):
    assert api_as(hall_staff).post(path, {}, format="json").status_code == 404


@pytest.mark.parametrize("payload", [{"applicant": int(HUGE)}, {"applicant": -1}, {"lead_department": HUGE}])
def test_it_refuses_an_id_beyond_the_database_integers_in_a_body(api_as, hall_staff, department, payload):
    from portal.cases.models import Case

    body = {"title": "t", "description": "d", "lead_department": department.code, "source": "walk_in", **payload}
    response = api_as(hall_staff).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_it_redraws_an_admin_inline_with_a_malformed_autocomplete_id(client_as, hall_staff):
    # Found by test_fuzz_pages.py: the same lookup in the bundle's items inline (a 500).
    from services.models import Bundle

    response = client_as(hall_staff).post("/admin/services/bundle/add/", {
        "slug": "x", "name": "x", "bundle_items-TOTAL_FORMS": "1", "bundle_items-INITIAL_FORMS": "0",
        "bundle_items-0-item": "abc", "bundle_items-0-requires": ["-2026-01-01", HUGE],
    })
    assert response.status_code == 200
    assert not Bundle.objects.exists()
