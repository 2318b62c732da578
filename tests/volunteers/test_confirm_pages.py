"""Acts on activities that cannot be undone ask first, on a page of their own (issue 11): cancelling
one's sign-up and the team cancelling an activity. GET says what happens; only POST does it."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import Notification
from tests.factories import ActivityFactory, SignUpFactory, UserFactory
from volunteers.models import Activity, Attendance, SignUp

pytestmark = pytest.mark.django_db


def test_it_asks_before_cancelling_a_sign_up(client_as, entrepreneur, team):
    activity = ActivityFactory(team=team)
    client = client_as(entrepreneur)
    client.post(reverse("volunteers:activity_signup", args=[activity.pk]))
    url = reverse("volunteers:activity_signup_cancel", args=[activity.pk])
    assert f'href="{url}"' in client.get(reverse("volunteers:activity_detail", args=[activity.pk])).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    assert SignUp.objects.get(user=entrepreneur).status == SignUp.Status.ACTIVE
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert SignUp.objects.get(user=entrepreneur).status == SignUp.Status.CANCELLED
    activity.refresh_from_db()
    assert activity.signed_up == 0


def test_it_offers_no_button_without_a_sign_up_and_answers_a_post_with_the_refusal(client_as, entrepreneur, team):
    activity = ActivityFactory(team=team)
    client = client_as(entrepreneur)
    url = reverse("volunteers:activity_signup_cancel", args=[activity.pk])
    page = client.get(url).content.decode()
    assert 'id="not-allowed"' in page and 'name="confirm"' not in page
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 409 and 'id="confirm-error"' in response.content.decode()


def test_it_lets_the_captain_cancel_an_activity_after_saying_who_is_told(client_as, captain, team):
    activity = ActivityFactory(team=team)
    person = UserFactory()
    SignUpFactory(activity=activity, user=person)
    Activity.objects.filter(pk=activity.pk).update(signed_up=1)
    client = client_as(captain)
    url = reverse("volunteers:activity_cancel", args=[activity.pk])
    assert f'href="{url}"' in client.get(reverse("volunteers:activity_detail", args=[activity.pk])).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    activity.refresh_from_db()
    assert activity.status == Activity.Status.OPEN
    response = client.post(url, {"confirm": "1", "reason": "暴雨预警，改期举行"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert Notification.objects.filter(user=person, body="暴雨预警，改期举行").exists()
    # Once cancelled, the page says so and offers nothing.
    assert 'id="not-allowed"' in client.get(url).content.decode()


def test_it_keeps_the_reason_and_shows_its_error_beside_it(client_as, captain, team):
    activity = ActivityFactory(team=team)
    response = client_as(captain).post(reverse("volunteers:activity_cancel", args=[activity.pk]),
                                       {"reason": "很" * 501})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_reason_error"' in body and "很" * 501 in body
    activity.refresh_from_db()
    assert activity.status == Activity.Status.OPEN


def test_it_keeps_people_who_do_not_run_the_team_out_of_cancelling(client_as, entrepreneur, team):
    activity = ActivityFactory(team=team, starts_at=timezone.now() + timedelta(days=2))
    response = client_as(entrepreneur).get(reverse("volunteers:activity_cancel", args=[activity.pk]))
    assert response.status_code == 403
    assert client_as(entrepreneur).post(reverse("volunteers:activity_cancel", args=[activity.pk])).status_code == 403
    activity.refresh_from_db()
    assert activity.status == Activity.Status.OPEN


def test_it_cancels_with_the_button_alone_when_no_reason_is_given(client_as, captain, team):
    activity = ActivityFactory(team=team)
    response = client_as(captain).post(reverse("volunteers:activity_cancel", args=[activity.pk]))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED


def test_it_asks_before_approving_hours_saying_for_whom(client_as, captain, entrepreneur, team):
    activity = ActivityFactory(team=team)
    SignUpFactory(activity=activity, user=entrepreneur)
    client = client_as(captain)
    url = reverse("volunteers:activity_hours_approve", args=[activity.pk])
    with time_machine.travel(activity.ends_at + timedelta(minutes=5)):
        client.post(reverse("volunteers:activity_attendance", args=[activity.pk]), {"user": entrepreneur.pk,
                                                                                     "hours": "1.5"})
        assert f'href="{url}"' in client.get(reverse("volunteers:activity_detail", args=[activity.pk])).content.decode()
        page = client.get(url)
        assert page.status_code == 200 and 'name="confirm"' in page.content.decode() and "1.5" in page.content.decode()
        assert Attendance.objects.get().approved_hours is None
        assert client.post(url, {"confirm": "1"}).status_code == 302
        assert Attendance.objects.get().approved_hours == Decimal("1.5")
        # Approved: nothing left to approve, and a second press is refused on the page.
        assert 'id="not-allowed"' in client.get(url).content.decode()
        assert client.post(url).status_code == 409
