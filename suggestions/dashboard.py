from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.dashboard import dashboard_figures, per_month
from suggestions.models import Suggestion
from suggestions.selectors import _counted, suggestion_headline_counts


def _count(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n) % {"count": n}


@dashboard_figures(40)
def ledger_figures() -> list[dict]:
    """Golden ideas collected, adopted, blockers solved, answered on time: two queries."""
    counts = suggestion_headline_counts()
    # The bars split the headline: golden ideas only, as the headline counts (blockers apart).
    by_category = dict(
        _counted().filter(kind=Suggestion.Kind.IDEA)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    chart = [{"label": str(label), "value": by_category.get(value, 0)} for value, label in Suggestion.Category.choices]
    on_time = counts["on_time_percent"]
    return [
        {"label": _("Golden ideas collected"), "value": counts["ideas"],
         "display": _count("%(count)d idea", "%(count)d ideas", counts["ideas"]),
         "description": _("Golden ideas in the public ledger, by category (blockers are counted apart)."),
         "chart": chart},
        {"label": _("Golden ideas adopted"), "value": counts["adopted"],
         "display": _count("%(count)d idea", "%(count)d ideas", counts["adopted"]),
         "description": _("Ideas the hall adopted, implemented ones included.")},
        {"label": _("Blockers solved"), "value": counts["solved"],
         "display": _count("%(count)d blocker", "%(count)d blockers", counts["solved"]),
         "description": _count("Of %(count)d blocker reported.", "Of %(count)d blockers reported.", counts["blockers"])},
        {
            "label": _("Ideas answered on time"),
            "value": "–" if on_time is None else on_time,
            "display": "–" if on_time is None else _("%(value)s%%") % {"value": on_time},
            "description": _("Answers given by their deadline, out of the entries answered or already past it."),
        },
    ]


@dashboard_figures(41)
def ledger_trend_figures() -> list[dict]:
    """Ideas and blockers submitted per month: one query."""
    months = per_month(_counted(), "created_at")
    total = sum(row["value"] for row in months)
    return [{
        "label": _("Ideas and blockers per month"),
        "value": total,
        "display": _count("%(count)d entry", "%(count)d entries", total),
        "description": _("Entries submitted to the ledger each month; the total of the last six months."),
        "chart": months,
        "trend": True,
    }]
