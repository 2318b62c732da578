"""Pages for the Qingfeng index: thin views that parse, call an action or a selector, and render."""
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from points import actions, selectors
from points.forms import (
    AchievementDecideForm,
    AchievementForm,
    AppealDecideForm,
    OptionalReasonForm,
    PeriodAdvanceForm,
    ReasonForm,
    ScoresForm,
    TeamReviewForm,
)
from points.models import Stage
from portal.exceptions import DomainError, Forbidden, NotFound
from portal.exports import csv_response
from portal.files import private_file_response
from portal.roles import Role, has_role

logger = logging.getLogger(__name__)


def _form_error(form, exc: DomainError) -> None:
    """Show a domain refusal beside its field when the form has it, else at the top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _item_form(form_class, failed, pk: int, **kwargs):
    """The form of one item on a list page: the refused one again (with what was typed and its
    errors) when it is this item's, else a fresh one whose ids carry the item's id."""
    if failed is not None and failed.item_id == pk:
        return failed
    return form_class(auto_id=f"%s-{pk}", **kwargs)


def _unshown_errors(failed, items, attr: str) -> list[str]:
    """The errors of a refused form whose item is no longer on the page (decided meanwhile), to say above the list."""
    if failed is None or any(getattr(item, attr, None) is failed if not isinstance(item, dict)
                             else item.get(attr) is failed for item in items):
        return []
    return [str(error) for errors in failed.errors.values() for error in errors]


def _bound_item_form(form_class, data, pk: int):
    form = form_class(data, auto_id=f"%s-{pk}")
    form.item_id = pk
    return form


def _refused_status(form, default: int = 200) -> int:
    """400 when a posted form was refused (the refusal's own status when an action set one)."""
    if not form.is_bound or not form.errors:
        return default
    return getattr(form, "refused_status", 400)


# --- public -------------------------------------------------------------------------------------
def leaderboard(request: HttpRequest) -> HttpResponse:
    """比学赶帮超: the teams and members of a published period, with star levels."""
    periods = list(selectors.published_periods()[:20])
    try:
        period = selectors.leaderboard_period(period_id=request.GET.get("period"))
        members = selectors.leaderboard_members(period=period, filters=request.GET)
    except ValidationError as exc:
        # As on every list page: the filter redrawn with each message beside its field.
        return render(request, "points/leaderboard.html", {
            "field_errors": exc.message_dict, "periods": periods, "show_filter": True,
            "team_slug": request.GET.get("team", ""),
        }, status=400)
    except NotFound:
        if request.GET.get("period"):
            raise
        return render(request, "points/leaderboard.html", {"period": None, "periods": periods})
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.leaderboard_ranked(rows=page.object_list, members=members)
    return render(request, "points/leaderboard.html", {
        "period": period,
        "periods": periods,
        "teams": selectors.leaderboard_teams(period=period),
        "page": page,
        "team_slug": request.GET.get("team", ""),
        "can_export": has_role(request.user, Role.HALL_STAFF),
    })


@login_required
def leaderboard_csv(request: HttpRequest) -> HttpResponse:
    """The leaderboard of one published period (``?period=``, else the latest) as CSV, for hall staff."""
    if not has_role(request.user, Role.HALL_STAFF):
        raise Forbidden(_("Only hall staff may download the leaderboard."))
    try:
        period = selectors.leaderboard_period(period_id=request.GET.get("period"))
        members = selectors.leaderboard_members(period=period, filters=request.GET)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    teams = {rating.team_id: rating for rating in selectors.leaderboard_teams(period=period)}
    yes, no = _("yes"), _("no")

    def rows():
        # Ranked a thousand at a time, ties sharing a rank as on the page.
        for start in range(0, members.count(), 1000):
            yield from selectors.leaderboard_ranked(rows=members[start:start + 1000], members=members)

    def lines():
        for result in rows():
            team = teams.get(result.team_id)
            yield [
                result.rank, str(result.member), result.member.username, result.team.name, result.total, result.stars,
                yes if result.is_good_youth else no,
                team.average if team else None, team.stars if team else None,
                (yes if team.is_pioneer_post else no) if team else None,
            ]

    return csv_response(
        filename=f"leaderboard-{period.pk}.csv",
        header=[_("Rank"), _("Member"), _("Username"), _("Team"), _("Score"), _("Star level"),
                _("Good youth of government service"), _("Team average"), _("Team star level"),
                _("Youth pioneer post")],
        rows=lines(),
    )


# --- reviewers' work queue ----------------------------------------------------------------------
@login_required
def ratings(request: HttpRequest) -> HttpResponse:
    return _ratings_render(request)


def _ratings_render(request: HttpRequest, decide_form=None, status: int = 200) -> HttpResponse:
    periods = selectors.period_list(user=request.user)
    appeals = list(selectors.appeal_list(user=request.user).filter(status="open")[:50]) \
        if has_role(request.user, Role.COMMITTEE_REVIEWER) else []
    for appeal in appeals:
        appeal.decide_form = _item_form(AppealDecideForm, decide_form, appeal.pk)
    return render(request, "points/ratings.html", {
        "periods": periods, "appeals": appeals, "refused": _unshown_errors(decide_form, appeals, "decide_form"),
    }, status=status)


@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    return render(request, "points/period_detail.html", _period_detail_context(request, period))


def _period_detail_context(request: HttpRequest, period, review_form=None) -> dict:
    reviewer = selectors.is_points_reviewer(request.user)
    context = {
        "period": period,
        "reviewer": reviewer,
        "is_committee": has_role(request.user, Role.COMMITTEE_REVIEWER),
        "indicators": period.indicators.all(),
        "history": selectors.period_history(period=period),
        "my_result": selectors.my_result(user=request.user, period=period),
        "captain_team_id": selectors.captain_team_id(user=request.user, period=period),
        "Stage": Stage,
    }
    if reviewer:
        context["progress"] = selectors.period_progress(period=period)
        for row in context["progress"]:
            row["review_form"] = _item_form(TeamReviewForm, review_form, row["team"].pk)
    context["refused"] = _unshown_errors(review_form, context.get("progress", []), "review_form")
    return context


@login_required
@require_http_methods(["GET", "POST"])
def period_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing a stage cannot be undone: GET says what happens (on templates/confirm.html), POST does it."""
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    if not selectors.is_points_reviewer(request.user):
        raise NotFound()
    data = request.POST if request.method == "POST" else None
    form = PeriodAdvanceForm(data, initial={"to": period.next_stage or ""})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                period = actions.period_advance(period=period, by=request.user, to=form.cleaned_data["to"],
                                                reason=form.cleaned_data["reason"])
            except DomainError as exc:
                _form_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The period moved to “%(stage)s”.") % {"stage": period.get_stage_display()})
                return redirect("points:period_detail", pk=period.pk)
    next_label = Stage(period.next_stage).label if period.next_stage else ""
    return render(request, "confirm.html", {
        "heading": _("Close this stage and move on?"), "subject": period.name,
        "back_url": reverse("points:period_detail", kwargs={"pk": period.pk}), "back_label": period.name,
        "allowed": bool(period.next_stage), "form": form,
        "refusal": _("This period is published; it has no further stage."),
        "consequences": [
            _("The stage “%(now)s” closes for everyone; it cannot be reopened from this page.")
            % {"now": period.get_stage_display()},
            _("The period moves to “%(next)s”, and everyone who now owes their part is told.") % {"next": next_label},
            _("The reason you give is written in the period's stage history."),
        ],
        "button": _("Yes, move to “%(next)s”") % {"next": next_label}, "keep_label": _("No, stay in this stage"),
    }, status=status)


@login_required
@require_POST
def team_review(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    rating = selectors.team_rating_get(period=period, slug=slug)
    if rating is None:
        raise NotFound()
    form = _bound_item_form(TeamReviewForm, request.POST, rating.team_id)
    status = 400
    if form.is_valid():
        try:
            review = {"approve": actions.team_scores_approve, "return": actions.team_scores_return}
            review[form.cleaned_data["decision"]](rating=rating, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _form_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your decision on %(team)s was recorded.") % {"team": rating.team.name})
            return redirect("points:period_detail", pk=period.pk)
    # A refusal shows the period again, the decision and reason as typed and the error beside them.
    return render(request, "points/period_detail.html", _period_detail_context(request, period, review_form=form),
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    """The alliance previews the results, then publishes (党建联盟决定)."""
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    if not selectors.is_points_reviewer(request.user):
        raise NotFound()
    form = OptionalReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.period_publish(period=period, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _form_error(form, exc)
            form.refused_status = exc.status_code
        else:
            messages.success(request, _("The results are published."))
            return redirect(reverse("points:leaderboard") + f"?period={period.pk}")
    return render(request, "points/decision.html", {
        "period": period, "preview": selectors.decision_preview(period=period), "form": form,
        "can_publish": period.stage == Stage.ALLIANCE_DECISION and has_role(request.user, Role.ALLIANCE_MEMBER),
        "appeal_days": settings.POINTS_APPEAL_WINDOW_DAYS,
    }, status=_refused_status(form))


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get_for_user(user=request.user, appeal_id=pk)
    form = _bound_item_form(AppealDecideForm, request.POST, appeal.pk)
    status = 400
    if form.is_valid():
        try:
            decide = {"uphold": actions.appeal_uphold, "reopen": actions.appeal_reopen}[form.cleaned_data["decision"]]
            decide(appeal=appeal, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _form_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("The appeal was decided."))
            return redirect("points:ratings")
    return _ratings_render(request, decide_form=form, status=status)


# --- captains -----------------------------------------------------------------------------------
@login_required
def captain_scoring(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    sheet = selectors.captain_sheet(user=request.user, period=period)
    if sheet is None:
        raise NotFound()
    return render(request, "points/captain_scoring.html", {"period": period, "sheet": sheet})


@login_required
@require_http_methods(["GET", "POST"])
def captain_score_member(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    sheet = selectors.captain_sheet(user=request.user, period=period)
    row = next((r for r in (sheet or {}).get("rows", []) if r["member"].pk == member_id), None)
    if row is None:
        raise NotFound()
    initial = {f"score_{line['indicator'].code}": line["score"] for line in row["lines"]}
    initial["comment"] = row["result"].captain_comment
    form = ScoresForm(request.POST or None, indicators=sheet["indicators"], with_comment=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.captain_score_set(period=period, by=request.user, member=row["member"],
                                      scores=form.scores(), comment=form.cleaned_data["comment"])
        except DomainError as exc:
            _form_error(form, exc)
            form.refused_status = exc.status_code
        else:
            messages.success(request, _("Scores for %(member)s were saved.") % {"member": row["member"]})
            return redirect("points:captain_scoring", pk=period.pk)
    return render(request, "points/captain_score_member.html",
                  {"period": period, "row": row, "form": form, "sheet": sheet}, status=_refused_status(form))


@login_required
@require_POST
def captain_submit(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    try:
        actions.team_scores_submit(period=period, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your team's scores were submitted to the committee."))
    return redirect("points:captain_scoring", pk=period.pk)


# --- members ------------------------------------------------------------------------------------
@login_required
def peer_review(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    targets = selectors.peer_review_targets(user=request.user, period=period)
    return render(request, "points/peer_review.html", {"period": period, "targets": targets})


@login_required
@require_http_methods(["GET", "POST"])
def peer_review_member(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    target = next((t for t in selectors.peer_review_targets(user=request.user, period=period)
                   if t["member"].pk == member_id), None)
    if target is None:
        raise NotFound()
    given = selectors.peer_scores_given(user=request.user, period=period, member_id=member_id)
    indicators = period.indicators.order_by("position", "code")
    form = ScoresForm(request.POST or None, indicators=indicators,
                      initial={f"score_{code}": points for code, points in given.items()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.peer_review_submit(period=period, by=request.user, member=target["member"],
                                       scores=form.scores())
        except DomainError as exc:
            _form_error(form, exc)
            form.refused_status = exc.status_code
        else:
            messages.success(request, _("Your review of %(member)s was saved.") % {"member": target["member"]})
            return redirect("points:peer_review", pk=period.pk)
    return render(request, "points/peer_review_member.html", {"period": period, "target": target, "form": form},
                  status=_refused_status(form))


@login_required
@require_POST
def appeal_file(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.period_get_for_user(user=request.user, period_id=pk)
    form = ReasonForm(request.POST)
    form.period_id = period.pk
    status = 400
    if form.is_valid():
        try:
            actions.appeal_file(period=period, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _form_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your appeal was filed; the committee will answer."))
            return redirect("points:my_points")
    return _my_points_render(request, appeal_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def achievements(request: HttpRequest) -> HttpResponse:
    """My achievements (先锋亮绩) and the form to post one; a captain also decides the team's."""
    period = selectors.period_current()
    form = None
    if period is not None and has_role(request.user, Role.TEAM_MEMBER, Role.TEAM_CAPTAIN):
        form = AchievementForm(request.POST or None, request.FILES or None,
                               indicators=period.indicators.order_by("position", "code"))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                actions.achievement_create(
                    by=request.user, indicator=data["indicator"], title=data["title"],
                    description=data["description"], points_claimed=data["points_claimed"],
                    evidence=data["evidence"] or None, period=period,
                )
            except DomainError as exc:
                _form_error(form, exc)
                form.refused_status = exc.status_code
            else:
                messages.success(request, _("Your achievement was posted for your captain to approve."))
                return redirect("points:achievements")
    return _achievements_render(request, period=period, form=form,
                                status=_refused_status(form) if form is not None else 200)


def _achievements_render(request: HttpRequest, *, period, form, decide_form=None, status: int = 200) -> HttpResponse:
    mine = selectors.achievement_list(user=request.user).filter(member_id=request.user.pk)[:100]
    to_decide = list(selectors.achievements_to_decide(user=request.user)[:100])
    for item in to_decide:
        item.decide_form = _item_form(AchievementDecideForm, decide_form, item.pk,
                                      initial={"decision": "approve", "points": item.points_claimed})
        item.decide_form.fields["points"].widget.attrs["max"] = item.indicator.max_points
    return render(request, "points/achievements.html", {
        "period": period, "form": form, "mine": mine, "to_decide": to_decide,
        "refused": _unshown_errors(decide_form, to_decide, "decide_form"),
    }, status=status)


@require_http_methods(["GET", "HEAD"])
def achievement_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file of an achievement, for the member, the team's captain and the reviewers.

    Everyone else, signed in or not, gets 404: the file's existence does not leak. Each access is
    logged (who, which achievement).
    """
    if not request.user.is_authenticated:
        raise NotFound()
    achievement = selectors.achievement_get_for_user(user=request.user, achievement_id=pk)
    if not achievement.evidence:
        raise NotFound()
    try:
        response = private_file_response(achievement.evidence)
    except FileNotFoundError:
        raise NotFound() from None
    logger.info("evidence of achievement %s served to user %s", achievement.pk, request.user.pk)
    return response


@login_required
@require_POST
def achievement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get_for_user(user=request.user, achievement_id=pk)
    form = _bound_item_form(AchievementDecideForm, request.POST, achievement.pk)
    status = 400
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                actions.achievement_approve(achievement=achievement, by=request.user,
                                            points=form.cleaned_data["points"], reason=form.cleaned_data["reason"])
            else:
                actions.achievement_reject(achievement=achievement, by=request.user,
                                           reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _form_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your decision on “%(title)s” was recorded.") % {"title": achievement.title})
            return redirect("points:achievements")
    # The achievements page again, this decision as typed with the error beside its field.
    period = selectors.period_current()
    post_form = None
    if period is not None and has_role(request.user, Role.TEAM_MEMBER, Role.TEAM_CAPTAIN):
        post_form = AchievementForm(indicators=period.indicators.order_by("position", "code"))
    return _achievements_render(request, period=period, form=post_form, decide_form=form, status=status)


@login_required
def my_points(request: HttpRequest) -> HttpResponse:
    return _my_points_render(request)


def _my_points_render(request: HttpRequest, appeal_form=None, status: int = 200) -> HttpResponse:
    """My points: balance, a bar chart per period (server-drawn SVG), results and the ledger history."""
    entries = selectors.ledger_list(user=request.user).filter(member_id=request.user.pk)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    page.object_list = selectors.ledger_reasons(page.object_list)
    bars = selectors.member_points_chart(member=request.user)
    results = list(
        request.user.point_results.filter(period__stage=Stage.PUBLISHED)
        .select_related("period", "team").prefetch_related("appeals").order_by("-period__published_at")
    )
    for result in results:
        failed = appeal_form if appeal_form is not None and appeal_form.period_id == result.period_id else None
        result.appeal_form = failed or ReasonForm(auto_id=f"appeal-{result.pk}-%s")
        if failed is not None:
            failed.auto_id = f"appeal-{result.pk}-%s"
    return render(request, "points/my_points.html", {
        "balance": selectors.member_balance(member=request.user),
        "chart": {"label": _("Points by period"), "trend": True, "chart": bars},
        "page": page, "results": results, "refused": _unshown_errors(appeal_form, results, "appeal_form"),
    }, status=status)
