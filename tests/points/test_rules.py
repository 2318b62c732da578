"""Every forbidden move answers 403, 404 or 409 and changes nothing; bad input answers 400."""
import pytest
from django.urls import reverse

from points import actions
from points.models import CaptainScore, PeerScore, Period, PeriodEvent, Stage, TeamRating
from tests.factories import IndicatorFactory, PeriodFactory
from tests.points.conftest import full_scores

pytestmark = pytest.mark.django_db


def _post(client, name, period, data):
    return client.post(reverse(f"api-period-{name}", args=[period.pk]), data, format="json")


def _snapshot(period):
    period.refresh_from_db()
    return (period.stage, PeerScore.objects.count(), CaptainScore.objects.count(), PeriodEvent.objects.count(),
            list(TeamRating.objects.filter(period=period).values_list("status", flat=True)))


def test_it_refuses_to_open_a_period_whose_indicators_do_not_add_to_100(api_as, reviewer, captain, member):
    period = PeriodFactory(indicators=[IndicatorFactory(code="a", max_points=60), IndicatorFactory(code="b",
                                                                                                     max_points=30)])
    response = _post(api_as(reviewer), "advance", period, {"to": "peer_review"})
    assert response.status_code == 409
    assert response.json()["code"] == "indicators_not_100"
    assert "90" in response.json()["detail"]
    period.refresh_from_db()
    assert period.stage == Stage.DRAFT and not TeamRating.objects.exists()


@pytest.mark.parametrize("to", ["captain_scoring", "published", "draft", "nonsense"])
def test_it_refuses_skipping_or_going_backwards(api_as, reviewer, period, drive, to):
    drive(period, Stage.PEER_REVIEW)
    before = _snapshot(period)
    response = _post(api_as(reviewer), "advance", period, {"to": to})
    if to == "nonsense":
        assert response.status_code == 400
    elif to == "captain_scoring":
        assert response.status_code == 409 and response.json()["code"] == "guard_not_met"
    else:
        assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    assert _snapshot(period) == before


def test_it_lets_only_the_owning_role_move_a_stage(api_as, period, drive, member, captain, alliance, reviewer):
    for user in [member, captain, alliance]:
        assert _post(api_as(user), "advance", period, {"to": "peer_review"}).status_code in (403, 404)
    assert Period.objects.get(pk=period.pk).stage == Stage.DRAFT
    drive(period, Stage.ALLIANCE_DECISION)
    assert _post(api_as(reviewer), "decision", period, {}).status_code == 403
    assert Period.objects.get(pk=period.pk).stage == Stage.ALLIANCE_DECISION


def test_it_needs_sign_in(api_client, period):
    assert _post(api_client, "advance", period, {"to": "peer_review"}).status_code == 401
    assert api_client.get(reverse("api-period-list")).status_code == 401


def test_an_entrepreneur_cannot_see_periods(api_as, entrepreneur, period):
    assert api_as(entrepreneur).get(reverse("api-period-list")).status_code == 403


def test_members_do_not_see_draft_periods(api_as, member, period, reviewer):
    assert api_as(member).get(reverse("api-period-detail", args=[period.pk])).status_code == 404
    assert api_as(reviewer).get(reverse("api-period-detail", args=[period.pk])).status_code == 200


def test_peer_review_refuses_self_another_team_and_wrong_stage(api_as, period, drive, member, teammate, other_team):
    as_member = api_as(member)
    assert _post(as_member, "peer-reviews", period, {"member": teammate.pk, "scores": full_scores(period)}).status_code == 404
    drive(period, Stage.PEER_REVIEW)
    before = _snapshot(period)
    self_review = _post(as_member, "peer-reviews", period, {"member": member.pk, "scores": full_scores(period)})
    assert self_review.status_code == 403
    other = _post(as_member, "peer-reviews", period, {"member": other_team.member_user.pk, "scores": full_scores(period)})
    assert other.status_code == 403
    assert _snapshot(period) == before
    drive(period, Stage.CAPTAIN_SCORING)
    before = _snapshot(period)
    late = _post(as_member, "peer-reviews", period, {"member": teammate.pk, "scores": full_scores(period, 1)})
    assert late.status_code == 409 and late.json()["code"] == "wrong_stage"
    assert _snapshot(period) == before


@pytest.mark.parametrize("value", [-1, 21, "x", None])
def test_peer_review_refuses_scores_out_of_range(api_as, period, drive, member, teammate, value):
    drive(period, Stage.PEER_REVIEW)
    scores = full_scores(period, 10)
    scores["five-1"] = value
    response = _post(api_as(member), "peer-reviews", period, {"member": teammate.pk, "scores": scores})
    assert response.status_code == 400
    assert "scores" in response.json()["errors"]
    assert not PeerScore.objects.exists()


def test_peer_review_refuses_a_missing_or_unknown_indicator(api_as, period, drive, member, teammate):
    drive(period, Stage.PEER_REVIEW)
    scores = full_scores(period, 10)
    del scores["five-2"]
    assert _post(api_as(member), "peer-reviews", period, {"member": teammate.pk, "scores": scores}).status_code == 400
    scores = {**full_scores(period, 10), "bogus": 3}
    assert _post(api_as(member), "peer-reviews", period, {"member": teammate.pk, "scores": scores}).status_code == 400
    assert not PeerScore.objects.exists()


def test_a_second_peer_review_of_the_same_teammate_updates_the_first(api_as, period, drive, member, teammate):
    drive(period, Stage.PEER_REVIEW)
    _post(api_as(member), "peer-reviews", period, {"member": teammate.pk, "scores": full_scores(period, 10)})
    response = _post(api_as(member), "peer-reviews", period, {"member": teammate.pk, "scores": full_scores(period, 12)})
    assert response.status_code == 201
    assert PeerScore.objects.filter(reviewer=member).count() == 5
    assert set(PeerScore.objects.values_list("points", flat=True)) == {12}


def test_the_peer_stage_closes_only_when_done_or_past_due(period, drive, reviewer, member, teammate):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    drive(period, Stage.PEER_REVIEW)
    period.peer_review_due = timezone.now() + dt.timedelta(days=2)
    period.save()
    with pytest.raises(actions.GuardNotMet):
        actions.period_advance(period=period, by=reviewer, to=Stage.CAPTAIN_SCORING)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        actions.period_advance(period=period, by=reviewer, to=Stage.CAPTAIN_SCORING)
    period.refresh_from_db()
    assert period.stage == Stage.CAPTAIN_SCORING


def test_only_that_members_captain_scores_them(api_as, period, drive, member, other_team, teammate):
    drive(period, Stage.CAPTAIN_SCORING)
    other_captain = api_as(other_team.captain_user)
    response = _post(other_captain, "captain-scores", period, {"member": member.pk, "scores": full_scores(period)})
    assert response.status_code == 403
    response = _post(api_as(teammate), "captain-scores", period, {"member": member.pk, "scores": full_scores(period)})
    assert response.status_code == 403
    assert not CaptainScore.objects.exists()


def test_captain_scoring_outside_its_stage_is_a_conflict(api_as, period, drive, captain, member):
    drive(period, Stage.PEER_REVIEW)
    response = _post(api_as(captain), "captain-scores", period, {"member": member.pk, "scores": full_scores(period)})
    assert response.status_code == 409
    drive(period, Stage.COMMITTEE_REVIEW)
    response = _post(api_as(captain), "captain-scores", period, {"member": member.pk, "scores": full_scores(period, 1)})
    assert response.status_code == 409  # submitted, not returned
    assert set(CaptainScore.objects.filter(member=member).values_list("points", flat=True)) == {18}


def test_a_team_cannot_submit_before_every_member_is_scored(api_as, period, drive, captain, member):
    drive(period, Stage.CAPTAIN_SCORING)
    _post(api_as(captain), "captain-scores", period, {"member": member.pk, "scores": full_scores(period)})
    response = _post(api_as(captain), "captain-submit", period, {})
    assert response.status_code == 409
    assert TeamRating.objects.get(period=period, team__slug="vanguard").status == "open"


def test_committee_review_needs_a_reason_to_return_and_the_right_role(api_as, period, drive, reviewer, captain,
                                                                    alliance):
    drive(period, Stage.COMMITTEE_REVIEW)
    response = _post(api_as(reviewer), "committee-review", period, {"team": "vanguard", "decision": "return"})
    assert response.status_code == 400
    response = _post(api_as(captain), "committee-review", period, {"team": "vanguard", "decision": "approve"})
    assert response.status_code == 403
    response = _post(api_as(reviewer), "committee-review", period, {"team": "nope", "decision": "approve"})
    assert response.status_code == 400
    assert set(TeamRating.objects.filter(period=period).values_list("status", flat=True)) == {"submitted"}
    _post(api_as(reviewer), "committee-review", period, {"team": "vanguard", "decision": "approve"})
    again = _post(api_as(reviewer), "committee-review", period, {"team": "vanguard", "decision": "return",
                                                                  "reason": "重新看"})
    assert again.status_code == 409


def test_committee_review_cannot_close_until_every_team_is_approved(period, drive, reviewer):
    drive(period, Stage.COMMITTEE_REVIEW)
    with pytest.raises(actions.GuardNotMet):
        actions.period_advance(period=period, by=reviewer, to=Stage.ALLIANCE_DECISION)


def test_captain_scoring_cannot_close_until_every_captain_submits(period, drive, reviewer):
    drive(period, Stage.CAPTAIN_SCORING)
    with pytest.raises(actions.GuardNotMet):
        actions.period_advance(period=period, by=reviewer, to=Stage.COMMITTEE_REVIEW)


def test_a_published_period_goes_nowhere(api_as, period, drive, alliance, reviewer):
    drive(period, Stage.PUBLISHED)
    assert _post(api_as(alliance), "decision", period, {}).status_code == 409
    assert _post(api_as(reviewer), "advance", period, {"to": "draft"}).status_code == 409


def test_unknown_periods_are_404(api_as, reviewer):
    assert api_as(reviewer).post(reverse("api-period-advance", args=[999]), {"to": "peer_review"},
                                 format="json").status_code == 404
