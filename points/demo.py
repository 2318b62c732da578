"""Demo data for the Qingfeng index: the five-star standard's 100-point indicators, a published past
period run through the real four-stage actions, a period in peer review, achievements and ledger entries.

Idempotent: everything is keyed on natural keys (indicator code, period name, achievement title),
and a period's stages are only run when the period is first created.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from points import actions
from points.models import Achievement, Indicator, LedgerEntry, MemberResult, Period, Stage, TeamRating
from portal.accounts.models import User
from portal.demo import demo_english
from volunteers.models import Membership

C = Indicator.Category
INDICATORS = [
    ("politics-study", C.POLITICS, "理论学习与政治素养", "参加理论宣讲、主题党团日和青年大学习。", 15),
    ("service-quality", C.SERVICE, "服务质效与群众满意度", "窗口与青年专区服务的办结率、好评率（99.9% 为标杆）。", 20),
    ("assisted-handling", C.SERVICE, "帮办代办与上门服务", "帮办代办件数、商事直通车上门服务次数。", 15),
    ("policy-skill", C.SKILL, "业务能力与政策熟练度", "一件事套餐、惠企政策的掌握与讲解能力。", 10),
    ("reform-ideas", C.INNOVATION, "改革攻坚与金点子", "提出并推动落实金点子、破解堵点。", 15),
    ("innovation", C.INNOVATION, "创新创效", "服务方式、工具与流程的创新。", 10),
    ("discipline", C.CONDUCT, "作风纪律", "守时守纪、廉洁自律、文明礼仪。", 10),
    ("teamwork-hours", C.CONDUCT, "团队协作与志愿服务时长", "参与团队活动与志愿服务的时长。", 5),
]

INDICATORS_EN = {
    "politics-study": ("Theory study and political awareness", "Theory lectures, Party and League days and Youth Study sessions."),
    "service-quality": ("Service quality and satisfaction", "Completion and good-review rates at the windows and in the youth zone (99.9% is the benchmark)."),
    "assisted-handling": ("Assisted handling and visits", "Applications handled on people's behalf and business direct-service visits."),
    "policy-skill": ("Professional skill and policy knowledge", "Knowing and explaining the one-thing bundles and business policies."),
    "reform-ideas": ("Reform tasks and golden ideas", "Proposing golden ideas, seeing them through and removing blockers."),
    "innovation": ("Innovation", "New ways, tools and processes of service."),
    "discipline": ("Conduct and discipline", "Punctuality, integrity and courtesy."),
    "teamwork-hours": ("Teamwork and volunteer hours", "Time spent in team activities and volunteer service."),
}
PERIODS_EN = {"2026年第三季度": "2026 Q3", "2026年第四季度": "2026 Q4"}

PAST = "2026年第三季度"
CURRENT = "2026年第四季度"


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _indicators() -> list[Indicator]:
    result = []
    for position, (code, category, name, description, points) in enumerate(INDICATORS, start=1):
        indicator, _created = Indicator.objects.get_or_create(
            code=code,
            defaults={"category": category, "name": name, "description": description, "max_points": points,
                      "position": position},
        )
        result.append(indicator)
    return result


def _score(username: str, indicator: Indicator) -> int:
    # Deterministic, varied, mostly good scores: between 70% and 100% of the maximum.
    spread = sum(map(ord, username + indicator.code)) % 31
    return round(indicator.max_points * (70 + spread) / 100)


def _run_past_period(period: Period, reviewer: User, alliance: User) -> None:
    actions.period_advance(period=period, by=reviewer, to=Stage.PEER_REVIEW, reason="第三季度评星开始")
    # The peer stage's due date is past, so it may close with the reviews members did not give.
    actions.period_advance(period=period, by=reviewer, to=Stage.CAPTAIN_SCORING)
    indicators = list(period.indicators.all())
    captains = dict(
        Membership.objects.filter(role=Membership.Role.CAPTAIN, left_on__isnull=True).values_list("team_id", "user_id")
    )
    users = User.objects.in_bulk(list(captains.values()))
    for rating in TeamRating.objects.filter(period=period).select_related("team"):
        captain = users[captains[rating.team_id]]
        for result in MemberResult.objects.filter(period=period, team_id=rating.team_id).select_related("member"):
            actions.captain_score_set(
                period=period, by=captain, member=result.member,
                scores={ind.code: _score(result.member.username, ind) for ind in indicators},
                comment="服务热情，业务扎实。",
            )
        actions.team_scores_submit(period=period, by=captain, team=rating.team)
    actions.period_advance(period=period, by=reviewer, to=Stage.COMMITTEE_REVIEW)
    for rating in TeamRating.objects.filter(period=period):
        actions.team_scores_approve(rating=rating, by=reviewer)
    actions.period_advance(period=period, by=reviewer, to=Stage.ALLIANCE_DECISION)
    actions.period_publish(period=period, by=alliance, reason="党建联盟会议研究决定")


def seed() -> str:
    indicators = _indicators()
    reviewer = User.objects.get(username="reviewer")
    alliance = User.objects.get(username="alliance")
    if not Membership.objects.filter(left_on__isnull=True).exists():
        return f"{len(indicators)} indicators (no teams yet: periods skipped)"

    if not Period.objects.filter(name=PAST).exists():
        past = actions.period_create(
            name=PAST, starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30), indicators=indicators,
            due={Stage.PEER_REVIEW: _at(date(2026, 10, 10)), Stage.CAPTAIN_SCORING: _at(date(2026, 10, 17)),
                 Stage.COMMITTEE_REVIEW: _at(date(2026, 10, 24)), Stage.ALLIANCE_DECISION: _at(date(2026, 10, 31))},
        )
        _run_past_period(past, reviewer, alliance)

    if not Period.objects.filter(name=CURRENT).exists():
        today = timezone.localdate()
        current = actions.period_create(
            name=CURRENT, starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31), indicators=indicators,
            due={Stage.PEER_REVIEW: _at(today + timedelta(days=7)), Stage.CAPTAIN_SCORING: _at(today + timedelta(days=14)),
                 Stage.COMMITTEE_REVIEW: _at(today + timedelta(days=21)),
                 Stage.ALLIANCE_DECISION: _at(today + timedelta(days=28))},
        )
        current = actions.period_advance(period=current, by=reviewer, to=Stage.PEER_REVIEW, reason="第四季度评星开始")
        member = User.objects.get(username="member")
        mine = MemberResult.objects.filter(period=current, member=member).first()
        if mine is not None:
            mate = MemberResult.objects.filter(period=current, team_id=mine.team_id).exclude(member=member).first()
            if mate is not None:
                actions.peer_review_submit(period=current, by=member, member=mate.member,
                                           scores={ind.code: _score(member.username, ind) for ind in indicators})
            _achievements(member, current)

    chinese = {code: (name, description) for code, _c, name, description, _p in INDICATORS}
    demo_english(Indicator, {
        "name": {chinese[code][0]: en for code, (en, _d) in INDICATORS_EN.items()},
        "description": {chinese[code][1]: description for code, (_n, description) in INDICATORS_EN.items()},
    })
    demo_english(Period, {"name": PERIODS_EN})
    return (
        f"{Indicator.objects.count()} indicators, {Period.objects.count()} periods, "
        f"{Achievement.objects.count()} achievements, {LedgerEntry.objects.count()} ledger entries"
    )


def _achievements(member: User, period: Period) -> None:
    membership = Membership.objects.filter(user=member, left_on__isnull=True).first()
    captain_id = Membership.objects.filter(
        team_id=membership.team_id, role=Membership.Role.CAPTAIN, left_on__isnull=True
    ).values_list("user_id", flat=True).first()
    captain = User.objects.get(pk=captain_id)
    items = [
        ("assisted-handling", "青年专区帮办代办 36 件", "十月在青年专区为创业青年帮办代办青创+餐饮企业一件事 36 件，零差评。", 8, True),
        ("reform-ideas", "提出“证照联办”金点子并被采纳", "建议将食品经营许可与营业执照同步受理，已被区市场监管局采纳。", 10, True),
        ("innovation", "制作一件事办事指引短视频", "制作 5 条办事指引短视频，累计播放 2 万次。", 6, False),
    ]
    for code, title, description, points, approved in items:
        if Achievement.objects.filter(member=member, title=title).exists():
            continue
        indicator = period.indicators.get(code=code)
        achievement = actions.achievement_create(by=member, indicator=indicator, title=title,
                                                 description=description, points_claimed=points, period=period)
        if approved:
            actions.achievement_approve(achievement=achievement, by=captain)
