"""A rush on one slot: 50 clients at once on PostgreSQL, never one booking too many."""
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from services.models import Booking, Slot
from tests.factories import BundleFactory, SlotFactory, UserFactory

CLIENTS = 50
CAPACITY = 5


def _rush(requests) -> Counter:
    """Run the callables at the same instant, each on its own thread and database connection."""
    barrier = threading.Barrier(len(requests))
    results: list = []
    lock = threading.Lock()

    def run(request):
        try:
            barrier.wait(timeout=30)
            status = request()
        except Exception as exc:  # an exception is a failure we want counted, not a hung thread
            status = repr(exc)
        finally:
            connection.close()
        with lock:
            results.append(status)

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_never_overbooks_a_slot_when_50_clients_race():
    slot = SlotFactory(bundle=BundleFactory(slug="rush"), capacity=CAPACITY)
    users = [UserFactory(username=f"rush{n}") for n in range(CLIENTS)]

    def book(user):
        def request():
            client = APIClient()
            client.force_authenticate(user=user)
            response = client.post("/api/v1/bookings/", {"slot": slot.pk, "bundle": "rush"}, format="json")
            if response.status_code == 409:
                assert response.json()["code"] == "slot_full"
            return response.status_code

        return request

    results = _rush([book(user) for user in users])

    assert results == Counter({201: CAPACITY, 409: CLIENTS - CAPACITY})
    slot.refresh_from_db()
    assert slot.booked_count == CAPACITY
    assert Booking.objects.filter(slot=slot, status="booked").count() == CAPACITY


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_books_once_when_one_person_double_submits_many_times():
    slot = SlotFactory(bundle=BundleFactory(slug="twice"), capacity=CAPACITY)
    user = UserFactory(username="impatient")

    def request():
        client = APIClient()
        client.force_authenticate(user=user)
        return client.post("/api/v1/bookings/", {"slot": slot.pk}, format="json").status_code

    results = _rush([request for _n in range(10)])

    assert results == Counter({201: 1, 409: 9})
    assert Slot.objects.get(pk=slot.pk).booked_count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_cap_on_active_bookings_when_one_person_books_two_times_at_once(settings):
    settings.BOOKING_MAX_ACTIVE_PER_PERSON = 1
    bundle = BundleFactory(slug="cap")
    first = SlotFactory(bundle=bundle, capacity=CAPACITY)
    second = SlotFactory(bundle=bundle, capacity=CAPACITY, starts_at=first.starts_at + timedelta(hours=1),
                         ends_at=first.ends_at + timedelta(hours=1))
    user = UserFactory(username="two-tabs")

    def book(slot):
        def request():
            client = APIClient()
            client.force_authenticate(user=user)
            response = client.post("/api/v1/bookings/", {"slot": slot.pk, "bundle": "cap"}, format="json")
            if response.status_code == 409:
                assert response.json()["code"] in ("booking_limit_reached", "already_booked")
            return response.status_code

        return request

    results = _rush([book(first if n % 2 else second) for n in range(10)])

    assert results == Counter({201: 1, 409: 9})
    assert Booking.objects.filter(user=user, status="booked").count() == 1
    assert Slot.objects.get(pk=first.pk).booked_count + Slot.objects.get(pk=second.pk).booked_count == 1
