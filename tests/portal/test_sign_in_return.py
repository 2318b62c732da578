"""Sign-in says why it is asked for and returns the person where they were (issue 11): a visitor
who pressed "book" is told why; a form sent after the session ended comes back to its page."""
import pytest
from django.urls import reverse

from tests.factories import BookingFactory, BundleFactory

pytestmark = pytest.mark.django_db


def test_it_explains_sign_in_to_a_visitor_who_pressed_book(client, english):
    BundleFactory(slug="restaurant")
    client.cookies["django_language"] = "en"  # the reason is read in English
    response = client.get("/bundles/restaurant/book/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert 'id="login-reason"' in body and "To book a time" in body
    # The sign-up link keeps where they were going.
    assert 'href="/accounts/signup/?next=/bundles/restaurant/book/"' in body


def test_it_gives_no_reason_for_an_ordinary_sign_in(client):
    assert 'id="login-reason"' not in client.get(reverse("accounts:login")).content.decode()
    assert 'id="login-reason"' not in client.get(reverse("accounts:login") + "?next=/nowhere/").content.decode()


def test_it_returns_a_new_account_to_the_booking_page(client):
    BundleFactory(slug="restaurant")
    page = client.get("/accounts/signup/?next=/bundles/restaurant/book/")
    assert 'id="login-reason"' in page.content.decode() and 'name="next" value="/bundles/restaurant/book/"' in \
        page.content.decode()
    response = client.post("/accounts/signup/", {
        "username": "newfounder", "display_name": "新创业者", "email": "new@example.com", "mobile": "13800000000",
        "company_name": "", "password1": "a-Strong-test-pass-9", "password2": "a-Strong-test-pass-9",
        "next": "/bundles/restaurant/book/",
    })
    assert response.status_code == 302 and response["Location"] == "/bundles/restaurant/book/"


def test_it_never_sends_a_new_account_off_the_site(client):
    response = client.post("/accounts/signup/", {
        "username": "newfounder", "display_name": "新创业者", "email": "new@example.com", "mobile": "13800000000",
        "company_name": "", "password1": "a-Strong-test-pass-9", "password2": "a-Strong-test-pass-9",
        "next": "https://evil.example/",
    })
    assert response.status_code == 302 and response["Location"] == reverse("accounts:me")


def test_it_returns_a_form_sent_after_the_session_ended_to_its_page(client):
    booking = BookingFactory()
    detail = f"/bookings/{booking.reference}/"
    client.cookies["sessionid"] = "an-ended-session-key"
    response = client.post(f"/bookings/{booking.reference}/check-in/", HTTP_REFERER=f"http://testserver{detail}")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/accounts/login/?") and f"next={detail}" in location and "expired=1" in location
    page = client.get(location)
    assert 'id="login-expired"' in page.content.decode()
    assert f'name="next" value="{detail}"' in page.content.decode()
    password = "a-Strong-test-pass-9"
    booking.user.set_password(password)
    booking.user.save()
    signed_in = client.post(location, {"username": booking.user.username, "password": password, "next": detail})
    assert signed_in.status_code == 302 and signed_in["Location"] == detail


def test_it_keeps_the_asked_address_when_the_referer_is_another_site(client):
    booking = BookingFactory()
    response = client.post(f"/bookings/{booking.reference}/check-in/", HTTP_REFERER="https://evil.example/x")
    assert f"next=/bookings/{booking.reference}/check-in/" in response["Location"]
    assert "expired" not in response["Location"]


def test_it_does_not_call_a_first_visit_an_ended_session(client):
    response = client.get("/bookings/")
    assert "expired" not in response["Location"]


@pytest.mark.parametrize("next_url", ["/ideas/new/", "/activities/1/"])
def test_it_explains_sign_in_for_sharing_an_idea_and_signing_up(client, next_url):
    page = client.get(reverse("accounts:login") + f"?next={next_url}")
    assert 'id="login-reason"' in page.content.decode()
