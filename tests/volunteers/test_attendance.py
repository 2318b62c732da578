from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from tests.factories import ActivityFactory, MembershipFactory, SignUpFactory, TeamFactory, UserFactory
from volunteers.actions import activity_hours_approve, attendance_check_in, attendance_check_out
from volunteers.exceptions import AttendanceConflict, NotCaptain
from volunteers.models import Activity, Attendance
from volunteers.selectors import member_hours, team_get_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(team):
    return ActivityFactory(team=team, capacity=5)


@pytest.fixture
def volunteer(activity, entrepreneur):
    SignUpFactory(activity=activity, user=entrepreneur)
    return entrepreneur


def _attendance_url(activity):
    return f"/api/v1/activities/{activity.pk}/attendance/"


def test_check_in_and_out_propose_the_hours_served(activity, volunteer):
    with time_machine.travel(activity.starts_at - timedelta(minutes=10)):
        attendance_check_in(activity=activity, by=volunteer)
    with time_machine.travel(activity.starts_at + timedelta(minutes=100)):
        attendance = attendance_check_out(activity=activity, by=volunteer)
    # From the start (not the early check-in) to check-out, in whole half hours.
    assert attendance.proposed_hours == Decimal("1.5")
    assert attendance.approved_hours is None


def test_check_in_is_refused_outside_its_window_or_twice(activity, volunteer):
    with time_machine.travel(activity.starts_at - timedelta(hours=3)), pytest.raises(AttendanceConflict):
        attendance_check_in(activity=activity, by=volunteer)
    with time_machine.travel(activity.ends_at + timedelta(hours=5)), pytest.raises(AttendanceConflict):
        attendance_check_in(activity=activity, by=volunteer)
    with time_machine.travel(activity.starts_at):
        attendance_check_in(activity=activity, by=volunteer)
        with pytest.raises(AttendanceConflict):
            attendance_check_in(activity=activity, by=volunteer)


def test_check_in_needs_a_sign_up(activity, other_entrepreneur):
    with time_machine.travel(activity.starts_at), pytest.raises(AttendanceConflict):
        attendance_check_in(activity=activity, by=other_entrepreneur)
    assert not Attendance.objects.exists()


def test_check_out_needs_a_check_in(activity, volunteer):
    with time_machine.travel(activity.starts_at + timedelta(hours=1)), pytest.raises(AttendanceConflict):
        attendance_check_out(activity=activity, by=volunteer)


def test_the_captain_records_attendance_through_the_api(api_as, activity, volunteer, captain):
    with time_machine.travel(activity.ends_at):
        response = api_as(captain).post(_attendance_url(activity), {"user": volunteer.pk, "hours": "2"})
    assert response.status_code == 200, response.json()
    attendance = Attendance.objects.get(activity=activity, user=volunteer)
    assert attendance.proposed_hours == Decimal("2.00") and attendance.recorded_by == captain


def test_recording_attendance_needs_sign_in_and_the_captain_or_staff(api_as, activity, volunteer, member, team):
    other_captain = UserFactory()
    MembershipFactory(team=TeamFactory(), user=other_captain, role="captain")
    with time_machine.travel(activity.ends_at):
        assert api_as(None).post(_attendance_url(activity), {"user": volunteer.pk, "hours": 2}).status_code == 401
        assert api_as(member).post(_attendance_url(activity), {"user": volunteer.pk, "hours": 2}).status_code == 403
        response = api_as(other_captain).post(_attendance_url(activity), {"user": volunteer.pk, "hours": 2})
        assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_hall_staff_may_record_attendance(api_as, activity, volunteer, hall_staff):
    with time_machine.travel(activity.ends_at):
        response = api_as(hall_staff).post(_attendance_url(activity), {"user": volunteer.pk, "hours": "1.5"})
    assert response.status_code == 200


@pytest.mark.parametrize("hours", ["0", "-1", "3", "abc", ""])
def test_it_refuses_hours_out_of_range(api_as, activity, volunteer, captain, hours):
    with time_machine.travel(activity.ends_at):
        response = api_as(captain).post(_attendance_url(activity), {"user": volunteer.pk, "hours": hours})
    assert response.status_code == 400
    assert "hours" in response.json()["errors"]
    assert not Attendance.objects.exists()


def test_it_refuses_attendance_for_someone_who_did_not_sign_up(api_as, activity, captain, other_entrepreneur):
    with time_machine.travel(activity.ends_at):
        response = api_as(captain).post(_attendance_url(activity), {"user": other_entrepreneur.pk, "hours": 1})
    assert response.status_code == 409
    assert not Attendance.objects.exists()


def test_it_refuses_an_unknown_person(api_as, activity, captain):
    with time_machine.travel(activity.ends_at):
        response = api_as(captain).post(_attendance_url(activity), {"user": 987654, "hours": 1})
    assert response.status_code == 400 and "user" in response.json()["errors"]


def test_it_refuses_attendance_before_the_start(api_as, activity, volunteer, captain):
    response = api_as(captain).post(_attendance_url(activity), {"user": volunteer.pk, "hours": 1})
    assert response.status_code == 409


def test_approving_counts_the_hours_for_member_and_team_and_finishes_the_activity(activity, volunteer, captain, team):
    with time_machine.travel(activity.starts_at, tick=False):
        attendance_check_in(activity=activity, by=volunteer)
    with time_machine.travel(activity.ends_at, tick=False):
        attendance_check_out(activity=activity, by=volunteer)
        assert member_hours(user=volunteer) == 0
        activity_hours_approve(activity=activity, by=captain)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.DONE and activity.hours_approved_by == captain
    assert member_hours(user=volunteer) == Decimal("2")
    assert team_get_for_user(user=None, slug=team.slug).approved_hours == Decimal("2")
    assert activity.status_changes.last().to_status == "done"


def test_approving_twice_or_before_the_end_is_a_conflict(api_as, activity, volunteer, captain):
    url = f"/api/v1/activities/{activity.pk}/approve-hours/"
    with time_machine.travel(activity.starts_at + timedelta(minutes=30)):
        api_as(captain).post(_attendance_url(activity), {"user": volunteer.pk, "hours": 1})
        assert api_as(captain).post(url).status_code == 409
    with time_machine.travel(activity.ends_at + timedelta(minutes=1)):
        assert api_as(captain).post(url).status_code == 200
        assert api_as(captain).post(url).status_code == 409
        # Approved hours are final: no more recording.
        response = api_as(captain).post(_attendance_url(activity), {"user": volunteer.pk, "hours": 2})
        assert response.status_code == 409
    assert Attendance.objects.get().approved_hours == Decimal("1.00")


def test_only_the_captain_or_staff_approve(api_as, activity, volunteer, member):
    url = f"/api/v1/activities/{activity.pk}/approve-hours/"
    with time_machine.travel(activity.ends_at):
        assert api_as(member).post(url).status_code == 403
        assert api_as(None).post(url).status_code == 401
        with pytest.raises(NotCaptain):
            activity_hours_approve(activity=activity, by=member)
    activity.refresh_from_db()
    assert activity.hours_approved_at is None


def test_approving_without_any_attendance_changes_nothing(activity, captain):
    with time_machine.travel(activity.ends_at), pytest.raises(AttendanceConflict):
        activity_hours_approve(activity=activity, by=captain)
    activity.refresh_from_db()
    assert activity.hours_approved_at is None and activity.status == "open"


def test_check_in_and_out_through_the_api(api_as, activity, volunteer):
    # The clock stands still at each moment: a ticking one let the check-in's first request take
    # longer than the check-out's, and the two hours fell just short of four half-hours.
    with time_machine.travel(activity.starts_at, tick=False):
        assert api_as(volunteer).post(f"/api/v1/activities/{activity.pk}/check-in/").status_code == 200
    with time_machine.travel(activity.ends_at, tick=False):
        response = api_as(volunteer).post(f"/api/v1/activities/{activity.pk}/check-out/")
    assert response.status_code == 200 and response.json()["proposed_hours"] == "2.00"
