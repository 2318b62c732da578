from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.dashboard import dashboard_all
from portal.home import home_sections


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"figures": dashboard_all()[:4], "sections": home_sections()})


def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/dashboard.html", {"figures": dashboard_all()})


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)
