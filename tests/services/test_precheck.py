"""The pre-check of materials (材料预审), through the actions: the whole loop by time travel, and
every bad input refused with nothing half-written."""
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.exceptions import Conflict, Forbidden, Invalid, TransitionNotAllowed
from portal.notifications.models import Notification, Reminder
from services import actions, selectors
from services.models import PrecheckEvent, PrecheckFile, PrecheckUpload
from tests.factories import BookingFactory, SlotFactory
from tests.services.conftest import jpeg, local, pdf

# What the refusals say is read in English.
pytestmark = pytest.mark.usefixtures("english")


def _stored_files() -> list[Path]:
    return [path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()]


def test_an_upload_close_to_the_visit_is_due_by_its_start(precheck_bundle, materials, entrepreneur, officer):
    friday_night = local(2026, 12, 4, 23, 0)
    with time_machine.travel(friday_night, tick=False):
        slot = SlotFactory(bundle=precheck_bundle, starts_at=local(2026, 12, 7, 10, 0),
                           ends_at=local(2026, 12, 7, 10, 30), booked_count=1)
        booking = BookingFactory(user=entrepreneur, slot=slot, reference="SOON2345")
        upload = actions.precheck_upload_create(booking=booking, material=materials["id"], files=[jpeg()],
                                                by=entrepreneur)
    # One working day on would be the end of Monday, after the 10:00 visit.
    assert upload.due_at == local(2026, 12, 7, 10, 0)

    def sent():
        return set(Reminder.objects.filter(kind__in=["precheck_due_today", "precheck_overdue"])
                   .values_list("kind", flat=True))

    actions.precheck_reminders_sweep(now=local(2026, 12, 7, 8, 59))
    assert sent() == set()
    actions.precheck_reminders_sweep(now=local(2026, 12, 7, 9, 0))  # the department's morning reminder
    assert sent() == {"precheck_due_today"}
    actions.precheck_reminders_sweep(now=local(2026, 12, 7, 10, 0, 1))  # unchecked when the visit starts
    assert sent() == {"precheck_due_today", "precheck_overdue"}


def test_it_marks_a_material_issued_by_an_earlier_item_and_needs_the_rest(precheck_bundle, materials):
    rows = selectors.bundle_material_rows(selectors.bundle_get(slug="restaurant"))
    by_name = {row["material"].name: row for row in rows}
    assert sorted(by_name) == sorted(["身份证", "公司章程", "营业执照", "银行账户信息"])
    assert by_name["营业执照"]["issued_by"].code == "r01"
    assert by_name["身份证"]["issued_by"] is None
    # The first item that needs a material decides which department checks it.
    assert by_name["身份证"]["department"].code == "market"
    assert by_name["银行账户信息"]["department"].code == "tax"


def test_it_runs_the_whole_loop_by_time_travel(precheck_bundle, materials, entrepreneur, officer, tax_officer,
                                              hall_staff):
    monday = local(2026, 12, 7, 10, 0)
    with time_machine.travel(monday, tick=False):
        slot = SlotFactory(bundle=precheck_bundle, starts_at=local(2026, 12, 10, 10, 0),
                           ends_at=local(2026, 12, 10, 10, 30), booked_count=1)
        booking = BookingFactory(user=entrepreneur, slot=slot, reference="LOOP2345")

        first = actions.precheck_upload_create(booking=booking, material=materials["id"],
                                               files=[jpeg("id-front.jpg"), jpeg("id-back.jpg")], by=entrepreneur)
        assert (first.status, first.version, first.department.code) == ("submitted", 1, "market")
        # One working day after the upload, to the end of that day.
        assert first.due_at == local(2026, 12, 8, 23, 59, 59)
        assert [f.original_name for f in first.files.all()] == ["id-front.jpg", "id-back.jpg"]
        assert len(_stored_files()) == 2
        assert Notification.objects.filter(user=officer, title__contains="身份证").count() == 1
        assert not Notification.objects.filter(user=tax_officer).exists()

    with time_machine.travel(monday + timedelta(hours=1), tick=False):
        actions.precheck_upload_request_correction(upload=first, by=officer, reason="unreadable",
                                                   reason_text="反面太暗")
        first.refresh_from_db()
        assert (first.status, first.reason, first.decided_by) == ("needs_correction", "unreadable", officer)
        assert Notification.objects.filter(user=entrepreneur, title__contains="身份证").count() == 1
        assert selectors.booking_precheck(booking)["accepted"] == 0

        second = actions.precheck_upload_create(booking=booking, material=materials["id"],
                                                files=[pdf("id.pdf", pages=2)], by=entrepreneur)
        assert second.version == 2
        actions.precheck_upload_accept(upload=second, by=officer)
        readiness = selectors.booking_precheck(booking)
        row = next(row for row in readiness["rows"] if row["material"] == materials["id"])
        assert [version.version for version in row["versions"]] == [2, 1]  # every version kept, latest first
        assert row["latest"].status == "accepted"
        assert (readiness["accepted"], readiness["needed"], readiness["ready"]) == (1, 3, False)

        charter = actions.precheck_upload_create(booking=booking, material=materials["charter"],
                                                 files=[jpeg("charter.jpg")], by=entrepreneur)
        assert actions.precheck_reminders_sweep() == 0

    # The due day at the reminder hour: "due today", once, however often the sweep runs.
    with time_machine.travel(local(2026, 12, 8, 9, 30), tick=False):
        assert actions.precheck_reminders_sweep() == 1
        assert actions.precheck_reminders_sweep() == 0
        reminder = Reminder.objects.get(kind="precheck_due_today")
        assert list(reminder.recipients.all()) == [officer]
        assert reminder.subject == charter

    # The worker was down all Tuesday evening: Wednesday's first sweep catches up with "overdue".
    with time_machine.travel(local(2026, 12, 9, 8, 0), tick=False):
        assert actions.precheck_reminders_sweep() == 1
        assert Reminder.objects.filter(kind="precheck_overdue", subject_id=charter.pk).count() == 1
        assert actions.precheck_reminders_sweep() == 0
        charter.refresh_from_db()
        assert charter.next_reminder_at is None

    # The day before the visit the materials are not ready: applicant and hall staff are told, once.
    with time_machine.travel(local(2026, 12, 9, 10, 30), tick=False):
        assert actions.precheck_reminders_sweep() == 1
        assert actions.precheck_reminders_sweep() == 0
        flag = Reminder.objects.get(kind="precheck_not_ready")
        assert set(flag.recipients.all()) == {entrepreneur, hall_staff}
        assert "1 of 3" in flag.message
        actions.precheck_upload_accept(upload=charter, by=officer)

    with time_machine.travel(local(2026, 12, 10, 10, 5), tick=False):
        actions.booking_check_in(booking=booking, by=hall_staff)
        actions.booking_complete(booking=booking, by=hall_staff, settled_in_one_visit=True)
        booking.refresh_from_db()
        assert booking.settled_in_one_visit is True

    # Not yet past the retention period: nothing is deleted.
    with time_machine.travel(local(2027, 1, 9, 10, 0), tick=False):
        assert actions.precheck_files_purge() == 0
        assert len(_stored_files()) == 4

    with time_machine.travel(local(2027, 1, 9, 10, 31), tick=False):
        assert actions.precheck_files_purge() == 3
        assert actions.precheck_files_purge() == 0  # safe to run twice
    assert _stored_files() == []
    # The record of what was checked stays: versions, decisions, file names, history.
    assert PrecheckUpload.objects.filter(booking=booking).count() == 3
    assert PrecheckUpload.objects.filter(files_deleted_at__isnull=True).count() == 0
    assert sorted(PrecheckFile.objects.values_list("original_name", flat=True)) == [
        "charter.jpg", "id-back.jpg", "id-front.jpg", "id.pdf"]
    assert set(PrecheckFile.objects.values_list("file", flat=True)) == {""}
    assert PrecheckEvent.objects.filter(note__contains="30").count() == 3
    assert selectors.booking_precheck(booking)["accepted"] == 2


def test_it_flags_nothing_when_every_material_is_accepted(precheck_booking, materials, entrepreneur, officer,
                                                        tax_officer):
    for key, checker in [("id", officer), ("charter", officer), ("bank", tax_officer)]:
        upload = actions.precheck_upload_create(booking=precheck_booking, material=materials[key],
                                                files=[jpeg()], by=entrepreneur)
        actions.precheck_upload_accept(upload=upload, by=checker)
    assert selectors.booking_precheck(precheck_booking)["ready"] is True
    # Someone else at the same time who uploaded nothing: the same sweep flags them, and only them.
    unready = BookingFactory(slot=precheck_booking.slot, reference="UNRDY234")
    with time_machine.travel(precheck_booking.slot.starts_at - timedelta(hours=2), tick=False):
        actions.precheck_reminders_sweep()
    assert list(Reminder.objects.filter(kind="precheck_not_ready").values_list("subject_id", flat=True)) == [unready.pk]
    assert Notification.objects.filter(user=unready.user).exists()
    assert not Notification.objects.filter(user=entrepreneur, title__contains=precheck_booking.reference).exists()


def test_it_lets_the_applicant_withdraw_before_the_check_and_deletes_the_files(precheck_booking, materials,
                                                                               entrepreneur, officer,
                                                                               django_capture_on_commit_callbacks):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"],
                                            files=[jpeg()], by=entrepreneur)
    with pytest.raises(Forbidden):
        actions.precheck_upload_withdraw(upload=upload, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        actions.precheck_upload_withdraw(upload=upload, by=entrepreneur)
    upload.refresh_from_db()
    assert upload.status == "withdrawn" and upload.files_deleted_at is not None
    assert _stored_files() == []
    assert upload.files.get().original_name == "page.jpg"
    with pytest.raises(TransitionNotAllowed):
        actions.precheck_upload_accept(upload=upload, by=officer)
    # A new version can follow.
    assert actions.precheck_upload_create(booking=precheck_booking, material=materials["id"],
                                          files=[jpeg()], by=entrepreneur).version == 2


def test_it_cannot_withdraw_once_checked(precheck_booking, materials, entrepreneur, officer):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"],
                                            files=[jpeg()], by=entrepreneur)
    actions.precheck_upload_accept(upload=upload, by=officer)
    with pytest.raises(TransitionNotAllowed):
        actions.precheck_upload_withdraw(upload=upload, by=entrepreneur)
    assert len(_stored_files()) == 1


@pytest.mark.parametrize("setting, value, files, code", [
    (None, None, lambda: [SimpleUploadedFile("id.jpg", b"this is plain text, not a photo")], "upload_rejected"),
    (None, None, lambda: [pdf("id.jpg")], "upload_rejected"),  # a PDF that claims to be a photo
    ("PRECHECK_MAX_BYTES", 200, lambda: [jpeg(size=(200, 200))], "upload_rejected"),
    ("PRECHECK_MAX_PAGES", 2, lambda: [pdf(pages=3)], "upload_rejected"),
    ("PRECHECK_MAX_FILES", 2, lambda: [jpeg(), jpeg(), jpeg()], "too_many_files"),
    (None, None, lambda: [], "no_file"),
    (None, None, lambda: [jpeg(), SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\nbroken")], "upload_rejected"),
])
def test_it_refuses_bad_files_and_writes_nothing(settings, precheck_booking, materials, entrepreneur, officer,
                                                 setting, value, files, code):
    if setting:
        setattr(settings, setting, value)
    with pytest.raises(Invalid) as refused:
        actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=files(),
                                       by=entrepreneur)
    assert refused.value.code == code
    assert refused.value.field == "files"
    assert not PrecheckUpload.objects.exists() and not PrecheckFile.objects.exists()
    assert _stored_files() == []
    assert not Notification.objects.filter(user=officer).exists()


def test_it_refuses_a_material_the_booking_does_not_need_or_that_is_issued_here(precheck_booking, materials,
                                                                              entrepreneur):
    with pytest.raises(Invalid) as refused:
        actions.precheck_upload_create(booking=precheck_booking, material=materials["other"], files=[jpeg()],
                                       by=entrepreneur)
    assert refused.value.code == "material_not_needed"
    with pytest.raises(Invalid) as refused:
        actions.precheck_upload_create(booking=precheck_booking, material=materials["licence"], files=[jpeg()],
                                       by=entrepreneur)
    assert refused.value.code == "material_issued_here"
    assert "企业设立登记" in str(refused.value.message)
    assert not PrecheckUpload.objects.exists()


@pytest.mark.parametrize("status", ["cancelled", "completed", "no_show", "checked_in"])
def test_it_refuses_uploads_once_the_booking_is_no_longer_booked(precheck_booking, materials, entrepreneur, status):
    precheck_booking.status = status
    precheck_booking.save()
    with pytest.raises(Conflict) as refused:
        actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                       by=entrepreneur)
    assert refused.value.code == "precheck_closed"
    assert not PrecheckUpload.objects.exists() and _stored_files() == []


def test_it_refuses_uploads_after_the_slot_has_ended(precheck_booking, materials, entrepreneur):
    with time_machine.travel(precheck_booking.slot.ends_at + timedelta(minutes=1), tick=False):
        with pytest.raises(Conflict) as refused:
            actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                           by=entrepreneur)
    assert refused.value.code == "precheck_closed"


def test_it_refuses_another_persons_upload_and_a_second_open_version(precheck_booking, materials, entrepreneur,
                                                                     other_entrepreneur):
    with pytest.raises(Forbidden):
        actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                       by=other_entrepreneur)
    actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                   by=entrepreneur)
    with pytest.raises(Conflict) as refused:
        actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                       by=entrepreneur)
    assert refused.value.code == "precheck_version_open"
    assert PrecheckUpload.objects.count() == 1 and len(_stored_files()) == 1


def test_it_refuses_a_second_decision_and_a_checker_of_another_department(precheck_booking, materials,
                                                                         entrepreneur, officer, tax_officer,
                                                                         hall_staff):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    for outsider in (tax_officer, hall_staff, entrepreneur):
        with pytest.raises(Forbidden):
            actions.precheck_upload_accept(upload=upload, by=outsider)
    actions.precheck_upload_accept(upload=upload, by=officer)
    with pytest.raises(TransitionNotAllowed):
        actions.precheck_upload_request_correction(upload=upload, by=officer, reason="expired")
    with pytest.raises(TransitionNotAllowed):
        actions.precheck_upload_accept(upload=upload, by=officer)
    upload.refresh_from_db()
    assert upload.status == "accepted"
    assert upload.events.count() == 2  # submitted, accepted: the refused moves wrote nothing


@pytest.mark.parametrize("reason, text, code", [
    ("", "", "reason_required"), ("other", "", "reason_required"), ("made-up", "", "reason_unknown"),
    ("unreadable", "x" * 501, "invalid"),
])
def test_it_needs_a_known_reason_or_an_explanation_to_send_back(precheck_booking, materials, entrepreneur, officer,
                                                                reason, text, code):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    with pytest.raises(Invalid) as refused:
        actions.precheck_upload_request_correction(upload=upload, by=officer, reason=reason, reason_text=text)
    assert refused.value.code == code
    upload.refresh_from_db()
    assert upload.status == "submitted"


def test_a_typed_reason_alone_is_enough(precheck_booking, materials, entrepreneur, officer):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    actions.precheck_upload_request_correction(upload=upload, by=officer, reason_text="请上传原件照片")
    upload.refresh_from_db()
    assert (upload.reason, upload.reason_text) == ("other", "请上传原件照片")
    assert "请上传原件照片" in upload.events.last().note


def test_it_stops_reminding_once_the_booking_is_cancelled(precheck_booking, materials, entrepreneur, officer):
    upload = actions.precheck_upload_create(booking=precheck_booking, material=materials["id"], files=[jpeg()],
                                            by=entrepreneur)
    actions.booking_cancel(booking=precheck_booking, by=entrepreneur)
    assert actions.precheck_reminders_sweep(now=upload.due_at + timedelta(hours=1)) == 0
    upload.refresh_from_db()
    assert upload.next_reminder_at is None
    assert not Reminder.objects.exists()
