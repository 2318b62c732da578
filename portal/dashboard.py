"""The dashboard's headline figures, computed live from each app's data.

Each app registers a provider with ``@dashboard_figures(order)``: a function with no arguments
returning a list of figures, each a dict with

- ``label``: what the figure is; ``value``: the number;
- ``display`` (optional): the number with its unit as a person reads it, translated and
  pluralised ("10 teams"); ``description`` (optional): what exactly it counts;
- ``chart`` (optional): a list of ``{"label", "value"}`` bars. The headline value is the sum of
  its bars, so the page always adds up (tests/portal/test_dashboard.py checks it), unless
- ``trend`` is true: the bars are a series over time (months, quarters), and the value sums or
  summarises them as its description says.

Providers must run a bounded number of queries (aggregates, not loops).
"""
from collections.abc import Callable
from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.hall.workdays import start_of_day

_PROVIDERS: list[tuple[int, Callable[[], list[dict]]]] = []

# How many months (and quarters) the trend charts look back, the current one included.
TREND_MONTHS = 6
TREND_QUARTERS = 4


def dashboard_figures(order: int) -> Callable:
    def register(func: Callable[[], list[dict]]) -> Callable[[], list[dict]]:
        _PROVIDERS.append((order, func))
        _PROVIDERS.sort(key=lambda item: item[0])
        return func

    return register


def dashboard_all(*, limit: int | None = None) -> list[dict]:
    """Every provider's figures in order; with ``limit``, only the first ones (the home page's
    few figures run only the providers that give them)."""
    figures: list[dict] = []
    for _order, provider in _PROVIDERS:
        if limit is not None and len(figures) >= limit:
            break
        for figure in provider():
            chart = figure.get("chart") or []
            peak = max((row["value"] for row in chart), default=0) or 1
            figure["chart"] = [{**row, "percent": round(100 * row["value"] / peak)} for row in chart]
            figure.setdefault("trend", False)
            figures.append(figure)
    return figures if limit is None else figures[:limit]


def recent_months(*, months: int = TREND_MONTHS, today: date | None = None) -> list[date]:
    """The first day of each of the last ``months`` months, oldest first, this month last."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    firsts = []
    for _n in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def per_month(queryset: QuerySet, field: str, *, months: int = TREND_MONTHS, total=None) -> list[dict]:
    """Bars for a trend chart: ``total`` (default: a count) of the rows per month of ``field``,
    for the last ``months`` months, months without rows included as 0. One query."""
    firsts = recent_months(months=months)
    start = start_of_day(firsts[0])
    rows = (
        queryset.filter(**{f"{field}__gte": start})
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(total=total if total is not None else Count("pk"))
        .order_by()
    )
    by_month: dict[tuple[int, int], float] = {}
    for row in rows:
        key = (row["month"].year, row["month"].month)
        by_month[key] = by_month.get(key, 0) + (row["total"] or 0)
    return [{"label": first.strftime("%Y-%m"), "value": by_month.get((first.year, first.month), 0)} for first in firsts]
