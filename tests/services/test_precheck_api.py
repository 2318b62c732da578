"""The pre-check API: upload, decide, withdraw, download; who may see and do what (404/403)."""
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from services import actions
from services.models import PrecheckFileAccess, PrecheckUpload
from tests.factories import UserFactory
from tests.services.conftest import jpeg, pdf
from tests.services.queue_setup import hall


def _upload(api_as, user, booking, material, *files):
    return api_as(user).post(f"/api/v1/bookings/{booking.reference}/precheck/",
                             {"material": material.pk, "files": list(files)}, format="multipart")


def _stored_files():
    return [path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()]


def test_it_uploads_several_pages_and_shows_readiness(api_as, precheck_booking, materials, entrepreneur, officer):
    response = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg("a.jpg"), pdf("b.pdf", pages=2))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["version"], body["department"], body["booking"]) == ("submitted", 1, "market", "PRECHK23")
    assert [(f["name"], f["pages"]) for f in body["files"]] == [("a.jpg", 1), ("b.pdf", 2)]

    readiness = api_as(entrepreneur).get("/api/v1/bookings/PRECHK23/precheck/").json()
    assert (readiness["accepted"], readiness["needed"], readiness["ready"], readiness["open"]) == (0, 3, False, True)
    licence = next(row for row in readiness["materials"] if row["name"] == "营业执照")
    assert licence["issued_by"] == "r01" and licence["can_upload"] is False
    id_row = next(row for row in readiness["materials"] if row["name"] == "身份证")
    assert id_row["latest"]["id"] == body["id"] and id_row["can_upload"] is False

    accepted = api_as(officer).post(f"/api/v1/precheck-uploads/{body['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert api_as(entrepreneur).get("/api/v1/bookings/PRECHK23/precheck/").json()["accepted"] == 1
    # Checked twice: a clear 409, the first decision stands.
    again = api_as(officer).post(f"/api/v1/precheck-uploads/{body['id']}/needs-correction/", {"reason": "expired"})
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
    assert PrecheckUpload.objects.get().status == "accepted"


def test_it_sends_back_with_a_reason_and_takes_a_corrected_version(api_as, precheck_booking, materials,
                                                                  entrepreneur, officer):
    first = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg()).json()
    response = api_as(officer).post(f"/api/v1/precheck-uploads/{first['id']}/needs-correction/",
                                    {"reason": "incomplete", "reason_text": "缺反面"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("needs_correction", "incomplete")
    second = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg())
    assert second.status_code == 201 and second.json()["version"] == 2
    row = next(row for row in api_as(entrepreneur).get("/api/v1/bookings/PRECHK23/precheck/").json()["materials"]
               if row["name"] == "身份证")
    assert [v["version"] for v in row["versions"]] == [2, 1]


@pytest.mark.parametrize("reason, text", [("", ""), ("nonsense", ""), ("other", "")])
def test_it_answers_400_to_a_correction_without_a_reason(api_as, precheck_booking, materials, entrepreneur, officer,
                                                        reason, text):
    upload = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg()).json()
    response = api_as(officer).post(f"/api/v1/precheck-uploads/{upload['id']}/needs-correction/",
                                    {"reason": reason, "reason_text": text}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert PrecheckUpload.objects.get().status == "submitted"


def test_it_scopes_uploads_by_role(api_as, precheck_booking, materials, entrepreneur, other_entrepreneur, officer,
                                   tax_officer, hall_staff, django_assert_max_num_queries):
    id_upload = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg()).json()
    bank_upload = _upload(api_as, entrepreneur, precheck_booking, materials["bank"], jpeg()).json()

    def ids(user, query=""):
        return sorted(row["id"] for row in api_as(user).get(f"/api/v1/precheck-uploads/{query}").json()["results"])

    assert ids(officer) == [id_upload["id"]]
    assert ids(tax_officer) == [bank_upload["id"]]
    assert ids(hall_staff) == sorted([id_upload["id"], bank_upload["id"]])
    assert ids(entrepreneur) == sorted([id_upload["id"], bank_upload["id"]])
    assert ids(other_entrepreneur) == []
    assert ids(hall_staff, "?department=tax") == [bank_upload["id"]]
    assert ids(hall_staff, "?status=accepted") == []
    assert api_as(hall_staff).get("/api/v1/precheck-uploads/?status=maybe").status_code == 400
    assert api_as(None).get("/api/v1/precheck-uploads/").status_code == 401
    for _n in range(5):
        upload = _upload(api_as, entrepreneur, precheck_booking, materials["charter"], jpeg()).json()
        actions.precheck_upload_withdraw(upload=PrecheckUpload.objects.get(pk=upload["id"]), by=entrepreneur)
    with django_assert_max_num_queries(5):
        assert len(api_as(hall_staff).get("/api/v1/precheck-uploads/").json()["results"]) == 7


def test_it_hides_an_upload_from_another_applicant_and_another_department(api_as, precheck_booking, materials,
                                                                          entrepreneur, other_entrepreneur,
                                                                          officer, tax_officer, hall_staff):
    upload = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg()).json()
    file_id = upload["files"][0]["id"]
    base = f"/api/v1/precheck-uploads/{upload['id']}"
    for outsider in (other_entrepreneur, tax_officer):
        client = api_as(outsider)
        assert client.get(base + "/").status_code == 404
        assert client.post(base + "/accept/").status_code == 404
        assert client.post(base + "/withdraw/").status_code == 404
        assert client.get(f"/api/v1/precheck-files/{file_id}/").status_code == 404
        assert client.get("/api/v1/bookings/PRECHK23/precheck/").status_code == 404
    # Another applicant cannot upload to someone else's booking either (it does not exist for them).
    assert _upload(api_as, other_entrepreneur, precheck_booking, materials["charter"], jpeg()).status_code == 404
    # Those who may see but not do: 403.
    assert api_as(hall_staff).post(base + "/accept/").status_code == 403
    assert api_as(entrepreneur).post(base + "/accept/").status_code == 403
    assert api_as(officer).post(base + "/withdraw/").status_code == 403
    assert api_as(hall_staff).post("/api/v1/bookings/PRECHK23/precheck/",
                                   {"material": materials["charter"].pk, "files": [jpeg()]},
                                   format="multipart").status_code == 403
    for anonymous in (base + "/", f"/api/v1/precheck-files/{file_id}/"):
        assert api_as(None).get(anonymous).status_code == 401
    assert PrecheckUpload.objects.get().status == "submitted"
    assert not PrecheckFileAccess.objects.exists()


def test_it_serves_files_to_those_allowed_and_records_each_access(api_as, precheck_booking, materials, precheck_bundle,
                                                                  entrepreneur, officer, hall_staff):
    upload = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg("身份证.jpg")).json()
    url = upload["files"][0]["url"]
    # Hall staff see that the upload exists, but open its files only from a window serving the booking.
    refused = api_as(hall_staff).get(url)
    assert refused.status_code == 403 and refused.json()["code"] == "precheck_file_not_yours"
    assert not PrecheckFileAccess.objects.exists()
    hall(staff=hall_staff, item=precheck_bundle.bundle_items.get(position=1).item)
    for reader in (entrepreneur, officer, hall_staff):
        response = api_as(reader).get(url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert sorted(PrecheckFileAccess.objects.values_list("by__username", flat=True)) == ["founder", "officer", "staff"]
    assert not any(str(path).startswith(str(settings.MEDIA_ROOT)) for path in _stored_files())


@pytest.mark.parametrize("setting, value, files, code", [
    (None, None, lambda: [SimpleUploadedFile("id.png", b"GIF89a but really some text")], "upload_rejected"),
    ("PRECHECK_MAX_BYTES", 300, lambda: [jpeg(size=(300, 300))], "upload_rejected"),
    ("PRECHECK_MAX_PAGES", 1, lambda: [pdf(pages=2)], "upload_rejected"),
])
def test_it_answers_400_to_a_bad_file(settings, api_as, precheck_booking, materials, entrepreneur, setting, value,
                                      files, code):
    if setting:
        setattr(settings, setting, value)
    response = _upload(api_as, entrepreneur, precheck_booking, materials["id"], *files())
    assert response.status_code == 400
    assert response.json()["code"] == code and "files" in response.json()["errors"]
    assert not PrecheckUpload.objects.exists() and _stored_files() == []


def test_it_answers_400_for_a_material_not_needed_or_no_file(api_as, precheck_booking, materials, entrepreneur):
    not_needed = _upload(api_as, entrepreneur, precheck_booking, materials["other"], jpeg())
    assert not_needed.status_code == 400 and not_needed.json()["code"] == "material_not_needed"
    issued = _upload(api_as, entrepreneur, precheck_booking, materials["licence"], jpeg())
    assert issued.status_code == 400 and issued.json()["code"] == "material_issued_here"
    unknown = api_as(entrepreneur).post("/api/v1/bookings/PRECHK23/precheck/", {"material": 99999, "files": [jpeg()]},
                                        format="multipart")
    assert unknown.status_code == 400
    nothing = api_as(entrepreneur).post("/api/v1/bookings/PRECHK23/precheck/", {"material": materials["id"].pk},
                                        format="multipart")
    assert nothing.status_code == 400 and "files" in nothing.json()["errors"]
    assert api_as(entrepreneur).post("/api/v1/bookings/PRECHK23/precheck/", {}, format="json").status_code == 400
    assert not PrecheckUpload.objects.exists()


def test_it_answers_409_after_the_booking_ended_and_for_a_second_open_version(api_as, precheck_booking, materials,
                                                                              entrepreneur):
    assert _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg()).status_code == 201
    twice = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg())
    assert twice.status_code == 409 and twice.json()["code"] == "precheck_version_open"
    precheck_booking.status = "cancelled"
    precheck_booking.save()
    ended = _upload(api_as, entrepreneur, precheck_booking, materials["charter"], jpeg())
    assert ended.status_code == 409 and ended.json()["code"] == "precheck_closed"
    assert PrecheckUpload.objects.count() == 1 and len(_stored_files()) == 1


def test_it_withdraws_before_the_check(api_as, precheck_booking, materials, entrepreneur, officer):
    upload = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg()).json()
    response = api_as(entrepreneur).post(f"/api/v1/precheck-uploads/{upload['id']}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn" and response.json()["files"][0]["url"] is None
    assert api_as(entrepreneur).get(upload["files"][0]["url"]).status_code == 404
    assert api_as(officer).post(f"/api/v1/precheck-uploads/{upload['id']}/accept/").status_code == 409


def test_it_records_whether_a_completed_booking_was_settled_in_one_visit(api_as, precheck_booking, hall_staff):
    client = api_as(hall_staff)
    with time_machine.travel(precheck_booking.slot.starts_at - timedelta(minutes=30), tick=False):  # its day
        assert client.post("/api/v1/bookings/PRECHK23/check-in/").status_code == 200
    assert client.post("/api/v1/bookings/PRECHK23/complete/", {"settled_in_one_visit": "perhaps"},
                       format="json").status_code == 400
    response = client.post("/api/v1/bookings/PRECHK23/complete/", {"settled_in_one_visit": False}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["settled_in_one_visit"]) == ("completed", False)


def test_it_completes_as_settled_in_one_visit_by_default(api_as, precheck_booking, hall_staff):
    client = api_as(hall_staff)
    with time_machine.travel(precheck_booking.slot.starts_at - timedelta(minutes=30), tick=False):  # its day
        assert client.post("/api/v1/bookings/PRECHK23/check-in/").status_code == 200
    assert client.post("/api/v1/bookings/PRECHK23/complete/").json()["settled_in_one_visit"] is True


def test_the_bundle_api_says_which_material_is_issued_here(api_as, precheck_bundle):
    materials = api_as(None).get("/api/v1/bundles/restaurant/").json()["materials"]
    assert {row["name"]: row["issued_by"] for row in materials}["营业执照"] == "r01"
    assert {row["name"]: row["issued_by"] for row in materials}["身份证"] is None


def test_a_superuser_may_decide(api_as, precheck_booking, materials, entrepreneur):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    upload = _upload(api_as, entrepreneur, precheck_booking, materials["id"], jpeg()).json()
    assert api_as(admin).post(f"/api/v1/precheck-uploads/{upload['id']}/accept/").status_code == 200
