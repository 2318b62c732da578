"""Headline figures for the dashboard: teams, activities held, service hours, hours by team."""
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.dashboard import dashboard_figures, per_month
from volunteers.models import Activity, Attendance, Team
from volunteers.selectors import hours_by_team


def _number(value) -> int | float:
    return int(value) if value == int(value) else float(value)


def _hours(value) -> str:
    # ngettext needs a whole number to choose the form; 1.5 hours reads as plural.
    return ngettext("%(count)s hour", "%(count)s hours", 1 if value == 1 else 2) % {"count": value}


@dashboard_figures(20)
def volunteer_figures() -> list[dict]:
    # Three aggregate queries in all, whatever the number of teams and activities.
    teams = Team.objects.count()
    held = Activity.objects.aggregate(
        n=Count("pk", filter=Q(status=Activity.Status.DONE) | Q(
            ends_at__lt=timezone.now(), status__in=[Activity.Status.OPEN, Activity.Status.CLOSED]
        ))
    )["n"]
    hours = _number(Attendance.objects.aggregate(total=Sum("approved_hours"))["total"] or 0)
    chart = [{"label": row["name"], "value": _number(row["hours"])} for row in hours_by_team()]
    return [
        {"label": _("Service teams"), "value": teams,
         "display": ngettext("%(count)d team", "%(count)d teams", teams) % {"count": teams},
         "description": _("Youth volunteer service teams of the hall.")},
        {"label": _("Activities held"), "value": held,
         "display": ngettext("%(count)d activity", "%(count)d activities", held) % {"count": held},
         "description": _("Lectures, services and visits that took place (cancelled ones are not counted).")},
        {
            "label": _("Service hours"),
            "value": hours,
            "display": _hours(hours),
            "description": _("Hours approved by the captains, by team."),
            "chart": [row for row in chart if row["value"] > 0],
        },
    ]


@dashboard_figures(21)
def volunteer_trend_figures() -> list[dict]:
    """Approved service hours per month of the activity: one query."""
    months = per_month(Attendance.objects.filter(approved_hours__isnull=False), "activity__starts_at",
                       total=Sum("approved_hours"))
    months = [{**row, "value": _number(row["value"])} for row in months]
    total = _number(sum(row["value"] for row in months))
    return [{
        "label": _("Service hours per month"),
        "value": total,
        "display": _hours(total),
        "description": _("Approved hours by the month the activity took place; the total of the last six months."),
        "chart": months,
        "trend": True,
    }]
