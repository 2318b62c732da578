"""The whole four-stage review, from draft to published, with one person per role."""
import pytest
from django.urls import reverse

from points.models import LedgerEntry, MemberResult, PeerScore, PeriodEvent, Stage, TeamRating
from tests.points.conftest import full_scores

pytestmark = pytest.mark.django_db


def _url(name, period, *args):
    return reverse(f"api-period-{name}", args=[period.pk, *args])


def test_it_runs_the_full_review_through_the_api(api_as, period, captain, member, teammate, other_team, reviewer,
                                                  alliance):
    as_reviewer, as_alliance = api_as(reviewer), api_as(alliance)
    response = as_reviewer.post(_url("advance", period), {"to": "peer_review"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "peer_review"
    assert TeamRating.objects.filter(period=period).count() == 2
    assert MemberResult.objects.filter(period=period).count() == 3  # captains are not rated

    # 1. peer review: each member scores each teammate
    response = api_as(member).post(_url("peer-reviews", period),
                                   {"member": teammate.pk, "scores": full_scores(period, 16)}, format="json")
    assert response.status_code == 201, response.json()
    api_as(teammate).post(_url("peer-reviews", period), {"member": member.pk, "scores": full_scores(period, 12)},
                          format="json")
    assert PeerScore.objects.filter(period=period).count() == 10
    assert as_reviewer.post(_url("advance", period), {"to": "captain_scoring"}, format="json").status_code == 200

    # 2. captain scoring, then submit
    for person, value in [(member, 19), (teammate, 15)]:
        response = api_as(captain).post(_url("captain-scores", period),
                                        {"member": person.pk, "scores": full_scores(period, value), "comment": "认真"},
                                        format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["score"] == value * 5
    assert api_as(captain).post(_url("captain-submit", period)).status_code == 200
    cap2 = api_as(other_team.captain_user)
    cap2.post(_url("captain-scores", period), {"member": other_team.member_user.pk, "scores": full_scores(period, 14)},
              format="json")
    assert cap2.post(_url("captain-submit", period)).status_code == 200
    assert as_reviewer.post(_url("advance", period), {"to": "committee_review"}, format="json").status_code == 200

    # 3. committee review: return one team, the captain rescores and resubmits, then approve both
    response = as_reviewer.post(_url("committee-review", period),
                                {"team": "vanguard", "decision": "return", "reason": "请核实赵青锋的服务时长"},
                                format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    response = api_as(captain).post(_url("captain-scores", period),
                                    {"member": member.pk, "scores": full_scores(period, 18)}, format="json")
    assert response.status_code == 200
    assert api_as(captain).post(_url("captain-submit", period)).status_code == 200
    for slug in ["vanguard", "direct"]:
        response = as_reviewer.post(_url("committee-review", period), {"team": slug, "decision": "approve"},
                                    format="json")
        assert response.status_code == 200 and response.json()["status"] == "approved"
    assert as_reviewer.post(_url("advance", period), {"to": "alliance_decision"}, format="json").status_code == 200

    # 4. the alliance decides
    response = as_alliance.post(_url("decision", period), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "published"

    results = {r.member.username: r for r in MemberResult.objects.filter(period=period).select_related("member")}
    assert (results["member"].total, results["member"].stars) == (90, 5)
    assert (results["teammate"].total, results["teammate"].stars) == (75, 3)
    assert (results["outsider"].total, results["outsider"].stars) == (70, 3)
    assert results["member"].is_good_youth and not results["teammate"].is_good_youth
    vanguard = TeamRating.objects.get(period=period, team__slug="vanguard")
    assert (str(vanguard.average), vanguard.stars, vanguard.is_pioneer_post) == ("82.50", 4, False)
    assert set(LedgerEntry.objects.filter(period=period, source="period_result").values_list("member__username",
                                                                                               "points")) == {
        ("member", 90), ("teammate", 75), ("outsider", 70)}
    kinds = list(PeriodEvent.objects.filter(period=period).values_list("kind", flat=True))
    assert kinds.count("advanced") == 5 and "returned" in kinds and kinds.count("submitted") == 3
    returned = PeriodEvent.objects.get(period=period, kind="returned")
    assert returned.by == reviewer and returned.note == "请核实赵青锋的服务时长"

    board = api_as(None).get(reverse("api-leaderboard")).json()
    assert board["period"]["id"] == period.pk
    assert [row["name"] for row in board["results"]] == ["赵青锋", "钱同队", "周外队"]
    assert board["teams"][0]["team"] == "vanguard" and board["teams"][0]["stars"] == 4


def test_thresholds_and_titles_follow_the_settings(settings, period, drive):
    settings.POINTS_FIVE_STAR_MIN = 95
    settings.POINTS_FOUR_STAR_MIN = 85
    settings.POINTS_GOOD_YOUTH_MIN_TOTAL = 95
    drive(period, Stage.PUBLISHED, captain_values={"member": 19, "teammate": 20})
    results = {r.member.username: r for r in MemberResult.objects.filter(period=period).select_related("member")}
    assert (results["member"].total, results["member"].stars, results["member"].is_good_youth) == (95, 5, True)
    assert (results["teammate"].total, results["teammate"].stars, results["teammate"].is_good_youth) == (100, 5, True)
    assert results["outsider"].stars == 4  # 90 ≥ 85
    settings.POINTS_GOOD_YOUTH_PER_TEAM = 1


def test_good_youth_titles_are_capped_per_team(settings, period, drive):
    settings.POINTS_GOOD_YOUTH_PER_TEAM = 1
    drive(period, Stage.PUBLISHED, captain_values={"member": 19, "teammate": 20, "outsider": 20})
    winners = set(MemberResult.objects.filter(period=period, is_good_youth=True).values_list("member__username",
                                                                                              flat=True))
    assert winners == {"teammate", "outsider"}
    assert TeamRating.objects.get(period=period, team__slug="direct").stars == 5
    assert TeamRating.objects.get(period=period, team__slug="direct").is_pioneer_post
