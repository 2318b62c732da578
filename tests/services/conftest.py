"""Fixtures of the pre-check tests (材料预审): a two-item bundle whose first item issues the
business licence, its two departments with their officers, a booking of it, and real files."""
import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from portal.roles import Role
from tests.factories import (
    BookingFactory,
    BundleFactory,
    BundleItemFactory,
    DepartmentFactory,
    MaterialFactory,
    ServiceItemFactory,
    SlotFactory,
    UserFactory,
)


def jpeg(name="page.jpg", size=(16, 16)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name="scan.pdf", pages=1) -> SimpleUploadedFile:
    writer = PdfWriter()
    for _n in range(pages):
        writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def tax(db):
    return DepartmentFactory(code="tax", name="区税务局", short_name="税务")


@pytest.fixture
def tax_officer(db, tax):
    user = UserFactory(username="taxofficer", display_name="税小务", is_staff=True, roles=[Role.DEPARTMENT_OFFICER])
    tax.officers.add(user)
    return user


@pytest.fixture
def materials(db):
    return {key: MaterialFactory(name=name) for key, name in
            [("id", "身份证"), ("charter", "公司章程"), ("licence", "营业执照"), ("bank", "银行账户信息"),
             ("other", "车辆行驶证")]}


@pytest.fixture
def precheck_bundle(db, department, tax, materials):
    """r01 (market) needs ID and charter and issues the licence; r04 (tax) needs ID, licence, bank."""
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    first = ServiceItemFactory(code="r01", name="企业设立登记", department=department,
                               materials=[materials["id"], materials["charter"]])
    first.issues_materials.add(materials["licence"])
    second = ServiceItemFactory(code="r04", name="税务登记", department=tax,
                                materials=[materials["id"], materials["licence"], materials["bank"]])
    BundleItemFactory(bundle=bundle, item=first, position=0)
    BundleItemFactory(bundle=bundle, item=second, position=1, requires=first)
    return bundle


@pytest.fixture
def precheck_booking(db, precheck_bundle, entrepreneur):
    slot = SlotFactory(bundle=precheck_bundle, booked_count=1)
    return BookingFactory(user=entrepreneur, slot=slot, reference="PRECHK23")
