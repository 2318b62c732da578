"""The 403 and 404 pages are the portal's own pages with ways back (issue 11 "Bad input")."""
import pytest

from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def test_it_answers_an_unknown_address_in_the_portals_look_with_a_way_back(client):
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/services/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-status="404"' in body and 'class="site-header"' in body
    assert 'href="/services/" id="way-back"' in body
    assert 'href="/accounts/login/?next=/no-such-page/"' in body


def test_it_offers_no_way_back_to_another_site(client):
    body = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/").content.decode()
    assert 'id="way-back"' not in body and "evil.example" not in body


def test_it_answers_a_refusal_in_the_portals_look_with_a_way_back(client_as, entrepreneur):
    response = client_as(entrepreneur).get("/hall/desk/", HTTP_REFERER="http://testserver/me/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-status="403"' in body and 'class="site-header"' in body
    assert 'href="/me/" id="way-back"' in body


def test_it_answers_another_persons_booking_with_the_404_page(client_as, entrepreneur):
    booking = BookingFactory()
    response = client_as(entrepreneur).get(f"/bookings/{booking.reference}/")
    assert response.status_code == 404 and 'data-status="404"' in response.content.decode()
