from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from portal.dashboard import TREND_QUARTERS, dashboard_figures, per_month
from portal.hall.workdays import start_of_day
from services import selectors
from services.models import GRADES_SATISFIED, Booking, BundleItem, Evaluation, ServiceItem, Stage


def _count(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n) % {"count": n}


def _percent(value) -> str:
    return "—" if value is None else gettext("%(value)s%%") % {"value": value}


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
    # Cancelled bookings are not counted, in the headline or its bars.
    counted = [status for status, _label in Booking.Status.choices if status != Booking.Status.CANCELLED]
    bookings = sum(by_status.get(status, 0) for status in counted)
    satisfaction = selectors.satisfaction()
    # A registration bundle is one that contains a business-registration item; each completed
    # booking of one is a business a young founder started through the hall.
    registration_bundle = Exists(BundleItem.objects.filter(bundle=OuterRef("slot__bundle"), item__stage=Stage.REGISTRATION))
    started = Booking.objects.filter(registration_bundle, status=Booking.Status.COMPLETED).count()
    items = sum(by_stage.values())
    steps, visits = average("steps_saved_percent"), average("visits_saved_percent")
    return [
        {
            "label": gettext("Service items"),
            "value": items,
            "display": _count("%(count)d item", "%(count)d items", items),
            "description": gettext("Administrative items in the catalogue, by life-cycle stage."),
            "chart": [{"label": str(label), "value": by_stage.get(value, 0)} for value, label in Stage.choices],
        },
        {"label": gettext("Handling steps saved by bundles (average)"), "value": steps, "display": _percent(steps),
         "description": gettext("Steps done as one bundle instead of item by item, averaged over the bundles.")},
        {"label": gettext("Visits saved by bundles (average)"), "value": visits, "display": _percent(visits),
         "description": gettext("Visits to the hall saved by handling a bundle at once, averaged over the bundles.")},
        {
            "label": gettext("Satisfaction (share of the three upper grades)"),
            "value": "—" if satisfaction["rate"] is None else satisfaction["rate"],
            "display": _percent(satisfaction["rate"]),
            "description": _count("Very satisfied, satisfied or fairly satisfied, out of %(count)d evaluation.",
                                  "Very satisfied, satisfied or fairly satisfied, out of %(count)d evaluations.",
                                  satisfaction["reviews"]),
        },
        {"label": gettext("One-thing bundles"), "value": len(savings),
         "display": _count("%(count)d bundle", "%(count)d bundles", len(savings)),
         "description": gettext("Packages of related items applied for once in the youth zone.")},
        {
            "label": gettext("Bookings"),
            "value": bookings,
            "display": _count("%(count)d booking", "%(count)d bookings", bookings),
            "description": gettext("Bookings made, by what became of them; cancelled ones are not counted."),
            "chart": [{"label": str(label), "value": by_status.get(value, 0)}
                      for value, label in Booking.Status.choices if value != Booking.Status.CANCELLED],
        },
        {
            "label": gettext("New businesses started by young founders"),
            "value": started,
            "display": _count("%(count)d business", "%(count)d businesses", started),
            "description": gettext("Completed bookings of the bundles that include business registration."),
        },
    ]


def _quarters() -> list[tuple[int, int]]:
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    keys = []
    for _n in range(TREND_QUARTERS):
        keys.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return keys[::-1]


@dashboard_figures(11)
def booking_trend_figures() -> list[dict]:
    """Bookings per month and satisfaction per quarter: two queries."""
    months = per_month(Booking.objects.exclude(status=Booking.Status.CANCELLED), "slot__starts_at")
    total = sum(row["value"] for row in months)
    quarters = _quarters()
    first_year, first_quarter = quarters[0]
    since = timezone.make_aware(timezone.datetime(first_year, 3 * first_quarter - 2, 1))
    rows = (
        Evaluation.objects.filter(created_at__gte=since).annotate(quarter=TruncQuarter("created_at")).values("quarter")
        .annotate(reviews=Count("id"), happy=Count("id", filter=Q(grade__in=GRADES_SATISFIED))).order_by()
    )
    counts: dict[tuple[int, int], list[int]] = {key: [0, 0] for key in quarters}
    for row in rows:
        key = (row["quarter"].year, (row["quarter"].month - 1) // 3 + 1)
        if key in counts:
            counts[key][0] += row["reviews"]
            counts[key][1] += row["happy"]
    chart = []
    for (year, quarter), (reviews, happy) in counts.items():
        chart.append({
            "label": gettext("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter},
            "value": round(100 * happy / reviews, 1) if reviews else 0,
        })
    return [
        {
            "label": gettext("Bookings per month"),
            "value": total,
            "display": _count("%(count)d booking", "%(count)d bookings", total),
            "description": gettext("Bookings by the month of their slot, cancelled ones not counted; the total of the last six months."),
            "chart": months,
            "trend": True,
        },
        {
            "label": gettext("Satisfaction per quarter"),
            "value": None,
            "display": "",
            "description": gettext("The share of evaluations in the three upper grades given in each quarter, in percent (0 without evaluations)."),
            "chart": chart,
            "trend": True,
        },
    ]


@dashboard_figures(11)
def one_visit_figures() -> list[dict]:
    """最多跑一次: the share of completed bookings settled in one visit, with and without an accepted
    pre-check, overall and per bundle and month (the last 12 months). One query."""
    first_day = (timezone.localdate().replace(day=1) - timedelta(days=335)).replace(day=1)
    rows = selectors.one_visit_rates(since=start_of_day(first_day))
    figures = []
    for side, label, description in (
        ("with", gettext("Settled in one visit, with pre-check"),
         gettext("Completed bookings of the last 12 months whose materials were accepted before the visit, in percent settled in one visit; bars per bundle and month.")),
        ("without", gettext("Settled in one visit, without pre-check"),
         gettext("Completed bookings of the last 12 months without an accepted pre-check, in percent settled in one visit; bars per bundle and month.")),
    ):
        total = sum(row[f"{side}_total"] for row in rows)
        settled = sum(row[f"{side}_settled"] for row in rows)
        figures.append({
            "label": label,
            "value": round(100 * settled / total) if total else "—",
            "unit": "%" if total else "",
            "display": f"{round(100 * settled / total)}%" if total else "—",
            "description": description,
            "chart": [
                {"label": f"{row['subject']} · {timezone.localtime(row['month']):%Y-%m}", "value": row[f"{side}_rate"]}
                for row in rows if row[f"{side}_total"]
            ],
            "trend": True,  # rates per bundle and month: the bars do not add up to the headline
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
    waiting = gettext("From checking in to being called, in minutes; bars for each of the last 14 days.")
    service = gettext("From being called to done at the window, in minutes; bars for each of the last 14 days.")
    for key, label, description in (
        ("wait_median", gettext("Waiting time at the windows today, median"), waiting),
        ("wait_p90", gettext("Waiting time at the windows today, 90th percentile"), waiting),
        ("service_median", gettext("Service time at the windows today, median"), service),
        ("service_p90", gettext("Service time at the windows today, 90th percentile"), service),
    ):
        value = today_row[key] if today_row and today_row[key] is not None else None
        figures.append({
            "label": label,
            "value": "—" if value is None else value,
            "unit": gettext("min") if value is not None else "",
            "display": "—" if value is None else gettext("%(minutes)s min") % {"minutes": value},
            "description": description,
            "trend": True,  # one bar a day: a series, not parts of the headline
            "chart": [
                {"label": f"{row['key']:%m-%d}", "value": row[key]}
                for row in times["per_day"] if row[key] is not None
            ],
        })
    return figures


@dashboard_figures(13)
def evaluation_figures() -> list[dict]:
    """好差评 from the records: the share of 非常满意, bad reviews per month, and the callback,
    rectification and on-time rates of the rectifications bad reviews opened. Two queries."""
    overall = selectors.evaluation_figures()[0]
    months = selectors.evaluation_figures(by="month")[-12:]

    def rate(key: str, label: str, description: str) -> dict:
        value = overall[key]
        return {
            "label": label, "value": "—" if value is None else value, "display": _percent(value),
            "description": description,
            "chart": [{"label": row["label"], "value": row[key]} for row in months if row[key] is not None],
            "trend": True,  # a rate per month: the bars do not add up to the headline
        }

    return [
        rate("very_satisfied_share", gettext("Very satisfied (share of evaluations)"),
             gettext("Evaluations graded very satisfied, in percent of all evaluations; bars per month.")),
        {
            "label": gettext("Bad reviews"), "value": overall["bad"],
            "display": _count("%(count)d bad review", "%(count)d bad reviews", overall["bad"]),
            "description": gettext("Evaluations graded dissatisfied or very dissatisfied; bars per month (the last 12)."),
            "chart": [{"label": row["label"], "value": row["bad"]} for row in months],
            "trend": True,  # the last 12 months only: the bars need not add up to the headline
        },
        rate("callback_rate", gettext("Bad reviews called back"),
             gettext("Rectifications whose callback the department has recorded, in percent of the bad reviews "
                     "that opened one (every review is named); bars per month.")),
        rate("rectification_rate", gettext("Bad reviews rectified"),
             gettext("Rectifications with an outcome given (rectified, explained or not upheld), in percent of "
                     "all rectifications; bars per month.")),
        rate("on_time_rate", gettext("Rectifications on time"),
             gettext("Outcomes given by the deadline, in percent of the outcomes given; bars per month.")),
    ]
