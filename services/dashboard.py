
# --- catalogue and booking (issue 3) ---
from django.db.models import Count as _BkCount  # noqa: E402
from django.utils.translation import gettext as _bk_gettext  # noqa: E402

from portal.dashboard import dashboard_figures as _bk_dashboard_figures  # noqa: E402
from services import selectors as _bk_selectors  # noqa: E402
from services.models import Booking as _BkBooking  # noqa: E402
from services.models import ServiceItem as _BkServiceItem  # noqa: E402
from services.models import Stage as _BkStage  # noqa: E402


@_bk_dashboard_figures(10)
def catalogue_and_booking_figures() -> list[dict]:
    """Items, bundles and what they save, bookings and satisfaction: seven queries whatever the size."""
    by_stage = dict(_BkServiceItem.objects.values_list("stage").annotate(n=_BkCount("id")).order_by())
    savings = [_bk_selectors.bundle_savings(bundle) for bundle in _bk_selectors.bundle_list()]

    def average(key: str) -> int:
        # A bundle still being set up (no items yet) says nothing about savings.
        rows = [row for row in savings if row["separate_steps"]]
        return round(sum(row[key] for row in rows) / len(rows)) if rows else 0

    by_status = dict(_BkBooking.objects.values_list("status").annotate(n=_BkCount("id")).order_by())
    satisfaction = _bk_selectors.satisfaction()
    return [
        {
            "label": _bk_gettext("Service items"),
            "value": sum(by_stage.values()),
            "chart": [{"label": str(label), "value": by_stage.get(value, 0)} for value, label in _BkStage.choices],
        },
        {"label": _bk_gettext("Handling steps saved by bundles (average)"), "value": average("steps_saved_percent"), "unit": "%"},
        {"label": _bk_gettext("Visits saved by bundles (average)"), "value": average("visits_saved_percent"), "unit": "%"},
        {
            "label": _bk_gettext("Satisfaction (share of 4 and 5 star reviews)"),
            "value": "—" if satisfaction["rate"] is None else satisfaction["rate"],
            "unit": "%" if satisfaction["rate"] is not None else "",
        },
        {"label": _bk_gettext("One-thing bundles"), "value": len(savings)},
        {
            "label": _bk_gettext("Bookings"),
            "value": sum(count for status, count in by_status.items() if status != _BkBooking.Status.CANCELLED),
            "chart": [{"label": str(label), "value": by_status.get(value, 0)} for value, label in _BkBooking.Status.choices],
        },
    ]




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

