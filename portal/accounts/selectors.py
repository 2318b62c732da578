"""Reads for the personal page.

Each app that has something to show on /me/ registers a function here with ``me_section``; it
takes the user and returns ``{"title", "template", "context"}`` (optionally ``"anchor"``, the
section's id, and ``"all_url"``, its "show all" link) or None when it has nothing.

What waits for the person comes first: apps register ``me_todo`` functions returning a list of
``{"label" (the sentence, count included, pluralised), "count", "url"}``, one per kind of work owed (tasks due, reviews to give, ...).
Providers run a bounded number of queries.
"""
from collections.abc import Callable

_SECTIONS: list[tuple[int, Callable]] = []
_TODOS: list[tuple[int, Callable]] = []

# A section on /me/ shows this many rows; the rest are behind its "show all" link.
ME_SECTION_ROWS = 5


def me_section(order: int) -> Callable:
    def register(func: Callable) -> Callable:
        _SECTIONS.append((order, func))
        _SECTIONS.sort(key=lambda item: item[0])
        return func

    return register


def me_todo(order: int) -> Callable:
    def register(func: Callable) -> Callable:
        _TODOS.append((order, func))
        _TODOS.sort(key=lambda item: item[0])
        return func

    return register


def me_sections(*, user) -> list[dict]:
    sections = []
    for _order, func in _SECTIONS:
        section = func(user=user)
        if section:
            sections.append(section)
    return sections


def me_todos(*, user) -> list[dict]:
    """What waits for the person, across the apps: only kinds with something owed (count > 0)."""
    todos = []
    for _order, func in _TODOS:
        todos.extend(todo for todo in func(user=user) if todo["count"])
    return todos
