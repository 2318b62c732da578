"""The queue at the windows: check-in gives a number, windows call, recall, no-show and finish."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from portal.exceptions import TransitionNotAllowed
from services import actions, selectors
from services.exceptions import (
    AlreadyCheckedIn,
    CheckInNotToday,
    CheckInOutsideWindow,
    Forbidden,
    NotAtThisWindow,
    NoWindowForService,
    QueueEmpty,
    RecallsNeeded,
    WindowBusy,
)
from services.models import Booking, QueueTicket, QueueTicketEvent
from tests.factories import BookingFactory, BundleFactory, BundleItemFactory, ServiceItemFactory, SlotFactory
from tests.services.queue_setup import NOW, booking_at, hall, local, window_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_now")]


@pytest.fixture
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clerk(db):
    return window_staff()


@pytest.fixture
def setup(clerk):
    return hall(staff=clerk)


def test_it_gives_a_booking_checked_in_at_the_desk_the_zones_next_number(setup, hall_staff):
    zone, window, item = setup
    first = booking_at(item, starts_at=local(2026, 12, 8, 10, 0))
    second = booking_at(item, starts_at=local(2026, 12, 8, 15, 0))

    ticket = actions.queue_check_in(booking=first, by=hall_staff)
    later = actions.queue_check_in(booking=second, by=hall_staff)

    assert (ticket.code, later.code) == ("A001", "A002")
    first.refresh_from_db()
    assert first.status == Booking.Status.CHECKED_IN
    assert ticket.status == QueueTicket.Status.WAITING
    assert ticket.kind == QueueTicket.Kind.BOOKED


def test_it_refuses_to_check_in_twice_and_changes_nothing(setup, hall_staff):
    _zone, _window, item = setup
    booking = booking_at(item, starts_at=local(2026, 12, 8, 10, 0))
    actions.queue_check_in(booking=booking, by=hall_staff)

    with pytest.raises(AlreadyCheckedIn):
        actions.queue_check_in(booking=booking, by=hall_staff)
    assert QueueTicket.objects.count() == 1


def test_it_refuses_a_check_in_on_another_day(setup, hall_staff):
    _zone, _window, item = setup
    booking = booking_at(item, starts_at=local(2026, 12, 9, 10, 0))

    with pytest.raises(CheckInNotToday):
        actions.queue_check_in(booking=booking, by=hall_staff)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert not QueueTicket.objects.exists()


def test_it_lets_the_applicant_check_in_only_around_their_time(setup, settings):
    settings.QUEUE_CHECK_IN_EARLY_MINUTES = 60
    _zone, _window, item = setup
    soon = booking_at(item, starts_at=local(2026, 12, 8, 10, 30))
    afternoon = booking_at(item, starts_at=local(2026, 12, 8, 15, 0))

    with pytest.raises(CheckInOutsideWindow):
        actions.queue_check_in(booking=afternoon, by=afternoon.user)
    assert actions.queue_check_in(booking=soon, by=soon.user).code == "A001"
    # The refused check-in took no number: the next one is still A002.
    assert actions.queue_walk_in(item=item, by=window_staff("desk")).code == "A002"


def test_it_refuses_someone_elses_booking(setup, other_entrepreneur):
    _zone, _window, item = setup
    booking = booking_at(item, starts_at=local(2026, 12, 8, 10, 0))
    with pytest.raises(Forbidden):
        actions.queue_check_in(booking=booking, by=other_entrepreneur)
    assert not QueueTicket.objects.exists()


def test_it_refuses_a_number_for_an_item_no_window_handles(setup, hall_staff):
    with pytest.raises(NoWindowForService):
        actions.queue_walk_in(item=ServiceItemFactory(code="other"), by=hall_staff)
    assert not QueueTicket.objects.exists()


def test_it_gives_walk_in_numbers_only_at_the_desk(setup, entrepreneur):
    with pytest.raises(Forbidden):
        actions.queue_walk_in(item=setup[2], by=entrepreneur)
    assert not QueueTicket.objects.exists()


def test_it_calls_booked_people_before_walk_ins_within_their_slot(setup, clerk, hall_staff):
    _zone, window, item = setup
    walk_in = actions.queue_walk_in(item=item, by=hall_staff)  # 09:50, before the 10:00 slot
    with time_machine.travel(local(2026, 12, 8, 10, 5), tick=False):
        later_walk_in = actions.queue_walk_in(item=item, by=hall_staff)
        booked = actions.queue_check_in(booking=booking_at(item, starts_at=local(2026, 12, 8, 10, 0)), by=hall_staff)

        calls = []
        for _ in range(3):
            ticket = actions.queue_call_next(window=window, by=clerk)
            calls.append(ticket.code)
            actions.queue_done(ticket=ticket, by=clerk)
    assert calls == [walk_in.code, booked.code, later_walk_in.code]


def test_it_calls_a_bundle_booking_at_a_window_for_one_of_its_items(setup, clerk, hall_staff):
    _zone, window, item = setup
    bundle = BundleFactory(slug="restaurant")
    BundleItemFactory(bundle=bundle, item=item)
    booking = BookingFactory(slot=SlotFactory(bundle=bundle, starts_at=local(2026, 12, 8, 10, 0), booked_count=1))
    ticket = actions.queue_check_in(booking=booking, by=hall_staff)
    assert actions.queue_call_next(window=window, by=clerk).pk == ticket.pk


def test_it_lets_only_the_staff_at_a_window_call_for_it(setup, hall_staff):
    _zone, window, item = setup
    actions.queue_walk_in(item=item, by=hall_staff)
    with pytest.raises(NotAtThisWindow):
        actions.queue_call_next(window=window, by=hall_staff)
    assert QueueTicket.objects.get().status == QueueTicket.Status.WAITING


def test_it_refuses_a_second_call_while_a_number_is_at_the_window(setup, clerk, hall_staff):
    _zone, window, item = setup
    actions.queue_walk_in(item=item, by=hall_staff)
    actions.queue_walk_in(item=item, by=hall_staff)
    actions.queue_call_next(window=window, by=clerk)
    with pytest.raises(WindowBusy):
        actions.queue_call_next(window=window, by=clerk)
    assert QueueTicket.objects.filter(status="called").count() == 1


def test_it_says_when_nobody_is_waiting(setup, clerk):
    with pytest.raises(QueueEmpty):
        actions.queue_call_next(window=setup[1], by=clerk)


def test_it_marks_a_no_show_only_after_the_recalls(setup, clerk, hall_staff, settings):
    settings.QUEUE_MAX_RECALLS = 2
    _zone, window, item = setup
    actions.queue_walk_in(item=item, by=hall_staff)
    ticket = actions.queue_call_next(window=window, by=clerk)

    with pytest.raises(RecallsNeeded):
        actions.queue_no_show(ticket=ticket, by=clerk)
    actions.queue_recall(ticket=ticket, by=clerk)
    with pytest.raises(RecallsNeeded):
        actions.queue_no_show(ticket=ticket, by=clerk)
    actions.queue_recall(ticket=ticket, by=clerk)
    actions.queue_no_show(ticket=ticket, by=clerk)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.recalls) == (QueueTicket.Status.NO_SHOW, 2)
    assert list(QueueTicketEvent.objects.filter(ticket=ticket).values_list("to_status", flat=True)) == [
        "waiting", "called", "called", "called", "no_show",
    ]
    with pytest.raises(TransitionNotAllowed):
        actions.queue_done(ticket=ticket, by=clerk)


def test_it_refuses_moves_on_a_number_at_another_window(setup, clerk, hall_staff):
    _zone, window, item = setup
    other_clerk = window_staff("clerk2")
    hall(staff=other_clerk, number=4, item=item)
    actions.queue_walk_in(item=item, by=hall_staff)
    ticket = actions.queue_call_next(window=window, by=clerk)

    for move in (actions.queue_recall, actions.queue_done, actions.queue_no_show):
        with pytest.raises(NotAtThisWindow):
            move(ticket=ticket, by=other_clerk)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.recalls) == (QueueTicket.Status.CALLED, 0)


def test_it_counts_the_people_ahead(setup, hall_staff, clerk):
    _zone, window, item = setup
    first = actions.queue_walk_in(item=item, by=hall_staff)
    second = actions.queue_walk_in(item=item, by=hall_staff)
    third = actions.queue_walk_in(item=item, by=hall_staff)
    assert [selectors.queue_ahead(ticket=t) for t in (first, second, third)] == [0, 1, 2]
    actions.queue_call_next(window=window, by=clerk)
    third.refresh_from_db()
    assert selectors.queue_ahead(ticket=third) == 1


def test_it_numbers_each_zone_and_day_from_one(setup, hall_staff):
    _zone, _window, item = setup
    _b, _w, other_item = hall(number=8, letter="B", item=ServiceItemFactory(code="tax"))
    assert actions.queue_walk_in(item=item, by=hall_staff).code == "A001"
    assert actions.queue_walk_in(item=other_item, by=hall_staff).code == "B001"
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert actions.queue_walk_in(item=item, by=hall_staff).code == "A001"


def test_it_spells_the_number_for_reading_aloud():
    with translation.override("en"):
            assert selectors.queue_number_spoken(code="A012", window_number=3) == (
            "Number A-zero-one-two, please go to window 3"
        )
