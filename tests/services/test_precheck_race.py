"""Two officers deciding the same upload at the same instant on PostgreSQL: one decision stands."""
from collections import Counter
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from portal.roles import Role
from services import actions
from services.models import PrecheckEvent
from tests.factories import BookingFactory, SlotFactory, UserFactory
from tests.services.conftest import jpeg
from tests.services.test_booking_race import _rush


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_decision_when_two_checkers_decide_at_once(precheck_booking, materials, entrepreneur,
                                                               department, officer):
    colleague = UserFactory(username="officer2", is_staff=True, roles=[Role.DEPARTMENT_OFFICER])
    department.officers.add(colleague)
    def decide(user, path, body):
        def request():
            client = APIClient()
            client.force_authenticate(user=user)
            return client.post(f"/api/v1/precheck-uploads/{upload.pk}/{path}/", body, format="json").status_code

        return request

    for round_ in range(3):
        booking = BookingFactory(user=entrepreneur, slot=SlotFactory(bundle=precheck_booking.slot.bundle,
                                                                     starts_at=precheck_booking.slot.starts_at
                                                                     + timedelta(hours=round_ + 1)))
        upload = actions.precheck_upload_create(booking=booking, material=materials["id"], files=[jpeg()],
                                                by=entrepreneur)
        results = _rush([decide(officer, "accept", {}),
                         decide(colleague, "needs-correction", {"reason": "unreadable"})])
        assert results == Counter({200: 1, 409: 1})
        upload.refresh_from_db()
        decisions = PrecheckEvent.objects.filter(upload=upload).exclude(to_status="submitted")
        assert decisions.count() == 1
        assert decisions.get().to_status == upload.status
        assert upload.decided_by in (officer, colleague)
