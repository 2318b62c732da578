"""Reads for the volunteers app, scoped to the person asking, with their related rows fetched in bulk."""
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.accounts.selectors import ME_SECTION_ROWS, me_section, me_todo
from portal.filters import filters_apply
from portal.hall.workdays import start_of_day
from portal.home import home_section
from portal.roles import Role, has_role
from volunteers.exceptions import NotCaptain, NotFound
from volunteers.filters import ActivityFilter
from volunteers.hooks import team_star_level
from volunteers.models import Activity, Attendance, Membership, SignUp, Team

ZERO_HOURS = Value(Decimal("0"), output_field=DecimalField(max_digits=9, decimal_places=2))


# --- who may manage what ------------------------------------------------------------------------
def captain_team_ids(*, user) -> set[int]:
    """Teams the user currently captains (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_captain_team_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(
                user=user, role=Membership.Role.CAPTAIN, left_on__isnull=True
            ).values_list("team_id", flat=True)
        )
        user._captain_team_ids = cached
    return cached


def user_can_manage_team(*, user, team: Team) -> bool:
    """Hall staff, or the team's active captain (identified by the captain Membership)."""
    if has_role(user, Role.HALL_STAFF):
        return True
    return team.pk in captain_team_ids(user=user)


# --- teams ------------------------------------------------------------------------------------
def _team_queryset() -> QuerySet[Team]:
    hours = (
        Attendance.objects.filter(activity__team=OuterRef("pk"), approved_hours__isnull=False)
        .values("activity__team")
        .annotate(total=Sum("approved_hours"))
        .values("total")
    )
    members = (
        Membership.objects.filter(team=OuterRef("pk"), left_on__isnull=True)
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Team.objects.select_related("leader")
        .annotate(
            member_count=Coalesce(Subquery(members), 0),
            star_level=team_star_level(),
            approved_hours=Coalesce(Subquery(hours, output_field=DecimalField(max_digits=9, decimal_places=2)), ZERO_HOURS),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=Membership.Role.CAPTAIN, left_on__isnull=True).select_related("user"),
                to_attr="active_captains",
            )
        )
        .order_by("name")
    )


def team_list(*, user=None) -> QuerySet[Team]:
    """Every team (teams are public), with captain, member count and approved hours."""
    return _team_queryset()


def team_get_for_user(*, user, slug: str) -> Team:
    team = _team_queryset().filter(slug=slug).first()
    if team is None:
        raise NotFound(_("No such team."))
    return team


def team_page(*, team: Team, user) -> dict:
    """What the team page shows: members with their approved hours, activities before and after now."""
    now = timezone.now()
    hours_by_user = dict(
        Attendance.objects.filter(activity__team=team, approved_hours__isnull=False)
        .values("user")
        .annotate(total=Sum("approved_hours"))
        .values_list("user", "total")
    )
    memberships = list(team.memberships.select_related("user").order_by("left_on", "role", "joined_on"))
    for membership in memberships:
        membership.hours = hours_by_user.get(membership.user_id, Decimal("0"))
    activities = _visible_activities(user).filter(team=team).select_related("team")
    return {
        "team": team,
        "members": [m for m in memberships if m.left_on is None],
        "former_members": [m for m in memberships if m.left_on is not None],
        "upcoming": list(activities.filter(ends_at__gte=now).order_by("starts_at")[:20]),
        "past": list(activities.filter(ends_at__lt=now).order_by("-starts_at")[:20]),
        "can_manage": user_can_manage_team(user=user, team=team),
    }


# --- activities -------------------------------------------------------------------------------
def _visible_activities(user) -> QuerySet[Activity]:
    """Planned (draft) activities are seen only by staff and the team's captain; the rest by all."""
    if has_role(user, Role.HALL_STAFF):
        return Activity.objects.all()
    return Activity.objects.filter(
        ~Q(status=Activity.Status.PLANNED) | Q(team_id__in=captain_team_ids(user=user))
    )


def activities_hours_to_approve(*, user) -> QuerySet[Activity]:
    """Activities whose recorded hours wait for the captain: the captain's teams, every team for staff.

    Each carries ``pending`` (attendances without approved hours), oldest activity first.
    """
    queryset = Activity.objects.filter(attendances__approved_hours__isnull=True)
    if not has_role(user, Role.HALL_STAFF):
        queryset = queryset.filter(team_id__in=captain_team_ids(user=user))
    return (
        queryset.select_related("team")
        .annotate(pending=Count("attendances", filter=Q(attendances__approved_hours__isnull=True)))
        .order_by("starts_at", "id")
    )


def activity_list(*, user, filters=None) -> QuerySet[Activity]:
    """Activities the user may see, filtered; raises ValidationError (400) for malformed filters."""
    queryset = _visible_activities(user).select_related("team").order_by("starts_at", "id")
    return filters_apply(ActivityFilter, filters, queryset)


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def activity_week(*, user, week_start: date, filters=None) -> list[dict]:
    """The weekly activity list (活动清单): seven days from Monday, each with its activities."""
    filters = {k: v for k, v in (filters or {}).items() if k in ("team", "kind")}
    rows = activity_list(user=user, filters=filters).filter(
        starts_at__date__gte=week_start, starts_at__date__lt=week_start + timedelta(days=7)
    )
    days = [{"day": week_start + timedelta(days=n), "activities": []} for n in range(7)]
    for activity in rows:
        local_day = timezone.localtime(activity.starts_at).date()
        index = (local_day - week_start).days
        if 0 <= index < 7:
            days[index]["activities"].append(activity)
    return days


def activity_get_for_user(*, user, activity_id, manage: bool = False) -> Activity:
    """404 when the user may not see it; 403 (NotCaptain) when ``manage`` and they may not manage it."""
    try:
        activity_id = int(activity_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such activity."))
    activity = _visible_activities(user).select_related("team").filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(_("No such activity."))
    if manage and not user_can_manage_team(user=user, team=activity.team):
        raise NotCaptain()
    return activity


def activity_page(*, activity: Activity, user) -> dict:
    """The activity page: the person's own sign-up and attendance; for managers, everyone's."""
    signed_in = bool(user and user.is_authenticated)
    can_manage = user_can_manage_team(user=user, team=activity.team)
    context = {
        "activity": activity,
        "my_signup": None,
        "my_attendance": None,
        "can_manage": can_manage,
        "roster": [],
    }
    if signed_in:
        context["my_signup"] = signup_active_get(activity=activity, user=user)
        context["my_attendance"] = Attendance.objects.filter(activity=activity, user=user).first()
    if can_manage:
        attendance = {a.user_id: a for a in Attendance.objects.filter(activity=activity)}
        roster = list(
            SignUp.objects.filter(activity=activity, status=SignUp.Status.ACTIVE).select_related("user")
        )
        for signup in roster:
            signup.attendance = attendance.get(signup.user_id)
        context["roster"] = roster
    return context


def activity_feed(*, team: Team | None = None) -> QuerySet[Activity]:
    """What the calendar feeds publish: public activities from a few weeks back to a few months ahead."""
    now = timezone.now()
    queryset = (
        Activity.objects.exclude(status=Activity.Status.PLANNED)
        .filter(
            starts_at__gte=now - timedelta(days=settings.VOLUNTEER_FEED_PAST_DAYS),
            starts_at__lte=now + timedelta(days=settings.VOLUNTEER_FEED_FUTURE_DAYS),
        )
        .select_related("team")
        .order_by("starts_at", "id")
    )
    if team is not None:
        queryset = queryset.filter(team=team)
    return queryset


def signups_to_remind(*, kind: str, starts_after, starts_until, after_id: int, size: int) -> list[SignUp]:
    """One batch of the activity reminder sweep: active sign-ups for activities that take place
    (open or closed for sign-up) starting in (``starts_after``, ``starts_until``], without a
    ``kind`` reminder for that start yet, by id. Cancelled sign-ups and cancelled activities get none."""
    from portal.notifications.selectors import reminder_sent

    return list(
        SignUp.objects.filter(status=SignUp.Status.ACTIVE,
                              activity__status__in=(Activity.Status.OPEN, Activity.Status.CLOSED),
                              activity__starts_at__gt=starts_after, activity__starts_at__lte=starts_until,
                              pk__gt=after_id)
        .exclude(reminder_sent(model=SignUp, kind=kind, deadline="activity__starts_at"))
        .select_related("user", "activity")
        .order_by("pk")[:size]
    )


def signup_active_get(*, activity: Activity, user) -> SignUp | None:
    """The person's active sign-up for the activity, if any (cancelled ones are kept as rows)."""
    return SignUp.objects.filter(activity=activity, user=user, status=SignUp.Status.ACTIVE).first()


# --- hours ------------------------------------------------------------------------------------
def member_hours(*, user) -> Decimal:
    """Approved service hours of a person, across all teams."""
    total = Attendance.objects.filter(user=user, approved_hours__isnull=False).aggregate(
        total=Sum("approved_hours")
    )["total"]
    return total or Decimal("0")


def hours_by_team() -> list[dict]:
    """Approved hours per team, largest first (the dashboard chart)."""
    return list(
        Team.objects.annotate(
            hours=Coalesce(
                Sum("activities__attendances__approved_hours"), ZERO_HOURS
            )
        )
        .values("name", "hours")
        .order_by("-hours", "name")
    )


# --- the personal page ------------------------------------------------------------------------
@me_section(30)
def my_activities_section(*, user) -> dict | None:
    """'My activities' on /me/: upcoming sign-ups and past attendance with hours."""
    now = timezone.now()
    upcoming = list(
        SignUp.objects.filter(user=user, status=SignUp.Status.ACTIVE, activity__ends_at__gte=now)
        .select_related("activity__team")
        .order_by("activity__starts_at")[:ME_SECTION_ROWS]
    )
    attended = list(
        Attendance.objects.filter(user=user).select_related("activity__team").order_by("-activity__starts_at")[:ME_SECTION_ROWS]
    )
    if not upcoming and not attended:
        return None
    return {
        "title": _("My activities"),
        "anchor": "my-activities",
        "template": "volunteers/me_section.html",
        "context": {"upcoming": upcoming, "attended": attended, "hours": member_hours(user=user)},
    }


@me_todo(40)
def hours_to_approve_todo(*, user) -> list[dict]:
    """For a captain: activities of their teams whose attendance hours wait for approval."""
    if not captain_team_ids(user=user):
        return []
    count = (
        Activity.objects.filter(team_id__in=captain_team_ids(user=user), attendances__approved_hours__isnull=True)
        .distinct().count()
    )
    label = ngettext("%(count)d activity with hours to approve", "%(count)d activities with hours to approve", count)
    return [{"label": label % {"count": count}, "count": count, "url": reverse("volunteers:hours_to_approve")}]


@home_section(20)
def this_week_section() -> dict | None:
    """This week's open activities (the next four still to come), for the home page. Once this
    week's are over (a Saturday, say), next week's, so the home page never goes quiet at weekends.
    One query either way."""
    now = timezone.now()
    next_monday = week_start_of(timezone.localdate()) + timedelta(days=7)
    next_week = start_of_day(next_monday)
    activities = list(
        Activity.objects.filter(status=Activity.Status.OPEN, ends_at__gte=now,
                                starts_at__lt=next_week + timedelta(days=7))
        .select_related("team").order_by("starts_at", "id")[:4]
    )
    if not activities:
        return None
    this_week = [activity for activity in activities if activity.starts_at < next_week]
    return {
        "title": _("This week's activities") if this_week else _("Next week's activities"),
        "template": "volunteers/_home_activities.html",
        "context": {"activities": this_week or activities},
        "more_url": reverse("volunteers:activity_list") + ("" if this_week else f"?week={next_monday.isoformat()}"),
        "more_label": _("The weekly activity list"),
    }


def activity_hours_to_approve(*, activity: Activity) -> dict:
    """What approving the activity's hours would approve: how many people, how many hours in all."""
    totals = Attendance.objects.filter(activity=activity, proposed_hours__gt=0).aggregate(
        people=Count("pk"), total=Sum("proposed_hours"))
    return {"people": totals["people"] or 0, "total": totals["total"] or 0}
