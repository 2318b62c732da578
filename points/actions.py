"""Writes for the Qingfeng index: the four-stage review, appeals, achievements and the ledger.

Every action is keyword-only, takes model objects, names the person acting ``by``, is atomic,
validates before it writes, and records the move in PeriodEvent in the same transaction. Each
state machine reads its model's ``TRANSITIONS`` through ``portal.workflow``: the period's stage
moves with ``transition_move``; a team's scores, an appeal and an achievement are row-locked and
checked with ``transition_allowed``. Rows that several people may touch at once (the period, a
team's rating, an appeal, an achievement, the member whose points are capped) are locked with
select_for_update, which PostgreSQL honours and SQLite makes moot by serialising writers.
"""
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Model, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from points.exceptions import (
    BadEvidence,
    BadScore,
    GuardNotMet,
    IndicatorsNotHundred,
    NotAllowed,
    WrongStage,
)
from points.models import (
    STAGE_DUE_FIELD,
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
from points.selectors import (
    captain_ids_by_team,
    captain_team_id,
    is_captain_of,
    member_totals,
    peer_review_missing,
    period_current,
    period_indicator_total,
    period_owing,
    stars_for,
    team_outcome,
)
from portal.exceptions import Conflict, Invalid, TransitionNotAllowed
from portal.files import UploadRejected, upload_check
from portal.notifications.actions import notify, reminder_send_once
from portal.roles import Role, has_role
from portal.workflow import transition_allowed, transition_move
from volunteers.models import Membership, Team

User = get_user_model()


def _lock_period(period: Period) -> Period:
    return Period.objects.select_for_update().get(pk=period.pk)


def _move(obj: Model, to: str, *, message: str | None = None, **changes) -> None:
    """Move a row this transaction has locked along its model's TRANSITIONS, with other changes.

    Raises TransitionNotAllowed (409) with ``message`` when the table has no such move.
    """
    if not transition_allowed(obj, to):
        raise TransitionNotAllowed(message)
    obj.status = to
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=["status", *changes])


def _clean_scores(*, period: Period, scores: Mapping) -> dict[int, int]:
    """Scores keyed by indicator code → {indicator_id: points}; every indicator of the period, in range.

    Raises BadScore (400) naming the indicator; nothing is written by the caller when it raises.
    """
    if not isinstance(scores, Mapping):
        raise BadScore(_("Scores must map each indicator's code to points."), field="scores")
    indicators = {ind.code: ind for ind in period.indicators.all()}
    unknown = sorted(set(map(str, scores)) - set(indicators))
    if unknown:
        raise BadScore(_("Unknown indicator: %(code)s.") % {"code": ", ".join(unknown)}, field="scores")
    cleaned: dict[int, int] = {}
    for code, indicator in indicators.items():
        if code not in scores or scores[code] in (None, ""):
            raise BadScore(_("A score for “%(name)s” is missing.") % {"name": indicator.name}, field="scores")
        raw = scores[code]
        try:
            if isinstance(raw, bool):
                raise ValueError
            value = int(raw)
            if str(raw).strip() != str(value) and not isinstance(raw, int):
                raise ValueError
        except (TypeError, ValueError):
            raise BadScore(_("The score for “%(name)s” must be a whole number.") % {"name": indicator.name},
                           field="scores")
        if value < 0 or value > indicator.max_points:
            raise BadScore(
                _("The score for “%(name)s” must be between 0 and %(max)s.")
                % {"name": indicator.name, "max": indicator.max_points},
                field="scores",
            )
        cleaned[indicator.pk] = value
    return cleaned


def _event(*, period: Period, kind: str, by: User | None = None, team: Team | None = None,
           member: User | None = None, note: str = "") -> PeriodEvent:
    """The history row of a move of a team's scores or of an appeal (stage moves: transition_move)."""
    return PeriodEvent.objects.create(period=period, kind=kind, by=by, team=team, member=member, note=note)


# --- the period's stages ------------------------------------------------------------------------
def _open_period(*, period: Period) -> None:
    """Guard and set-up of draft → peer review: 100 points, and a roster of teams and members."""
    total = period_indicator_total(period=period)
    if total != 100:
        raise IndicatorsNotHundred(
            _("The period's indicators add up to %(total)s points, not 100; it cannot be opened.")
            % {"total": total}
        )
    memberships = list(
        Membership.objects.filter(left_on__isnull=True, role=Membership.Role.MEMBER)
        .order_by("joined_on", "id").values_list("team_id", "user_id")
    )
    captains = captain_ids_by_team(team_ids={team_id for team_id, _u in memberships})
    seen: set[int] = set()
    roster: list[tuple[int, int]] = []
    for team_id, user_id in memberships:
        # A team without a captain cannot be scored; a person in two teams is rated with the first.
        if team_id in captains and user_id not in seen:
            seen.add(user_id)
            roster.append((team_id, user_id))
    if not roster:
        raise GuardNotMet(_("No team has both a captain and members; there is nobody to rate."))
    team_ids = sorted({team_id for team_id, _u in roster})
    TeamRating.objects.bulk_create([TeamRating(period=period, team_id=team_id) for team_id in team_ids])
    MemberResult.objects.bulk_create(
        [MemberResult(period=period, team_id=team_id, member_id=user_id) for team_id, user_id in roster]
    )


def _guard(*, period: Period, now: datetime) -> None:
    """The condition that must hold before the current stage closes."""
    stage = period.stage
    if stage == Stage.DRAFT:
        _open_period(period=period)
    elif stage == Stage.PEER_REVIEW:
        # Nobody can block the review forever: once the due date has passed, it may close.
        due = period.peer_review_due
        if (due is None or now < due) and peer_review_missing(period=period):
            raise GuardNotMet(_("Some members have not finished their peer reviews, and the due date has not passed."))
    elif stage == Stage.CAPTAIN_SCORING:
        if period.team_ratings.exclude(status=TeamRating.Status.SUBMITTED).exists():
            raise GuardNotMet(_("Every team's captain must score all members and submit before committee review."))
    elif stage in (Stage.COMMITTEE_REVIEW, Stage.ALLIANCE_DECISION):
        if period.team_ratings.exclude(status=TeamRating.Status.APPROVED).exists():
            raise GuardNotMet(_("The committee must approve every team's scores first."))


def period_advance(*, period: Period, by: User, to: str, reason: str = "") -> Period:
    """Move a period one stage forward (Period.TRANSITIONS). Publishing computes results and writes the ledger.

    Raises Forbidden (wrong role), TransitionNotAllowed (backwards, skipping, or from published),
    GuardNotMet (the current stage's condition does not hold). Nothing changes when it raises.
    Returns the period as moved.
    """
    if not has_role(by, Role.COMMITTEE_REVIEWER, Role.ALLIANCE_MEMBER):
        raise NotAllowed(_("Only the youth work committee or the party-building alliance moves a period."))
    now = timezone.now()
    with transaction.atomic():
        period = _lock_period(period)
        refusal = _("A period at stage “%(stage)s” cannot move to “%(to)s”.") % {
            "stage": period.get_stage_display(), "to": to,
        }
        if not transition_allowed(period, to, field="stage"):
            raise TransitionNotAllowed(refusal)
        role = Period.MOVED_BY[to]
        if not has_role(by, role):
            raise NotAllowed(_("This move belongs to the %(role)s.") % {"role": Role(role).label})
        _guard(period=period, now=now)
        changes = {}
        if to == Stage.PUBLISHED:
            _publish(period=period, by=by)
            changes["published_at"] = now
        transition_move(
            period, to=to, by=by, history=PeriodEvent, link="period", note=reason, field="stage",
            changes=changes, history_extra={"kind": PeriodEvent.Kind.ADVANCED}, message=refusal,
        )
        _notify_stage_opened(period=period)
    return period


def period_publish(*, period: Period, by: User, reason: str = "") -> Period:
    """The alliance's decision (党建联盟决定): publish the period (the last move of period_advance)."""
    return period_advance(period=period, by=by, to=Stage.PUBLISHED, reason=reason)


def _notify_stage_opened(*, period: Period) -> None:
    url = reverse("points:period_detail", args=[period.pk])
    if period.stage == Stage.PEER_REVIEW:
        users = User.objects.filter(point_results__period=period)
    elif period.stage == Stage.CAPTAIN_SCORING:
        captain_ids = captain_ids_by_team(team_ids=period.team_ratings.values_list("team_id", flat=True)).values()
        users = User.objects.filter(pk__in=list(captain_ids))
    elif period.stage == Stage.COMMITTEE_REVIEW:
        users = User.objects.filter(groups__name=Role.COMMITTEE_REVIEWER, is_active=True)
    elif period.stage == Stage.ALLIANCE_DECISION:
        users = User.objects.filter(groups__name=Role.ALLIANCE_MEMBER, is_active=True)
    elif period.stage == Stage.PUBLISHED:
        users = User.objects.filter(point_results__period=period)
        url = reverse("points:leaderboard") + f"?period={period.pk}"
    else:
        return

    def title() -> str:  # written in each recipient's language
        texts = {
            Stage.PEER_REVIEW: _("Peer review is open for %(period)s"),
            Stage.CAPTAIN_SCORING: _("Captain scoring is open for %(period)s"),
            Stage.COMMITTEE_REVIEW: _("The committee review is open for %(period)s"),
            Stage.ALLIANCE_DECISION: _("%(period)s waits for the alliance's decision"),
            Stage.PUBLISHED: _("The results of %(period)s are published"),
        }
        return texts[period.stage] % {"period": period.name}

    notify(users=users, title=title, url=url)


def _compute_team(*, rating: TeamRating, results: list[MemberResult]) -> None:
    """Team average, stars, pioneer post, and the team's good-youth titles, from member totals."""
    rating.average, rating.stars, rating.is_pioneer_post = team_outcome([r.total or 0 for r in results])
    best = sorted(results, key=lambda r: (-(r.total or 0), r.member_id))
    for r in results:
        r.is_good_youth = False
    winners = [r for r in best if (r.total or 0) >= settings.POINTS_GOOD_YOUTH_MIN_TOTAL]
    for r in winners[: settings.POINTS_GOOD_YOUTH_PER_TEAM]:
        r.is_good_youth = True


def _publish(*, period: Period, by: User) -> None:
    """Totals out of 100, stars, titles, team levels, and one ledger entry per member."""
    totals = member_totals(period=period)
    results = list(MemberResult.objects.filter(period=period))
    by_team: dict[int, list[MemberResult]] = defaultdict(list)
    for r in results:
        r.total = totals.get(r.member_id, 0)
        r.stars = stars_for(r.total)
        by_team[r.team_id].append(r)
    ratings = list(TeamRating.objects.filter(period=period))
    for rating in ratings:
        _compute_team(rating=rating, results=by_team.get(rating.team_id, []))
    MemberResult.objects.bulk_update(results, ["total", "stars", "is_good_youth"], batch_size=1000)
    TeamRating.objects.bulk_update(ratings, ["average", "stars", "is_pioneer_post"], batch_size=1000)
    reason = _("Result of %(period)s") % {"period": period.name}
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(member_id=r.member_id, points=r.total, reason=reason, source=LedgerEntry.Source.PERIOD_RESULT,
                        author=by, period=period, reference=f"result:{period.pk}:{r.member_id}")
            for r in results
        ],
        batch_size=1000,
    )


# --- stage 1 and 2: peer review and captain scoring --------------------------------------------
def peer_review_submit(*, period: Period, by: User, member: User, scores: Mapping) -> list[PeerScore]:
    """``by`` scores a teammate, ``member``, on every indicator. A second review of the same teammate updates the first.

    Raises WrongStage (409) outside peer review, NotAllowed (403) for self, another team or a
    non-participant, BadScore (400) for a missing or out-of-range score.
    """
    with transaction.atomic():
        period = _lock_period(period)
        mine = MemberResult.objects.filter(period=period, member_id=by.pk).first()
        if mine is None:
            raise NotAllowed(_("You are not rated in this period."))
        if member.pk == by.pk:
            raise NotAllowed(_("You cannot review yourself."))
        theirs = MemberResult.objects.filter(period=period, member_id=member.pk).first()
        if theirs is None or theirs.team_id != mine.team_id:
            raise NotAllowed(_("You can only review teammates of your own team."))
        if period.stage != Stage.PEER_REVIEW:
            raise WrongStage(_("Peer review is not open in this period."))
        cleaned = _clean_scores(period=period, scores=scores)
        saved = []
        for indicator_id, points in cleaned.items():
            score, _created = PeerScore.objects.update_or_create(
                period=period, reviewer_id=by.pk, member_id=theirs.member_id, indicator_id=indicator_id,
                defaults={"points": points},
            )
            saved.append(score)
    return saved


def _captain_may_score(*, period: Period, rating: TeamRating, result: MemberResult) -> Appeal | None:
    """Whether the captain may (re)score now; returns the reopened appeal when that is why."""
    if rating.is_open_to_captain(period.stage):
        return None
    if period.stage == Stage.PUBLISHED:
        appeal = Appeal.objects.select_for_update().filter(result=result, status=Appeal.Status.REOPENED).first()
        if appeal is not None:
            return appeal
    raise WrongStage(_("Captain scoring is not open for this team."))


def scores_from_total(*, period: Period, total) -> dict[str, int]:
    """Spread a single total out of 100 over the period's indicators, in proportion to their maxima.

    For clients that send one ``score`` (API.md) instead of per-indicator ``scores``. Largest
    remainders get the rounding, so the parts add up to exactly ``total`` and none exceeds its
    indicator's maximum (the maxima add up to 100). Raises BadScore (400) outside 0-100.
    """
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= 100:
        raise BadScore(_("The score must be a whole number from 0 to 100."), field="score")
    indicators = list(period.indicators.all())
    shares = {ind.code: total * ind.max_points / 100 for ind in indicators}
    parts = {code: int(share) for code, share in shares.items()}
    left = total - sum(parts.values())
    for code in sorted(shares, key=lambda code: shares[code] - parts[code], reverse=True)[:left]:
        parts[code] += 1
    return parts


def captain_score_set(
    *, period: Period, by: User, member: User, scores: Mapping | None = None, total: int | None = None,
    comment: str = "",
) -> MemberResult:
    """The captain (``by``) of the member's team sets the member's score on every indicator (队长定分).

    ``scores`` maps indicator codes to points; a single ``total`` out of 100 is spread over the
    indicators instead (``scores_from_total``).

    Allowed during captain scoring, while the team is returned in committee review, and after
    publication for a member whose appeal was reopened; then the result is corrected at once
    with a compensating ledger entry. Raises NotAllowed (403), WrongStage (409), BadScore (400).
    """
    now = timezone.now()
    with transaction.atomic():
        period = _lock_period(period)
        result = MemberResult.objects.filter(period=period, member_id=member.pk).first()
        if result is None or not is_captain_of(user=by, team_id=result.team_id):
            raise NotAllowed(_("Only the captain of this member's team can score them."))
        rating = TeamRating.objects.select_for_update().get(period=period, team_id=result.team_id)
        appeal = _captain_may_score(period=period, rating=rating, result=result)
        if scores is None:
            scores = scores_from_total(period=period, total=total)
        cleaned = _clean_scores(period=period, scores=scores)
        for indicator_id, points in cleaned.items():
            CaptainScore.objects.update_or_create(
                period=period, member_id=result.member_id, indicator_id=indicator_id,
                defaults={"points": points, "scored_by": by},
            )
        result.captain_comment = comment or ""
        result.scored_at = now
        result.save(update_fields=["captain_comment", "scored_at"])
        if appeal is not None:
            _appeal_resolve(appeal=appeal, result=result, rating=rating, by=by, total=sum(cleaned.values()))
    return result


def team_scores_submit(*, period: Period, by: User, team: Team | None = None) -> TeamRating:
    """The captain hands the team's scores to the committee; every member must be scored.

    ``team`` defaults to the team ``by`` captains in the period. Raises NotAllowed (403),
    WrongStage (409) when the scores are not open to the captain, GuardNotMet (409).
    """
    with transaction.atomic():
        period = _lock_period(period)
        team_id = team.pk if team is not None else captain_team_id(user=by, period=period)
        rating = TeamRating.objects.select_for_update().filter(period=period, team_id=team_id).first()
        if rating is None or not is_captain_of(user=by, team_id=rating.team_id):
            raise NotAllowed(_("Only the team's captain can submit its scores."))
        if not rating.is_open_to_captain(period.stage):
            raise WrongStage(_("These scores cannot be submitted now."))
        n_indicators = period.indicators.count()
        member_ids = list(MemberResult.objects.filter(period=period, team_id=rating.team_id).values_list("member_id", flat=True))
        scored = CaptainScore.objects.filter(period=period, member_id__in=member_ids).count()
        if scored < len(member_ids) * n_indicators:
            raise GuardNotMet(_("Score every member on every indicator before submitting."))
        was_returned = rating.status == TeamRating.Status.RETURNED
        _move(rating, TeamRating.Status.SUBMITTED)
        _event(period=period, kind=PeriodEvent.Kind.SUBMITTED, by=by, team=rating.team)
        if was_returned:
            notify(users=User.objects.filter(groups__name=Role.COMMITTEE_REVIEWER),
                   title=lambda: _("%(team)s resubmitted its scores") % {"team": rating.team.name},
                   url=reverse("points:period_detail", args=[period.pk]))
    return rating


# --- stage 3: committee review -------------------------------------------------------------------
def _require_committee(by: User, message: str) -> None:
    if not has_role(by, Role.COMMITTEE_REVIEWER):
        raise NotAllowed(message)


def _team_review(*, rating: TeamRating, by: User, to: str, reason: str) -> TeamRating:
    """Approve or return a team's submitted scores in committee review (the caller checked the role)."""
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=rating.period_id)
        rating = TeamRating.objects.select_for_update().select_related("team").get(pk=rating.pk)
        if period.stage != Stage.COMMITTEE_REVIEW:
            raise WrongStage(_("Committee review is not open in this period."))
        refusal = _("Scores that are “%(status)s” cannot be reviewed.") % {"status": rating.get_status_display()}
        if to == TeamRating.Status.RETURNED:
            _move(rating, to, message=refusal, return_reason=reason)
            kind = PeriodEvent.Kind.RETURNED
        else:
            _move(rating, to, message=refusal)
            kind = PeriodEvent.Kind.APPROVED
        _event(period=period, kind=kind, by=by, team=rating.team, note=reason)
        if to == TeamRating.Status.RETURNED:
            captain_id = captain_ids_by_team(team_ids=[rating.team_id]).get(rating.team_id)
            notify(users=User.objects.filter(pk=captain_id),
                   title=lambda: _("The committee returned your team's scores"), body=reason,
                   url=reverse("points:captain_scoring", args=[period.pk]))
    return rating


def team_scores_approve(*, rating: TeamRating, by: User, reason: str = "") -> TeamRating:
    """The committee approves a team's submitted scores. Raises NotAllowed, WrongStage, TransitionNotAllowed."""
    _require_committee(by, _("Only a youth work committee reviewer can review team scores."))
    return _team_review(rating=rating, by=by, to=TeamRating.Status.APPROVED, reason=(reason or "").strip())


def team_scores_return(*, rating: TeamRating, by: User, reason: str) -> TeamRating:
    """The committee returns a team's submitted scores to the captain, saying why (400 without a reason)."""
    _require_committee(by, _("Only a youth work committee reviewer can review team scores."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the scores are returned."), field="reason")
    return _team_review(rating=rating, by=by, to=TeamRating.Status.RETURNED, reason=reason)


# --- appeals ------------------------------------------------------------------------------------
def appeal_file(*, period: Period, by: User, reason: str) -> Appeal:
    """A member (``by``) appeals their published result within the window (POINTS_APPEAL_WINDOW_DAYS)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason for the appeal."), field="reason")
    with transaction.atomic():
        period = _lock_period(period)
        result = MemberResult.objects.filter(period=period, member_id=by.pk).first()
        if result is None:
            raise NotAllowed(_("You have no result in this period."))
        if period.stage != Stage.PUBLISHED:
            raise WrongStage(_("Results can be appealed only after publication."))
        if timezone.now() > period.published_at + timedelta(days=settings.POINTS_APPEAL_WINDOW_DAYS):
            raise Conflict(_("The appeal window of this period has closed."), code="appeal_window_closed")
        if Appeal.objects.filter(result=result).exists():
            raise Conflict(_("You have already appealed this result."), code="appeal_exists")
        appeal = Appeal.objects.create(result=result, reason=reason)
        _event(period=period, kind=PeriodEvent.Kind.APPEAL_FILED, by=by, member=by, note=reason)
        notify(users=User.objects.filter(groups__name=Role.COMMITTEE_REVIEWER),
               title=lambda: _("A member appealed a result of %(period)s") % {"period": period.name},
               body=reason, url=reverse("points:period_detail", args=[period.pk]))
    return appeal


def _appeal_decide(*, appeal: Appeal, by: User, to: str, reason: str) -> Appeal:
    _require_committee(by, _("Only a youth work committee reviewer can decide appeals."))
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("result__period", "result__member").get(
            pk=appeal.pk
        )
        result = appeal.result
        _move(appeal, to, message=_("This appeal has already been decided."),
              decision_reason=(reason or "").strip(), decided_by=by, old_total=result.total)
        kind = PeriodEvent.Kind.APPEAL_UPHELD if to == Appeal.Status.UPHELD else PeriodEvent.Kind.APPEAL_REOPENED
        _event(period=result.period, kind=kind, by=by, member=result.member, note=appeal.decision_reason)
        notify(users=[result.member], title=lambda: _("Your appeal was decided: %(status)s") % {"status": appeal.get_status_display()},
               body=appeal.decision_reason, url=reverse("points:my_points"))
        if to == Appeal.Status.REOPENED:
            captain_id = captain_ids_by_team(team_ids=[result.team_id]).get(result.team_id)
            notify(users=User.objects.filter(pk=captain_id),
                   title=lambda: _("Rescore %(member)s after an appeal") % {"member": result.member},
                   url=reverse("points:captain_scoring", args=[result.period_id]))
    return appeal


def appeal_uphold(*, appeal: Appeal, by: User, reason: str = "") -> Appeal:
    """The committee upholds the published result. Raises NotAllowed (403), TransitionNotAllowed (409)."""
    return _appeal_decide(appeal=appeal, by=by, to=Appeal.Status.UPHELD, reason=reason)


def appeal_reopen(*, appeal: Appeal, by: User, reason: str = "") -> Appeal:
    """The committee reopens the member's captain scoring. Raises NotAllowed (403), TransitionNotAllowed (409)."""
    return _appeal_decide(appeal=appeal, by=by, to=Appeal.Status.REOPENED, reason=reason)


def _appeal_resolve(*, appeal: Appeal, result: MemberResult, rating: TeamRating, by: User, total: int) -> None:
    """The reopened member was rescored: correct the result, the team and the ledger."""
    old = result.total or 0
    result.total = total
    result.stars = stars_for(total)
    result.save(update_fields=["total", "stars"])
    team_results = list(MemberResult.objects.filter(period_id=result.period_id, team_id=result.team_id))
    _compute_team(rating=rating, results=team_results)
    MemberResult.objects.bulk_update(team_results, ["is_good_youth"])
    rating.save(update_fields=["average", "stars", "is_pioneer_post"])
    _move(appeal, Appeal.Status.RESOLVED, new_total=total)
    if total != old:
        original = LedgerEntry.objects.filter(reference=f"result:{result.period_id}:{result.member_id}").first()
        LedgerEntry.objects.create(
            member_id=result.member_id, points=total - old, source=LedgerEntry.Source.CORRECTION, author=by,
            period_id=result.period_id, corrects=original, reference=f"appeal:{appeal.pk}",
            reason=_("Appeal: result corrected from %(old)s to %(new)s") % {"old": old, "new": total},
        )
    _event(period=result.period, kind=PeriodEvent.Kind.APPEAL_RESOLVED, by=by, member=result.member,
           note=_("Total %(old)s → %(new)s") % {"old": old, "new": total})
    notify(users=[result.member], title=lambda: _("Your result was rescored: %(total)s") % {"total": total},
           url=reverse("points:my_points"))


# --- achievements ---------------------------------------------------------------------------------
def evidence_validate(upload) -> None:
    """Accept only an image that Pillow opens and verifies or a PDF that pypdf reads, with no web
    page or script inside, no larger than POINTS_EVIDENCE_MAX_BYTES (portal.files.upload_check).
    Raises BadEvidence (400, on the ``evidence`` field) saying why."""
    if upload is None:
        return
    try:
        upload_check(upload, max_bytes=settings.POINTS_EVIDENCE_MAX_BYTES, field="evidence")
    except UploadRejected as refusal:
        raise BadEvidence(refusal.message, field="evidence") from None


def achievement_create(*, by: User, indicator: Indicator, title: str, description: str, points_claimed: int,
                       evidence=None, period: Period | None = None) -> Achievement:
    """A member (``by``) posts an achievement (先锋亮绩) for the captain to approve.

    ``period`` defaults to the period in progress. Raises NotAllowed (403) for someone outside
    the teams, Conflict (409) without a period in progress, WrongStage (409) for a published
    period, Invalid or BadEvidence (400) for the rest.
    """
    membership = Membership.objects.filter(user_id=by.pk, left_on__isnull=True).order_by("joined_on").first()
    if membership is None:
        raise NotAllowed(_("Only members of a service team can post achievements."))
    if period is None:
        period = period_current()
        if period is None:
            raise Conflict(_("No rating period is in progress."), code="no_period")
    elif period.stage == Stage.DRAFT:
        raise Invalid(_("Choose a rating period in progress."), field="period")
    if period.stage == Stage.PUBLISHED:
        raise WrongStage(_("This period is already published."))
    if not period.indicators.filter(pk=indicator.pk).exists():
        raise Invalid(_("Choose an indicator of this period."), field="indicator")
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise Invalid(_("Give the achievement a title."), field="title")
    if not description:
        raise Invalid(_("Describe the achievement."), field="description")
    if points_claimed < 1 or points_claimed > indicator.max_points:
        raise Invalid(_("Claim between 1 and %(max)s points.") % {"max": indicator.max_points}, field="points_claimed")
    evidence_validate(evidence)
    with transaction.atomic():
        achievement = Achievement(
            member=by, team_id=membership.team_id, period=period, indicator=indicator, title=title,
            description=description, points_claimed=points_claimed,
        )
        if evidence is not None:
            achievement.evidence = evidence
        achievement.save()
        captain_id = captain_ids_by_team(team_ids=[membership.team_id]).get(membership.team_id)
        notify(users=User.objects.filter(pk=captain_id),
               title=lambda: _("%(member)s posted an achievement") % {"member": by}, url=reverse("points:achievements"))
    return achievement


def _achievement_lock(*, achievement: Achievement, by: User, to: str) -> Achievement:
    """Lock the achievement and check that ``by`` may decide it now. Runs in the caller's transaction.

    An achievement still pending when its period is published can still be decided: posting
    closes with publication, deciding does not, or a late captain would leave it stuck for good.
    Its points go to the ledger under its period; the published results (the captain's and the
    peers' scores) do not change.
    """
    locked = Achievement.objects.select_for_update().select_related("indicator", "period", "member").get(
        pk=achievement.pk
    )
    if not is_captain_of(user=by, team_id=locked.team_id):
        raise NotAllowed(_("Only the captain of the member's team decides on achievements."))
    if not transition_allowed(locked, to):
        raise TransitionNotAllowed(_("This achievement has already been decided."))
    return locked


def achievement_approve(*, achievement: Achievement, by: User, points: int | None = None,
                        reason: str = "") -> Achievement:
    """The captain approves an achievement into points: those claimed, or ``points``, capped.

    Writes one ledger entry; the cap counts the member's approved achievements under the same
    indicator in the same period. Raises NotAllowed (403), TransitionNotAllowed (409), Invalid
    (400) for points out of the indicator's range. Possible after the period is published.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        achievement = _achievement_lock(achievement=achievement, by=by, to=Achievement.Status.APPROVED)
        wanted = achievement.points_claimed if points is None else points
        if wanted < 0 or wanted > achievement.indicator.max_points:
            raise Invalid(_("Award between 0 and %(max)s points.") % {"max": achievement.indicator.max_points},
                          field="points")
        # Lock the member so two approvals at once cannot both fit under the cap.
        User.objects.select_for_update().filter(pk=achievement.member_id).first()
        already = LedgerEntry.objects.filter(
            member_id=achievement.member_id, period_id=achievement.period_id, indicator_id=achievement.indicator_id,
            source=LedgerEntry.Source.ACHIEVEMENT,
        ).aggregate(total=Sum("points"))["total"] or 0
        awarded = max(0, min(wanted, achievement.indicator.max_points - already))
        _move(achievement, Achievement.Status.APPROVED, points_awarded=awarded, decided_by=by,
              decided_at=timezone.now(), decision_reason=reason)
        if awarded:
            LedgerEntry.objects.create(
                member_id=achievement.member_id, points=awarded, source=LedgerEntry.Source.ACHIEVEMENT, author=by,
                period_id=achievement.period_id, indicator_id=achievement.indicator_id, achievement=achievement,
                reference=f"achievement:{achievement.pk}",
                reason=_("Achievement: %(title)s") % {"title": achievement.title},
            )
        notify(users=[achievement.member], title=lambda: _("Your achievement “%(title)s” earned %(points)s points") % {
            "title": achievement.title, "points": awarded}, url=reverse("points:my_points"))
    return achievement


def achievement_reject(*, achievement: Achievement, by: User, reason: str) -> Achievement:
    """The captain rejects an achievement, saying why (400 without a reason). No points are written."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the achievement is rejected."), field="reason")
    with transaction.atomic():
        achievement = _achievement_lock(achievement=achievement, by=by, to=Achievement.Status.REJECTED)
        _move(achievement, Achievement.Status.REJECTED, decided_by=by, decided_at=timezone.now(),
              decision_reason=reason)
        notify(users=[achievement.member], title=lambda: _("Your achievement “%(title)s” was not approved") % {
            "title": achievement.title}, body=reason, url=reverse("points:achievements"))
    return achievement


# --- the ledger -----------------------------------------------------------------------------------
def service_hours_award(*, member: User, hours, reference: str, reason: str,
                        by: User | None = None) -> LedgerEntry | None:
    """Approved service hours become points (POINTS_PER_SERVICE_HOUR a hour, rounded).

    Idempotent on ``reference`` (e.g. "hours:<attendance id>"): a second call returns None and
    writes nothing. Safe inside the caller's transaction (it uses its own savepoint).
    """
    points = int((Decimal(str(hours)) * settings.POINTS_PER_SERVICE_HOUR).quantize(Decimal(1), ROUND_HALF_UP))
    if points <= 0 or not reference:
        return None
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                member=member, points=points, reason=reason[:300], source=LedgerEntry.Source.SERVICE_HOURS,
                author=by, period=period_current(), reference=reference[:80],
            )
    except IntegrityError:
        return None


def service_hours_award_for_activity(*, activity, by: User | None = None) -> int:
    """Every approved attendance of an activity becomes a service-hours ledger entry.

    Subscribed to volunteers' "hours approved" (PointsConfig.ready), so it runs inside the
    approval's transaction. Idempotent: the reference "hours:<attendance id>" is written once.
    Returns the number of entries written.
    """
    from volunteers.models import Attendance

    written = 0
    reason = _("Service hours: %(activity)s") % {"activity": activity.title}
    for attendance in Attendance.objects.filter(activity=activity, approved_hours__gt=0).select_related("user"):
        if service_hours_award(member=attendance.user, hours=attendance.approved_hours,
                               reference=f"hours:{attendance.pk}", reason=reason, by=by):
            written += 1
    return written


def ledger_correct(*, entry: LedgerEntry, by: User, points: int, reason: str) -> LedgerEntry:
    """A compensating entry for an earlier one: the only way to change a balance."""
    if not (has_role(by, Role.COMMITTEE_REVIEWER) or getattr(by, "is_superuser", False)):
        raise NotAllowed(_("Only a youth work committee reviewer can correct the ledger."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the entry is corrected."), field="reason")
    if points == 0:
        raise Invalid(_("A correction must change the balance."), field="points")
    return LedgerEntry.objects.create(
        member_id=entry.member_id, points=points, source=LedgerEntry.Source.CORRECTION, author=by,
        period_id=entry.period_id, corrects=entry, reason=reason[:300],
    )


# --- reminders ----------------------------------------------------------------------------------
def period_reminders_send(*, now: datetime | None = None) -> int:
    """Remind those who still owe their part of a stage, once before its due date and once after.

    Exactly once per (period, stage, due-soon/overdue, due date) thanks to reminder_send_once;
    a moved due date is a new deadline and is reminded again. Returns the number sent.
    """
    now = now or timezone.now()
    soon = timedelta(hours=settings.POINTS_REMINDER_HOURS_BEFORE)
    sent = 0
    for period in Period.objects.filter(stage__in=list(STAGE_DUE_FIELD))[:100]:
        due = period.stage_due
        if due is None or now < due - soon:
            continue
        overdue = now >= due
        recipients = period_owing(period=period)
        if not recipients:
            continue
        kind = f"{period.stage}:{'overdue' if overdue else 'due_soon'}"
        # Written in each recipient's language (reminder_send_once calls these at once).
        def title(overdue=overdue, period=period) -> str:
            text = _("Overdue: %(stage)s of %(period)s") if overdue else _("Due soon: %(stage)s of %(period)s")
            return text % {"stage": period.get_stage_display(), "period": period.name}

        def body(due=due) -> str:
            return _("Due %(due)s. Please finish your part.") % {"due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}

        if reminder_send_once(subject=period, kind=kind, deadline=due, recipients=recipients, title=title, body=body,
                              url=reverse("points:period_detail", args=[period.pk])):
            sent += 1
    return sent


def period_create(*, name: str, starts_on, ends_on, indicators: list[Indicator] | None = None,
                  due: Mapping[str, datetime] | None = None) -> Period:
    """A new draft period with the active indicators (or those given) and the stage due dates."""
    if ends_on < starts_on:
        raise Invalid(_("The period must end after it starts."), field="ends_on")
    if Period.objects.filter(name=name).exists():
        raise Conflict(_("A period with this name already exists."))
    with transaction.atomic():
        period = Period.objects.create(name=name, starts_on=starts_on, ends_on=ends_on,
                                       **{STAGE_DUE_FIELD[k]: v for k, v in (due or {}).items()})
        period.indicators.set(indicators if indicators is not None else Indicator.objects.filter(is_active=True))
    return period
