from django.db.models import Count
from django.utils.translation import gettext

from portal.dashboard import dashboard_figures
from services import selectors
from services.models import Booking, ServiceItem, Stage


@dashboard_figures(10)
def catalogue_and_booking_figures() -> list[dict]:
    """Items, bundles and what they save, bookings and satisfaction: a fixed number of queries whatever the size (the savings are kept until the next write)."""
    by_stage = dict(ServiceItem.objects.values_list("stage").annotate(n=Count("id")).order_by())
    savings = list(selectors.bundle_savings_all().values())

    def average(key: str) -> int:
        # A bundle still being set up (no items yet) says nothing about savings.
        rows = [row for row in savings if row["separate_steps"]]
        return round(sum(row[key] for row in rows) / len(rows)) if rows else 0

    by_status = dict(Booking.objects.values_list("status").annotate(n=Count("id")).order_by())
    satisfaction = selectors.satisfaction()
    return [
        {
            "label": gettext("Service items"),
            "value": sum(by_stage.values()),
            "chart": [{"label": str(label), "value": by_stage.get(value, 0)} for value, label in Stage.choices],
        },
        {"label": gettext("Handling steps saved by bundles (average)"), "value": average("steps_saved_percent"), "unit": "%"},
        {"label": gettext("Visits saved by bundles (average)"), "value": average("visits_saved_percent"), "unit": "%"},
        {
            "label": gettext("Satisfaction (share of 4 and 5 star reviews)"),
            "value": "—" if satisfaction["rate"] is None else satisfaction["rate"],
            "unit": "%" if satisfaction["rate"] is not None else "",
        },
        {"label": gettext("One-thing bundles"), "value": len(savings)},
        {
            "label": gettext("Bookings"),
            "value": sum(count for status, count in by_status.items() if status != Booking.Status.CANCELLED),
            "chart": [{"label": str(label), "value": by_status.get(value, 0)} for value, label in Booking.Status.choices],
        },
    ]
