from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import points.urls
import portal.cases.urls
import portal.hall.urls
import services.urls
import suggestions.urls
import volunteers.urls
from portal import views
from portal.accounts import api as accounts_api
from portal.accounts import views as accounts_views
from portal.metrics import metrics_view
from portal.pagecache import page_cache

admin.site.site_header = _("Youth-friendly government service hall")
admin.site.site_title = _("Service hall admin")
admin.site.index_title = _("Hall staff workspace")

api_v1 = [
    path("auth/token/", accounts_api.TokenObtainApi.as_view(), name="api-token"),
    *portal.hall.urls.api_urlpatterns,
    *services.urls.api_urlpatterns,
    *portal.cases.urls.api_urlpatterns,
    *volunteers.urls.api_urlpatterns,
    *points.urls.api_urlpatterns,
    *suggestions.urls.api_urlpatterns,
]

urlpatterns = [
    path("", page_cache(views.home), name="home"),
    path("dashboard/", page_cache(views.dashboard), name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    # Prometheus: only METRICS_ALLOWED_IPS get an answer (portal/metrics.py).
    path("metrics", metrics_view, name="metrics"),
    # Django's language switch (django.conf.urls.i18n), remembering a signed-in person's choice.
    path("i18n/setlang/", accounts_views.language_switch, name="set_language"),
    path("", include("portal.accounts.urls")),
    path("", include("services.urls")),
    path("", include("portal.cases.urls")),
    path("", include("volunteers.urls")),
    path("", include("points.urls")),
    path("", include("suggestions.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from a URL instead of inline, and our
    # template keeps its few styles in a static file: both hold under the Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="portal/swagger_ui.html"),
        name="api-docs",
    ),
]

if settings.BENCH_FLOOR:  # make bench only (portal/bench.py)
    from portal import bench

    urlpatterns += [
        path("bench/floor/", bench.floor, name="bench-floor"),
        path("bench/floor-write/", bench.FloorWriteApi.as_view(), name="bench-floor-write"),
    ]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
