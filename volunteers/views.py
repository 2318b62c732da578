"""Pages for teams and activities. Thin: parse, authorise through the selectors, call an action, render."""
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.exceptions import DomainError
from portal.roles import Role, has_role
from volunteers import actions, selectors
from volunteers.calendar import activities_calendar
from volunteers.filters import ActivityFilter
from volunteers.forms import ActivityCancelForm, AttendanceForm
from volunteers.models import Activity


# --- teams ------------------------------------------------------------------------------------
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/team_list.html", {"teams": selectors.team_list(user=request.user)})


@require_GET
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    return render(request, "volunteers/team_detail.html", selectors.team_page(team=team, user=request.user))


# --- the weekly activity list -----------------------------------------------------------------
def _parse_week(raw: str | None) -> date | None:
    """Monday of the week asked for (any day in it will do); None when the value is malformed.

    The page links the weeks before and after, so the first and last weeks of the calendar
    (year 1, year 9999) are refused like a malformed date: their neighbours do not exist.
    """
    if not raw:
        return selectors.week_start_of(timezone.localdate())
    try:
        week_start = selectors.week_start_of(date.fromisoformat(raw))
        week_start - timedelta(days=7)
        week_start + timedelta(days=13)
    except (ValueError, OverflowError):
        return None
    return week_start


@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    filterset = ActivityFilter(data=request.GET, queryset=Activity.objects.none())
    filterset.form.fields.pop("status")
    filterset.form.fields.pop("date_from")
    filterset.form.fields.pop("date_to")
    week_start = _parse_week(request.GET.get("week"))
    context = {"filter_form": filterset.form, "days": [], "week_error": None}
    status = 200
    if week_start is None:
        context["week_error"] = _("Enter the week as a date, for example 2026-11-23.")
        week_start = selectors.week_start_of(timezone.localdate())
        status = 400
    else:
        try:
            context["days"] = selectors.activity_week(user=request.user, week_start=week_start, filters=request.GET)
        except ValidationError:
            filterset.form.is_valid()  # fills the form's errors for the page
            status = 400
    query = request.GET.copy()
    query.pop("week", None)
    context.update(
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        previous_week=week_start - timedelta(days=7),
        next_week=week_start + timedelta(days=7),
        today=timezone.localdate(),
        filter_query=query.urlencode(),
    )
    return render(request, "volunteers/activity_list.html", context, status=status)


@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, activity_id=pk)
    context = selectors.activity_page(activity=activity, user=request.user)
    if context["can_manage"]:
        context["attendance_form"] = AttendanceForm(roster=context["roster"])
    return render(request, "volunteers/activity_detail.html", context)


def _act(request: HttpRequest, pk: int, action, success: str, *, manage: bool = False) -> HttpResponse:
    """Run one action for the activity; a refusal becomes a message on the activity page."""
    activity = selectors.activity_get_for_user(user=request.user, activity_id=pk, manage=manage)
    try:
        action(activity)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("volunteers:activity_detail", pk=activity.pk)


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda a: actions.activity_signup(activity=a, by=request.user),
        _("You are signed up. See you there!"),
    )


def _confirm(request: HttpRequest, *, activity: Activity, action, success: str, context: dict,
             form=None) -> HttpResponse:
    """An act that cannot be undone, on a page of its own: GET says what happens, POST does it."""
    error = ""
    status = 200
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            action(form.cleaned_data if form is not None else {})
        except DomainError as exc:
            error, status = str(exc.message), exc.status_code
        else:
            messages.success(request, success)
            return redirect("volunteers:activity_detail", pk=activity.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "confirm.html", {
        "back_url": reverse("volunteers:activity_detail", kwargs={"pk": activity.pk}),
        "back_label": activity.title, "subject": f"{activity.title} · {timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M}",
        "error": error, "form": form, **context,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def activity_signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, activity_id=pk)
    page = selectors.activity_page(activity=activity, user=request.user)
    return _confirm(
        request, activity=activity,
        action=lambda data: actions.activity_signup_cancel(activity=activity, by=request.user),
        success=_("Your sign-up is cancelled."),
        context={
            "heading": _("Cancel my sign-up?"),
            "allowed": page["my_signup"] is not None and page["my_attendance"] is None
            and activity.starts_at > timezone.now(),
            "refusal": _("There is no sign-up of yours to cancel: you have not signed up, the activity has started "
                         "or your attendance is recorded."),
            "consequences": [
                _("Your place is given back at once; someone else may take it."),
                _("You can sign up again only while places are left and sign-up is open."),
            ],
            "button": _("Yes, cancel my sign-up"), "keep_label": _("No, keep my place"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's captain (or hall staff) cancels the activity; everyone signed up is told."""
    activity = selectors.activity_get_for_user(user=request.user, activity_id=pk, manage=True)
    return _confirm(
        request, activity=activity, form=ActivityCancelForm(request.POST if request.method == "POST" else None),
        action=lambda data: actions.activity_cancel(activity=activity, by=request.user, reason=data["reason"]),
        success=_("The activity is cancelled; everyone signed up has been told."),
        context={
            "heading": _("Cancel this activity?"),
            "allowed": not activity.is_final,
            "refusal": _("This activity is %(status)s; it can no longer be cancelled.")
            % {"status": activity.get_status_display()},
            "consequences": [
                _("The activity is cancelled for good: it cannot be reopened, and sign-up closes."),
                ngettext("The %(count)s person signed up is told at once, with your reason.",
                         "The %(count)s people signed up are told at once, with your reason.",
                         activity.signed_up) % {"count": activity.signed_up},
                _("No service hours are recorded for a cancelled activity."),
            ],
            "button": _("Yes, cancel the activity"), "keep_label": _("No, keep it"),
        },
    )


@login_required
@require_POST
def activity_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda a: actions.attendance_check_in(activity=a, by=request.user), _("You are checked in."),
    )


@login_required
@require_POST
def activity_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda a: actions.attendance_check_out(activity=a, by=request.user),
        _("You are checked out. Your captain will approve the hours."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_hours_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approving hours is final (they turn into points): GET says for whom and how many, POST approves."""
    activity = selectors.activity_get_for_user(user=request.user, activity_id=pk, manage=True)
    hours = selectors.activity_hours_to_approve(activity=activity)
    return _confirm(
        request, activity=activity,
        action=lambda data: actions.activity_hours_approve(activity=activity, by=request.user),
        success=_("The hours of this activity are approved."),
        context={
            "heading": _("Approve all hours?"),
            "allowed": activity.hours_approved_at is None and bool(hours["people"]),
            "refusal": _("There are no hours to approve: they are approved already, or no attendance with hours "
                         "is recorded."),
            "consequences": [
                ngettext("%(count)s person gets the hours recorded for them, %(hours)s hours in all.",
                         "%(count)s people get the hours recorded for them, %(hours)s hours in all.",
                         hours["people"]) % {"count": hours["people"], "hours": hours["total"]},
                _("Approved hours are final: they count for the service-hours figures and the points ledger."),
                _("The activity is marked as done."),
            ],
            "button": _("Yes, approve the hours"), "keep_label": _("No, check them again"),
        },
    )


@login_required
@require_POST
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, activity_id=pk, manage=True)
    context = selectors.activity_page(activity=activity, user=request.user)
    form = AttendanceForm(request.POST, roster=context["roster"])
    if form.is_valid():
        person = next(s.user for s in context["roster"] if s.user_id == form.cleaned_data["user"])
        try:
            actions.attendance_record(
                activity=activity, person=person, hours=form.cleaned_data["hours"], by=request.user
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Attendance of %(name)s is recorded.") % {"name": person})
            return redirect("volunteers:activity_detail", pk=activity.pk)
    context["attendance_form"] = form
    return render(request, "volunteers/activity_detail.html", context, status=400)


@login_required
@require_GET
def hours_to_approve(request: HttpRequest) -> HttpResponse:
    """The captain's queue: activities whose attendance hours are not approved yet."""
    if not (selectors.captain_team_ids(user=request.user) or has_role(request.user, Role.HALL_STAFF)):
        raise PermissionDenied(_("Only a team's captain or hall staff approve service hours."))
    activities = list(selectors.activities_hours_to_approve(user=request.user)[:100])
    return render(request, "volunteers/hours_to_approve.html", {"activities": activities})


# --- calendar feeds ---------------------------------------------------------------------------
def _calendar_response(request: HttpRequest, activities, name: str, filename: str) -> HttpResponse:
    body = activities_calendar(
        activities=activities,
        name=name,
        base_url=f"{request.scheme}://{request.get_host()}",
        host=request.get_host().split(":")[0],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def activities_ics(request: HttpRequest) -> HttpResponse:
    return _calendar_response(
        request, selectors.activity_feed(), _("Youth service hall activities"), "activities.ics"
    )


@require_GET
def team_activities_ics(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    return _calendar_response(request, selectors.activity_feed(team=team), team.name, f"{team.slug}.ics")
