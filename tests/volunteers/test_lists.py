from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ActivityFactory, MembershipFactory, SignUpFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _teams_with_members(count):
    for _ in range(count):
        team = TeamFactory()
        MembershipFactory(team=team, role="captain")
        MembershipFactory.create_batch(2, team=team)
        ActivityFactory(team=team)


def test_the_teams_api_shows_positioning_captain_and_member_count(api_as, team, captain, member):
    response = api_as(None).get("/api/v1/teams/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["slug"] == "vanguard" and row["positioning"] == "outward"
    assert row["captain"] == {"id": captain.pk, "name": "刘队长"}
    assert row["member_count"] == 2 and row["approved_hours"] == "0.00"
    assert "star_level" in row


def test_one_team_by_slug_or_404(api_as, team, captain):
    assert api_as(None).get("/api/v1/teams/vanguard/").json()["captain"]["name"] == "刘队长"
    assert api_as(None).get("/api/v1/teams/no-such-team/").status_code == 404


@pytest.mark.parametrize("size", [3, 12])
def test_the_teams_api_query_count_does_not_grow(api_as, django_assert_max_num_queries, size):
    _teams_with_members(size)
    with django_assert_max_num_queries(3):
        assert api_as(None).get("/api/v1/teams/").status_code == 200


@pytest.mark.parametrize("size", [3, 12])
def test_the_team_list_page_query_count_does_not_grow(client, django_assert_max_num_queries, size):
    _teams_with_members(size)
    with django_assert_max_num_queries(6):
        assert client.get("/teams/").status_code == 200


def test_the_activities_api_lists_capacity_and_remaining_with_filters(api_as, team):
    lecture = ActivityFactory(team=team, kind="lecture", capacity=4)
    SignUpFactory(activity=lecture)
    ActivityFactory(team=TeamFactory(slug="other"), kind="salon")
    ActivityFactory(team=team, status="planned")  # a draft: not public
    rows = api_as(None).get("/api/v1/activities/").json()["results"]
    assert len(rows) == 2
    rows = api_as(None).get("/api/v1/activities/", {"team": "vanguard", "kind": "lecture"}).json()["results"]
    assert [(r["id"], r["capacity"], r["remaining"]) for r in rows] == [(lecture.pk, 4, 3)]


def test_the_activities_api_filters_by_date(api_as, team):
    soon = ActivityFactory(team=team)
    later = ActivityFactory(team=team, starts_at=timezone.now() + timedelta(days=30),
                            ends_at=timezone.now() + timedelta(days=30, hours=1))
    day = timezone.localtime(later.starts_at).date().isoformat()
    rows = api_as(None).get("/api/v1/activities/", {"date_from": day}).json()["results"]
    assert [r["id"] for r in rows] == [later.pk]
    rows = api_as(None).get("/api/v1/activities/", {"date_to": day}).json()["results"]
    assert {r["id"] for r in rows} == {soon.pk, later.pk}


@pytest.mark.parametrize("query", [{"date_from": "tomorrow"}, {"kind": "party"}, {"team": "nope"}, {"status": "x"}])
def test_malformed_filters_are_a_400(api_as, query):
    response = api_as(None).get("/api/v1/activities/", query)
    assert response.status_code == 400
    assert set(query) <= set(response.json()["errors"])


@pytest.mark.parametrize("size", [3, 15])
def test_the_activities_api_query_count_does_not_grow(api_as, django_assert_max_num_queries, size):
    for _ in range(size):
        ActivityFactory()
    client = api_as(UserFactory())
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/activities/")
    assert response.json()["count"] == size
