"""What apps built on top of volunteers plug in, so that volunteers never imports them.

Two registries, filled by a higher app in its ``AppConfig.ready()`` (points does both):

* ``hours_approved_subscribe(func)``: ``func(*, activity, by)`` runs when a captain or hall staff
  approve an activity's hours, inside the approval's transaction, after the approved hours are
  written. A subscriber that raises rolls the whole approval back, so what it writes (points
  ledger entries) is atomic with the approval.
* ``team_star_level_provider(func)``: ``func()`` returns an expression to annotate Team querysets
  with (``star_level``), so that team lists stay one query. Without a provider every team's star
  level is None.
"""
from collections.abc import Callable

from django.db.models import Expression, IntegerField, Value

_HOURS_APPROVED: list[Callable[..., None]] = []
_STAR_LEVEL: list[Callable[[], Expression]] = []


def hours_approved_subscribe(func: Callable[..., None]) -> Callable[..., None]:
    """Register ``func(*, activity, by)``; registering the same function twice keeps one."""
    if func not in _HOURS_APPROVED:
        _HOURS_APPROVED.append(func)
    return func


def hours_approved_publish(*, activity, by) -> None:
    """Run every subscriber, in the order they registered, in the caller's transaction."""
    for func in _HOURS_APPROVED:
        func(activity=activity, by=by)


def team_star_level_provider(func: Callable[[], Expression]) -> Callable[[], Expression]:
    """Register the one provider of a team's star level; a later one replaces the earlier."""
    _STAR_LEVEL[:] = [func]
    return func


def team_star_level() -> Expression:
    """The ``star_level`` annotation for Team querysets: the provider's, or None for every team."""
    if _STAR_LEVEL:
        return _STAR_LEVEL[0]()
    return Value(None, output_field=IntegerField())
