from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from portal.dashboard import dashboard_all
from portal.health import health_report
from portal.home import home_sections


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"figures": dashboard_all(limit=4), "sections": home_sections()})


def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/dashboard.html", {"figures": dashboard_all()})


def _way_back(request: HttpRequest) -> str:
    """The page the person came from, when it is on this site and is not this page: the error
    pages offer it as the way back, beside the home page."""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return ""
    parts = urlsplit(referer)
    back = parts.path + (f"?{parts.query}" if parts.query else "")
    return "" if parts.path == request.path else back


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message, "back": _way_back(request)}, status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """Django's own refusals of a request (a form over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields
    or files, a bad host) with a message saying which, as JSON under /api/."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    from portal.middleware import refusal_response

    if isinstance(exception, RequestDataTooBig):
        message, code = _("The form data is too large to be accepted."), "request_too_large"
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        message, code = _("The request has too many fields or files."), "too_many_fields"
    else:
        message, code = _("The request could not be understood."), "bad_request"
    return refusal_response(request, message=message, code=code, status=400)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", {"back": _way_back(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)


@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer: no sign-in, nothing personal, never cached (see portal/health.py)."""
    status, report = health_report()
    return JsonResponse(report, status=status)
