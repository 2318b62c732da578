"""The pages: leaderboard, reviewers' work queue, captain and member pages, the dashboard and /me/."""
import re

import pytest
from django.urls import reverse

from points.models import MemberResult, PeerScore, Stage, TeamRating
from portal.roles import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_leaderboard_is_public_once_published(client, period, drive):
    response = client.get(reverse("points:leaderboard"))
    assert response.status_code == 200
    assert "还没有公布的评星结果" in response.content.decode()
    drive(period, Stage.PUBLISHED)
    body = client.get(reverse("points:leaderboard")).content.decode()
    assert "政务先锋红色青年宣讲队" in body and "赵青锋" in body and "★" in body


def test_the_leaderboard_answers_bad_filters_with_400_and_unknown_periods_with_404(client, period, drive):
    drive(period, Stage.PUBLISHED)
    assert client.get(reverse("points:leaderboard"), {"period": "abc"}).status_code == 400
    assert client.get(reverse("points:leaderboard"), {"period": 999}).status_code == 404
    assert client.get(reverse("api-leaderboard"), {"period": "abc"}).status_code == 400
    assert client.get(reverse("api-leaderboard"), {"period": 999}).status_code == 404


def test_the_leaderboard_filters_by_team(api_client, period, drive):
    drive(period, Stage.PUBLISHED)
    data = api_client.get(reverse("api-leaderboard"), {"team": "direct"}).json()
    assert [row["name"] for row in data["results"]] == ["周外队"]


def test_an_unpublished_period_is_not_on_the_leaderboard(api_client, period, drive):
    drive(period, Stage.ALLIANCE_DECISION)
    assert api_client.get(reverse("api-leaderboard"), {"period": period.pk}).status_code == 404


def _grow(period, teams: int, members: int):
    """Add teams with captains and members straight into a published period's results."""
    rows, ratings = [], []
    for _team_number in range(teams):
        team = TeamFactory()
        MembershipFactory(team=team, role="captain", user=UserFactory(roles=[Role.TEAM_CAPTAIN]))
        ratings.append(TeamRating(period=period, team=team, status="approved", average=80, stars=4))
        for m in range(members):
            rows.append(MemberResult(period=period, team=team, member=UserFactory(roles=[Role.TEAM_MEMBER]),
                                     total=70 + m, stars=3))
    TeamRating.objects.bulk_create(ratings)
    MemberResult.objects.bulk_create(rows)


def test_the_leaderboard_query_count_does_not_grow_with_members(client, api_client, period, drive,
                                                                django_assert_max_num_queries):
    drive(period, Stage.PUBLISHED)
    for size in [(2, 3), (8, 10)]:
        _grow(period, *size)
        with django_assert_max_num_queries(8):
            assert client.get(reverse("points:leaderboard")).status_code == 200
        with django_assert_max_num_queries(5):
            assert api_client.get(reverse("api-leaderboard")).status_code == 200


def test_the_reviewers_work_queue_shows_who_still_owes(client_as, reviewer, period, drive, member, teammate,
                                                      django_assert_max_num_queries):
    drive(period, Stage.PEER_REVIEW)
    client = client_as(reviewer)
    assert client.get(reverse("points:ratings")).status_code == 200
    with django_assert_max_num_queries(22):
        body = client.get(reverse("points:period_detail", args=[period.pk])).content.decode()
    assert "赵青锋" in body and "钱同队" in body  # neither has peer-reviewed yet


def test_the_period_page_is_404_for_people_outside_the_review(client_as, entrepreneur, period):
    assert client_as(entrepreneur).get(reverse("points:period_detail", args=[period.pk])).status_code == 404


def test_a_member_peer_reviews_through_the_page(client_as, member, teammate, period, drive):
    drive(period, Stage.PEER_REVIEW)
    client = client_as(member)
    assert "钱同队" in client.get(reverse("points:peer_review", args=[period.pk])).content.decode()
    url = reverse("points:peer_review_member", args=[period.pk, teammate.pk])
    bad = {f"score_five-{i}": 25 for i in range(1, 6)}
    response = client.post(url, bad)
    assert response.status_code == 400 and not PeerScore.objects.exists()
    body = response.content.decode()
    # What was typed stays, each error right after its field.
    assert 'value="25"' in body
    field = body.index('id="id_score_five-1"')
    assert field < body.index('id="id_score_five-1_error"') < body.index('id="id_score_five-2"')
    good = {f"score_five-{i}": 15 for i in range(1, 6)}
    assert client.post(url, good).status_code == 302
    assert PeerScore.objects.filter(reviewer=member, member=teammate).count() == 5
    assert client.get(reverse("points:peer_review_member", args=[period.pk, member.pk])).status_code == 404


def test_the_captain_scores_submits_and_the_committee_returns_through_pages(client, captain, member, teammate,
                                                                           reviewer, period, drive):
    drive(period, Stage.CAPTAIN_SCORING)
    client.force_login(captain)
    sheet = client.get(reverse("points:captain_scoring", args=[period.pk])).content.decode()
    assert "15" in sheet  # the peer average beside the score
    for person in [member, teammate]:
        response = client.post(reverse("points:captain_score_member", args=[period.pk, person.pk]),
                               {**{f"score_five-{i}": 17 for i in range(1, 6)}, "comment": "很好"})
        assert response.status_code == 302
    client.post(reverse("points:captain_submit", args=[period.pk]))
    assert TeamRating.objects.get(period=period, team__slug="vanguard").status == "submitted"
    drive(period, Stage.COMMITTEE_REVIEW)
    client.force_login(reviewer)
    response = client.post(reverse("points:team_review", args=[period.pk, "vanguard"]),
                           {"decision": "return", "reason": ""})
    assert TeamRating.objects.get(period=period, team__slug="vanguard").status == "submitted"
    # Refused on the period page itself: the chosen decision kept, the error beside the reason.
    assert response.status_code == 400
    body = response.content.decode()
    team = TeamRating.objects.get(period=period, team__slug="vanguard").team
    assert '<option value="return" selected>' in body
    field = body.index(f'id="reason-{team.pk}"')
    assert field < body.index(f'id="reason-{team.pk}_error"') < body.index("</form>", field)
    client.post(reverse("points:team_review", args=[period.pk, "vanguard"]), {"decision": "return", "reason": "补充材料"})
    assert TeamRating.objects.get(period=period, team__slug="vanguard").status == "returned"


def test_the_alliance_previews_and_publishes_on_the_decision_page(client_as, alliance, period, drive):
    drive(period, Stage.ALLIANCE_DECISION)
    client = client_as(alliance)
    body = client.get(reverse("points:decision", args=[period.pk])).content.decode()
    assert "90" in body and "赵青锋" in body
    # The page says what publishing does before the button, and showing it publishes nothing.
    assert 'id="publish-consequences"' in body
    assert body.index('id="publish-consequences"') < body.index('type="submit" class="primary"')
    period.refresh_from_db()
    assert period.stage == Stage.ALLIANCE_DECISION
    response = client.post(reverse("points:decision", args=[period.pk]), {"reason": ""})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.stage == Stage.PUBLISHED


def test_a_wrong_move_on_a_page_is_a_message_not_a_500(client_as, reviewer, period):
    client = client_as(reviewer)
    response = client.post(reverse("points:period_advance", args=[period.pk]),
                           {"to": "published", "reason": "跳过评议"})
    assert response.status_code == 409
    body = response.content.decode()
    assert 'role="alert"' in body and "跳过评议" in body
    period.refresh_from_db()
    assert period.stage == Stage.DRAFT


def test_closing_a_stage_is_confirmed_on_a_page_of_its_own(client_as, reviewer, period):
    client = client_as(reviewer)
    detail = client.get(reverse("points:period_detail", args=[period.pk])).content.decode()
    url = reverse("points:period_advance", args=[period.pk])
    assert f'href="{url}"' in detail  # a link to the confirmation, not a button that acts at once
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="consequences"' in body and 'name="confirm"' in body
    assert f'value="{Stage.PEER_REVIEW}"' in body
    period.refresh_from_db()
    assert period.stage == Stage.DRAFT  # showing the page moves nothing
    assert client.post(url, {"to": Stage.PEER_REVIEW, "reason": ""}).status_code == 302
    period.refresh_from_db()
    assert period.stage == Stage.PEER_REVIEW


def test_a_refused_appeal_keeps_its_place_and_says_why(client_as, member, period, drive):
    drive(period, Stage.PUBLISHED)
    client = client_as(member)
    response = client.post(reverse("points:appeal_file", args=[period.pk]), {"reason": "   "})
    assert response.status_code == 400
    body = response.content.decode()
    result = member.point_results.get(period=period)
    field = body.index(f'id="appeal-{result.pk}-reason"')
    assert field < body.index(f'id="appeal-{result.pk}-reason_error"') < body.index("</form>", field)
    assert not result.appeals.exists()


def test_my_points_appear_on_the_personal_page_and_dashboard(client_as, member, period, drive, client):
    drive(period, Stage.PUBLISHED)
    body = client_as(member).get(reverse("accounts:me")).content.decode()
    assert "90" in body
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "政务服务好青年" in dashboard


def test_my_points_chart_names_each_period_in_full_and_apart(client_as, member):
    from datetime import date

    from points.models import LedgerEntry
    from tests.factories import PeriodFactory

    # Names that a cut to eight characters made read alike ("2026年第三季…" twice).
    first = PeriodFactory(name="2026年第三季度青锋指数评定", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30))
    second = PeriodFactory(name="2026年第三季度青锋指数评定（补评）", starts_on=date(2026, 8, 1), ends_on=date(2026, 9, 30))
    for period, points in ((first, 12), (second, 7)):
        LedgerEntry.objects.create(member=member, points=points, source="correction", reason="测试", period=period)
    LedgerEntry.objects.create(member=member, points=3, source="correction", reason="测试")
    body = client_as(member).get(reverse("points:my_points")).content.decode()
    labels = re.findall(r'<span class="bar-label">([^<]+)</span>', body)
    assert labels[:2] == [first.name, second.name] and len(set(labels)) == 3
    # The same numbers as a table for screen readers.
    assert f"<th scope=\"row\">{second.name}</th><td>7</td>" in body


def test_my_points_history_gives_the_portal_s_reasons_in_english(client_as, member, period, drive):
    from django.urls import reverse as url

    from points.models import LedgerEntry
    from tests.factories import ActivityFactory
    from volunteers.models import Attendance

    drive(period, Stage.PUBLISHED)  # writes "Result of <period>" entries in Chinese
    activity = ActivityFactory(title="青年专区帮办代办值守", title_en="Helping at the youth zone")
    attendance = Attendance.objects.create(activity=activity, user=member, proposed_hours=2, approved_hours=2)
    LedgerEntry.objects.create(member=member, points=2, source="service_hours", reason="志愿服务时长：青年专区帮办代办值守",
                               reference=f"hours:{attendance.pk}")
    client = client_as(member)
    client.post(url("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("points:my_points")).content.decode()
    assert "Service hours: Helping at the youth zone" in body and "志愿服务时长" not in body
    assert "Result of" in body
