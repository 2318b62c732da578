"""One error contract for the whole portal.

Domain code raises one of the shared refusals below (Invalid 400, Forbidden 403, NotFound 404,
Conflict 409, TransitionNotAllowed 409) or a subclass of one of them defined in the app's
``exceptions.py``: an app never defines a refusal that does not derive from these. The
API handler turns them, Django's own errors and unique-constraint violations into JSON with a human
``detail`` and a stable ``code``; pages catch DomainError and show ``message`` to the person.
"""
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler


class DomainError(Exception):
    """A rule of the hall refused the request. Subclasses set status and code."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    default_message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.field = field
        super().__init__(str(self.message))


class Invalid(DomainError):
    """400: the input breaks a rule (optionally tied to one field)."""


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    """409: the request clashes with the current state (a full slot, a forbidden transition)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class TransitionNotAllowed(Conflict):
    """409: the state machine has no move from the current state to the one asked for.

    Every app's state machines raise this one class (from ``portal.workflow.transition_move``),
    so a client sees the same ``code`` for the same refusal everywhere.
    """

    code = "transition_not_allowed"
    default_message = _("This move is not allowed from the current state.")


def _body(detail, code: str, field: str | None = None) -> dict:
    body = {"detail": str(detail), "code": code}
    if field:
        body["errors"] = {field: [str(detail)]}
    return body


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(_body(exc.message, exc.code, exc.field), status=exc.status_code)
    if isinstance(exc, IntegrityError):
        # A unique constraint caught a race the Python checks could not see: a conflict, never 500.
        return Response(
            _body(_("This conflicts with an existing record."), "conflict"),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_default_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {
            "detail": str(_("Some fields are not valid.")),
            "code": "invalid",
            "errors": errors,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response
