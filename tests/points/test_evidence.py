"""Achievement evidence: checked by what it contains, kept outside MEDIA_ROOT, served only to the
member, the team's captain and the reviewers; request bodies capped before they are read."""
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from points.models import Achievement, Stage
from tests.portal.test_files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

SCRIPT_AS_IMAGE = b"<html><script>fetch('/api/v1/ledger/').then(r=>r.text()).then(alert)</script></html>"
# A real PNG that Pillow opens, with a script appended: a browser sniffing it would run the script.
POLYGLOT_PNG = png_bytes() + b"<script>alert(document.cookie)</script>"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}  # the messages are checked in their English source


@pytest.fixture
def open_period(period, drive):
    return drive(period, Stage.PEER_REVIEW)


@pytest.fixture
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _api_post(client, evidence):
    data = {"indicator": "five-1", "title": "帮办代办30件", "description": "在青年专区帮办代办30件一件事。",
            "points_claimed": 8}
    if evidence is not None:
        data["evidence"] = evidence
    return client.post(reverse("api-achievement-list"), data, format="multipart")


def _page_post(client, period, evidence):
    return client.post(reverse("points:achievements"), {
        "indicator": period.indicators.get(code="five-1").pk, "title": "走访企业",
        "description": "走访园区企业20家", "points_claimed": 5, "evidence": evidence,
    })


@pytest.mark.parametrize("name, data", [("photo.png", SCRIPT_AS_IMAGE), ("photo.png", POLYGLOT_PNG),
                                        ("scan.pdf", pdf_bytes(javascript=True))])
def test_it_refuses_a_file_that_is_really_a_script_by_api_and_page(api_as, client_as, member, open_period,
                                                                   roots, name, data):
    response = _api_post(api_as(member), SimpleUploadedFile(name, data, content_type="image/png"))
    assert response.status_code == 400
    assert response.json()["code"] == "bad_evidence" and "evidence" in response.json()["errors"]

    page = _page_post(client_as(member), open_period, SimpleUploadedFile(name, data, content_type="image/png"))
    assert page.status_code == 400
    assert "script" in page.content.decode()
    assert not Achievement.objects.exists()
    assert _files_under(roots[0]) == [] and _files_under(roots[1]) == []


@pytest.mark.parametrize("name, data", [("photo.png", png_bytes()), ("licence.pdf", pdf_bytes(pages=2))])
def test_a_real_png_or_pdf_is_kept_outside_media_root(api_as, client_as, member, open_period, roots, name, data):
    media_root, private_root = roots
    response = _api_post(api_as(member), SimpleUploadedFile(name, data))
    assert response.status_code == 201, response.json()
    page = _page_post(client_as(member), open_period, SimpleUploadedFile(name, data))
    assert page.status_code == 302
    stored = _files_under(private_root)
    assert len(stored) == 2 and all(p.read_bytes() == data for p in stored)
    assert _files_under(media_root) == []
    url = response.json()["evidence"]
    assert "/media/" not in url
    assert url.endswith(reverse("points:achievement_evidence", args=[response.json()["id"]]))


def test_the_evidence_is_served_to_the_member_the_captain_and_the_reviewers_only(
        api_as, client, client_as, member, teammate, captain, other_team, reviewer, alliance, hall_staff,
        entrepreneur, open_period, roots):
    data = png_bytes()
    created = _api_post(api_as(member), SimpleUploadedFile("photo.png", data)).json()
    url = reverse("points:achievement_evidence", args=[created["id"]])
    for allowed in (member, captain, reviewer, alliance, hall_staff):
        response = client_as(allowed).get(url)
        assert response.status_code == 200, allowed.username
        assert b"".join(response.streaming_content) == data
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in response["Content-Disposition"]
    for refused in (teammate, other_team.captain_user, other_team.member_user, entrepreneur):
        assert client_as(refused).get(url).status_code == 404, refused.username
    client.logout()
    assert client.get(url).status_code == 404
    # An achievement without evidence, and one that does not exist, answer the same.
    bare = _api_post(api_as(member), None).json()
    assert client_as(member).get(reverse("points:achievement_evidence", args=[bare["id"]])).status_code == 404
    assert client_as(reviewer).get(reverse("points:achievement_evidence", args=[99999])).status_code == 404


def test_the_captain_sees_the_link_on_the_achievements_page(api_as, client_as, member, captain, open_period, roots):
    created = _api_post(api_as(member), SimpleUploadedFile("photo.png", png_bytes())).json()
    html = client_as(captain).get(reverse("points:achievements")).content.decode()
    assert reverse("points:achievement_evidence", args=[created["id"]]) in html
    assert "/media/" not in html


def test_the_admin_links_the_evidence_through_the_checked_view(api_as, client_as, member, open_period, roots,
                                                               django_user_model):
    created = _api_post(api_as(member), SimpleUploadedFile("photo.png", png_bytes())).json()
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    response = client_as(admin).get(reverse("admin:points_achievement_change", args=[created["id"]]))
    assert response.status_code == 200
    assert reverse("points:achievement_evidence", args=[created["id"]]) in response.content.decode()


def test_the_migration_moves_existing_evidence_out_of_media_root_and_back(member, open_period, roots):
    media_root, private_root = roots
    name = default_storage.save(f"points/evidence/{member.pk}/old.png", ContentFile(png_bytes()))
    achievement = Achievement.objects.create(
        member=member, team_id=member.memberships.get().team_id, period=open_period,
        indicator=open_period.indicators.get(code="five-1"), title="旧证明", description="迁移前上传",
        points_claimed=3, evidence=name,
    )
    migration = importlib.import_module("points.migrations.0004_evidence_private")
    migration.to_private(apps, None)
    assert not (media_root / name).exists() and (private_root / name).read_bytes() == png_bytes()
    achievement.refresh_from_db()
    assert achievement.evidence.name == name
    migration.to_private(apps, None)  # again: nothing left to move, nothing lost
    assert (private_root / name).exists()
    migration.to_public(apps, None)
    assert (media_root / name).exists() and not (private_root / name).exists()


# --- the request body is capped before it is read -------------------------------------------------
class _Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_body_declared_larger_than_the_cap_is_refused_before_reading(client_as, api_as, member, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    extra = {"CONTENT_LENGTH": str(50 * 1024 * 1024), "wsgi.input": _Unreadable()}
    api = api_as(member).generic("POST", reverse("api-achievement-list"), b"x",
                                 content_type="multipart/form-data; boundary=x", **extra, **EN)
    assert api.status_code == 413
    assert api.json()["code"] == "request_too_large" and "1.0 MB" in api.json()["detail"]
    page = client_as(member).generic("POST", reverse("points:achievements"), b"x",
                                     content_type="multipart/form-data; boundary=x", **extra, **EN)
    assert page.status_code == 413
    assert "1.0 MB" in page.content.decode()
    assert not Achievement.objects.exists()


def test_a_real_upload_over_the_cap_is_refused_and_nothing_is_saved(api_as, member, open_period, roots, settings):
    settings.REQUEST_MAX_BYTES = 2000
    response = _api_post(api_as(member), SimpleUploadedFile("photo.png", png_bytes((200, 200)) + b"\0" * 4000))
    assert response.status_code == 413
    assert not Achievement.objects.exists() and _files_under(roots[1]) == []


def test_a_bad_content_length_is_a_400(client_as, member):
    response = client_as(member).generic("POST", reverse("points:achievements"), b"x",
                                         content_type="application/x-www-form-urlencoded", CONTENT_LENGTH="lots")
    assert response.status_code == 400


def test_form_data_over_djangos_own_cap_is_a_clear_400(client_as, api_as, member, open_period, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    page = client_as(member).post(reverse("points:achievements"), {"title": "x" * 5000}, **EN)
    assert page.status_code == 400
    assert "too large" in page.content.decode()
    api = api_as(member).post(reverse("api-achievement-list"), {"title": "x" * 5000}, **EN)
    assert api.status_code == 400
    assert api.json()["code"] == "request_too_large"
    assert not Achievement.objects.exists()
