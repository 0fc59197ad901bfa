from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("assessments/", include("apps.assessments.urls")),
    path("dashboards/", include("apps.dashboards.urls")),
    path("registry/", include("apps.registry.urls")),
    path("hooks/", include("apps.repos.hook_urls")),
    path("reports/", include("apps.reports.urls")),
    path("repos/", include("apps.repos.urls")),
    path("roadmaps/", include("apps.roadmaps.urls")),
    path("", include("apps.accounts.urls")),
]

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
