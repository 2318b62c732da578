import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from portal.exceptions import TransitionNotAllowed
from portal.hall.models import Holiday
from portal.notifications.models import Notification
from suggestions import actions
from suggestions.exceptions import Conflict, Forbidden, Invalid, RateLimited
from suggestions.models import LedgerCounter, Suggestion, SuggestionAnswer, SuggestionEvent, Support
from tests.factories import DepartmentFactory, SuggestionFactory, UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


# --- numbering and submitting -----------------------------------------------------------------
def test_it_numbers_entries_sequentially_within_the_year(submit, other_entrepreneur):
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=TZ), tick=False):
        first = submit()
        second = submit(submitter=other_entrepreneur)
    with time_machine.travel(datetime(2027, 1, 1, 9, 0, tzinfo=TZ), tick=False):
        third = submit()
    assert [first.number, second.number, third.number] == ["JDZ-2026-0001", "JDZ-2026-0002", "JDZ-2027-0001"]
    assert LedgerCounter.objects.get(year=2026).last == 2


def test_it_starts_the_counter_after_numbers_already_in_the_ledger(submit, entrepreneur):
    year = datetime.now(TZ).year
    Suggestion.objects.create(number=f"JDZ-{year}-0041", kind="idea", category="other", title="旧台账",
                              content="导入", submitter=entrepreneur)
    assert submit().number == f"JDZ-{year}-0042"


def test_it_records_the_submission_with_its_history(submit, entrepreneur):
    entry = submit()
    assert entry.status == "submitted" and entry.submitter == entrepreneur
    event = entry.events.get()
    assert (event.kind, event.to_status, event.by_role) == ("submit", "submitted", "submitter")


@pytest.mark.parametrize(("field", "values"), [
    ("title", {"title": "   "}),
    ("title", {"title": "长" * 101}),
    ("content", {"content": ""}),
    ("content", {"content": "字" * 5001}),
    ("kind", {"kind": "complaint"}),
    ("category", {"category": "weather"}),
])
def test_it_refuses_bad_input_and_writes_nothing(entrepreneur, field, values):
    data = {"kind": "idea", "category": "service", "title": "标题", "content": "内容", **values}
    with pytest.raises(Invalid) as caught:
        actions.suggestion_submit(by=entrepreneur, **data)
    assert caught.value.field == field
    assert not Suggestion.objects.exists()
    assert not LedgerCounter.objects.exists()


def test_it_limits_submissions_per_person_and_hour(submit, other_entrepreneur, settings):
    settings.SUGGESTION_HOURLY_LIMIT = 2
    with time_machine.travel(datetime(2026, 5, 6, 9, 0, tzinfo=TZ), tick=False):
        submit()
        submit()
        with pytest.raises(RateLimited) as caught:
            submit()
        assert caught.value.status_code == 429 and "2" in str(caught.value.message)
        submit(submitter=other_entrepreneur)  # the limit is per person
    with time_machine.travel(datetime(2026, 5, 6, 10, 1, tzinfo=TZ), tick=False):
        submit()  # an hour later it is free again
    assert Suggestion.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_gives_distinct_consecutive_numbers_to_simultaneous_submissions():
    people = [UserFactory() for _ in range(12)]
    barrier = threading.Barrier(len(people))
    numbers, errors = [], []

    def run(person):
        barrier.wait()
        try:
            entry = actions.suggestion_submit(by=person, kind="blocker", category="service",
                                              title="同时提交", content="并发提交测试")
            numbers.append(entry.number)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    year = datetime.now(TZ).year
    assert errors == []
    assert sorted(numbers) == [f"JDZ-{year}-{n:04d}" for n in range(1, 13)]
    assert LedgerCounter.objects.get(year=year).last == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_holds_the_hourly_limit_under_simultaneous_submissions(settings):
    settings.SUGGESTION_HOURLY_LIMIT = 3
    person = UserFactory()
    barrier = threading.Barrier(8)
    outcomes = []

    def run():
        barrier.wait()
        try:
            actions.suggestion_submit(by=person, kind="idea", category="other", title="快", content="快")
            outcomes.append("ok")
        except RateLimited:
            outcomes.append("limited")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3 and outcomes.count("limited") == 5
    assert Suggestion.objects.filter(submitter=person).count() == 3


# --- the state machine ------------------------------------------------------------------------
def test_it_walks_the_whole_path_with_history_and_tells_the_submitter(submit, walk, hall_staff, officer, department):
    entry = walk(submit(), "answered")
    entry = actions.suggestion_adopt(suggestion=entry, by=officer)
    entry = actions.suggestion_implement(suggestion=entry, by=officer)
    assert entry.status == "implemented" and entry.closed_at is not None
    moves = list(entry.events.filter(kind="move").values_list("from_status", "to_status", "by_role"))
    assert moves == [
        ("submitted", "accepted", "staff"), ("accepted", "assigned", "staff"), ("assigned", "answered", "staff"),
        ("answered", "adopted", "department"), ("adopted", "implemented", "department"),
    ]
    assert Notification.objects.filter(user=entry.submitter).count() == 5
    assert entry.published_answer.department == department
    assert entry.published_answer.published_by == hall_staff


def test_it_sets_the_answer_deadline_in_working_days_on_acceptance(submit, hall_staff):
    Holiday.objects.create(date=datetime(2026, 10, 1).date(), kind="day_off", name="国庆节")
    with time_machine.travel(datetime(2026, 9, 28, 10, 0, tzinfo=TZ), tick=False):  # a Monday
        entry = actions.suggestion_accept(suggestion=submit(), by=hall_staff)
    # 10 working days after Mon 28 Sep, skipping the weekends and the holiday on 1 Oct.
    assert entry.answer_due_at.astimezone(TZ).date() == datetime(2026, 10, 13).date()


def test_it_refuses_a_move_the_machine_does_not_allow(submit, hall_staff, department):
    entry = submit()
    with pytest.raises(Conflict) as caught:
        actions.suggestion_answer(suggestion=entry, answer="好", by=hall_staff)
    assert caught.value.code == "transition_not_allowed"
    entry.refresh_from_db()
    assert entry.status == "submitted" and entry.events.count() == 1


def test_it_refuses_an_unknown_status(submit, hall_staff):
    with pytest.raises(Invalid) as caught:
        actions.suggestion_move(suggestion=submit(), to="done", by=hall_staff)
    assert caught.value.field == "to"


def test_the_machine_is_the_halls_moves_the_reopening_and_the_merge():
    S = Suggestion.Status
    moves = {(status, to) for status, targets in Suggestion.TRANSITIONS.items() for to in targets}
    assert moves == (
        Suggestion.HALL_MOVES
        | {(status, S.ASSIGNED) for status in Suggestion.REOPENABLE_STATES}
        | {(status, S.MERGED) for status in Suggestion.MERGEABLE_STATES}
    )
    assert Suggestion.OFFICER_MOVES <= Suggestion.HALL_MOVES


def test_a_status_no_move_of_the_hall_leads_to_is_refused_like_before(submit, hall_staff, officer):
    entry = submit()
    with pytest.raises(TransitionNotAllowed):
        actions.suggestion_move(suggestion=entry, to="merged", by=hall_staff)
    with pytest.raises(Forbidden):
        actions.suggestion_move(suggestion=entry, to="submitted", by=officer)
    assert Suggestion.objects.get(pk=entry.pk).status == "submitted" and entry.events.count() == 1


def test_staff_cannot_reassign_an_adopted_entry(submit, walk, hall_staff, officer, department):
    entry = actions.suggestion_adopt(suggestion=walk(submit(), "answered"), by=officer)
    with pytest.raises(TransitionNotAllowed):  # adopted -> assigned is the submitter's reopening only
        actions.suggestion_assign(suggestion=entry, department=department, by=hall_staff)
    assert Suggestion.objects.get(pk=entry.pk).status == "adopted"


def test_it_needs_a_department_to_assign(submit, walk, hall_staff):
    entry = walk(submit(), "accepted")
    with pytest.raises(Invalid) as caught:
        actions.suggestion_assign(suggestion=entry, department=None, by=hall_staff)
    assert caught.value.field == "department"


def test_it_lets_only_staff_and_the_assigned_officer_move(submit, walk, entrepreneur, officer, department):
    entry = submit()
    with pytest.raises(Forbidden):
        actions.suggestion_accept(suggestion=entry, by=entrepreneur)
    with pytest.raises(Forbidden):  # officers do not accept; staff do
        actions.suggestion_accept(suggestion=entry, by=officer)
    entry = walk(entry, "answered", dept=DepartmentFactory())
    with pytest.raises(Forbidden):  # an officer of another department
        actions.suggestion_adopt(suggestion=entry, by=officer)
    assert Suggestion.objects.get(pk=entry.pk).status == "answered"


def test_it_publishes_the_officers_draft_naming_the_department(submit, walk, officer, hall_staff, department):
    entry = walk(submit(), "assigned")
    actions.suggestion_answer_draft(suggestion=entry, by=officer, text="初稿")
    actions.suggestion_answer_draft(suggestion=entry, by=officer, text="已研究，下月起周六上午开放。")
    assert SuggestionAnswer.objects.filter(suggestion=entry, published_at__isnull=True).count() == 1
    entry = actions.suggestion_answer(suggestion=entry, by=hall_staff)
    assert entry.published_answer.text == "已研究，下月起周六上午开放。"
    assert entry.published_answer.department == department and entry.answered_at is not None


def test_it_refuses_to_publish_an_answer_without_text(submit, walk, hall_staff):
    entry = walk(submit(), "assigned")
    with pytest.raises(Invalid) as caught:
        actions.suggestion_answer(suggestion=entry, answer="  ", by=hall_staff)
    assert caught.value.field == "answer"
    assert Suggestion.objects.get(pk=entry.pk).status == "assigned"


def test_it_refuses_drafts_from_other_people_and_outside_assignment(submit, walk, entrepreneur, officer):
    entry = submit()
    with pytest.raises(Forbidden):
        actions.suggestion_answer_draft(suggestion=entry, by=entrepreneur, text="我来答")
    entry = walk(entry, "assigned")
    with pytest.raises(Forbidden):
        actions.suggestion_answer_draft(suggestion=entry, by=entrepreneur, text="我来答")
    with pytest.raises(Invalid) as caught:
        actions.suggestion_answer_draft(suggestion=entry, by=officer, text="不归我们", kind="not_ours")
    assert caught.value.field == "reason"
    walk(entry, "answered")
    with pytest.raises(Conflict):
        actions.suggestion_answer_draft(suggestion=entry, by=officer, text="晚了")


def test_a_not_our_department_answer_says_why_and_where_and_can_be_reassigned(submit, walk, officer, hall_staff):
    entry = walk(submit(), "assigned")
    actions.suggestion_answer_draft(
        suggestion=entry, by=officer, kind="not_ours", text="此事项不属于本局职责。",
        reason="营业场所消防审验由消防部门负责。", redirect="区消防救援大队（A06窗口）",
    )
    entry = actions.suggestion_answer(suggestion=entry, by=hall_staff)
    assert entry.published_answer.kind == "not_ours" and entry.published_answer.redirect.startswith("区消防")
    fire = DepartmentFactory(code="fire", name="区消防救援大队")
    entry = actions.suggestion_assign(suggestion=entry, department=fire, by=hall_staff)
    assert entry.department == fire and entry.answered_at is None and entry.answer_due_at is not None


def test_not_adopted_needs_a_reason_and_where_to_go(submit, walk, officer):
    entry = walk(submit(), "answered")
    with pytest.raises(Invalid) as caught:
        actions.suggestion_decline(suggestion=entry, reason="不符合规定", redirect="", by=officer)
    assert caught.value.field == "redirect"
    entry = actions.suggestion_decline(suggestion=entry, reason="涉及法定时限，暂不能调整。", redirect="12345热线", by=officer)
    assert entry.status == "not_adopted" and entry.closed_at is not None


def test_a_hidden_entry_cannot_move(submit, hall_staff):
    entry = actions.suggestion_hide(suggestion=submit(), by=hall_staff, reason="含有辱骂内容")
    with pytest.raises(Conflict):
        actions.suggestion_accept(suggestion=entry, by=hall_staff)


# --- reopening and the follow-up question -----------------------------------------------------
def test_the_submitter_can_mark_an_answer_not_solved_within_the_window(submit, walk, officer, settings):
    settings.SUGGESTION_REOPEN_DAYS = 15
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=TZ), tick=False):
        entry = walk(submit(), "answered")
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=TZ), tick=False):
        entry = actions.suggestion_reopen(suggestion=entry, by=entry.submitter, note="周六依然不开门")
    assert entry.status == "assigned" and entry.reopen_count == 1 and entry.answered_at is None
    assert entry.answer_due_at.astimezone(TZ).date() > datetime(2026, 6, 10).date()
    assert Notification.objects.filter(user=officer, title__contains=entry.number).exists()
    event = entry.events.get(kind="reopen")
    assert (event.from_status, event.to_status, event.by_role) == ("answered", "assigned", "submitter")


def test_reopening_is_refused_after_the_window_by_others_and_before_an_answer(submit, walk, other_entrepreneur,
                                                                              settings):
    settings.SUGGESTION_REOPEN_DAYS = 15
    entry = submit()
    with pytest.raises(Conflict):
        actions.suggestion_reopen(suggestion=entry, by=entry.submitter)
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=TZ), tick=False):
        entry = walk(entry, "answered")
    with pytest.raises(Forbidden):
        actions.suggestion_reopen(suggestion=entry, by=other_entrepreneur)
    with time_machine.travel(datetime(2026, 6, 17, 10, 0, tzinfo=TZ), tick=False), pytest.raises(Conflict) as caught:
        actions.suggestion_reopen(suggestion=entry, by=entry.submitter)
    assert caught.value.code == "reopen_window_closed"


def test_the_submitter_answers_the_follow_up_once_after_closing(submit, walk, officer, other_entrepreneur):
    entry = walk(submit(), "answered")
    with pytest.raises(Conflict):
        actions.suggestion_feedback(suggestion=entry, by=entry.submitter, resolved=True)
    entry = actions.suggestion_adopt(suggestion=entry, by=officer)
    entry = actions.suggestion_implement(suggestion=entry, by=officer)
    with pytest.raises(Forbidden):
        actions.suggestion_feedback(suggestion=entry, by=other_entrepreneur, resolved=True)
    entry = actions.suggestion_feedback(suggestion=entry, by=entry.submitter, resolved=True)
    assert entry.resolved is True
    with pytest.raises(Conflict):
        actions.suggestion_feedback(suggestion=entry, by=entry.submitter, resolved=False)


# --- support, merge, hide -----------------------------------------------------------------------
def test_it_counts_support_once_per_person_and_never_ones_own(submit, entrepreneur, other_entrepreneur):
    entry = submit()
    actions.suggestion_support(suggestion=entry, by=other_entrepreneur)
    with pytest.raises(Conflict) as twice:
        actions.suggestion_support(suggestion=entry, by=other_entrepreneur)
    with pytest.raises(Invalid) as own:
        actions.suggestion_support(suggestion=entry, by=entrepreneur)
    assert (twice.value.code, own.value.code) == ("already_supported", "own_entry")
    entry.refresh_from_db()
    assert entry.support_count == 1 and Support.objects.count() == 1


def test_merging_keeps_the_number_points_at_the_original_and_carries_supporters(submit, hall_staff, entrepreneur,
                                                                                other_entrepreneur):
    original = submit()
    duplicate = submit(submitter=other_entrepreneur, title="周末开放青年专区")
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        actions.suggestion_support(suggestion=duplicate, by=fan)
    actions.suggestion_support(suggestion=original, by=fans[0])  # supports both: counted once
    actions.suggestion_support(suggestion=duplicate, by=entrepreneur)  # the original's own submitter
    duplicate = actions.suggestion_merge(duplicate=duplicate, original=original, by=hall_staff)
    original.refresh_from_db()
    assert duplicate.status == "merged" and duplicate.merged_into == original
    assert Suggestion.objects.filter(number=duplicate.number).exists()
    supporters = set(Support.objects.filter(suggestion=original).values_list("user_id", flat=True))
    assert supporters == {fan.pk for fan in fans} | {other_entrepreneur.pk}
    assert original.support_count == 4 and duplicate.support_count == 0
    assert not Support.objects.filter(suggestion=duplicate).exists()


def test_merging_is_for_staff_and_refuses_self_and_merged_targets(submit, hall_staff, entrepreneur):
    first, second, third = submit(), submit(), submit()
    with pytest.raises(Forbidden):
        actions.suggestion_merge(duplicate=second, original=first, by=entrepreneur)
    with pytest.raises(Invalid):
        actions.suggestion_merge(duplicate=first, original=first, by=hall_staff)
    actions.suggestion_merge(duplicate=second, original=first, by=hall_staff)
    with pytest.raises(Conflict):
        actions.suggestion_merge(duplicate=third, original=second, by=hall_staff)
    with pytest.raises(Conflict):
        actions.suggestion_merge(duplicate=second, original=third, by=hall_staff)


def test_hiding_keeps_the_number_with_a_reason(submit, hall_staff, entrepreneur):
    entry = submit()
    with pytest.raises(Forbidden):
        actions.suggestion_hide(suggestion=entry, by=entrepreneur, reason="x")
    with pytest.raises(Invalid):
        actions.suggestion_hide(suggestion=entry, by=hall_staff, reason=" ")
    entry = actions.suggestion_hide(suggestion=entry, by=hall_staff, reason="含有人身攻击")
    assert entry.is_hidden and SuggestionEvent.objects.filter(suggestion=entry, kind="hide").exists()
    with pytest.raises(Conflict):
        actions.suggestion_hide(suggestion=entry, by=hall_staff, reason="again")


def test_factory_entries_and_submitted_entries_share_the_numbering(submit):
    made = SuggestionFactory()
    assert submit().number != made.number
