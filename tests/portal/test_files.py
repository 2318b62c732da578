"""portal/files.py: uploads are accepted only when they parse as what they claim, and private
files have no public URL."""
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from portal.files import UploadRejected, private_file_response, private_storage, upload_check

# What the refusals say is read in English.
pytestmark = pytest.mark.usefixtures("english")


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes(pages=1, javascript=False) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if javascript:
        script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert('hi');")})
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): ArrayObject(
                [TextStringObject("hello"), writer._add_object(script)])})})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_a_real_image_and_a_real_pdf_are_accepted():
    image = upload_check(upload("photo.png", png_bytes()))
    assert (image.kind, image.content_type, image.width) == ("image", "image/png", 8)
    assert upload_check(upload("scan.JPG", jpeg_bytes())).content_type == "image/jpeg"
    document = upload_check(upload("licence.pdf", pdf_bytes(pages=3)))
    assert (document.kind, document.pages) == ("pdf", 3)


@pytest.mark.parametrize("name, data, words", [
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "damaged"),          # the magic bytes alone
    ("photo.png", png_bytes()[:60], "damaged"),                             # cut off halfway
    ("photo.jpg", png_bytes(), "does not match"),                           # a PNG named .jpg
    ("notes.pdf", b"%PDF-1.7\nnot really a pdf", "damaged"),
    ("page.png", b"<html><script>alert(1)</script></html>", "script"),
    ("page.gif", b"GIF89a/*" + b"\x00" * 10 + b"*/=1;<script>alert(1)</script>", "script"),
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "Only images"),
    ("empty.png", b"", "empty"),
])
def test_a_file_that_is_not_what_it_claims_is_refused_with_the_reason(name, data, words):
    with pytest.raises(UploadRejected) as refusal:
        upload_check(upload(name, data), field="evidence")
    assert words in str(refusal.value.message)
    assert refusal.value.status_code == 400 and refusal.value.field == "evidence"


def test_pdf_with_javascript_is_refused():
    with pytest.raises(UploadRejected, match="scripts"):
        upload_check(upload("form.pdf", pdf_bytes(javascript=True)))


def test_pdf_with_an_open_action_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UploadRejected, match="automatic actions"):
        upload_check(upload("form.pdf", buffer.getvalue()))


def test_size_page_and_pixel_limits():
    with pytest.raises(UploadRejected, match="too large"):
        upload_check(upload("photo.png", png_bytes()), max_bytes=50)
    with pytest.raises(UploadRejected, match="at most 2"):
        upload_check(upload("long.pdf", pdf_bytes(pages=3)), max_pages=2)
    with pytest.raises(UploadRejected, match="million pixels"):
        upload_check(upload("huge.png", png_bytes(size=(2000, 1500))), max_pixels=2_000_000)


def test_kinds_narrow_what_is_accepted():
    with pytest.raises(UploadRejected, match="Only PDF"):
        upload_check(upload("photo.png", png_bytes()), kinds=("pdf",))


def test_the_size_is_checked_before_the_content_is_read():
    class Untouchable(io.BytesIO):
        name, size = "big.pdf", 10**9

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    with pytest.raises(UploadRejected, match="too large"):
        upload_check(Untouchable())


def test_private_files_have_no_url_and_are_served_without_sniffing(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "elsewhere"
    name = private_storage.save("materials/1/licence.pdf", ContentFile(pdf_bytes()))
    assert (tmp_path / "elsewhere" / name).exists()
    assert not str(private_storage.path(name)).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        private_storage.url(name)

    class Field:
        def __init__(self, name):
            self.name = name

        def open(self, mode):
            return private_storage.open(self.name, mode)

    response = private_file_response(Field(name), content_type="application/pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
