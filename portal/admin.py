from django.contrib import messages
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _


class _SafeAutocompleteMixin:
    """Django's autocomplete widget looks the submitted ids up again to redraw a refused form; an
    id that is not one (``bundle=abc``) raised ValueError there, a 500. Such values are left out:
    the form has already said why it refused them."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", remote.model._meta.pk.attname))
        low, high = connections[self.db or "default"].ops.integer_field_range(target.get_internal_type())
        usable = []
        for item in value:
            try:
                prepared = target.get_prep_value(target.to_python(item))
            except (ValidationError, ValueError, TypeError, OverflowError):
                continue
            # An id beyond the column's integers overflows SQLite in the IN (...) lookup.
            if isinstance(prepared, int) and (
                (low is not None and prepared < low) or (high is not None and prepared > high)
            ):
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class SafeAutocompleteSelect(_SafeAutocompleteMixin, widgets.AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_SafeAutocompleteMixin, widgets.AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdminMixin:
    """For a ModelAdmin or an inline: its autocomplete fields redraw a refused form, whatever
    was submitted (SafeAutocompleteSelect)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        # The admin wraps the widget (the "add another" links); the autocomplete is inside.
        inner = getattr(widget, "widget", widget)
        for plain, safe in ((widgets.AutocompleteSelect, SafeAutocompleteSelect),
                            (widgets.AutocompleteSelectMultiple, SafeAutocompleteSelectMultiple)):
            if type(inner) is plain:
                inner.__class__ = safe
        return field


class ConflictSafeAdminMixin(SafeAutocompleteAdminMixin):
    """A database constraint that refuses an admin save (two staff saving at once) is a message.

    The admin's change view runs in one transaction, so the whole save is rolled back: nothing is
    half-written, and the person sees why instead of a server error. Malformed ids in an
    autocomplete field are a form error too (SafeAutocompleteAdminMixin).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            messages.error(
                request,
                _("This conflicts with a change saved meanwhile; nothing was saved. Please check and try again."),
            )
            return HttpResponseRedirect(request.get_full_path())
