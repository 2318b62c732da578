import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ActivityFactory, SignUpFactory
from volunteers.models import Activity, ActivityStatusChange, Attendance

pytestmark = pytest.mark.django_db


def test_staff_export_attendance_and_hours_as_csv(client_as, hall_staff, team, entrepreneur):
    activity = ActivityFactory(team=team, title="帮办值守")
    Attendance.objects.create(activity=activity, user=entrepreneur, proposed_hours=2, approved_hours=2)
    response = client_as(hall_staff).post(
        "/admin/volunteers/activity/", {"action": "export_attendance_csv", "_selected_action": [activity.pk]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "帮办值守" and rows[1][3] == "林小创" and rows[1][-1] == "2.00"


def test_staff_add_an_activity_and_bad_times_show_a_form_error(client_as, hall_staff, team):
    client = client_as(hall_staff)
    start = timezone.localtime() + timedelta(days=3)
    data = {
        # The admin keeps the Chinese and the English side by side (django-modeltranslation).
        "team": team.pk, "kind": "lecture", "title_zh_hans": "政策宣讲", "title_en": "Policy lecture",
        "description_zh_hans": "", "description_en": "", "place_zh_hans": "报告厅", "place_en": "",
        "capacity": "20", "status": "open",
        "starts_at_0": start.strftime("%Y-%m-%d"), "starts_at_1": "14:00:00",
        "ends_at_0": start.strftime("%Y-%m-%d"), "ends_at_1": "13:00:00",
        **{f"{prefix}-{key}": value for prefix in ("signups", "attendances", "status_changes")
           for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()},
    }
    response = client.post("/admin/volunteers/activity/add/", data)
    assert response.status_code == 200 and not Activity.objects.exists()
    data["ends_at_1"] = "16:00:00"
    response = client.post("/admin/volunteers/activity/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.status == "open" and ActivityStatusChange.objects.filter(activity=activity).exists()
    assert (activity.title_zh_hans, activity.title_en, activity.place_zh_hans) == ("政策宣讲", "Policy lecture", "报告厅")


def test_staff_cancel_and_approve_through_admin_actions(client_as, hall_staff, team, entrepreneur):
    with time_machine.travel(timezone.now() - timedelta(days=5)):
        past = ActivityFactory(team=team)
    SignUpFactory(activity=past, user=entrepreneur)
    Attendance.objects.create(activity=past, user=entrepreneur, proposed_hours=1)
    upcoming = ActivityFactory(team=team)
    client = client_as(hall_staff)
    client.post("/admin/volunteers/activity/", {"action": "cancel", "_selected_action": [upcoming.pk]})
    client.post("/admin/volunteers/activity/", {"action": "approve_hours", "_selected_action": [past.pk, upcoming.pk]})
    upcoming.refresh_from_db()
    past.refresh_from_db()
    assert upcoming.status == "cancelled" and upcoming.hours_approved_at is None
    assert past.status == "done" and Attendance.objects.get().approved_hours == 1


def test_the_admin_lists_filter_and_pages_load(client_as, hall_staff, team, captain):
    ActivityFactory(team=team)
    client = client_as(hall_staff)
    assert client.get("/admin/volunteers/activity/", {"kind": "volunteer"}).status_code == 200
    assert client.get(f"/admin/volunteers/activity/{Activity.objects.get().pk}/change/").status_code == 200
    assert client.get("/admin/volunteers/team/").status_code == 200
    assert client.get(f"/admin/volunteers/team/{team.pk}/change/").status_code == 200


def test_a_second_captain_in_the_admin_is_a_form_error(client_as, hall_staff, team, captain):
    from tests.factories import UserFactory
    from volunteers.models import Membership

    other = UserFactory()
    existing = Membership.objects.get(user=captain)
    data = {
        "name_zh_hans": team.name, "name_en": "", "slug": team.slug, "positioning": team.positioning,
        "description_zh_hans": "", "description_en": "",
        "leader": "",
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": existing.pk, "memberships-0-team": team.pk, "memberships-0-user": captain.pk,
        "memberships-0-role": "captain", "memberships-0-joined_on": "2025-01-01", "memberships-0-left_on": "",
        "memberships-1-id": "", "memberships-1-team": team.pk, "memberships-1-user": other.pk,
        "memberships-1-role": "captain", "memberships-1-joined_on": "2026-01-01", "memberships-1-left_on": "",
    }
    response = client_as(hall_staff).post(f"/admin/volunteers/team/{team.pk}/change/", data)
    assert response.status_code == 200
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    assert not Membership.objects.filter(user=other).exists()


def test_changing_the_captain_in_the_admin_keeps_the_old_row(client_as, hall_staff, team, captain):
    from tests.factories import UserFactory
    from volunteers.models import Membership

    other = UserFactory()
    existing = Membership.objects.get(user=captain)
    data = {
        "name_zh_hans": team.name, "name_en": "", "slug": team.slug, "positioning": team.positioning,
        "description_zh_hans": "", "description_en": "", "leader": "",
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": existing.pk, "memberships-0-team": team.pk, "memberships-0-user": captain.pk,
        "memberships-0-role": "captain", "memberships-0-joined_on": "2025-01-01", "memberships-0-left_on": "2026-01-01",
        "memberships-1-id": "", "memberships-1-team": team.pk, "memberships-1-user": other.pk,
        "memberships-1-role": "captain", "memberships-1-joined_on": "2026-01-01", "memberships-1-left_on": "",
    }
    response = client_as(hall_staff).post(f"/admin/volunteers/team/{team.pk}/change/", data)
    assert response.status_code == 302
    assert team.captain == other
    assert Membership.objects.get(user=captain).left_on.isoformat() == "2026-01-01"


def test_a_captain_saved_meanwhile_is_a_message_not_a_server_error(client_as, hall_staff, team, captain, monkeypatch):
    """Two staff save at once: the form check passes for both, the database refuses the second."""
    from tests.factories import UserFactory
    from volunteers.admin import MembershipFormSet
    from volunteers.models import Membership

    # The other person's save lands between this form's check and its write.
    monkeypatch.setattr(MembershipFormSet, "clean", lambda self: None)
    other = UserFactory()
    existing = Membership.objects.get(user=captain)
    data = {
        "name_zh_hans": "改名后的宣讲队", "name_en": "", "slug": team.slug, "positioning": team.positioning,
        "description_zh_hans": "", "description_en": "",
        "leader": "",
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": existing.pk, "memberships-0-team": team.pk, "memberships-0-user": captain.pk,
        "memberships-0-role": "captain", "memberships-0-joined_on": "2025-01-01", "memberships-0-left_on": "",
        "memberships-1-id": "", "memberships-1-team": team.pk, "memberships-1-user": other.pk,
        "memberships-1-role": "captain", "memberships-1-joined_on": "2026-01-01", "memberships-1-left_on": "",
    }
    response = client_as(hall_staff).post(f"/admin/volunteers/team/{team.pk}/change/", data, follow=True)
    assert response.status_code == 200
    assert "没有保存任何内容" in response.content.decode()
    assert not Membership.objects.filter(user=other).exists()
    team.refresh_from_db()
    assert team.name == "政务先锋红色青年宣讲队"  # the whole save was rolled back
