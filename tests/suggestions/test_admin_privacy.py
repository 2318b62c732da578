"""The submitter stays private in the admin: department officers see their department's entries,
never hidden ones and never who submitted; hall staff see who submitted on the entry's page."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from portal.roles import Role
from suggestions import actions
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:suggestions_suggestion_changelist"
SUBMITTER = "submitter-secret-name"


@pytest.fixture
def secret_submitter(db):
    return UserFactory(username="anon-founder", display_name=SUBMITTER, roles=[Role.ENTREPRENEUR])


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="tax", name="区税务局", short_name="税务")


@pytest.fixture
def other_officer(db, other_department):
    user = UserFactory(username="taxofficer", display_name="赵税务", is_staff=True, roles=[Role.DEPARTMENT_OFFICER])
    other_department.officers.add(user)
    return user


@pytest.fixture
def entries(submit, walk, hall_staff, department, other_department, secret_submitter):
    mine = walk(submit(submitter=secret_submitter, title="市场监管的建议"), "assigned", dept=department)
    theirs = walk(submit(submitter=secret_submitter, title="税务的建议"), "assigned", dept=other_department)
    hidden = walk(submit(submitter=secret_submitter, title="被隐藏的建议"), "assigned", dept=department)
    actions.suggestion_hide(suggestion=hidden, reason="辱骂", by=hall_staff)
    unassigned = submit(submitter=secret_submitter, title="尚未分派的建议")
    return {"mine": mine, "theirs": theirs, "hidden": hidden, "unassigned": unassigned}


def _page(client, entry):
    return client.get(reverse("admin:suggestions_suggestion_change", args=[entry.pk]), follow=True)


def test_an_officer_lists_only_the_departments_shown_entries(client_as, officer, entries):
    body = client_as(officer).get(reverse(CHANGELIST)).content.decode()
    assert entries["mine"].number in body
    for other in ("theirs", "hidden", "unassigned"):
        assert entries[other].number not in body


def test_an_officer_cannot_open_another_departments_or_a_hidden_entry(client_as, officer, entries):
    client = client_as(officer)
    for other in ("theirs", "hidden", "unassigned"):
        response = _page(client, entries[other])
        assert entries[other].title not in response.content.decode()
        assert response.redirect_chain and response.redirect_chain[-1][0] == reverse("admin:index")


def test_an_officer_sees_the_entry_without_the_submitter(client_as, officer, entries, secret_submitter):
    response = _page(client_as(officer), entries["mine"])
    body = response.content.decode()
    assert response.status_code == 200 and entries["mine"].title in body
    assert SUBMITTER not in body and secret_submitter.username not in body
    assert "field-submitter" not in body
    history = [f for f in response.context["inline_admin_formsets"] if f.formset.model.__name__ == "SuggestionEvent"][0]
    assert "by" not in [name for fieldset in history.fieldsets for name in fieldset[1]["fields"]]


def test_an_officers_export_holds_only_their_entries(client_as, officer, entries):
    response = client_as(officer).post(reverse(CHANGELIST), {
        "action": "export_csv",
        ACTION_CHECKBOX_NAME: [entry.pk for entry in entries.values()],
    })
    text = response.content.decode("utf-8-sig")
    assert entries["mine"].number in text
    assert entries["theirs"].number not in text and entries["hidden"].number not in text
    assert SUBMITTER not in text


def test_the_other_departments_officer_sees_only_theirs(client_as, other_officer, entries):
    body = client_as(other_officer).get(reverse(CHANGELIST)).content.decode()
    assert entries["theirs"].number in body and entries["mine"].number not in body


def test_hall_staff_see_every_entry_and_who_submitted_it(client_as, hall_staff, entries, secret_submitter):
    client = client_as(hall_staff)
    listing = client.get(reverse(CHANGELIST)).content.decode()
    for entry in entries.values():
        assert entry.number in listing
    # Not in the list: only on the entry's page, where staff need it (to contact, to check abuse).
    assert SUBMITTER not in listing
    body = _page(client, entries["hidden"]).content.decode()
    assert "field-submitter" in body and SUBMITTER in body


def test_people_without_an_admin_role_cannot_open_the_ledger_admin(client_as, entrepreneur, member, entries):
    for person in (entrepreneur, member):
        response = client_as(person).get(reverse(CHANGELIST))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("lookup", ["submitter__id__exact", "submitter", "submitter__username", "submitter__id__in",
                                    "events__by__exact", "events__by__username"])
def test_an_officer_cannot_filter_entries_by_who_submitted_them(client_as, officer, entries, secret_submitter, lookup):
    value = secret_submitter.username if "username" in lookup else secret_submitter.pk
    response = client_as(officer).get(reverse(CHANGELIST), {lookup: value})
    assert response.status_code == 400  # Django's answer to a lookup the admin does not allow
    assert entries["mine"].number not in response.content.decode()


def test_hall_staff_may_list_one_persons_entries(client_as, hall_staff, entries, secret_submitter, other_entrepreneur):
    other = actions.suggestion_submit(by=other_entrepreneur, kind="idea", category="service", title="别人的建议",
                                      content="别人的建议内容，关于青年专区的服务。")
    body = client_as(hall_staff).get(reverse(CHANGELIST), {"submitter": secret_submitter.pk}).content.decode()
    assert entries["mine"].number in body and other.number not in body
