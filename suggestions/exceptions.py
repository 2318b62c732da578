from django.utils.translation import gettext_lazy as _
from rest_framework import status

from portal.exceptions import Conflict, DomainError, Forbidden, Invalid, NotFound  # noqa: F401


class RateLimited(DomainError):
    """429: the person submitted as many entries as the hourly limit allows."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"
    default_message = _("You have submitted too many entries in the last hour. Please try again later.")
