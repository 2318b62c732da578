import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from suggestions.models import Suggestion

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:suggestions_suggestion_changelist"


def test_staff_see_the_ledger_with_filters_and_an_entrys_history(client_as, submit, walk, hall_staff):
    entry = walk(submit(), "assigned")
    client = client_as(hall_staff)
    response = client.get(reverse(CHANGELIST), {"status": "assigned", "q": "青年专区"})
    assert response.status_code == 200 and entry.number in response.content.decode()
    page = client.get(reverse("admin:suggestions_suggestion_change", args=[entry.pk]))
    assert page.status_code == 200 and entry.title in page.content.decode()
    history = [f for f in page.context["inline_admin_formsets"] if f.formset.model.__name__ == "SuggestionEvent"][0]
    assert len(history.formset.forms) == 3  # submitted, accepted, assigned: shown read-only


def test_staff_accept_and_assign_from_the_admin(client_as, submit, hall_staff, department):
    first, second = submit(), submit()
    client = client_as(hall_staff)
    client.post(reverse(CHANGELIST), {"action": "accept_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]})
    assert set(Suggestion.objects.values_list("status", flat=True)) == {"accepted"}
    form = client.post(reverse(CHANGELIST), {"action": "assign_selected", ACTION_CHECKBOX_NAME: [first.pk]})
    assert form.status_code == 200 and 'name="department"' in form.content.decode()
    client.post(reverse(CHANGELIST), {"action": "assign_selected", ACTION_CHECKBOX_NAME: [first.pk],
                                      "apply": "1", "department": department.pk})
    first.refresh_from_db()
    assert first.status == "assigned" and first.department == department


def test_a_refused_admin_action_is_a_message_not_an_error(client_as, submit, hall_staff):
    entry = submit()
    response = client_as(hall_staff).post(
        reverse(CHANGELIST), {"action": "assign_selected", ACTION_CHECKBOX_NAME: [entry.pk], "apply": "1",
                              "department": 999999}, follow=True)
    assert response.status_code == 200
    assert Suggestion.objects.get(pk=entry.pk).status == "submitted"


def test_the_csv_export_is_the_ledger_as_the_hall_keeps_it(client_as, submit, walk, hall_staff, department):
    entry = walk(submit(), "answered")
    response = client_as(hall_staff).post(reverse(CHANGELIST), {"action": "export_csv",
                                                                ACTION_CHECKBOX_NAME: [entry.pk]})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == entry.number
    assert str(department) in rows[1] and "已协调青年专区周六上午开放，自下月起执行。" in rows[1]


def test_people_without_the_permission_cannot_open_the_ledger_admin(client_as, entrepreneur):
    response = client_as(entrepreneur).get(reverse(CHANGELIST))
    assert response.status_code == 302
