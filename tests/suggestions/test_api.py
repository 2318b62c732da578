import json

import pytest

from suggestions import actions
from suggestions.models import Suggestion, Support
from tests.factories import DepartmentFactory, SuggestionFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/suggestions/"


def url(entry, action=""):
    return f"{LIST}{entry.number}/" + (f"{action}/" if action else "")


# --- list and detail ----------------------------------------------------------------------------
def test_it_lists_the_public_ledger_without_the_submitter(api_as, submit, entrepreneur):
    entry = submit()
    response = api_as(None).get(LIST)
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["number"] == entry.number and row["status"] == "submitted"
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in (entrepreneur.username, entrepreneur.display_name, entrepreneur.email, "submitter"):
        assert secret not in text


def test_the_detail_has_history_and_answer_but_never_the_submitter(api_as, submit, walk, entrepreneur, department):
    entry = walk(submit(), "answered")
    body = api_as(None).get(url(entry)).json()
    assert body["answer"]["department"]["code"] == department.code
    assert [event["to_status"] for event in body["history"]] == ["submitted", "accepted", "assigned", "answered"]
    assert body["history"][0]["by"] in ("Submitter", "提交人")
    text = json.dumps(body, ensure_ascii=False)
    assert entrepreneur.display_name not in text and entrepreneur.username not in text


def test_an_unknown_number_is_a_404(api_as):
    assert api_as(None).get(f"{LIST}JDZ-2026-9999/").status_code == 404


def test_it_filters_by_kind_status_category_department_and_search(api_as, submit, walk, department):
    walk(submit(kind="blocker", category="policy", title="补贴申请材料重复提交"), "assigned")
    submit(title="希望增加夜间服务")
    client = api_as(None)
    assert client.get(LIST, {"kind": "blocker"}).json()["count"] == 1
    assert client.get(LIST, {"status": "assigned", "category": "policy"}).json()["count"] == 1
    assert client.get(LIST, {"department": department.code}).json()["count"] == 1
    assert client.get(LIST, {"search": "夜间"}).json()["count"] == 1


@pytest.mark.parametrize("params", [{"kind": "complaint"}, {"status": "done"}, {"department": "nowhere"}])
def test_malformed_filters_are_a_400(api_as, params):
    response = api_as(None).get(LIST, params)
    assert response.status_code == 400
    assert list(params)[0] in response.json()["errors"]


def test_a_hidden_entry_keeps_its_number_but_not_its_text(api_as, submit, hall_staff):
    entry = actions.suggestion_hide(suggestion=submit(), by=hall_staff, reason="含有人身攻击")
    row = api_as(None).get(LIST).json()["results"][0]
    assert row["number"] == entry.number and row["hidden"] is True and row["title"] == ""
    assert row["hidden_reason"] == "含有人身攻击"


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_query_count_does_not_grow_with_entries(api_as, walk, entrepreneur, django_assert_max_num_queries,
                                                         size):
    for _ in range(size):
        entry = SuggestionFactory(submitter=entrepreneur)
        walk(entry, "answered")
    with django_assert_max_num_queries(4):
        response = api_as(None).get(LIST)
    assert response.status_code == 200 and response.json()["count"] == size


# --- submit ---------------------------------------------------------------------------------------
def test_a_signed_in_person_submits_and_gets_a_number(api_as, entrepreneur):
    response = api_as(entrepreneur).post(LIST, {"kind": "blocker", "category": "service",
                                                "title": "餐饮许可现场核查等待时间长", "content": "预约后等了两周。"})
    assert response.status_code == 201
    assert response.json()["number"].startswith("JDZ-")
    assert Suggestion.objects.get(number=response.json()["number"]).submitter == entrepreneur


def test_submitting_needs_sign_in(api_as):
    response = api_as(None).post(LIST, {"kind": "idea", "category": "other", "title": "t", "content": "c"})
    assert response.status_code == 401
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "idea", "category": "other", "title": "", "content": "内容"}, "title"),
    ({"kind": "idea", "category": "other", "title": "长" * 101, "content": "内容"}, "title"),
    ({"kind": "idea", "category": "weather", "title": "标题", "content": "内容"}, "category"),
    ({"kind": "idea", "category": "other", "title": "标题", "content": "   "}, "content"),
])
def test_bad_submissions_are_a_400_with_field_errors(api_as, entrepreneur, data, field):
    response = api_as(entrepreneur).post(LIST, data)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Suggestion.objects.exists()


def test_too_many_submissions_are_a_429_with_a_message(api_as, entrepreneur, settings):
    settings.SUGGESTION_HOURLY_LIMIT = 1
    client = api_as(entrepreneur)
    data = {"kind": "idea", "category": "other", "title": "标题", "content": "内容"}
    assert client.post(LIST, data).status_code == 201
    response = client.post(LIST, data)
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert Suggestion.objects.count() == 1


# --- support --------------------------------------------------------------------------------------
def test_support_once_and_not_ones_own(api_as, submit, entrepreneur, other_entrepreneur):
    entry = submit()
    assert api_as(None).post(url(entry, "support")).status_code == 401
    response = api_as(other_entrepreneur).post(url(entry, "support"))
    assert response.status_code == 201 and response.json()["support_count"] == 1
    assert api_as(other_entrepreneur).post(url(entry, "support")).status_code == 409
    assert api_as(entrepreneur).post(url(entry, "support")).status_code == 400
    assert api_as(other_entrepreneur).post(f"{LIST}JDZ-2026-9999/support/").status_code == 404
    assert Support.objects.count() == 1


# --- transition -----------------------------------------------------------------------------------
def test_staff_move_an_entry_through_the_api(api_as, submit, hall_staff, department):
    entry = submit()
    client = api_as(hall_staff)
    assert client.post(url(entry, "transition"), {"to": "accepted"}).status_code == 200
    response = client.post(url(entry, "transition"), {"to": "assigned", "department": department.code})
    assert response.status_code == 200 and response.json()["department"]["code"] == department.code
    response = client.post(url(entry, "transition"), {"to": "answered", "answer": "已安排周六开放。"})
    assert response.json()["answer"]["text"] == "已安排周六开放。"
    assert Suggestion.objects.get(pk=entry.pk).status == "answered"


def test_transition_answers_401_403_400_409(api_as, submit, walk, hall_staff, entrepreneur, officer):
    entry = submit()
    assert api_as(None).post(url(entry, "transition"), {"to": "accepted"}).status_code == 401
    assert api_as(entrepreneur).post(url(entry, "transition"), {"to": "accepted"}).status_code == 403
    assert api_as(officer).post(url(entry, "transition"), {"to": "accepted"}).status_code == 403
    response = api_as(hall_staff).post(url(entry, "transition"), {"to": "implemented"})
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    assert api_as(hall_staff).post(url(entry, "transition"), {"to": "nonsense"}).status_code == 400
    walk(entry, "accepted")
    response = api_as(hall_staff).post(url(entry, "transition"), {"to": "assigned", "department": "nowhere"})
    assert response.status_code == 400 and "department" in response.json()["errors"]
    response = api_as(hall_staff).post(url(entry, "transition"), {"to": "assigned"})
    assert response.status_code == 400 and "department" in response.json()["errors"]
    assert Suggestion.objects.get(pk=entry.pk).status == "accepted"


def test_the_assigned_officer_drafts_and_decides_but_another_department_cannot(api_as, submit, walk, officer,
                                                                               hall_staff):
    entry = walk(submit(), "assigned")
    response = api_as(officer).post(url(entry, "answer-draft"), {"text": "本局将于下月起试行。"})
    assert response.status_code == 200
    assert api_as(officer).post(url(entry, "answer-draft"), {"text": ""}).status_code == 400
    assert api_as(officer).post(url(entry, "transition"), {"to": "answered"}).status_code == 403
    assert api_as(hall_staff).post(url(entry, "transition"), {"to": "answered"}).status_code == 200
    stranger = UserFactory(is_staff=True, roles=["department_officer"])
    DepartmentFactory().officers.add(stranger)
    assert api_as(stranger).post(url(entry, "transition"), {"to": "adopted"}).status_code == 403
    assert api_as(officer).post(url(entry, "transition"), {"to": "adopted"}).status_code == 200


# --- the submitter's and staff's extra moves ------------------------------------------------------
def test_reopen_and_feedback_belong_to_the_submitter(api_as, submit, walk, entrepreneur, other_entrepreneur):
    entry = walk(submit(), "answered")
    assert api_as(None).post(url(entry, "reopen")).status_code == 401
    assert api_as(other_entrepreneur).post(url(entry, "reopen")).status_code == 403
    response = api_as(entrepreneur).post(url(entry, "reopen"), {"note": "还是没解决"})
    assert response.status_code == 200 and response.json()["status"] == "assigned"
    assert response.json()["reopen_count"] == 1
    assert api_as(entrepreneur).post(url(entry, "reopen")).status_code == 409
    assert api_as(entrepreneur).post(url(entry, "feedback"), {"resolved": "maybe"}).status_code == 400
    assert api_as(entrepreneur).post(url(entry, "feedback"), {"resolved": True}).status_code == 409


def test_staff_merge_and_hide_through_the_api(api_as, submit, hall_staff, entrepreneur, other_entrepreneur):
    original, duplicate = submit(), submit(submitter=other_entrepreneur)
    assert api_as(entrepreneur).post(url(duplicate, "merge"), {"into": original.number}).status_code == 403
    response = api_as(hall_staff).post(url(duplicate, "merge"), {"into": "JDZ-1999-0001"})
    assert response.status_code == 400 and "into" in response.json()["errors"]
    response = api_as(hall_staff).post(url(duplicate, "merge"), {"into": original.number})
    assert response.status_code == 200 and response.json()["merged_into"] == original.number
    assert api_as(hall_staff).post(url(duplicate, "merge"), {"into": original.number}).status_code == 409
    assert api_as(hall_staff).post(url(original, "hide"), {"reason": ""}).status_code == 400
    assert api_as(hall_staff).post(url(original, "hide"), {"reason": "广告"}).status_code == 200
    assert api_as(hall_staff).post(url(original, "hide"), {"reason": "广告"}).status_code == 409


def test_similar_entries_and_stats_endpoints(api_as, submit):
    submit(title="营业执照办理时间太长", content="办理营业执照等了很久。")
    response = api_as(None).get(f"{LIST}similar/", {"title": "营业执照办理太慢"})
    assert response.status_code == 200 and len(response.json()) == 1
    assert api_as(None).get(f"{LIST}similar/").status_code == 400
    stats = api_as(None).get(f"{LIST}stats/").json()
    assert stats["ideas"] == 1 and stats["departments"] == []
