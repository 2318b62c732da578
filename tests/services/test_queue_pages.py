"""The desk, a window's page, the calling screen and the booking page, per role."""
import re

import pytest
import time_machine

from services import actions
from services.models import Booking, QueueTicket
from tests.services.queue_setup import NOW, booking_at, hall, local, window_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_now")]


@pytest.fixture
def _now(settings):
    # The messages asserted below are the English source strings.
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clerk(db):
    return window_staff()


@pytest.fixture
def setup(clerk):
    return hall(staff=clerk)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_it_checks_a_booking_in_at_the_desk_by_its_reference(setup, hall_staff, client_as):
    booking = booking_at(setup[2], starts_at=local(2026, 12, 8, 10, 0), reference="K7M2QX")
    client = client_as(hall_staff)
    response = client.post("/hall/desk/", {"checkin-reference": "k7m2qx "}, follow=True)
    assert response.status_code == 200
    assert "A001" in response.content.decode()
    assert QueueTicket.objects.get().booking == booking

    again = client.post("/hall/desk/", {"checkin-reference": "K7M2QX"})
    assert again.status_code == 409
    assert "already been checked in" in again.content.decode()
    assert QueueTicket.objects.count() == 1


def test_it_answers_the_desk_on_a_wrong_day_or_unknown_reference(setup, hall_staff, client_as):
    booking_at(setup[2], starts_at=local(2026, 12, 9, 10, 0), reference="TOMORROW")
    client = client_as(hall_staff)
    assert client.post("/hall/desk/", {"checkin-reference": "TOMORROW"}).status_code == 409
    assert client.post("/hall/desk/", {"checkin-reference": "NOPE"}).status_code == 404
    assert client.post("/hall/desk/", {"checkin-reference": ""}).status_code == 400
    assert not QueueTicket.objects.exists()


def test_it_gives_a_walk_in_a_number_at_the_desk(setup, hall_staff, client_as):
    client = client_as(hall_staff)
    response = client.post("/hall/desk/", {"walkin-item": setup[2].pk}, follow=True)
    assert "A001" in response.content.decode()
    assert QueueTicket.objects.get().kind == QueueTicket.Kind.WALK_IN
    assert client.post("/hall/desk/", {"walkin-item": "999999"}).status_code == 400


def test_it_keeps_the_desk_for_hall_staff(setup, entrepreneur, client_as, client):
    assert client.get("/hall/desk/").status_code == 302
    assert client_as(entrepreneur).get("/hall/desk/").status_code == 403
    assert client_as(entrepreneur).post("/hall/desk/", {"walkin-item": setup[2].pk}).status_code == 403
    assert not QueueTicket.objects.exists()


def test_it_runs_a_window_with_one_press_each(setup, clerk, hall_staff, client_as, settings):
    settings.QUEUE_MAX_RECALLS = 1
    _zone, window, item = setup
    actions.queue_walk_in(item=item, by=hall_staff)
    client = client_as(clerk)
    page = client.get(f"/hall/windows/{window.pk}/")
    assert page.status_code == 200
    assert "Call next" in page.content.decode()

    client.post(f"/hall/windows/{window.pk}/call/")
    ticket = QueueTicket.objects.get()
    assert ticket.status == "called" and ticket.window == window
    page = client.get(f"/hall/windows/{window.pk}/")
    assert 'id="current-number">A001<' in page.content.decode()

    base = f"/hall/windows/{window.pk}/tickets/{ticket.pk}"
    refused = client.post(f"{base}/no-show/", follow=True)
    assert any("more time" in message for message in _messages(refused))
    client.post(f"{base}/recall/")
    client.post(f"{base}/no-show/")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.recalls) == ("no_show", 1)


def test_it_keeps_a_window_for_the_staff_who_sit_at_it(setup, hall_staff, entrepreneur, client_as):
    _zone, window, item = setup
    actions.queue_walk_in(item=item, by=hall_staff)
    assert client_as(hall_staff).get(f"/hall/windows/{window.pk}/").status_code == 403
    assert client_as(hall_staff).post(f"/hall/windows/{window.pk}/call/").status_code == 403
    assert client_as(entrepreneur).get(f"/hall/windows/{window.pk}/").status_code == 403
    assert client_as(hall_staff).get("/hall/windows/999999/").status_code == 404
    assert QueueTicket.objects.get().status == "waiting"


def test_it_refuses_a_ticket_from_another_window_on_this_windows_page(setup, clerk, hall_staff, client_as):
    _zone, window, item = setup
    other = window_staff("clerk2")
    _z, window4, _i = hall(staff=other, number=4, item=item)
    actions.queue_walk_in(item=item, by=hall_staff)
    ticket = actions.queue_call_next(window=window4, by=other)
    # The clerk sits at window 3: the number at window 4 is not theirs.
    assert client_as(clerk).post(f"/hall/windows/{window.pk}/tickets/{ticket.pk}/done/").status_code == 404
    assert client_as(clerk).post(f"/hall/windows/{window4.pk}/tickets/{ticket.pk}/done/").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "called"


def test_it_shows_the_calling_screen_to_anyone_with_nothing_personal(setup, clerk, hall_staff, client):
    _zone, window, item = setup
    booking = booking_at(item, starts_at=local(2026, 12, 8, 10, 0))
    actions.queue_check_in(booking=booking, by=hall_staff)
    actions.queue_call_next(window=window, by=clerk)

    response = client.get("/hall/screen/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', html)
    assert "A001" in html
    assert "Number A-zero-zero-one, please go to window 3" in html
    assert booking.reference not in html and booking.user.display_name not in html
    assert "<script" not in html and "style=" not in html


def test_it_shows_the_person_their_number_and_how_many_are_ahead(setup, hall_staff, entrepreneur, client_as):
    _zone, _window, item = setup
    actions.queue_walk_in(item=item, by=hall_staff)
    booking = booking_at(item, starts_at=local(2026, 12, 8, 10, 0), user=entrepreneur)
    client = client_as(entrepreneur)
    page = client.get(f"/bookings/{booking.reference}/")
    assert f'action="/bookings/{booking.reference}/check-in/"' in page.content.decode()

    client.post(f"/bookings/{booking.reference}/check-in/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    html = client.get(f"/bookings/{booking.reference}/").content.decode()
    assert 'id="queue-number">A002<' in html
    assert re.search(r'id="queue-ahead">\s*1 ', html)


def test_it_tells_the_person_when_they_checked_in_too_early(setup, entrepreneur, client_as):
    booking = booking_at(setup[2], starts_at=local(2026, 12, 8, 16, 0), user=entrepreneur)
    response = client_as(entrepreneur).post(f"/bookings/{booking.reference}/check-in/", follow=True)
    assert any("reception desk" in message for message in _messages(response))
    assert not QueueTicket.objects.exists()


def test_it_does_not_let_another_person_check_a_booking_in(setup, other_entrepreneur, client_as):
    booking = booking_at(setup[2], starts_at=local(2026, 12, 8, 10, 0))
    assert client_as(other_entrepreneur).post(f"/bookings/{booking.reference}/check-in/").status_code == 404
    assert not QueueTicket.objects.exists()


def test_the_zone_is_named_in_the_pages_language(setup, clerk, client_as):
    zone, window, _item = setup
    zone.name_zh_hans, zone.name_en = "青年专区", "Youth zone"
    zone.save()
    client = client_as(clerk)
    client.cookies["django_language"] = "en"
    english = client.get(f"/hall/windows/{window.pk}/").content.decode()
    assert "Youth zone" in english and "青年专区" not in english
    client.cookies["django_language"] = "zh-hans"
    assert "青年专区" in client.get(f"/hall/windows/{window.pk}/").content.decode()
