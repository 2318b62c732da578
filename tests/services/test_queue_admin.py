"""Zones and windows kept by hall staff in the admin; tickets are read-only there."""
import pytest

from services.models import Window, Zone
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def test_it_lets_hall_staff_set_up_a_window_with_its_items_and_staff(hall_staff, client_as):
    client = client_as(hall_staff)
    item = ServiceItemFactory(name="企业设立登记")
    response = client.post("/admin/services/zone/add/", {"name_zh_hans": "青年专区", "name_en": "Youth zone", "letter": "A"})
    assert response.status_code == 302
    zone = Zone.objects.get(letter="A")

    response = client.post(
        "/admin/services/window/add/",
        {"number": "3", "zone": zone.pk, "items": [item.pk], "staff": [hall_staff.pk], "is_open": "on"},
    )
    assert response.status_code == 302
    window = Window.objects.get(number=3)
    assert list(window.items.all()) == [item]
    assert list(window.staff.all()) == [hall_staff]

    listing = client.get("/admin/services/window/")
    assert listing.status_code == 200
    assert "企业设立登记" in listing.content.decode()
    assert client.get("/admin/services/queueticket/").status_code == 200


def test_it_refuses_a_zone_letter_that_is_not_one_capital(hall_staff, client_as):
    response = client_as(hall_staff).post("/admin/services/zone/add/", {"name": "青年专区", "letter": "a"})
    assert response.status_code == 200
    assert not Zone.objects.exists()
