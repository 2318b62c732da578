from datetime import datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from portal.dashboard import dashboard_figures
from services import selectors
from services.models import Booking, ServiceItem, Stage


@dashboard_figures(10)
def catalogue_and_booking_figures() -> list[dict]:
    """Items, bundles and what they save, bookings and satisfaction: seven queries whatever the size."""
    by_stage = dict(ServiceItem.objects.values_list("stage").annotate(n=Count("id")).order_by())
    savings = [selectors.bundle_savings(bundle) for bundle in selectors.bundle_list()]

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


@dashboard_figures(12)
def queue_time_figures() -> list[dict]:
    """The queue at the windows: waiting (called − checked in) and service (done − called) times
    today, median and 90th percentile in minutes, with the last 14 days as a chart. One query."""
    today = timezone.localdate()
    times = selectors.queue_times(day_from=today - timedelta(days=13), day_to=today)
    today_row = next((row for row in times["per_day"] if row["key"] == today), None)
    figures = []
    for key, label in (
        ("wait_median", gettext("Waiting time at the windows today, median")),
        ("wait_p90", gettext("Waiting time at the windows today, 90th percentile")),
        ("service_median", gettext("Service time at the windows today, median")),
        ("service_p90", gettext("Service time at the windows today, 90th percentile")),
    ):
        value = today_row[key] if today_row and today_row[key] is not None else None
        figures.append({
            "label": label,
            "value": "—" if value is None else value,
            "unit": gettext("min") if value is not None else "",
            "chart": [
                {"label": f"{row['key']:%m-%d}", "value": row[key]}
                for row in times["per_day"] if row[key] is not None
            ],
        })
    return figures
