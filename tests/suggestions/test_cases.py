import pytest

from portal.cases.models import Case
from suggestions import actions
from suggestions.exceptions import Conflict, Forbidden
from suggestions.models import Suggestion
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_staff_turn_a_blocker_into_a_case_linked_both_ways(submit, walk, hall_staff, entrepreneur):
    entry = walk(submit(kind="blocker", title="开办餐饮店需跑消防、市场监管、住建三个部门"), "accepted")
    fire = DepartmentFactory(code="fire", name="区消防救援大队")
    case = actions.suggestion_case_open(suggestion=entry, lead_department=fire, by=hall_staff)
    entry.refresh_from_db()
    assert case.source_reference == entry.number and entry.case == case
    assert case.source == Case.Source.BLOCKER and case.applicant == entrepreneur and case.lead_department == fire
    assert entry.number in case.title
    assert entry.events.filter(kind="case").exists()


def test_only_staff_only_blockers_and_only_once(submit, hall_staff, entrepreneur, department):
    idea = submit(kind="idea")
    blocker = submit(kind="blocker")
    with pytest.raises(Forbidden):
        actions.suggestion_case_open(suggestion=blocker, lead_department=department, by=entrepreneur)
    with pytest.raises(Conflict):
        actions.suggestion_case_open(suggestion=idea, lead_department=department, by=hall_staff)
    actions.suggestion_case_open(suggestion=blocker, lead_department=department, by=hall_staff)
    with pytest.raises(Conflict):
        actions.suggestion_case_open(suggestion=blocker, lead_department=department, by=hall_staff)
    assert Case.objects.count() == 1


def test_the_case_endpoint(api_as, submit, hall_staff, entrepreneur, department):
    blocker = submit(kind="blocker")
    path = f"/api/v1/suggestions/{blocker.number}/case/"
    assert api_as(None).post(path, {"lead_department": department.code}).status_code == 401
    assert api_as(entrepreneur).post(path, {"lead_department": department.code}).status_code == 403
    assert api_as(hall_staff).post(path, {"lead_department": "nowhere"}).status_code == 400
    response = api_as(hall_staff).post(path, {"lead_department": department.code})
    assert response.status_code == 201 and Case.objects.get(pk=response.json()["case"]) == (
        Suggestion.objects.get(pk=blocker.pk).case
    )
    assert api_as(hall_staff).post(path, {"lead_department": department.code}).status_code == 409


def test_it_links_the_blocker_and_its_case_to_each_other_on_their_pages(
        client_as, submit, walk, hall_staff, entrepreneur, other_entrepreneur):
    entry = walk(submit(kind="blocker", title="开办餐饮店需跑三个部门"), "accepted")
    fire = DepartmentFactory(code="fire", name="区消防救援大队")
    case = actions.suggestion_case_open(suggestion=entry, lead_department=fire, by=hall_staff)

    # The case page names the ledger entry it came from, as a link to it.
    case_page = client_as(hall_staff).get(f"/cases/{case.pk}/").content.decode()
    assert f'<a href="/ideas/{entry.number}/" data-origin="{entry.number}">' in case_page
    # The entry's page links to the case for the applicant (its submitter) and hall staff.
    for user in (entrepreneur, hall_staff):
        idea_page = client_as(user).get(f"/ideas/{entry.number}/").content.decode()
        assert f'href="/cases/{case.pk}/" data-case="{case.pk}"' in idea_page
        assert client_as(user).get(f"/cases/{case.pk}/").status_code == 200
    # Someone who may not read the case sees that there is one, but no link leading to a 404.
    stranger_page = client_as(other_entrepreneur).get(f"/ideas/{entry.number}/").content.decode()
    assert str(case.lead_department) in stranger_page and f'data-case="{case.pk}"' not in stranger_page


def test_a_case_opened_at_the_desk_links_to_no_ledger_entry(client_as, hall_staff):
    from tests.factories import CaseFactory

    case = CaseFactory()
    page = client_as(hall_staff).get(f"/cases/{case.pk}/").content.decode()
    assert "data-origin" not in page
