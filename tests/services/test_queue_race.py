"""Two windows press "call next" at the same instant, and two desks give numbers at once, on PostgreSQL."""
from collections import Counter

import pytest

from services import actions
from services.exceptions import QueueEmpty
from services.models import QueueCounter, QueueTicket
from tests.services.queue_setup import hall, window_staff
from tests.services.test_booking_race import _rush

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _two_windows():
    first, second = window_staff("clerk1"), window_staff("clerk2")
    _zone, window3, item = hall(staff=first, number=3)
    _zone, window4, _item = hall(staff=second, number=4, item=item)
    return item, [(window3, first), (window4, second)]


def _call(window, clerk):
    def request():
        try:
            return actions.queue_call_next(window=window, by=clerk).pk
        except QueueEmpty:
            return "empty"

    return request


def test_it_never_calls_one_person_to_two_windows():
    item, windows = _two_windows()
    desk = window_staff("desk")
    waiting = [actions.queue_walk_in(item=item, by=desk) for _ in range(2)]

    results = _rush([_call(window, clerk) for window, clerk in windows])

    assert sorted(results) == sorted(ticket.pk for ticket in waiting)
    assert set(QueueTicket.objects.values_list("window__number", flat=True)) == {3, 4}


def test_it_calls_the_last_person_to_only_one_of_two_windows():
    item, windows = _two_windows()
    only = actions.queue_walk_in(item=item, by=window_staff("desk"))

    results = _rush([_call(window, clerk) for window, clerk in windows])

    assert results == Counter({only.pk: 1, "empty": 1})
    assert QueueTicket.objects.filter(status="called").count() == 1


def test_it_numbers_walk_ins_at_once_without_gaps_or_twins():
    item, _windows = _two_windows()
    desks = [window_staff(f"desk{n}") for n in range(8)]

    results = _rush([(lambda desk=desk: actions.queue_walk_in(item=item, by=desk).code) for desk in desks])

    assert sorted(results) == [f"A{n:03d}" for n in range(1, 9)]
    assert QueueCounter.objects.get().last == 8
