"""The dashboard's headline figures, computed live from each app's data.

Each app registers a provider with ``@dashboard_figures(order)``: a function with no arguments
returning a list of ``{"label", "value", "unit" (optional), "chart" (optional list of
{"label", "value"})}``. Providers must run a bounded number of queries (aggregates, not loops).
"""
from collections.abc import Callable

_PROVIDERS: list[tuple[int, Callable[[], list[dict]]]] = []


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
            figures.append(figure)
    return figures if limit is None else figures[:limit]
