"""The queue in the API: windows, check-in, walk-in, call next, recall, no-show, done and the queue state."""
import pytest
import time_machine

from services import actions
from services.models import Booking, QueueTicket
from tests.services.queue_setup import NOW, booking_at, hall, local, window_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_now")]


@pytest.fixture
def _now(settings):
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clerk(db):
    return window_staff()


@pytest.fixture
def setup(clerk):
    return hall(staff=clerk)


def test_it_lists_windows_to_hall_staff_only(setup, clerk, entrepreneur, api_as, django_assert_max_num_queries):
    hall(staff=window_staff("clerk2"), number=4, item=setup[2])
    with django_assert_max_num_queries(8):
        response = api_as(clerk).get("/api/v1/windows/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["number"], row["seated"], row["services"]) for row in rows] == [
        (3, True, ["company-setup"]), (4, False, ["company-setup"]),
    ]
    assert api_as(entrepreneur).get("/api/v1/windows/").status_code == 403
    assert api_as().get("/api/v1/windows/").status_code == 401


def test_it_checks_in_by_reference_and_refuses_twice(setup, hall_staff, api_as):
    booking = booking_at(setup[2], starts_at=local(2026, 12, 8, 10, 0), reference="K7M2QX")
    response = api_as(hall_staff).post("/api/v1/queue/check-in/", {"reference": "K7M2QX"}, format="json")
    assert response.status_code == 201
    assert response.json()["number"] == "A001"
    assert response.json()["kind"] == "booked"
    assert response.json()["booking"] == "K7M2QX"

    again = api_as(hall_staff).post("/api/v1/queue/check-in/", {"reference": "K7M2QX"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_checked_in"
    assert QueueTicket.objects.count() == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN


def test_it_refuses_a_check_in_on_the_wrong_day_and_bad_input(setup, hall_staff, entrepreneur, api_as):
    booking = booking_at(setup[2], starts_at=local(2026, 12, 9, 10, 0), user=entrepreneur)
    staff = api_as(hall_staff)
    wrong_day = staff.post("/api/v1/queue/check-in/", {"reference": booking.reference}, format="json")
    assert wrong_day.status_code == 409 and wrong_day.json()["code"] == "check_in_wrong_day"
    assert staff.post("/api/v1/queue/check-in/", {}, format="json").status_code == 400
    assert staff.post("/api/v1/queue/check-in/", {"reference": "NOPE"}, format="json").status_code == 404
    assert api_as().post("/api/v1/queue/check-in/", {"reference": booking.reference}, format="json").status_code == 401
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert not QueueTicket.objects.exists()


def test_it_lets_the_applicant_check_in_and_see_how_many_are_ahead(setup, hall_staff, entrepreneur,
                                                                   other_entrepreneur, api_as):
    actions.queue_walk_in(item=setup[2], by=hall_staff)
    booking = booking_at(setup[2], starts_at=local(2026, 12, 8, 10, 0), user=entrepreneur)
    me = api_as(entrepreneur)
    assert me.get(f"/api/v1/bookings/{booking.reference}/ticket/").status_code == 404
    assert api_as(other_entrepreneur).post(
        "/api/v1/queue/check-in/", {"reference": booking.reference}, format="json"
    ).status_code == 404

    assert me.post("/api/v1/queue/check-in/", {"reference": booking.reference}, format="json").status_code == 201
    mine = me.get(f"/api/v1/bookings/{booking.reference}/ticket/").json()
    assert (mine["number"], mine["ahead"], mine["status"]) == ("A002", 1, "waiting")
    assert api_as(other_entrepreneur).get(f"/api/v1/bookings/{booking.reference}/ticket/").status_code == 404


def test_it_gives_walk_ins_numbers_for_hall_staff_only(setup, hall_staff, entrepreneur, api_as):
    response = api_as(hall_staff).post("/api/v1/queue/walk-in/", {"service": "company-setup"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "walk_in"
    assert api_as(hall_staff).post("/api/v1/queue/walk-in/", {"service": "nope"}, format="json").status_code == 400
    assert api_as(entrepreneur).post("/api/v1/queue/walk-in/", {"service": "company-setup"},
                                     format="json").status_code == 403
    assert QueueTicket.objects.count() == 1


def test_it_calls_and_finishes_only_at_ones_own_window(setup, clerk, hall_staff, api_as, settings):
    settings.QUEUE_MAX_RECALLS = 1
    _zone, window, item = setup
    actions.queue_walk_in(item=item, by=hall_staff)
    actions.queue_walk_in(item=item, by=hall_staff)

    refused = api_as(hall_staff).post(f"/api/v1/windows/{window.pk}/call-next/")
    assert refused.status_code == 403 and refused.json()["code"] == "not_at_this_window"
    assert not QueueTicket.objects.filter(status="called").exists()

    me = api_as(clerk)
    called = me.post(f"/api/v1/windows/{window.pk}/call-next/")
    assert called.status_code == 200
    ticket_id = called.json()["id"]
    assert (called.json()["number"], called.json()["window"]) == ("A001", 3)
    busy = me.post(f"/api/v1/windows/{window.pk}/call-next/")
    assert busy.status_code == 409 and busy.json()["code"] == "window_busy"

    assert api_as(hall_staff).post(f"/api/v1/queue-tickets/{ticket_id}/done/").status_code == 403
    early = me.post(f"/api/v1/queue-tickets/{ticket_id}/no-show/")
    assert early.status_code == 409 and early.json()["code"] == "recalls_needed"
    assert me.post(f"/api/v1/queue-tickets/{ticket_id}/recall/").json()["recalls"] == 1
    assert me.post(f"/api/v1/queue-tickets/{ticket_id}/no-show/").json()["status"] == "no_show"
    assert me.post(f"/api/v1/queue-tickets/{ticket_id}/done/").status_code == 409

    second = me.post(f"/api/v1/windows/{window.pk}/call-next/").json()
    assert me.post(f"/api/v1/queue-tickets/{second['id']}/done/").json()["status"] == "done"
    empty = me.post(f"/api/v1/windows/{window.pk}/call-next/")
    assert empty.status_code == 409 and empty.json()["code"] == "queue_empty"


def test_it_hides_tickets_and_windows_from_people_who_are_not_staff(setup, clerk, hall_staff, entrepreneur, api_as):
    _zone, window, item = setup
    ticket = actions.queue_walk_in(item=item, by=hall_staff)
    assert api_as(entrepreneur).post(f"/api/v1/queue-tickets/{ticket.pk}/done/").status_code == 404
    assert api_as(entrepreneur).post(f"/api/v1/windows/{window.pk}/call-next/").status_code == 404
    assert api_as(clerk).post("/api/v1/queue-tickets/999999/done/").status_code == 404
    assert api_as().post(f"/api/v1/windows/{window.pk}/call-next/").status_code == 401
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_it_gives_the_queue_state_to_anyone_without_anything_personal(setup, clerk, hall_staff, api_as):
    _zone, window, item = setup
    booking = booking_at(item, starts_at=local(2026, 12, 8, 10, 0))
    actions.queue_check_in(booking=booking, by=hall_staff)
    actions.queue_walk_in(item=item, by=hall_staff)  # came at 09:50, before the 10:00 slot: called first
    actions.queue_call_next(window=window, by=clerk)
    response = api_as().get("/api/v1/queue/")
    assert response.status_code == 200
    assert response.json() == {
        "windows": [{"window": 3, "number": "A002", "spoken": "Number A-zero-zero-two, please go to window 3"}],
        "latest": {"window": 3, "number": "A002", "spoken": "Number A-zero-zero-two, please go to window 3"},
        "waiting": 1,
    }
    assert booking.reference not in response.content.decode()


def test_it_documents_the_queue_in_the_openapi_schema(api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in ("/api/v1/windows/", "/api/v1/windows/{window_id}/call-next/", "/api/v1/queue/",
                 "/api/v1/queue/check-in/", "/api/v1/queue/walk-in/", "/api/v1/queue-tickets/{ticket_id}/recall/",
                 "/api/v1/queue-tickets/{ticket_id}/no-show/", "/api/v1/queue-tickets/{ticket_id}/done/",
                 "/api/v1/bookings/{reference}/ticket/"):
        assert path in paths


def test_it_refuses_the_applicant_checking_in_on_another_day(setup, entrepreneur, api_as):
    booking = booking_at(setup[2], starts_at=local(2026, 12, 7, 10, 0), user=entrepreneur)
    refused = api_as(entrepreneur).post("/api/v1/queue/check-in/", {"reference": booking.reference}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "check_in_wrong_day"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert not QueueTicket.objects.exists()


def test_it_refuses_calling_recalling_or_ending_at_a_window_one_does_not_sit_at(setup, clerk, hall_staff, api_as):
    _zone, window, item = setup
    other = window_staff("clerk4")
    _z, window4, _i = hall(staff=other, number=4, item=item)
    actions.queue_walk_in(item=item, by=hall_staff)
    actions.queue_walk_in(item=item, by=hall_staff)
    ticket = actions.queue_call_next(window=window, by=clerk)

    me = api_as(other)
    refused = me.post(f"/api/v1/windows/{window.pk}/call-next/")
    assert refused.status_code == 403 and refused.json()["code"] == "not_at_this_window"
    for move in ("recall", "no-show", "done"):
        assert me.post(f"/api/v1/queue-tickets/{ticket.pk}/{move}/").status_code == 403
    ticket.refresh_from_db()
    assert (ticket.status, ticket.recalls, ticket.window_id) == ("called", 0, window.pk)
    assert QueueTicket.objects.filter(status="waiting").count() == 1
    # At their own window the same person calls the next number as usual.
    assert me.post(f"/api/v1/windows/{window4.pk}/call-next/").status_code == 200
