from django.db.models import Count, F, Q
from django.utils.translation import gettext, ngettext

from portal.cases.models import Case, CaseTask
from portal.dashboard import dashboard_figures


@dashboard_figures(40)
def case_figures() -> list[dict]:
    """Cases open and done, and the share of tasks finished on time: two aggregate queries."""
    by_status = dict(Case.objects.values_list("status").annotate(n=Count("id")).order_by())
    tasks = CaseTask.objects.filter(status=CaseTask.Status.DONE).aggregate(
        done=Count("id"), on_time=Count("id", filter=Q(completed_at__lte=F("due_at")))
    )
    open_count = sum(by_status.get(status, 0) for status in Case.ACTIVE)
    done = by_status.get(Case.Status.DONE, 0)
    share = round(100 * tasks["on_time"] / tasks["done"]) if tasks["done"] else 0
    return [
        {
            "label": gettext("Cross-department cases open"),
            "value": open_count,
            "display": ngettext("%(count)d case", "%(count)d cases", open_count) % {"count": open_count},
            "description": gettext("Cases not finished yet: open, or with work under way."),
            # Only the statuses the headline counts: a done case is never "in progress".
            "chart": [{"label": str(label), "value": by_status.get(value, 0)}
                      for value, label in Case.Status.choices if value in Case.ACTIVE],
        },
        {"label": gettext("Cross-department cases done"), "value": done,
         "display": ngettext("%(count)d case", "%(count)d cases", done) % {"count": done},
         "description": gettext("Cases whose every task is done.")},
        {"label": gettext("Case tasks finished on time"), "value": share, "display": gettext("%(value)s%%") % {"value": share},
         "description": ngettext("Of %(count)d finished task.", "Of %(count)d finished tasks.", tasks["done"]) % {"count": tasks["done"]}},
    ]
