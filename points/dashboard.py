"""Headline figures of the Qingfeng index for the dashboard: three aggregate queries."""
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from points.models import LedgerEntry, MemberResult, Stage, TeamRating
from portal.dashboard import dashboard_figures


@dashboard_figures(40)
def points_figures() -> list[dict]:
    published = Q(period__stage=Stage.PUBLISHED)
    five_star = TeamRating.objects.filter(published, stars=5).values("team_id").distinct().count()
    good_youth = MemberResult.objects.filter(published, is_good_youth=True).count()
    by_source = {
        row["source"]: row["total"]
        for row in LedgerEntry.objects.values("source").annotate(total=Sum("points"), n=Count("id"))
    }
    labels = dict(LedgerEntry.Source.choices)
    return [
        {"label": _("Five-star youth teams"), "value": five_star, "unit": _("teams")},
        {"label": _("Good youth of government service"), "value": good_youth, "unit": _("people")},
        {
            "label": _("Qingfeng points awarded"),
            "value": sum(by_source.values()),
            "unit": _("points"),
            "chart": [{"label": str(labels.get(src, src)), "value": total} for src, total in sorted(by_source.items())],
        },
    ]
