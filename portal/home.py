"""Sections of the home page that other apps fill (popular bundles, this week's activities, the
latest answered ideas). Each app registers ``@home_section(order)``: a function with no arguments
returning ``{"title", "template", "context", "more_url", "more_label"}`` or None when it has
nothing to show. Providers run a bounded number of queries.
"""
from collections.abc import Callable

_SECTIONS: list[tuple[int, Callable[[], dict | None]]] = []


def home_section(order: int) -> Callable:
    def register(func: Callable[[], dict | None]) -> Callable[[], dict | None]:
        _SECTIONS.append((order, func))
        _SECTIONS.sort(key=lambda item: item[0])
        return func

    return register


def home_sections() -> list[dict]:
    return [section for _order, func in _SECTIONS if (section := func())]
