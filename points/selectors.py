"""Reads for the Qingfeng index, scoped to the person asking, with a fixed number of queries."""
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Rank
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from points.exceptions import NotAllowed, PeriodNotFound
from points.filters import AchievementFilter, LeaderboardFilter, LedgerFilter, PeriodFilter
from points.models import (
    Achievement,
    Appeal,
    CaptainScore,
    Indicator,
    LedgerEntry,
    MemberResult,
    PeerScore,
    Period,
    PeriodEvent,
    Stage,
    TeamRating,
)
from portal.accounts.selectors import me_section, me_todo
from portal.exceptions import NotFound
from portal.filters import ID_MAX, filters_apply
from portal.roles import Role, has_role
from volunteers.models import Attendance, Membership, Team

User = get_user_model()


# --- the rules of the index, read from settings at call time ------------------------------------
def stars_for(value) -> int:
    """Star level of a total (or a team's average) under the configured thresholds."""
    thresholds = [
        (5, settings.POINTS_FIVE_STAR_MIN),
        (4, settings.POINTS_FOUR_STAR_MIN),
        (3, settings.POINTS_THREE_STAR_MIN),
        (2, settings.POINTS_TWO_STAR_MIN),
    ]
    for stars, minimum in thresholds:
        if value >= minimum:
            return stars
    return 1


def member_totals(*, period: Period) -> dict[int, int]:
    """{member id: total out of 100}: the captain's scores summed, capped at 100. One query.

    Members the captain has not scored are absent (their total is 0).
    """
    sums = (
        CaptainScore.objects.filter(period=period).values("member_id").annotate(total=Sum("points"))
        .values_list("member_id", "total")
    )
    return {member_id: min(int(total or 0), 100) for member_id, total in sums}


def team_outcome(totals: list[int]) -> tuple[Decimal, int, bool]:
    """A team's average of its members' totals, its star level, and whether it is a pioneer post."""
    average = (Decimal(sum(totals)) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP) if totals else Decimal(0)
    return average, stars_for(average), average >= settings.POINTS_PIONEER_POST_MIN_AVERAGE


# --- who takes part -----------------------------------------------------------------------------
def is_points_reviewer(user) -> bool:
    """Committee reviewers, the alliance and hall staff see every team's progress."""
    return has_role(user, Role.COMMITTEE_REVIEWER, Role.ALLIANCE_MEMBER, Role.HALL_STAFF)


def takes_part(user) -> bool:
    return has_role(user, Role.TEAM_MEMBER, Role.TEAM_CAPTAIN) or is_points_reviewer(user)


def captain_ids_by_team(*, team_ids: Iterable[int]) -> dict[int, int]:
    """{team id: user id of its active captain} for the teams given that have one. One query."""
    rows = Membership.objects.filter(
        team_id__in=list(team_ids), role=Membership.Role.CAPTAIN, left_on__isnull=True
    ).values_list("team_id", "user_id")
    return dict(rows)


def is_captain_of(*, user, team_id: int) -> bool:
    """Whether ``user`` is the team's active captain now (read from the database, not cached)."""
    return Membership.objects.filter(
        team_id=team_id, user_id=user.pk, role=Membership.Role.CAPTAIN, left_on__isnull=True
    ).exists()


def member_get(*, member_id: int) -> User:
    """The person a request names by id, to score or review. 403 (NotAllowed) for an unknown id:
    nobody may score or review a person who does not exist."""
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        raise NotAllowed()
    return member


# --- indicators and periods ---------------------------------------------------------------------
def indicator_list(*, period: Period | None = None) -> QuerySet[Indicator]:
    if period is not None:
        return period.indicators.order_by("position", "code")
    return Indicator.objects.filter(is_active=True)


def period_list(*, user, filters=None) -> QuerySet[Period]:
    qs = Period.objects.prefetch_related("indicators")
    if not is_points_reviewer(user):
        qs = qs.exclude(stage=Stage.DRAFT) if takes_part(user) else qs.none()
    return filters_apply(PeriodFilter, filters, qs)


def period_get_for_user(*, user, period_id) -> Period:
    """The period, or 404 when the user may not see it (drafts are for reviewers only)."""
    try:
        return period_list(user=user).get(pk=int(period_id))
    except (Period.DoesNotExist, TypeError, ValueError):
        raise PeriodNotFound()


def period_current() -> Period | None:
    """The period in progress: opened and not yet published (the latest if several)."""
    return Period.objects.exclude(stage__in=[Stage.DRAFT, Stage.PUBLISHED]).order_by("-starts_on", "-id").first()


def period_indicator_total(*, period: Period) -> int:
    return period.indicators.aggregate(total=Sum("max_points"))["total"] or 0


def period_history(*, period: Period) -> QuerySet[PeriodEvent]:
    return period.events.select_related("by", "team", "member")


def peer_review_missing(*, period: Period) -> dict[int, int]:
    """{member id: number of peer scores still owed} for members who have not finished. Two queries."""
    results = list(MemberResult.objects.filter(period=period).values_list("member_id", "team_id"))
    team_size: dict[int, int] = defaultdict(int)
    for _member, team_id in results:
        team_size[team_id] += 1
    n_indicators = period.indicators.count()
    given = dict(
        PeerScore.objects.filter(period=period).values("reviewer_id").annotate(n=Count("id")).values_list("reviewer_id", "n")
    )
    missing = {}
    for member_id, team_id in results:
        owed = (team_size[team_id] - 1) * n_indicators - (given.get(member_id) or 0)
        if owed > 0:
            missing[member_id] = owed
    return missing


def period_owing(*, period: Period) -> list:
    """Who still owes their part of the period's current stage (the reminders' recipients)."""
    if period.stage == Stage.PEER_REVIEW:
        return list(User.objects.filter(pk__in=list(peer_review_missing(period=period))))
    if period.stage == Stage.CAPTAIN_SCORING:
        team_ids = period.team_ratings.exclude(status=TeamRating.Status.SUBMITTED).values_list("team_id", flat=True)
        return list(User.objects.filter(pk__in=list(captain_ids_by_team(team_ids=team_ids).values())))
    if period.stage == Stage.COMMITTEE_REVIEW:
        if not period.team_ratings.exclude(status=TeamRating.Status.APPROVED).exists():
            return []
        return list(User.objects.filter(groups__name=Role.COMMITTEE_REVIEWER, is_active=True))
    if period.stage == Stage.ALLIANCE_DECISION:
        return list(User.objects.filter(groups__name=Role.ALLIANCE_MEMBER, is_active=True))
    return []


def period_progress(*, period: Period) -> list[dict]:
    """Each team's progress in the period for the reviewers' work queue. Six queries in all."""
    ratings = list(period.team_ratings.select_related("team").order_by("team__name"))
    results = list(MemberResult.objects.filter(period=period).select_related("member").order_by("member__username"))
    missing = peer_review_missing(period=period) if period.stage != Stage.DRAFT else {}
    n_indicators = len(period.indicators.all())
    scored = dict(
        CaptainScore.objects.filter(period=period).values("member_id").annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    captains = {
        m.team_id: m.user for m in Membership.objects.filter(
            team_id__in=[r.team_id for r in ratings], role=Membership.Role.CAPTAIN, left_on__isnull=True
        ).select_related("user")
    }
    by_team: dict[int, list[MemberResult]] = defaultdict(list)
    for result in results:
        by_team[result.team_id].append(result)
    rows = []
    for rating in ratings:
        members = by_team.get(rating.team_id, [])
        rows.append({
            "rating": rating,
            "team": rating.team,
            "captain": captains.get(rating.team_id),
            "members": len(members),
            "peer_missing": [r.member for r in members if r.member_id in missing],
            "unscored": [r.member for r in members if (scored.get(r.member_id) or 0) < n_indicators],
        })
    return rows


def decision_preview(*, period: Period) -> dict:
    """What publishing would produce, computed without writing: for the alliance's decision page.

    The same rules as publishing (member_totals, stars_for, team_outcome), so the preview is the result.
    """
    totals = member_totals(period=period)
    results = list(MemberResult.objects.filter(period=period).select_related("member", "team"))
    teams: dict[int, dict] = {}
    for r in results:
        r.preview_total = totals.get(r.member_id, 0)
        r.preview_stars = stars_for(r.preview_total)
        team = teams.setdefault(r.team_id, {"team": r.team, "totals": []})
        team["totals"].append(r.preview_total)
    for team in teams.values():
        team["average"], team["stars"], team["pioneer"] = team_outcome(team["totals"])
    team_rows = sorted(teams.values(), key=lambda t: (-t["average"], t["team"].name))
    member_rows = sorted(results, key=lambda r: (-r.preview_total, r.member_id))
    return {
        "teams": team_rows,
        "members": member_rows,
        "five_star_teams": sum(1 for t in team_rows if t["stars"] == 5),
    }


# --- member pages -------------------------------------------------------------------------------
def my_result(*, user, period: Period) -> MemberResult | None:
    return MemberResult.objects.filter(period=period, member_id=user.pk).select_related("team").first()


def peer_review_targets(*, user, period: Period) -> list[dict]:
    """The teammates this member reviews in the period, with the scores already given."""
    mine = my_result(user=user, period=period)
    if mine is None:
        return []
    teammates = list(
        MemberResult.objects.filter(period=period, team_id=mine.team_id).exclude(member_id=user.pk)
        .select_related("member").order_by("member__username")
    )
    given: dict[int, dict[int, int]] = defaultdict(dict)
    for score in PeerScore.objects.filter(period=period, reviewer_id=user.pk):
        given[score.member_id][score.indicator_id] = score.points
    return [{"member": t.member, "scores": given.get(t.member_id, {}), "done": bool(given.get(t.member_id))}
            for t in teammates]


def peer_scores_given(*, user, period: Period, member_id: int) -> dict[str, int]:
    """{indicator code: points} this user gave the teammate, for prefilling the form."""
    return dict(
        PeerScore.objects.filter(period=period, reviewer_id=user.pk, member_id=member_id)
        .values_list("indicator__code", "points")
    )


def captain_scores_of(*, period: Period, member_id: int) -> dict[str, int]:
    """{indicator code: points} the captain set for one member in one period (one query)."""
    return dict(
        CaptainScore.objects.filter(period=period, member_id=member_id).values_list("indicator__code", "points")
    )


def captain_team_id(*, user, period: Period) -> int | None:
    """The team the user captains among those rated in the period (the first, if several)."""
    return Membership.objects.filter(
        user_id=user.pk, role=Membership.Role.CAPTAIN, left_on__isnull=True, team__ratings__period=period
    ).values_list("team_id", flat=True).first()


def captain_sheet(*, user, period: Period) -> dict | None:
    """The captain's scoring sheet: each member, the captain's scores and the peer average beside them."""
    team_id = captain_team_id(user=user, period=period)
    if team_id is None:
        return None
    rating = TeamRating.objects.select_related("team").get(period=period, team_id=team_id)
    results = list(
        MemberResult.objects.filter(period=period, team_id=team_id).select_related("member").order_by("member__username")
    )
    indicators = list(period.indicators.order_by("position", "code"))
    member_ids = [r.member_id for r in results]
    peer = defaultdict(dict)
    for row in PeerScore.objects.filter(period=period, member_id__in=member_ids).values(
        "member_id", "indicator_id"
    ).annotate(avg=Avg("points")):
        peer[row["member_id"]][row["indicator_id"]] = round(row["avg"], 1)
    mine = defaultdict(dict)
    for score in CaptainScore.objects.filter(period=period, member_id__in=member_ids):
        mine[score.member_id][score.indicator_id] = score.points
    reopened = set(
        Appeal.objects.filter(result__period=period, result__team_id=team_id, status=Appeal.Status.REOPENED)
        .values_list("result__member_id", flat=True)
    )
    rows = []
    for r in results:
        rows.append({
            "result": r,
            "member": r.member,
            "reopened": r.member_id in reopened,
            "lines": [
                {"indicator": ind, "peer": peer[r.member_id].get(ind.pk), "score": mine[r.member_id].get(ind.pk)}
                for ind in indicators
            ],
            "total": sum(mine[r.member_id].values()) if mine[r.member_id] else None,
            "scored": len(mine[r.member_id]) == len(indicators),
        })
    return {"rating": rating, "team": rating.team, "indicators": indicators, "rows": rows}


def team_rating_get(*, period: Period, slug: str) -> TeamRating | None:
    """The team's rating in the period, by the team's slug; None when the team is not rated in it."""
    return period.team_ratings.select_related("team").filter(team__slug=slug).first()


# --- achievements -------------------------------------------------------------------------------
def _captained_team_ids(user) -> QuerySet:
    """The teams the user captains now, as a subquery (the captain decides their achievements)."""
    return Membership.objects.filter(
        user_id=user.pk, role=Membership.Role.CAPTAIN, left_on__isnull=True
    ).values("team_id")


def achievement_list(*, user, filters=None) -> QuerySet[Achievement]:
    """Reviewers see all; a captain sees their teams'; a member sees their own."""
    qs = Achievement.objects.select_related("member", "team", "indicator", "period", "decided_by")
    if not is_points_reviewer(user):
        qs = qs.filter(Q(member_id=user.pk) | Q(team_id__in=_captained_team_ids(user)))
    return filters_apply(AchievementFilter, filters, qs)


def achievement_get_for_user(*, user, achievement_id) -> Achievement:
    try:
        return achievement_list(user=user).get(pk=int(achievement_id))
    except (Achievement.DoesNotExist, TypeError, ValueError):
        raise NotFound()


def achievements_to_decide(*, user) -> QuerySet[Achievement]:
    return Achievement.objects.filter(
        team_id__in=_captained_team_ids(user), status=Achievement.Status.PENDING
    ).select_related("member", "indicator", "period")


# --- appeals ------------------------------------------------------------------------------------
def appeal_list(*, user) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related("result__member", "result__team", "result__period", "decided_by")
    if has_role(user, Role.COMMITTEE_REVIEWER, Role.HALL_STAFF):
        return qs
    return qs.filter(result__member_id=user.pk)


def appeal_get_for_user(*, user, appeal_id) -> Appeal:
    try:
        return appeal_list(user=user).get(pk=int(appeal_id))
    except (Appeal.DoesNotExist, TypeError, ValueError):
        raise NotFound()


# --- ledger -------------------------------------------------------------------------------------
def ledger_list(*, user, filters=None) -> QuerySet[LedgerEntry]:
    """The member's own entries; reviewers see everyone's. Newest first."""
    qs = LedgerEntry.objects.select_related("member", "author", "period", "indicator", "achievement")
    if not is_points_reviewer(user):
        qs = qs.filter(member_id=user.pk)
    return filters_apply(LedgerFilter, filters, qs)


def ledger_reasons(entries) -> list[LedgerEntry]:
    """The entries with ``reason_display``: the reason the portal wrote, said again in the page's
    language (the stored reason is in the language of whoever acted then). Reasons a person typed
    (a manual correction) stay as written. At most two queries, whatever the number of entries.
    """
    entries = list(entries)

    def ids(prefix: str) -> set[int]:
        return {int(e.reference.split(":", 1)[1]) for e in entries
                if e.reference.startswith(prefix) and e.reference.split(":", 1)[1].isdigit()}

    hours_ids, appeal_ids = ids("hours:"), ids("appeal:")
    activities = ({a.pk: a.activity for a in Attendance.objects.filter(pk__in=hours_ids).select_related("activity")}
                  if hours_ids else {})
    appeals = Appeal.objects.in_bulk(appeal_ids) if appeal_ids else {}
    for entry in entries:
        entry.reason_display = entry.reason
        key = entry.reference.split(":", 1)[1] if ":" in entry.reference else ""
        key = int(key) if key.isdigit() else None
        if entry.source == LedgerEntry.Source.ACHIEVEMENT and entry.achievement_id:
            entry.reason_display = _("Achievement: %(title)s") % {"title": entry.achievement.title}
        elif entry.source == LedgerEntry.Source.PERIOD_RESULT and entry.period_id:
            entry.reason_display = _("Result of %(period)s") % {"period": entry.period.name}
        elif entry.reference.startswith("hours:") and key in activities:
            entry.reason_display = _("Service hours: %(activity)s") % {"activity": activities[key].title}
        elif entry.reference.startswith("appeal:") and key in appeals and appeals[key].new_total is not None:
            appeal = appeals[key]
            entry.reason_display = _("Appeal: result corrected from %(old)s to %(new)s") % {
                "old": appeal.old_total, "new": appeal.new_total}
    return entries


def member_balance(*, member) -> int:
    return LedgerEntry.objects.filter(member_id=member.pk).aggregate(total=Sum("points"))["total"] or 0


def member_points_chart(*, member) -> list[dict]:
    """Points per period (entries outside a period grouped as "other"), oldest first: two queries.

    Each bar is named by its period's whole name in the page's language (not cut short, which
    made two periods read alike); two periods of one name are told apart by their dates.
    """
    rows = list(
        LedgerEntry.objects.filter(member_id=member.pk)
        .values("period_id")
        .annotate(total=Sum("points"))
        .order_by(F("period__starts_on").asc(nulls_last=True), "period_id")
    )
    periods = Period.objects.in_bulk([row["period_id"] for row in rows if row["period_id"]])
    names = [str(periods[row["period_id"]].name) if row["period_id"] else str(_("Other")) for row in rows]
    bars = []
    for row, name in zip(rows, names, strict=True):
        period = periods.get(row["period_id"])
        if period is not None and names.count(name) > 1:
            name = f"{name} ({period.starts_on:%Y-%m-%d} – {period.ends_on:%Y-%m-%d})"
        bars.append({"label": name, "value": row["total"]})
    peak = max((max(b["value"], 0) for b in bars), default=0) or 1
    for bar in bars:
        bar["percent"] = round(100 * max(bar["value"], 0) / peak)
    return bars


# --- leaderboard --------------------------------------------------------------------------------
def leaderboard_period(*, period_id=None) -> Period:
    """The published period asked for, or the latest one; 404 when there is none."""
    qs = Period.objects.filter(stage=Stage.PUBLISHED)
    if period_id not in (None, ""):
        try:
            period_id = int(period_id)
        except (TypeError, ValueError):
            raise ValidationError({"period": [_("Enter a whole number.")]})
        if not 1 <= period_id <= ID_MAX:
            # The same range as the ``?period=`` filter of the ledger and achievements.
            raise ValidationError({"period": [_("Enter a whole number.")]})
        qs = qs.filter(pk=period_id)
    period = qs.order_by("-published_at", "-id").first()
    if period is None:
        raise PeriodNotFound(_("No published rating period yet."))
    return period


def leaderboard_teams(*, period: Period) -> QuerySet[TeamRating]:
    """Teams by average, best first; ``rank`` is shared by tied teams (1, 2, 2, 4)."""
    return (
        TeamRating.objects.filter(period=period).select_related("team")
        .annotate(member_count=Count("team__member_results", filter=Q(team__member_results__period=period)))
        .annotate(rank=Window(Rank(), order_by=F("average").desc(nulls_last=True)))
        .order_by("-average", "team__name")
    )


def leaderboard_members(*, period: Period, filters=None) -> QuerySet[MemberResult]:
    """The period's members, best total first (no total last), as the filters keep them. Their
    ``rank`` is set on the page shown by ``leaderboard_ranked``, not computed for every member."""
    # Ties break on the member id, not the name: the (period, -total) index then serves the sort.
    qs = MemberResult.objects.filter(period=period).select_related("member", "team").order_by("-total", "member_id")
    return filters_apply(LeaderboardFilter, filters, qs)


def leaderboard_ranked(*, rows: Iterable[MemberResult], members: QuerySet[MemberResult]) -> list[MemberResult]:
    """Set ``rank`` on a page of ``members``: tied totals share a rank (1, 2, 2, 4), counted among
    the members the filters keep, and no total ranks after every total (publication gives every
    member a total; a member without one would be listed first on PostgreSQL, last on SQLite).

    One query that reads only the members ranked above the page's lowest total (how many have each
    higher total), so the first page of 10,000 members costs what the first page of 100 does; a
    window function over the whole period would sort every member on every request."""
    rows = list(rows)
    if not rows:
        return rows
    totals = [row.total for row in rows if row.total is not None]
    above = members.order_by().filter(total__isnull=False)
    if len(totals) == len(rows):
        above = above.filter(total__gt=min(totals))
    histogram = list(above.values("total").annotate(n=Count("pk")).values_list("total", "n"))
    for row in rows:
        if row.total is None:
            row.rank = 1 + sum(n for _total, n in histogram)
        else:
            row.rank = 1 + sum(n for total, n in histogram if total > row.total)
    return rows


def published_periods() -> QuerySet[Period]:
    return Period.objects.filter(stage=Stage.PUBLISHED).order_by("-published_at", "-id")


def team_star_level_subquery() -> Subquery:
    """An annotation for Team querysets: the star level of the team's latest published period (or None).

    ``Team.objects.annotate(star_level=team_star_level_subquery())``: one SQL query for any number of
    teams. Provided to the volunteers app's team lists through ``volunteers.hooks`` (PointsConfig.ready).
    """
    return Subquery(
        TeamRating.objects.filter(team_id=OuterRef("pk"), period__stage=Stage.PUBLISHED, stars__isnull=False)
        .order_by("-period__published_at", "-period_id").values("stars")[:1]
    )


def team_star_levels(*, team_ids: Iterable[int]) -> dict[int, int]:
    """{team id: star level} from each team's latest published period; teams never rated are absent.

    One query, through the same subquery as the team lists.
    """
    return dict(
        Team.objects.filter(pk__in=list(team_ids)).annotate(star_level=team_star_level_subquery())
        .filter(star_level__isnull=False).values_list("pk", "star_level")
    )


# --- the personal page --------------------------------------------------------------------------
@me_section(40)
def my_points_section(*, user) -> dict | None:
    if not has_role(user, Role.TEAM_MEMBER, Role.TEAM_CAPTAIN) and not LedgerEntry.objects.filter(member_id=user.pk).exists():
        return None
    latest = MemberResult.objects.filter(member_id=user.pk, period__stage=Stage.PUBLISHED).select_related(
        "period").order_by("-period__published_at").first()
    return {
        "title": _("My points"),
        "anchor": "my-points",
        "template": "points/me_section.html",
        "context": {"balance": member_balance(member=user), "latest": latest, "url": reverse("points:my_points")},
    }


# What the stage owes, per person: the label on /me/ and the page where it is done.
_STAGE_TODO = {
    Stage.PEER_REVIEW: (_("Peer reviews to give in %(period)s"), "points:peer_review"),
    Stage.CAPTAIN_SCORING: (_("Scores to set in %(period)s"), "points:captain_scoring"),
    Stage.COMMITTEE_REVIEW: (_("Team scores to review in %(period)s"), "points:period_detail"),
    Stage.ALLIANCE_DECISION: (_("A rating period to decide: %(period)s"), "points:decision"),
}


@me_todo(50)
def my_points_todo(*, user) -> list[dict]:
    """The current period's part the person still owes, and achievements a captain must decide."""
    todos = []
    period = period_current()
    if period is not None and period.stage in _STAGE_TODO and any(p.pk == user.pk for p in period_owing(period=period)):
        label, url_name = _STAGE_TODO[period.stage]
        todos.append({"label": label % {"period": period.name}, "count": 1,
                      "url": reverse(url_name, kwargs={"pk": period.pk})})
    if has_role(user, Role.TEAM_CAPTAIN):
        count = achievements_to_decide(user=user).count()
        label = ngettext("%(count)d achievement to decide", "%(count)d achievements to decide", count)
        todos.append({"label": label % {"count": count}, "count": count, "url": reverse("points:achievements")})
    return todos
