from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _


class ConflictSafeAdminMixin:
    """A database constraint that refuses an admin save (two staff saving at once) is a message.

    The admin's change view runs in one transaction, so the whole save is rolled back: nothing is
    half-written, and the person sees why instead of a server error.
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
