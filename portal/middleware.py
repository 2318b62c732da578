from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from portal.exceptions import DomainError


def refusal_response(request, *, message: str, code: str, status: int):
    """A refusal that happens before any view: JSON under /api/, the error page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return render(request, "error.html", {"message": message, "status": status}, status=status)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_MAX_BYTES before a byte of it
    is read (413), and a Content-Length that is not a number (400).

    Django itself caps only the non-file part of a body (DATA_UPLOAD_MAX_MEMORY_SIZE); a large
    file upload would otherwise be streamed to a temporary file in full before any view could say
    no. It sits before the CSRF middleware, which reads the form of every POST. A body sent
    without Content-Length (chunked) is read by Django as empty, so the header is the whole story
    behind a WSGI server.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
            if length < 0:
                raise ValueError(declared)
        except ValueError:
            return refusal_response(request, message=_("The request's Content-Length is not valid."),
                                    code="bad_content_length", status=400)
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            response = refusal_response(
                request, status=413, code="request_too_large",
                message=_("The request is too large: at most %(mb).1f MB can be sent at once.")
                % {"mb": limit / 1024 / 1024},
            )
            # The body was never read; the connection cannot be reused for another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class DomainErrorMiddleware:
    """A rule of the hall that refuses a page request shows as a page with its message and status.

    Views normally catch DomainError and re-show their form; this is the net under them, so a
    refusal is never a 500. The API has its own handler (portal.exceptions.api_exception_handler).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return render(
                request,
                "error.html",
                {"message": exception.message, "status": exception.status_code},
                status=exception.status_code,
            )
        return None


class LoginRedirectMiddleware:
    """Where a visitor returns after signing in, when the sign-in interrupted them.

    ``login_required`` sends an anonymous visitor to sign in with ``next`` = the address asked
    for. For a form sent after the session ended (a POST to an address that only takes POST),
    that address would answer 405 after sign-in, so ``next`` becomes the page the form was on
    (the Referer, when it is on this site). And a visitor who still carries a session cookie
    that no longer signs them in is told their session ended (``expired=1``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 302 or getattr(request, "user", None) is None or request.user.is_authenticated:
            return response
        location = response.get("Location", "")
        login_url = resolve_url(settings.LOGIN_URL)
        if not location.startswith(login_url + "?"):
            return response
        query = QueryDict(location.split("?", 1)[1], mutable=True)
        if request.method == "POST":
            referer = request.headers.get("Referer", "")
            if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
                parts = urlsplit(referer)
                query["next"] = parts.path + (f"?{parts.query}" if parts.query else "")
        # Reading request.user loaded the session: a cookie whose session is gone (ended by
        # time or by signing out elsewhere) leaves the store without a key.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.session_key is None:
            query["expired"] = "1"
        response["Location"] = f"{login_url}?{query.urlencode(safe='/')}"
        return response
