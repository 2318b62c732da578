import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet


def filters_apply(filterset_class, data, queryset: QuerySet) -> QuerySet:
    """Apply a django-filter FilterSet to ``queryset``.

    Malformed values (a date that is not a date, an unknown choice) raise ValidationError with
    the field's messages, which the API answers as 400 and pages show: they are never silently
    ignored, which is django-filter's default.
    """
    filterset = filterset_class(data=data or {}, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: [str(message) for message in errors] for name, errors in filterset.errors.items()})
    return filterset.qs


# The largest id a BigAutoField holds, on SQLite and PostgreSQL alike.
ID_MAX = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An id in a query parameter (``?period=3``): a whole number from 1 to ID_MAX, else a 400.

    django-filter's NumberFilter takes any decimal: ``99999999999999999999`` reached SQLite and
    overflowed its integer (a 500), and ``1.5`` or ``1e3`` were not ids at all.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return None
