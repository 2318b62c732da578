"""On a 375 px phone: upload a photo of a material from the booking page, by keyboard."""
import io

import pytest
from PIL import Image

from services.models import PrecheckUpload
from tests.factories import TEST_PASSWORD, BookingFactory, SlotFactory


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (210, 200, 190)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_uploads_a_photo_from_the_booking_page_on_a_phone(page, precheck_bundle, materials, entrepreneur):
    BookingFactory(user=entrepreneur, slot=SlotFactory(bundle=precheck_bundle, booked_count=1), reference="PHONE234")

    page.goto(page.base_url + "/accounts/login/?next=/bookings/PHONE234/")
    page.get_by_label("用户名").fill("founder")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + "/bookings/PHONE234/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The licence is issued by the first item: no upload field for it.
    assert page.locator(f"#files-{materials['licence'].pk}").count() == 0
    assert "企业设立登记" in page.locator(f"#material-{materials['licence'].pk}").inner_text()

    field = page.locator(f"#files-{materials['id'].pk}")
    # The field has a visible label naming the document.
    assert "身份证" in page.locator(f"label[for='files-{materials['id'].pk}']").inner_text()
    field.set_input_files({"name": "id-card.jpg", "mimeType": "image/jpeg", "buffer": _photo()})
    field.focus()
    page.keyboard.press("Tab")  # to the row's "Upload" button
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + "/bookings/PHONE234/#precheck")

    upload = PrecheckUpload.objects.get()
    assert (upload.material, upload.status) == (materials["id"], "submitted")
    assert upload.files.get().original_name == "id-card.jpg"
    row = page.locator(f"#material-{materials['id'].pk}")
    assert "id-card.jpg" in row.inner_text()
    # Withdraw, while it waits for the check: a link to the page that asks first (its files are deleted).
    assert row.locator(f"a[href='/precheck/uploads/{upload.pk}/withdraw/']").count() == 1
    assert page.locator(f"#files-{materials['id'].pk}").count() == 0  # waiting: no second upload
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
