import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


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


class _StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0, yes/no); anything else is a 400 instead of being silently ignored
    (django-filter's BooleanFilter reads "perhaps" as "no filter"). The empty choice reads "Any",
    not Django's "Unknown"."""

    widget = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


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


def filter_form(filterset_class, data, *, fields=None):
    """The filter form of a list page, bound to ``data`` and checked: ``(form, messages)``.

    Every list page answers a bad value alike (400, the list not silently empty): the form keeps
    what was typed and shows each error beside its field (``includes/form.html``). ``fields``
    names the fields the page shows (default: all); a bad value in one it does not show (a
    ``?date=`` on a page without a date field) comes back in ``messages``, "label: error", for
    the box beside the form.
    """
    form = filterset_class(data=data or None, queryset=filterset_class._meta.model._default_manager.none()).form
    form.is_valid()
    messages: list[str] = []
    if fields is not None:
        for name in [name for name in form.fields if name not in fields]:
            label = form.fields[name].label or name
            messages.extend(f"{label}: {error}" for error in form.errors.get(name, []))
            del form.fields[name]
    return form, messages
