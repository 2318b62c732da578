"""The same person rating the same stage twice at the same instant on PostgreSQL (a double tap on
the phone): one evaluation and one rectification, the other answer a 409."""
from collections import Counter

import pytest
from rest_framework.test import APIClient

from services.models import Evaluation, Rectification
from tests.factories import BookingFactory, ServiceItemFactory, SlotFactory
from tests.services.test_booking_race import _rush


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_tap_keeps_one_evaluation_and_one_rectification(entrepreneur, department, officer):
    item = ServiceItemFactory(department=department)
    booking = BookingFactory(user=entrepreneur, status="completed", slot=SlotFactory(bundle=None, item=item))

    def rate():
        client = APIClient()
        client.force_authenticate(user=entrepreneur)
        return client.post("/api/v1/evaluations/", {"booking": booking.reference, "stage": "completion",
                                                     "grade": 1, "comment": "等了两个小时"}, format="json").status_code

    assert _rush([rate, rate, rate]) == Counter({201: 1, 409: 2})
    assert Evaluation.objects.count() == 1
    assert Rectification.objects.count() == 1
