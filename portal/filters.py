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
