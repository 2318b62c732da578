"""Sign-in throttling (django-axes): the sign-in page, the admin's sign-in and the API token
endpoint refuse an account or an address after too many wrong passwords, for a cool-off."""
import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from portal.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]


def _sign_in(client, username, password, *, url=LOGIN, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address,
                       HTTP_ACCEPT_LANGUAGE="en")


def _signed_in(client) -> bool:
    return client.get(reverse("accounts:me")).status_code == 200


def test_it_refuses_the_right_password_after_thirty_wrong_ones_on_the_sign_in_page(client):
    UserFactory(username="zhang")
    for _ in range(30):
        assert _sign_in(client, "zhang", "wrong").status_code in (200, 429)
    response = _sign_in(client, "zhang", TEST_PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "too many failed sign-in attempts" in body
    assert "15 minutes" in body
    assert response["Retry-After"] == str(15 * 60)
    assert not _signed_in(client)


def test_it_counts_up_to_the_limit_then_locks(client):
    UserFactory(username="zhang")
    for _ in range(4):
        assert _sign_in(client, "zhang", "wrong").status_code == 200  # the form with its error
    assert _sign_in(client, "zhang", "wrong").status_code == 429  # the fifth reaches the limit
    assert _sign_in(client, "zhang", TEST_PASSWORD).status_code == 429


def test_it_refuses_the_token_endpoint_with_429_json_and_retry_after(api_client):
    UserFactory(username="zhang")
    for _ in range(30):
        api_client.post(TOKEN, {"username": "zhang", "password": "wrong"}, format="json")
    response = api_client.post(TOKEN, {"username": "zhang", "password": TEST_PASSWORD}, format="json",
                               HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert "Too many failed sign-in attempts" in body["detail"]
    assert response["Retry-After"] == str(15 * 60)
    assert "token" not in body


def test_it_answers_400_on_the_token_endpoint_before_the_limit(api_client):
    UserFactory(username="zhang")
    response = api_client.post(TOKEN, {"username": "zhang", "password": "wrong"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_it_refuses_the_admin_sign_in_too(client):
    UserFactory(username="staffer", is_staff=True, roles=[Role.HALL_STAFF])
    for _ in range(30):
        _sign_in(client, "staffer", "wrong", url=ADMIN_LOGIN)
    response = _sign_in(client, "staffer", TEST_PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "too many failed sign-in attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_it_counts_the_three_doors_together(client, api_client):
    """Failures on the page, the admin and the API add up for one account."""
    UserFactory(username="zhang")
    _sign_in(client, "zhang", "wrong")
    _sign_in(client, "zhang", "wrong", url=ADMIN_LOGIN)
    for _ in range(3):
        api_client.post(TOKEN, {"username": "zhang", "password": "wrong"}, format="json")
    assert _sign_in(client, "zhang", TEST_PASSWORD).status_code == 429


def test_it_lets_the_person_in_again_once_the_cool_off_has_passed(client):
    UserFactory(username="zhang")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(30):
            _sign_in(client, "zhang", "wrong")
        assert _sign_in(client, "zhang", TEST_PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        # Still within the pause, which the last refused try started again.
        assert _sign_in(client, "zhang", TEST_PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=14 + 16), tick=False):
        assert _sign_in(client, "zhang", TEST_PASSWORD).status_code == 302
        assert _signed_in(client)


def test_it_locks_the_account_from_every_address(client):
    UserFactory(username="zhang")
    for _ in range(5):
        _sign_in(client, "zhang", "wrong", address="10.0.0.1")
    assert _sign_in(client, "zhang", TEST_PASSWORD, address="10.0.0.2").status_code == 429


def test_it_locks_the_address_for_every_account(client):
    """Guessing a few passwords for many accounts from one address is stopped as well."""
    UserFactory(username="li")
    for number in range(5):
        _sign_in(client, f"guess{number}", "wrong", address="10.0.0.1")
    assert _sign_in(client, "li", TEST_PASSWORD, address="10.0.0.1").status_code == 429
    # The same account from another address is not affected.
    assert _sign_in(client, "li", TEST_PASSWORD, address="10.0.0.2").status_code == 302


def test_it_can_lock_by_the_pair_only(client, settings):
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    UserFactory(username="zhang")
    for _ in range(5):
        _sign_in(client, "zhang", "wrong", address="10.0.0.1")
    assert _sign_in(client, "zhang", TEST_PASSWORD, address="10.0.0.1").status_code == 429
    assert _sign_in(client, "zhang", TEST_PASSWORD, address="10.0.0.2").status_code == 302


def test_it_forgets_earlier_failures_after_a_successful_sign_in(client):
    UserFactory(username="zhang")
    for _ in range(4):
        _sign_in(client, "zhang", "wrong")
    assert _sign_in(client, "zhang", TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert not AccessAttempt.objects.filter(username="zhang").exists()
    for _ in range(4):
        assert _sign_in(client, "zhang", "wrong").status_code == 200
    assert _sign_in(client, "zhang", TEST_PASSWORD).status_code == 302


def test_it_lets_hall_staff_unlock_an_account_in_the_admin(client, hall_staff):
    locked = UserFactory(username="zhang")
    for _ in range(30):
        _sign_in(client, "zhang", "wrong", address="10.0.0.1")
    assert _sign_in(client, "zhang", TEST_PASSWORD, address="10.0.0.2").status_code == 429

    staff_client = client.__class__()
    staff_client.force_login(hall_staff)
    changelist = staff_client.get(reverse("admin:accounts_user_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Unlock sign-in for the selected accounts" in changelist.content.decode()
    response = staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [locked.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    assert "Sign-in unlocked for 1 accounts." in response.content.decode()
    assert _sign_in(client, "zhang", TEST_PASSWORD, address="10.0.0.2").status_code == 302


def test_it_lists_lockouts_for_hall_staff_who_can_delete_them(client, hall_staff):
    for _ in range(5):
        _sign_in(client, "zhang", "wrong", address="10.0.0.1")
    attempt = AccessAttempt.objects.get(username="zhang")
    client.force_login(hall_staff)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "zhang" in listing.content.decode()
    assert client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_it_does_not_offer_the_unlock_to_people_without_the_permission(client):
    clerk = UserFactory(username="clerk", is_staff=True, roles=[Role.DEPARTMENT_OFFICER])
    locked = UserFactory(username="zhang")
    for _ in range(5):
        _sign_in(client, "zhang", "wrong")
    client.force_login(clerk)
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "unlock_sign_in", "_selected_action": [locked.pk]})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="zhang").exists()
