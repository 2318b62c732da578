"""The demo: the restaurant bundle's first item issues the licence; the founder's visit is half pre-checked."""
import pytest
from django.core.management import call_command

from services import selectors
from services.models import Booking, PrecheckUpload

pytestmark = pytest.mark.django_db


def test_the_demo_founder_has_a_bundle_half_prechecked():
    call_command("seed_demo")
    rows = selectors.bundle_material_rows(selectors.bundle_get(slug="restaurant"))
    licence = next(row for row in rows if row["material"].name == "营业执照")
    assert licence["issued_by"].code == "r01"
    booking = Booking.objects.get(user__username="founder", status="booked")
    readiness = selectors.booking_precheck(booking)
    assert readiness["accepted"] == 4 and readiness["needed"] == 9 and not readiness["ready"]
    statuses = sorted(PrecheckUpload.objects.filter(booking=booking).values_list("status", flat=True))
    assert statuses == ["accepted"] * 4 + ["needs_correction", "submitted"]
    # Past visits carry their settled-in-one-visit answer and (some) the record of a pre-check.
    assert Booking.objects.filter(settled_in_one_visit=False).count() == 2
    assert PrecheckUpload.objects.filter(files_deleted_at__isnull=False).count() == 6
    call_command("seed_demo")
    assert PrecheckUpload.objects.count() == 12
