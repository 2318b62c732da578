from django.db.models import Count
from django.utils.translation import gettext as _

from portal.dashboard import dashboard_figures
from suggestions.models import Suggestion
from suggestions.selectors import suggestion_headline_counts


@dashboard_figures(40)
def ledger_figures() -> list[dict]:
    """Golden ideas collected, adopted, blockers solved, answered on time: two queries."""
    counts = suggestion_headline_counts()
    by_category = dict(
        Suggestion.objects.exclude(status=Suggestion.Status.MERGED)
        .filter(hidden_at__isnull=True)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    chart = [{"label": str(label), "value": by_category.get(value, 0)} for value, label in Suggestion.Category.choices]
    return [
        {"label": _("Golden ideas collected"), "value": counts["ideas"], "chart": chart},
        {"label": _("Golden ideas adopted"), "value": counts["adopted"]},
        {"label": _("Blockers solved"), "value": counts["solved"]},
        {
            "label": _("Ideas answered on time"),
            "value": "–" if counts["on_time_percent"] is None else counts["on_time_percent"],
            "unit": "" if counts["on_time_percent"] is None else "%",
        },
    ]
