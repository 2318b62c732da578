from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from portal.accounts.actions import user_create, user_language_set, user_profile_update
from portal.accounts.forms import ProfileForm, SignUpForm
from portal.accounts.login_reasons import login_reason_for
from portal.accounts.selectors import me_sections, me_todos
from portal.notifications.actions import notification_mark_read
from portal.notifications.selectors import notification_list


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` a form or link carries, if it stays on this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return ""


class PortalLoginView(LoginView):
    """Django's sign-in, saying why it is asked for: the page the visitor came from (``next``)
    may have registered a reason (portal/accounts/login_reasons.py), and an ended session says so."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason"] = login_reason_for(context.get("next") or "")
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:me")
    next_url = _safe_next(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_create(
            username=data["username"],
            password=data["password1"],
            email=data["email"],
            display_name=data["display_name"],
            mobile=data["mobile"],
            company_name=data["company_name"],
            language=get_language() if get_language() in dict(settings.LANGUAGES) else "",
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        # Back to what they came for (the booking page), else their page.
        return redirect(next_url or "accounts:me")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url,
                                                    "reason": login_reason_for(next_url)})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The personal page: each app contributes its section (my bookings, ideas, activities...)."""
    return render(request, "accounts/me.html", {
        "todos": me_todos(user=request.user), "sections": me_sections(user=request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = user_profile_update(user=request.user, **form.cleaned_data)
        response = redirect("accounts:me")
        if user.language:
            # The pages follow the chosen language too, from the next one on.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                                samesite=settings.LANGUAGE_COOKIE_SAMESITE)
            with translation.override(user.language):
                messages.success(request, _("Your profile was saved."))
        else:
            messages.success(request, _("Your profile was saved."))
        return response
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice of a signed-in person so that
    their notifications and mail come in the language they read the site in."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return response


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = notification_list(user=request.user)[:100]
    return render(request, "accounts/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    notification_mark_read(user=request.user)
    return redirect("accounts:notifications")


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:
    """What django-axes answers once an account or address is locked out (AXES_LOCKOUT_CALLABLE).

    Every refused try restarts the pause (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the
    whole cool-off is exactly how long the person has to wait: that is the Retry-After.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, seconds // 60)
    if request.path.startswith("/api/"):
        response = JsonResponse({
            "detail": ngettext(
                "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes},
            "code": "locked_out",
        }, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response
