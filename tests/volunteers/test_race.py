"""Capacity under a rush of simultaneous sign-ups, on PostgreSQL with real concurrent connections."""
import threading

import pytest
from django.db import connection

from portal.exceptions import DomainError
from tests.factories import ActivityFactory, UserFactory
from volunteers.actions import activity_signup
from volunteers.models import Activity, SignUp

THREADS = 24
CAPACITY = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_never_exceeds_capacity_under_simultaneous_sign_ups():
    activity = ActivityFactory(capacity=CAPACITY)
    people = [UserFactory() for _ in range(THREADS)]
    # One person tries twice at the same time as well: only one of those may win.
    people.append(people[0])
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person):
        try:
            barrier.wait(timeout=20)
            activity_signup(activity=Activity.objects.get(pk=activity.pk), by=person)
            result = "ok"
        except DomainError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == len(people)
    assert outcomes.count("ok") == CAPACITY
    assert set(outcomes) - {"ok"} <= {"activity_full", "signup_conflict"}
    activity.refresh_from_db()
    assert activity.signed_up == CAPACITY
    assert SignUp.objects.filter(activity=activity, status="active").count() == CAPACITY
    assert SignUp.objects.filter(activity=activity, user=people[0]).count() <= 1
