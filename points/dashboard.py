"""Headline figures of the Qingfeng index for the dashboard: three aggregate queries."""
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    awarded = sum(by_source.values())
    return [
        {"label": _("Five-star youth teams"), "value": five_star,
         "display": ngettext("%(count)d team", "%(count)d teams", five_star) % {"count": five_star},
         "description": _("Teams rated five stars in a published rating period.")},
        {"label": _("Good youth of government service"), "value": good_youth,
         "display": ngettext("%(count)d person", "%(count)d people", good_youth) % {"count": good_youth},
         "description": _("Titles given in published rating periods.")},
        {
            "label": _("Qingfeng points awarded"),
            "value": awarded,
            "display": ngettext("%(count)d point", "%(count)d points", awarded) % {"count": awarded},
            "description": _("Points in the ledger, by where they came from."),
            "chart": [{"label": str(labels.get(src, src)), "value": total} for src, total in sorted(by_source.items())],
        },
    ]
