"""Fixtures for the points tests: a rated team of three, a second team, and a period driven by actions."""
import pytest

from points import actions
from points.models import Period, Stage
from portal.roles import Role
from tests.factories import MembershipFactory, PeriodFactory, TeamFactory, UserFactory


@pytest.fixture
def teammate(db, team):
    user = UserFactory(username="teammate", display_name="钱同队", roles=[Role.TEAM_MEMBER])
    MembershipFactory(team=team, user=user, role="member")
    return user


@pytest.fixture
def other_team(db):
    team = TeamFactory(name="商事直通车青年服务队", slug="direct")
    captain = UserFactory(username="captain2", display_name="孙队长", roles=[Role.TEAM_MEMBER, Role.TEAM_CAPTAIN])
    MembershipFactory(team=team, user=captain, role="captain")
    outsider = UserFactory(username="outsider", display_name="周外队", roles=[Role.TEAM_MEMBER])
    MembershipFactory(team=team, user=outsider, role="member")
    team.captain_user = captain
    team.member_user = outsider
    return team


@pytest.fixture
def period(db, captain, member, teammate, other_team):
    return PeriodFactory(name="2026年第四季度")


def full_scores(period: Period, value: int | None = None) -> dict[str, int]:
    """Every indicator of the period at ``value`` (default: its maximum)."""
    return {ind.code: ind.max_points if value is None else value for ind in period.indicators.all()}


@pytest.fixture
def drive(reviewer, alliance):
    """``drive(period, to_stage, scores={member: value})`` runs the real actions up to a stage."""

    def run(period: Period, to: str, *, captain_values: dict | None = None):
        from points.models import MemberResult, TeamRating
        from volunteers.models import Membership

        order = [Stage.PEER_REVIEW, Stage.CAPTAIN_SCORING, Stage.COMMITTEE_REVIEW, Stage.ALLIANCE_DECISION,
                 Stage.PUBLISHED]
        for stage in order:
            period.refresh_from_db()
            if order.index(stage) > order.index(to):
                break
            if period.stage != Stage.DRAFT and order.index(period.stage) >= order.index(stage):
                continue
            if period.stage == Stage.PEER_REVIEW and stage == Stage.CAPTAIN_SCORING:
                for result in MemberResult.objects.filter(period=period):
                    for mate in MemberResult.objects.filter(period=period, team_id=result.team_id).exclude(
                        member_id=result.member_id
                    ):
                        actions.peer_review_submit(period=period, by=result.member,
                                                   member=mate.member, scores=full_scores(period, 15))
            if period.stage == Stage.CAPTAIN_SCORING and stage == Stage.COMMITTEE_REVIEW:
                for rating in TeamRating.objects.filter(period=period, status="open"):
                    cap = Membership.objects.get(team_id=rating.team_id, role="captain", left_on__isnull=True).user
                    for result in MemberResult.objects.filter(period=period, team_id=rating.team_id):
                        value = (captain_values or {}).get(result.member.username, 18)
                        actions.captain_score_set(period=period, by=cap, member=result.member,
                                                  scores=full_scores(period, value), comment="表现不错")
                    actions.team_scores_submit(period=period, by=cap)
            if period.stage == Stage.COMMITTEE_REVIEW and stage == Stage.ALLIANCE_DECISION:
                for rating in TeamRating.objects.filter(period=period):
                    actions.team_scores_approve(rating=rating, by=reviewer)
            user = alliance if stage == Stage.PUBLISHED else reviewer
            actions.period_advance(period=period, by=user, to=stage)
        period.refresh_from_db()
        return period

    return run
