import pytest
from django.urls import reverse

from suggestions import actions
from suggestions.models import Suggestion, Support
from suggestions.selectors import suggestion_similar, text_terms
from tests.factories import SuggestionFactory

pytestmark = pytest.mark.django_db


# --- the public ledger --------------------------------------------------------------------------
def test_the_ledger_shows_entries_answers_and_figures_without_the_submitter(client, submit, walk, entrepreneur,
                                                                             department):
    walk(submit(title="青年专区周末开放"), "answered")
    response = client.get(reverse("suggestions:ledger"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "青年专区周末开放" in body and "已协调青年专区周六上午开放" in body
    assert str(department) in body
    assert entrepreneur.display_name not in body and entrepreneur.username not in body
    assert reverse("suggestions:submit") in body


def test_the_ledger_marks_overdue_entries(client, submit, walk, settings):
    import time_machine

    with time_machine.travel("2026-06-01 10:00 +0800", tick=False):
        walk(submit(), "accepted")
    with time_machine.travel("2026-07-01 10:00 +0800", tick=False):
        body = client.get(reverse("suggestions:ledger")).content.decode()
    assert 'class="status status-bad overdue"' in body


def test_the_ledger_filters_and_shows_bad_filters_as_form_errors(client, submit):
    submit(kind="blocker", title="补贴申报材料重复")
    submit(title="夜间服务")
    body = client.get(reverse("suggestions:ledger"), {"kind": "blocker"}).content.decode()
    assert "补贴申报材料重复" in body and "夜间服务" not in body
    response = client.get(reverse("suggestions:ledger"), {"kind": "complaint"})
    assert response.status_code == 400  # as every list page answers a bad filter value
    assert 'class="error"' in response.content.decode()


@pytest.mark.parametrize("size", [3, 25])
def test_the_ledger_query_count_does_not_grow(client, walk, entrepreneur, django_assert_max_num_queries, size):
    for _ in range(size):
        walk(SuggestionFactory(submitter=entrepreneur), "answered")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("suggestions:ledger"))
    assert response.status_code == 200


def test_the_ledger_shows_department_median_on_time_and_satisfaction(client, submit, walk, officer, department):
    entry = walk(submit(), "answered")
    actions.suggestion_adopt(suggestion=entry, by=officer)
    actions.suggestion_implement(suggestion=entry, by=officer)
    actions.suggestion_feedback(suggestion=entry, by=entry.submitter, resolved=True)
    from suggestions.selectors import suggestion_department_stats

    [row] = suggestion_department_stats()
    assert row["department"] == department and row["answered"] == 1
    assert row["on_time_percent"] == 100 and row["satisfaction_percent"] == 100 and row["median_days"] == 0.0
    assert "100%" in client.get(reverse("suggestions:ledger")).content.decode()


# --- an entry's page ------------------------------------------------------------------------------
def test_the_entry_page_shows_history_and_no_submitter(client, submit, walk, entrepreneur):
    entry = walk(submit(), "assigned")
    response = client.get(reverse("suggestions:detail", kwargs={"number": entry.number}))
    body = response.content.decode()
    assert response.status_code == 200 and entry.number in body
    assert body.count("<li>") >= 3  # submitted, accepted, assigned
    assert entrepreneur.display_name not in body


def test_an_unknown_entry_page_is_a_404(client):
    assert client.get(reverse("suggestions:detail", kwargs={"number": "JDZ-2026-9999"})).status_code == 404


def test_someone_supports_from_the_page_once(client_as, submit, other_entrepreneur):
    entry = submit()
    client = client_as(other_entrepreneur)
    url = reverse("suggestions:support", kwargs={"number": entry.number})
    assert client.post(url).status_code == 302
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert Support.objects.filter(suggestion=entry).count() == 1
    assert 'message-error' in response.content.decode()


def test_page_actions_need_sign_in(client, submit):
    entry = submit()
    response = client.post(reverse("suggestions:support", kwargs={"number": entry.number}))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Support.objects.exists()


def test_staff_move_an_entry_from_its_page_and_a_refusal_is_a_message(client_as, submit, hall_staff, department):
    entry = submit()
    client = client_as(hall_staff)
    page = client.get(reverse("suggestions:detail", kwargs={"number": entry.number})).content.decode()
    assert reverse("suggestions:transition", kwargs={"number": entry.number}) in page
    client.post(reverse("suggestions:transition", kwargs={"number": entry.number}), {"to": "accepted"})
    response = client.post(reverse("suggestions:transition", kwargs={"number": entry.number}),
                           {"to": "assigned", "reason": "请市场监管局牵头"})
    # The page again: the refusal beside its field (or over the form), what was typed kept.
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error"' in body or 'class="form-errors"' in body
    assert "请市场监管局牵头" in body
    assert Suggestion.objects.get(pk=entry.pk).status == "accepted"


def test_a_stranger_cannot_move_an_entry_from_the_page(client_as, submit, other_entrepreneur):
    entry = submit()
    response = client_as(other_entrepreneur).post(
        reverse("suggestions:transition", kwargs={"number": entry.number}), {"to": "accepted"}, follow=True
    )
    assert "message-error" in response.content.decode()
    assert Suggestion.objects.get(pk=entry.pk).status == "submitted"


# --- the submit form with similar entries ---------------------------------------------------------
def test_the_submit_form_needs_sign_in(client):
    response = client.get(reverse("suggestions:submit"))
    assert response.status_code == 302


def test_it_submits_straight_away_when_nothing_is_similar(client_as, entrepreneur):
    response = client_as(entrepreneur).post(reverse("suggestions:submit"), {
        "kind": "idea", "category": "service", "title": "增设母婴室", "content": "带孩子来办事的青年家长需要。",
    })
    entry = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("suggestions:detail",
                                                                           kwargs={"number": entry.number})


def test_it_shows_similar_entries_before_submitting(client_as, submit, other_entrepreneur):
    existing = submit(title="营业执照办理时间太长", content="在大厅办理营业执照等了很久，希望提速。")
    client = client_as(other_entrepreneur)
    data = {"kind": "blocker", "category": "service", "title": "营业执照办理太慢", "content": "执照办理要等好几天。"}
    response = client.post(reverse("suggestions:submit"), data)
    body = response.content.decode()
    assert response.status_code == 200 and existing.number in body and 'name="confirm"' in body
    assert Suggestion.objects.count() == 1
    response = client.post(reverse("suggestions:submit"), {**data, "confirm": "1"})
    assert response.status_code == 302 and Suggestion.objects.count() == 2


def test_the_submit_form_shows_errors_beside_fields_and_the_limit(client_as, entrepreneur, settings):
    client = client_as(entrepreneur)
    response = client.post(reverse("suggestions:submit"), {"kind": "idea", "category": "service", "title": "",
                                                          "content": "x"})
    assert response.status_code == 200 and 'id="id_title_error"' in response.content.decode()
    settings.SUGGESTION_HOURLY_LIMIT = 1
    data = {"kind": "idea", "category": "other", "title": "照明", "content": "停车场照明不足。"}
    client.post(reverse("suggestions:submit"), data)
    response = client.post(reverse("suggestions:submit"), {**data, "title": "另一条", "content": "另一条内容"})
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    assert Suggestion.objects.count() == 1


def test_similarity_uses_chinese_bigrams():
    assert text_terms("营业执照") == ["营业", "业执", "执照"]
    assert text_terms("建议 WiFi 覆盖") == ["覆盖", "wifi"]  # 建议 is a stop pair


def test_similar_leaves_out_unrelated_merged_and_hidden_entries(submit, hall_staff, other_entrepreneur):
    related = submit(title="营业执照办理时间太长")
    submit(title="食堂饭菜价格")
    merged = submit(title="营业执照办理时间太久", submitter=other_entrepreneur)
    actions.suggestion_merge(duplicate=merged, original=related, by=hall_staff)
    hidden = submit(title="营业执照办理时间太长了")
    actions.suggestion_hide(suggestion=hidden, by=hall_staff, reason="重复刷屏")
    assert suggestion_similar(title="营业执照办理慢") == [related]


# --- my page and the dashboard ---------------------------------------------------------------------
def test_my_page_lists_my_entries(client_as, submit, entrepreneur, other_entrepreneur):
    mine = submit()
    theirs = submit(submitter=other_entrepreneur, title="别人的建议")
    body = client_as(entrepreneur).get(reverse("accounts:me")).content.decode()
    assert mine.number in body and theirs.number not in body


def test_the_dashboard_shows_the_ledger_figures(client, submit, walk, officer):
    entry = walk(submit(kind="blocker"), "answered")
    actions.suggestion_adopt(suggestion=entry, by=officer)
    actions.suggestion_implement(suggestion=entry, by=officer)
    from suggestions.dashboard import ledger_figures

    figures = {str(f["label"]): f["value"] for f in ledger_figures()}
    assert list(figures.values()) == [0, 0, 1, 100]
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_department_s_on_time_share_counts_its_overdue_unanswered_entries_against_it(client, department):
    from datetime import timedelta

    from django.utils import timezone

    from suggestions.selectors import suggestion_department_stats
    from tests.factories import SuggestionFactory

    now = timezone.now()
    SuggestionFactory(status="answered", department=department, answer_due_at=now + timedelta(days=1), answered_at=now)
    SuggestionFactory(status="assigned", department=department, answer_due_at=now - timedelta(days=1))
    [row] = suggestion_department_stats()
    assert row["answered"] == 1 and row["on_time_percent"] == 50
    body = client.get(reverse("suggestions:ledger")).content.decode()
    assert "50%" in body and "100%" not in body


def test_the_officers_answer_draft_is_kept_with_its_error_beside_it(client_as, submit, walk, officer):
    entry = walk(submit(), "assigned")
    client = client_as(officer)
    url = reverse("suggestions:draft", kwargs={"number": entry.number})
    response = client.post(url, {"kind": "no-such-kind", "text": "已协调青年专区周六上午开放"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_kind_error"' in body and "已协调青年专区周六上午开放</textarea>" in body


def test_a_form_the_page_does_not_offer_the_person_stays_a_message(client_as, submit, walk, other_entrepreneur):
    entry = walk(submit(), "assigned")
    response = client_as(other_entrepreneur).post(
        reverse("suggestions:draft", kwargs={"number": entry.number}), {"kind": "x"}, follow=True
    )
    assert response.status_code == 200 and "message-error" in response.content.decode()
    assert 'name="text"' not in response.content.decode()


def test_the_history_names_the_department_and_the_follow_up_in_english(client, submit, walk, officer, department):
    department.short_name, department.short_name_en = "市场监管", "Market regulation"
    department.save()
    entry = walk(submit(), "answered")  # assigned by staff in Chinese: the note is the department's Chinese name
    actions.suggestion_adopt(suggestion=entry, by=officer)
    actions.suggestion_implement(suggestion=entry, by=officer)
    actions.suggestion_feedback(suggestion=entry, by=entry.submitter, resolved=True)  # "已解决"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("suggestions:detail", kwargs={"number": entry.number})).content.decode()
    history = body[body.index('id="history-title"'):]
    assert '<span class="muted">Market regulation</span>' in history
    assert '<span class="muted">Resolved</span>' in history and "已解决" not in history
