from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ActivityFactory, SignUpFactory, UserFactory
from volunteers.models import Activity, SignUp

pytestmark = pytest.mark.django_db


def _url(activity, what="signup"):
    return f"/api/v1/activities/{activity.pk}/{what}/"


def test_it_signs_a_person_up_and_counts_the_place(api_as, entrepreneur, team):
    activity = ActivityFactory(team=team, capacity=3)
    response = api_as(entrepreneur).post(_url(activity))
    assert response.status_code == 201
    assert response.json()["remaining"] == 2 and response.json()["status"] == "active"
    activity.refresh_from_db()
    assert activity.signed_up == 1
    assert SignUp.objects.get(activity=activity).user == entrepreneur


def test_it_needs_sign_in(api_as, team):
    activity = ActivityFactory(team=team)
    assert api_as(None).post(_url(activity)).status_code == 401
    assert api_as(None).post(_url(activity, "cancel-signup")).status_code == 401
    assert not SignUp.objects.exists()


def test_it_refuses_signing_up_twice(api_as, entrepreneur, team):
    activity = ActivityFactory(team=team)
    api_as(entrepreneur).post(_url(activity))
    response = api_as(entrepreneur).post(_url(activity))
    assert response.status_code == 409 and response.json()["code"] == "signup_conflict"
    activity.refresh_from_db()
    assert activity.signed_up == 1


def test_it_refuses_a_full_activity(api_as, entrepreneur, team):
    activity = ActivityFactory(team=team, capacity=1)
    SignUpFactory(activity=activity)
    response = api_as(entrepreneur).post(_url(activity))
    assert response.status_code == 409 and response.json()["code"] == "activity_full"
    assert SignUp.objects.filter(user=entrepreneur).count() == 0


@pytest.mark.parametrize("status", ["cancelled", "closed", "done"])
def test_it_refuses_an_activity_not_open(api_as, entrepreneur, team, status):
    activity = ActivityFactory(team=team, status=status)
    response = api_as(entrepreneur).post(_url(activity))
    assert response.status_code == 409
    assert not SignUp.objects.exists()


def test_it_refuses_signing_up_after_the_start(api_as, entrepreneur, team):
    activity = ActivityFactory(team=team)
    with time_machine.travel(activity.starts_at + timedelta(minutes=1)):
        response = api_as(entrepreneur).post(_url(activity))
    assert response.status_code == 409
    assert response.json()["detail"] == "活动已经开始，报名已截止。"


def test_a_planned_activity_is_not_found_for_the_public(api_as, entrepreneur, team):
    activity = ActivityFactory(team=team, status="planned")
    assert api_as(entrepreneur).post(_url(activity)).status_code == 404
    assert api_as(entrepreneur).get(f"/api/v1/activities/{activity.pk}/").status_code == 404
    assert api_as(entrepreneur).post("/api/v1/activities/999999/signup/").status_code == 404


def test_the_captain_sees_a_planned_activity_of_the_team(api_as, captain, team):
    activity = ActivityFactory(team=team, status="planned")
    assert api_as(captain).get(f"/api/v1/activities/{activity.pk}/").status_code == 200


def test_it_cancels_a_sign_up_and_frees_the_place(api_as, entrepreneur, team):
    activity = ActivityFactory(team=team, capacity=1)
    api_as(entrepreneur).post(_url(activity))
    response = api_as(entrepreneur).post(_url(activity, "cancel-signup"))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    activity.refresh_from_db()
    assert activity.signed_up == 0
    # The place is free again, and the same person may sign up anew.
    assert api_as(entrepreneur).post(_url(activity)).status_code == 201


def test_it_refuses_cancelling_someone_elses_or_no_sign_up(api_as, entrepreneur, other_entrepreneur, team):
    activity = ActivityFactory(team=team)
    api_as(entrepreneur).post(_url(activity))
    response = api_as(other_entrepreneur).post(_url(activity, "cancel-signup"))
    assert response.status_code == 409
    assert SignUp.objects.get(user=entrepreneur).status == "active"


def test_it_refuses_cancelling_after_the_start(api_as, entrepreneur, team):
    activity = ActivityFactory(team=team)
    api_as(entrepreneur).post(_url(activity))
    with time_machine.travel(activity.starts_at + timedelta(minutes=5)):
        assert api_as(entrepreneur).post(_url(activity, "cancel-signup")).status_code == 409
    assert SignUp.objects.get(user=entrepreneur).status == "active"


def test_capacity_holds_when_many_sign_up_one_after_another(api_as, team):
    activity = ActivityFactory(team=team, capacity=5)
    codes = [api_as(UserFactory()).post(_url(activity)).status_code for _ in range(8)]
    assert codes.count(201) == 5 and codes.count(409) == 3
    assert Activity.objects.get(pk=activity.pk).signed_up == 5 == SignUp.objects.filter(activity=activity).count()


def test_the_database_refuses_a_count_above_capacity(team):
    from django.db import IntegrityError, transaction

    activity = ActivityFactory(team=team, capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(signed_up=2)
    assert timezone.now()  # nothing else to check: the row is unchanged
    activity.refresh_from_db()
    assert activity.signed_up == 0
