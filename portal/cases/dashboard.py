from django.db.models import Count, F, Q
from django.utils.translation import gettext

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
    share = round(100 * tasks["on_time"] / tasks["done"]) if tasks["done"] else 0
    return [
        {
            "label": gettext("Cross-department cases open"),
            "value": open_count,
            "chart": [{"label": str(label), "value": by_status.get(value, 0)} for value, label in Case.Status.choices],
        },
        {"label": gettext("Cross-department cases done"), "value": by_status.get(Case.Status.DONE, 0)},
        {"label": gettext("Case tasks finished on time"), "value": share, "unit": "%"},
    ]
