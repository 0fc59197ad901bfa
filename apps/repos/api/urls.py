from django.urls import path

from apps.repos.api.views import repos, scans

app_name = "repos-api"

REPO = "<int:repo_id>/"

urlpatterns = [
    path("", repos.RepoListApi.as_view(), name="repo-list"),
    path(REPO, repos.RepoDetailApi.as_view(), name="repo-detail"),
    path(
        REPO + "webhook-secret/",
        repos.RepoWebhookSecretApi.as_view(),
        name="repo-webhook-secret",
    ),
    path(REPO + "scans/", scans.RepoScanListApi.as_view(), name="repo-scan-list"),
    path(REPO + "signals/", scans.RepoSignalsApi.as_view(), name="repo-signals"),
    path(REPO + "runs/", scans.RepoRunListApi.as_view(), name="repo-run-list"),
    path("scans/<int:scan_id>/", scans.ScanDetailApi.as_view(), name="scan-detail"),
    path(
        "teams/<int:team_id>/signals/",
        scans.TeamSignalsApi.as_view(),
        name="team-signals",
    ),
]
