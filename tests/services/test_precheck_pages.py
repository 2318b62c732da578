"""The pre-check in pages and in the admin: the booking page, the officers' list, files, /me/."""
from datetime import timedelta

import pytest
import time_machine

from services import actions
from services.models import PrecheckFileAccess, PrecheckUpload
from tests.services.conftest import jpeg, pdf


def _post_upload(client, booking, material, *files):
    return client.post(f"/bookings/{booking.reference}/precheck/", {"material": material.pk, "files": list(files)})


def test_the_bundle_page_marks_the_licence_issued_here(client, precheck_bundle):
    html = client.get("/bundles/restaurant/").content.decode()
    assert "营业执照" in html
    assert "issued-here" in html and "企业设立登记" in html


def test_the_booking_page_uploads_a_material_and_shows_readiness(client_as, precheck_booking, materials,
                                                                entrepreneur, officer):
    client = client_as(entrepreneur)
    html = client.get("/bookings/PRECHK23/").content.decode()
    assert 'id="readiness"' in html
    assert f'id="files-{materials["id"].pk}"' in html
    assert f'id="files-{materials["licence"].pk}"' not in html  # issued here: nothing to upload
    response = _post_upload(client, precheck_booking, materials["id"], jpeg("front.jpg"), jpeg("back.jpg"))
    assert response.status_code == 302 and response["Location"].endswith("/bookings/PRECHK23/#precheck")
    upload = PrecheckUpload.objects.get()
    assert upload.files.count() == 2
    html = client.get("/bookings/PRECHK23/").content.decode()
    assert "front.jpg" in html and "back.jpg" in html
    actions.precheck_upload_accept(upload=upload, by=officer)
    response = client.get("/bookings/PRECHK23/")
    assert response.context["precheck"]["accepted"] == 1 and response.context["precheck"]["needed"] == 3
    assert "precheck-accepted" in response.content.decode()


def test_the_booking_page_answers_bad_files_with_the_reason(client_as, settings, precheck_booking, materials,
                                                            entrepreneur):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(entrepreneur)
    response = _post_upload(client, precheck_booking, materials["id"], SimpleUploadedFile("a.jpg", b"not a photo"))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    settings.PRECHECK_MAX_PAGES = 1
    response = _post_upload(client, precheck_booking, materials["id"], pdf(pages=2))
    assert response.status_code == 400
    response = client.post("/bookings/PRECHK23/precheck/", {"material": materials["id"].pk})
    assert response.status_code == 400
    response = _post_upload(client, precheck_booking, materials["other"], jpeg())
    assert response.status_code == 400
    response = client.post("/bookings/PRECHK23/precheck/", {"material": "x", "files": [jpeg()]})
    assert response.status_code == 400
    assert not PrecheckUpload.objects.exists()


def test_the_booking_page_refuses_others(client_as, precheck_booking, materials, other_entrepreneur, hall_staff):
    assert _post_upload(client_as(other_entrepreneur), precheck_booking, materials["id"], jpeg()).status_code == 404
    assert _post_upload(client_as(hall_staff), precheck_booking, materials["id"], jpeg()).status_code == 403
    assert not PrecheckUpload.objects.exists()


def test_the_applicant_withdraws_from_the_booking_page(client_as, precheck_booking, materials, entrepreneur,
                                                       officer):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    assert client_as(officer).post(f"/precheck/uploads/{upload.pk}/withdraw/").status_code == 403
    assert client_as(officer).get(f"/precheck/uploads/{upload.pk}/withdraw/").status_code == 403
    # Withdrawing deletes the files: the booking page links to a page that asks first.
    client = client_as(entrepreneur)
    detail = client.get(f"/bookings/{precheck_booking.reference}/").content.decode()
    assert f'href="/precheck/uploads/{upload.pk}/withdraw/"' in detail
    page = client.get(f"/precheck/uploads/{upload.pk}/withdraw/")
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    upload.refresh_from_db()
    assert upload.status == "submitted"
    response = client_as(entrepreneur).post(f"/precheck/uploads/{upload.pk}/withdraw/")
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == "withdrawn"


def test_the_officer_list_shows_only_the_departments_uploads_and_decides(client_as, precheck_booking, materials,
                                                                         entrepreneur, officer, tax_officer,
                                                                         django_assert_max_num_queries):
    id_upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                               by=entrepreneur)
    bank_upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["bank"],
                                                 files=[jpeg("bank.jpg")], by=entrepreneur)
    client = client_as(officer)
    client.get("/precheck/")
    with django_assert_max_num_queries(12) as one_row:
        html = client.get("/precheck/").content.decode()
    charter = actions.precheck_upload_create(booking=precheck_booking, material=materials["charter"],
                                             files=[jpeg(), jpeg()], by=entrepreneur)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert f'id="upload-{charter.pk}"' in client.get("/precheck/").content.decode()
    assert f'id="upload-{id_upload.pk}"' in html and f'id="upload-{bank_upload.pk}"' not in html
    # Another department's upload does not exist for this officer.
    assert client.post(f"/precheck/uploads/{bank_upload.pk}/decide/", {"decision": "accept"}).status_code == 404
    response = client.post(f"/precheck/uploads/{id_upload.pk}/decide/", {"decision": "correct", "reason": ""})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    response = client.post(f"/precheck/uploads/{id_upload.pk}/decide/",
                           {"decision": "correct", "reason": "expired", "reason_text": "已过期"})
    assert response.status_code == 302
    id_upload.refresh_from_db()
    assert (id_upload.status, id_upload.reason, id_upload.reason_text) == ("needs_correction", "expired", "已过期")
    twice = client.post(f"/precheck/uploads/{id_upload.pk}/decide/", {"decision": "accept"})
    assert twice.status_code == 409
    assert client_as(tax_officer).post(f"/precheck/uploads/{bank_upload.pk}/decide/",
                                       {"decision": "accept"}).status_code == 302


def test_the_officer_list_is_for_officers_and_staff(client_as, entrepreneur, hall_staff, client):
    assert client_as(entrepreneur).get("/precheck/").status_code == 403
    assert client_as(hall_staff).get("/precheck/").status_code == 200
    client.logout()
    assert client.get("/precheck/").status_code == 302


def test_me_links_the_officer_to_the_waiting_uploads(client_as, precheck_booking, materials, entrepreneur, officer):
    actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                   by=entrepreneur)
    html = client_as(officer).get("/me/").content.decode()
    assert 'href="/precheck/"' in html


def test_files_are_served_with_each_access_recorded(client_as, precheck_booking, materials, entrepreneur, officer,
                                                   tax_officer, other_entrepreneur):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    file = upload.files.get()
    assert client_as(tax_officer).get(f"/precheck/files/{file.pk}/").status_code == 404
    assert client_as(other_entrepreneur).get(f"/precheck/files/{file.pk}/").status_code == 404
    response = client_as(officer).get(f"/precheck/files/{file.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    assert list(PrecheckFileAccess.objects.values_list("by__username", flat=True)) == ["officer"]


@pytest.mark.django_db
def test_the_admin_lets_an_officer_decide_their_departments_uploads(client_as, precheck_booking, materials,
                                                                    entrepreneur, officer):
    id_upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                               by=entrepreneur)
    bank_upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["bank"],
                                                 files=[jpeg()], by=entrepreneur)
    client = client_as(officer)
    listing = client.get("/admin/services/precheckupload/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert client.get(f"/admin/services/precheckupload/{bank_upload.pk}/change/").status_code == 302  # not theirs
    response = client.post("/admin/services/precheckupload/", {
        "action": "needs_correction", "_selected_action": [id_upload.pk], "reason": "signature", "reason_text": "",
    })
    assert response.status_code == 302
    id_upload.refresh_from_db()
    assert (id_upload.status, id_upload.reason) == ("needs_correction", "signature")
    assert client.get(f"/admin/services/precheckupload/{id_upload.pk}/change/").status_code == 200


def test_the_admin_completes_a_booking_not_settled_in_one_visit(client_as, precheck_booking, hall_staff):
    with time_machine.travel(precheck_booking.slot.starts_at - timedelta(minutes=30), tick=False):  # its day
        actions.booking_check_in(booking=precheck_booking, by=hall_staff)
    response = client_as(hall_staff).post("/admin/services/booking/", {
        "action": "complete_not_settled", "_selected_action": [precheck_booking.pk],
    })
    assert response.status_code == 302
    precheck_booking.refresh_from_db()
    assert (precheck_booking.status, precheck_booking.settled_in_one_visit) == ("completed", False)
    assert client_as(hall_staff).get(f"/admin/services/booking/{precheck_booking.pk}/change/").status_code == 200


def test_only_the_window_serving_the_booking_opens_its_files(client_as, materials, entrepreneur, hall_staff):
    """Personal Information Protection: hall staff see that a material was uploaded, but only the
    staff of a window serving the booking's item open the file, and the window's page shows the
    called person's accepted materials."""
    from datetime import timedelta

    import time_machine

    from tests.factories import ServiceItemFactory
    from tests.services.queue_setup import NOW, booking_at, hall, window_staff

    with time_machine.travel(NOW, tick=False):
        item = ServiceItemFactory(code="company-setup", name="企业设立登记", materials=[materials["id"]])
        _, window, _ = hall(staff=hall_staff, item=item)
        _, elsewhere, _ = hall(staff=window_staff("clerk"), number=4, item=ServiceItemFactory(code="tax"))
        booking = booking_at(item, starts_at=NOW + timedelta(minutes=10), user=entrepreneur, reference="WINFILE1")
        upload = actions.precheck_upload_create(booking=booking, material=materials["id"], files=[jpeg("身份证.jpg")],
                                                by=entrepreneur)
        file_url = f"/precheck/files/{upload.files.get().pk}/"
        clerk = elsewhere.staff.get()

        # The clerk at a window for another service sees the booking, not the file.
        page = client_as(clerk).get(f"/bookings/{booking.reference}/").content.decode()
        assert "身份证.jpg" in page and file_url not in page
        assert client_as(clerk).get(file_url).status_code == 403
        assert not PrecheckFileAccess.objects.exists()

        # The staff member sitting at the window for this item opens it, from the booking page...
        assert file_url in client_as(hall_staff).get(f"/bookings/{booking.reference}/").content.decode()
        # ... and from their window's page once the person is called.
        actions.queue_check_in(booking=booking, by=hall_staff)
        actions.queue_call_next(window=window, by=hall_staff)
        window_page = client_as(hall_staff).get(f"/hall/windows/{window.pk}/").content.decode()
        assert 'id="current-materials"' in window_page and file_url in window_page
        assert client_as(hall_staff).get(file_url).status_code == 200
        assert list(PrecheckFileAccess.objects.values_list("by__username", flat=True)) == [hall_staff.username]
