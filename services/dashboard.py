
# --- catalogue and booking (issue 3) ---


# --- cross-department cases (issue 4) ---
from django.db.models import Count as _CaseCount  # noqa: E402
from django.db.models import F as _CaseF  # noqa: E402
from django.db.models import Q as _CaseQ  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

from portal.dashboard import dashboard_figures as _case_dashboard_figures  # noqa: E402
from services.models import Case, CaseTask  # noqa: E402


@_case_dashboard_figures(40)
def case_figures() -> list[dict]:
    """Cases open and done, and the share of tasks finished on time: two aggregate queries."""
    by_status = dict(Case.objects.values_list("status").annotate(n=_CaseCount("id")).order_by())
    tasks = CaseTask.objects.filter(status=CaseTask.Status.DONE).aggregate(
        done=_CaseCount("id"), on_time=_CaseCount("id", filter=_CaseQ(completed_at__lte=_CaseF("due_at")))
    )
    open_count = by_status.get(Case.Status.OPEN, 0) + by_status.get(Case.Status.IN_PROGRESS, 0)
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

