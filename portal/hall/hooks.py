"""What apps built on the hall plug in, so that the hall never imports them.

``department_item_count_provider(func)``: ``func()`` returns an expression to annotate Department
querysets with (``item_count``, the catalogue's items of each department), so the departments list
stays one query. The catalogue (services) registers it in its ``AppConfig.ready()``; without a
provider every department counts 0 items.
"""
from collections.abc import Callable

from django.db.models import Expression, IntegerField, Value

_ITEM_COUNT: list[Callable[[], Expression]] = []


def department_item_count_provider(func: Callable[[], Expression]) -> Callable[[], Expression]:
    """Register the one provider of a department's item count; a later one replaces the earlier."""
    _ITEM_COUNT[:] = [func]
    return func


def department_item_count() -> Expression:
    return _ITEM_COUNT[0]() if _ITEM_COUNT else Value(0, output_field=IntegerField())


# --- the calendar changed -----------------------------------------------------------------------
# ``calendar_changed_subscriber(func)``: ``func(change=CalendarChange, by=User | None)`` is called
# inside the transaction that changed the holiday calendar, after the new rows are written, so it
# reads the new calendar and its writes commit or roll back with the change. The cases app moves
# its working-day deadlines, the ideas ledger its answer deadlines, the catalogue closes slots on
# new days off. A subscriber that raises undoes the whole change.
_CALENDAR_CHANGED: list[Callable[..., object]] = []


def calendar_changed_subscriber(func: Callable[..., object]) -> Callable[..., object]:
    """Subscribe ``func`` to calendar changes; subscribing the same function twice is one subscription."""
    if func not in _CALENDAR_CHANGED:
        _CALENDAR_CHANGED.append(func)
    return func


def calendar_changed_notify(*, change, by=None) -> None:
    for func in list(_CALENDAR_CHANGED):
        func(change=change, by=by)
