"""Files people upload: checked by what they contain, kept outside the public media path, and
served only through a view that has checked who is asking.

- ``upload_check`` accepts a file only when it parses as what it claims: Pillow opens *and*
  verifies an image, pypdf opens a PDF and counts its pages. A file that also carries HTML or
  script (a "polyglot" that a browser could be tricked into running), a PDF with JavaScript or
  automatic actions, or one over the size, pixel or page limits is refused with a message saying
  why. The size is checked before a byte is read.
- ``private_storage`` keeps files under ``PRIVATE_MEDIA_ROOT``, which has no URL: nothing there
  is reachable as ``/media/...``.
- ``private_file_response`` answers a file to a person a view has already allowed, as a download
  the browser will not sniff, cache or run.
"""
from __future__ import annotations

import io
import os
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from portal.exceptions import Invalid

IMAGE_FORMATS = {
    # Pillow's format name: (content type, the extensions a name may carry)
    "JPEG": ("image/jpeg", {"jpg", "jpeg"}),
    "PNG": ("image/png", {"png"}),
    "GIF": ("image/gif", {"gif"}),
    "WEBP": ("image/webp", {"webp"}),
}
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF")
PDF_EXTENSIONS = {"pdf"}
KINDS = ("image", "pdf")

# What a browser would treat as markup or script if it ever sniffed the file as HTML.
_ACTIVE_CONTENT = re.compile(rb"<\s*(script|html|body|iframe|svg|object|embed)\b|<\?php|javascript:", re.IGNORECASE)
# PDF names that run something when the document is opened or clicked.
_PDF_ACTIVE_KEYS = ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/RichMedia")


class UploadRejected(Invalid):
    code = "upload_rejected"
    default_message = _("The file is not accepted.")


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # "image" or "pdf"
    content_type: str
    extension: str
    size: int
    pages: int  # 1 for an image
    width: int | None = None
    height: int | None = None


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _image_check(data: bytes, extension: str, max_pixels: int) -> CheckedFile | None:
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
            if image_format not in IMAGE_FORMATS:
                return None
            if width * height > max_pixels:
                raise UploadRejected(_("The image is too large: at most %(pixels)s million pixels.")
                                     % {"pixels": max_pixels // 1_000_000})
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            # verify() reads the structure only; load() decodes the pixels and finds truncation.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except UploadRejected:
            raise
        except UnidentifiedImageError:
            if data.startswith(_IMAGE_MAGIC):
                raise UploadRejected(_("The image is damaged or incomplete.")) from None
            return None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRejected(_("The image is too large: at most %(pixels)s million pixels.")
                                 % {"pixels": max_pixels // 1_000_000}) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise UploadRejected(_("The image is damaged or incomplete.")) from None
    content_type, extensions = IMAGE_FORMATS[image_format]
    if extension not in extensions:
        raise UploadRejected(_("The file's content does not match its name."))
    return CheckedFile("image", content_type, extension, len(data), 1, width, height)


def _pdf_check(data: bytes, extension: str, max_pages: int | None) -> CheckedFile:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if extension not in PDF_EXTENSIONS:
        raise UploadRejected(_("The file's content does not match its name."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(_("Password-protected PDF files cannot be checked; upload one without a password."))
        pages = len(reader.pages)
        root = reader.trailer["/Root"]
        names = root.get("/Names")
        names = names.get_object() if names is not None else {}
        active = any(key in root for key in _PDF_ACTIVE_KEYS) or any(key in names for key in _PDF_ACTIVE_KEYS)
        if not active:
            for page in reader.pages:
                if "/AA" in page:
                    active = True
                    break
                for annotation in page.get("/Annots") or []:
                    action = annotation.get_object().get("/A")
                    if action is not None and action.get_object().get("/S") in ("/JavaScript", "/Launch"):
                        active = True
                        break
    except UploadRejected:
        raise
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise UploadRejected(_("The PDF file is damaged and cannot be read.")) from None
    if active:
        raise UploadRejected(_("PDF files with scripts or automatic actions are not accepted."))
    if pages < 1:
        raise UploadRejected(_("The PDF file has no pages."))
    if max_pages is not None and pages > max_pages:
        raise UploadRejected(_("The PDF file has %(pages)d pages; at most %(limit)d are accepted.")
                             % {"pages": pages, "limit": max_pages})
    return CheckedFile("pdf", "application/pdf", extension, len(data), pages)


def upload_check(upload, *, kinds=KINDS, max_bytes: int | None = None, max_pages: int | None = None,
                 max_pixels: int | None = None, field: str | None = None) -> CheckedFile:
    """Accept ``upload`` (a Django UploadedFile or any file with ``name``, ``size``, ``read``,
    ``seek``) only if it is an image (JPEG, PNG, GIF, WebP) or a PDF, as ``kinds`` allows, that
    opens and verifies; raise UploadRejected (400, tied to ``field``) saying why otherwise."""
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.UPLOAD_MAX_PIXELS if max_pixels is None else max_pixels
    try:
        if upload.size is None or upload.size > max_bytes:
            raise UploadRejected(_("The file is too large: at most %(mb).1f MB.") % {"mb": max_bytes / 1024 / 1024})
        if upload.size == 0:
            raise UploadRejected(_("The file is empty."))
        extension = _extension(upload.name)
        data = _read_all(upload)
        if len(data) > max_bytes:
            raise UploadRejected(_("The file is too large: at most %(mb).1f MB.") % {"mb": max_bytes / 1024 / 1024})
        if _ACTIVE_CONTENT.search(data):
            raise UploadRejected(_("The file contains web page or script content and is not accepted."))
        checked = None
        if data.startswith(b"%PDF-"):
            if "pdf" in kinds:
                checked = _pdf_check(data, extension, max_pages)
        elif "image" in kinds:
            checked = _image_check(data, extension, max_pixels)
        if checked is None:
            allowed = {
                ("image", "pdf"): _("Only images (JPG, PNG, GIF, WebP) and PDF files are accepted."),
                ("image",): _("Only images (JPG, PNG, GIF, WebP) are accepted."),
                ("pdf",): _("Only PDF files are accepted."),
            }
            raise UploadRejected(allowed.get(tuple(k for k in KINDS if k in kinds), _("The file is not accepted.")))
        return checked
    except UploadRejected as refusal:
        refusal.field = field
        raise


class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT`` (read at each use, so a test can point it elsewhere);
    they have no URL: ``url()`` refuses."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them with portal.files.private_file_response.")


private_storage = PrivateStorage()


def private_storage_get():
    """For ``FileField(storage=...)``: a callable keeps the settings out of the migrations."""
    return private_storage


def private_file_response(fieldfile, *, filename: str | None = None, content_type: str | None = None,
                          inline: bool = False) -> FileResponse:
    """The file of ``fieldfile`` for a person the calling view has already allowed to see it."""
    name = filename or fieldfile.name.rsplit("/", 1)[-1]
    response = FileResponse(fieldfile.open("rb"), as_attachment=not inline, filename=name,
                            content_type=content_type or None)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even opened in a tab, the file runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox"
    return response
