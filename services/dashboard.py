from datetime import datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone
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


@dashboard_figures(11)
def one_visit_figures() -> list[dict]:
    """最多跑一次: the share of completed bookings settled in one visit, with and without an accepted
    pre-check, overall and per bundle and month (the last 12 months). One query."""
    first_day = (timezone.localdate().replace(day=1) - timedelta(days=335)).replace(day=1)
    rows = selectors.one_visit_rates(since=timezone.make_aware(datetime.combine(first_day, time.min)))
    figures = []
    for side, label in (("with", gettext("Settled in one visit, with pre-check")),
                        ("without", gettext("Settled in one visit, without pre-check"))):
        total = sum(row[f"{side}_total"] for row in rows)
        settled = sum(row[f"{side}_settled"] for row in rows)
        figures.append({
            "label": label,
            "value": round(100 * settled / total) if total else "—",
            "unit": "%" if total else "",
            "chart": [
                {"label": f"{row['subject']} · {timezone.localtime(row['month']):%Y-%m}", "value": row[f"{side}_rate"]}
                for row in rows if row[f"{side}_total"]
            ],
        })
    return figures
