from django.urls import path

from apps.repos.views import pages

app_name = "repos"

urlpatterns = [
    path("", pages.repo_list, name="repo-list"),
    path("link/", pages.repo_link, name="repo-link"),
    path("<int:repo_id>/", pages.repo_detail, name="repo-detail"),
    path("<int:repo_id>/scan/", pages.repo_scan, name="repo-scan"),
    path("<int:repo_id>/settings/", pages.repo_update, name="repo-update"),
    path(
        "<int:repo_id>/webhook-secret/",
        pages.webhook_secret_rotate,
        name="repo-webhook-secret",
    ),
    path(
        "scans/<int:scan_id>/progress.json",
        pages.scan_progress,
        name="scan-progress",
    ),
]
