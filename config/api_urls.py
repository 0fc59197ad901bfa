from django.urls import include, path

urlpatterns = [
    path("", include("apps.accounts.api.urls")),
    path("audit/", include("apps.audit.api.urls")),
    path("", include("apps.rubrics.api.urls")),
    path("", include("apps.assessments.api.urls")),
    path("registry/", include("apps.registry.api.urls")),
    path("repos/", include("apps.repos.api.urls")),
    path("roadmaps/", include("apps.roadmaps.api.urls")),
    path("webhooks/", include("apps.webhooks.api.urls")),
    path("reports/", include("apps.reports.api.urls")),
]
