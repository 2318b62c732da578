from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from portal.dashboard import dashboard_all
from tests.factories import ActivityFactory, SignUpFactory, TeamFactory
from volunteers.models import Activity, Attendance, SignUp

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


def _at(day_offset, hour=9, **kwargs):
    start = MONDAY.replace(hour=hour) + timedelta(days=day_offset)
    return ActivityFactory(starts_at=start, ends_at=start + timedelta(hours=2), **kwargs)


@time_machine.travel(MONDAY - timedelta(days=2), tick=False)
def test_the_weekly_list_groups_activities_by_day(client, team):
    _at(0, title="周一宣讲", team=team, kind="lecture")
    _at(2, title="周三帮办", team=team, kind="assisted")
    _at(9, title="下周沙龙", team=team)
    response = client.get(reverse("volunteers:activity_list"), {"week": "2026-11-25"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "周一宣讲" in body and "周三帮办" in body and "下周沙龙" not in body
    days = body.split('<section class="day')[1:]
    assert len(days) == 7
    assert "2026-11-23" in days[0] and "周一宣讲" in days[0]
    assert "2026-11-25" in days[2] and "周三帮办" in days[2]
    assert "?week=2026-11-30" in body and "?week=2026-11-16" in body


@time_machine.travel(MONDAY - timedelta(days=2), tick=False)
def test_the_weekly_list_filters_by_kind_and_team(client, team):
    _at(0, title="周一宣讲", team=team, kind="lecture")
    _at(1, title="别队沙龙", team=TeamFactory(slug="night"), kind="salon")
    body = client.get("/activities/", {"week": "2026-11-23", "kind": "lecture"}).content.decode()
    assert "周一宣讲" in body and "别队沙龙" not in body
    body = client.get("/activities/", {"week": "2026-11-23", "team": "night"}).content.decode()
    assert "周一宣讲" not in body and "别队沙龙" in body


@pytest.mark.parametrize("query", [{"week": "next"}, {"kind": "party"}, {"team": "nope"}])
def test_the_weekly_list_answers_bad_filters_with_400(client, query):
    response = client.get("/activities/", query)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


@pytest.mark.parametrize("size", [2, 10])
def test_the_weekly_list_query_count_does_not_grow(client, django_assert_max_num_queries, size):
    team = TeamFactory()
    for n in range(size):
        ActivityFactory(team=team, starts_at=timezone.now() + timedelta(hours=n + 1),
                        ends_at=timezone.now() + timedelta(hours=n + 2))
    with django_assert_max_num_queries(6):
        assert client.get("/activities/").status_code == 200


def test_a_person_signs_up_and_cancels_on_the_activity_page(client_as, entrepreneur, team):
    activity = ActivityFactory(team=team, capacity=2)
    client = client_as(entrepreneur)
    response = client.post(reverse("volunteers:activity_signup", args=[activity.pk]), follow=True)
    assert "message-success" in response.content.decode()
    assert SignUp.objects.filter(user=entrepreneur, status="active").exists()
    # Signing up twice shows the refusal as a message, not an error page.
    response = client.post(reverse("volunteers:activity_signup", args=[activity.pk]), follow=True)
    assert response.status_code == 200 and "message-error" in response.content.decode()
    client.post(reverse("volunteers:activity_signup_cancel", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.signed_up == 0


def test_signing_up_on_a_page_needs_sign_in(client, team):
    activity = ActivityFactory(team=team)
    response = client.post(reverse("volunteers:activity_signup", args=[activity.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "/login/?next=/activities/" in client.get(f"/activities/{activity.pk}/").content.decode()


def test_a_full_activity_refuses_on_the_page(client_as, entrepreneur, team):
    activity = ActivityFactory(team=team, capacity=1)
    SignUpFactory(activity=activity)
    response = client_as(entrepreneur).post(f"/activities/{activity.pk}/signup/", follow=True)
    assert "message-error" in response.content.decode()
    assert not SignUp.objects.filter(user=entrepreneur).exists()


def test_the_captain_records_attendance_and_approves_on_the_page(client_as, captain, entrepreneur, team):
    activity = ActivityFactory(team=team)
    SignUpFactory(activity=activity, user=entrepreneur)
    client = client_as(captain)
    with time_machine.travel(activity.ends_at + timedelta(minutes=5)):
        page = client.get(f"/activities/{activity.pk}/").content.decode()
        assert "林小创" in page and 'name="hours"' in page
        bad = client.post(f"/activities/{activity.pk}/attendance/", {"user": entrepreneur.pk, "hours": "9"})
        assert bad.status_code == 400 and 'class="error"' in bad.content.decode()
        ok = client.post(f"/activities/{activity.pk}/attendance/", {"user": entrepreneur.pk, "hours": "1.5"})
        assert ok.status_code == 302
        client.post(f"/activities/{activity.pk}/approve-hours/")
    assert Attendance.objects.get().approved_hours == 1.5
    assert Activity.objects.get().status == "done"


def test_a_member_cannot_manage_attendance_on_pages(client_as, member, entrepreneur, team):
    activity = ActivityFactory(team=team)
    SignUpFactory(activity=activity, user=entrepreneur)
    client = client_as(member)
    assert 'name="hours"' not in client.get(f"/activities/{activity.pk}/").content.decode()
    response = client.post(f"/activities/{activity.pk}/attendance/", {"user": entrepreneur.pk, "hours": "1"})
    assert response.status_code == 403
    assert client.post(f"/activities/{activity.pk}/approve-hours/").status_code == 403
    assert not Attendance.objects.exists()


def test_unknown_or_draft_activities_are_404_pages(client, team):
    draft = ActivityFactory(team=team, status="planned")
    assert client.get(f"/activities/{draft.pk}/").status_code == 404
    assert client.get("/activities/424242/").status_code == 404
    assert client.get("/teams/no-such-team/").status_code == 404


def test_the_team_page_shows_captain_members_activities_and_hours(client, team, captain, member):
    ActivityFactory(team=team, title="下周宣讲")
    with time_machine.travel(timezone.now() - timedelta(days=7)):
        past = ActivityFactory(team=team, title="上周服务")
    body = client.get(reverse("volunteers:team_detail", args=[team.slug])).content.decode()
    assert team.name in body and "刘队长" in body and "赵青锋" in body
    assert "下周宣讲" in body and "上周服务" in body
    assert body.index("下周宣讲") < body.index("上周服务")
    assert past.pk


def test_my_page_lists_my_activities(client_as, entrepreneur, team):
    activity = ActivityFactory(team=team, title="青创沙龙")
    SignUpFactory(activity=activity, user=entrepreneur)
    body = client_as(entrepreneur).get(reverse("accounts:me")).content.decode()
    assert "青创沙龙" in body and f"/activities/{activity.pk}/" in body


def test_the_dashboard_counts_teams_activities_and_hours(team, entrepreneur):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        activity = ActivityFactory(team=team)
    Attendance.objects.create(activity=activity, user=entrepreneur, proposed_hours=2, approved_hours=2)
    with translation.override("en"):
        figures = {str(f["label"]): f for f in dashboard_all()}
    assert figures["Service hours"]["value"] == 2
    assert figures["Service hours"]["chart"][0]["label"] == team.name
    assert figures["Activities held"]["value"] == 1
    assert figures["Service teams"]["value"] == 1
