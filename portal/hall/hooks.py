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
