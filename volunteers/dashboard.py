"""Headline figures for the dashboard: teams, activities held, service hours, hours by team."""
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dashboard import dashboard_figures
from volunteers.models import Activity, Attendance, Team
from volunteers.selectors import hours_by_team


def _number(value) -> int | float:
    return int(value) if value == int(value) else float(value)


@dashboard_figures(20)
def volunteer_figures() -> list[dict]:
    # Three aggregate queries in all, whatever the number of teams and activities.
    teams = Team.objects.count()
    held = Activity.objects.aggregate(
        n=Count("pk", filter=Q(status=Activity.Status.DONE) | Q(
            ends_at__lt=timezone.now(), status__in=[Activity.Status.OPEN, Activity.Status.CLOSED]
        ))
    )["n"]
    hours = Attendance.objects.aggregate(total=Sum("approved_hours"))["total"] or 0
    chart = [{"label": row["name"], "value": _number(row["hours"])} for row in hours_by_team()]
    return [
        {"label": _("Service teams"), "value": teams, "unit": _("teams")},
        {"label": _("Activities held"), "value": held, "unit": _("activities")},
        {
            "label": _("Service hours"),
            "value": _number(hours),
            "unit": _("hours"),
            "chart": [row for row in chart if row["value"] > 0],
        },
    ]
