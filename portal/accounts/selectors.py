"""Reads for the personal page.

Each app that has something to show on /me/ registers a function here with ``me_section``; it
takes the user and returns ``{"title", "template", "context"}`` or None when it has nothing.
"""
from collections.abc import Callable

_SECTIONS: list[tuple[int, Callable]] = []


def me_section(order: int) -> Callable:
    def register(func: Callable) -> Callable:
        _SECTIONS.append((order, func))
        _SECTIONS.sort(key=lambda item: item[0])
        return func

    return register


def me_sections(*, user) -> list[dict]:
    sections = []
    for _order, func in _SECTIONS:
        section = func(user=user)
        if section:
            sections.append(section)
    return sections
