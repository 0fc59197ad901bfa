from django.urls import path

from apps.registry.api.views import (
    aliases,
    evidence,
    governance,
    mlflow,
    models,
    promotions,
    versions,
)

app_name = "registry-api"

MODEL = "models/<int:model_id>/"
VERSION = "versions/<int:version_id>/"
EVIDENCE = "evidence/<int:evidence_id>/"
REQUEST = "requests/<int:request_id>/"

urlpatterns = [
    path("models/", models.ModelListApi.as_view(), name="model-list"),
    path(MODEL, models.ModelDetailApi.as_view(), name="model-detail"),
    path(
        MODEL + "versions/",
        models.ModelVersionListApi.as_view(),
        name="model-version-list",
    ),
    path(MODEL + "aliases/<slug:alias>/", aliases.AliasApi.as_view(), name="alias"),
    path("versions/", versions.VersionSearchApi.as_view(), name="version-search"),
    path(VERSION, versions.VersionDetailApi.as_view(), name="version-detail"),
    path(
        VERSION + "submit/",
        versions.VersionSubmitApi.as_view(),
        name="version-submit",
    ),
    path(
        VERSION + "revalidate/",
        versions.VersionRevalidateApi.as_view(),
        name="version-revalidate",
    ),
    path(
        VERSION + "evidence/",
        evidence.EvidenceListApi.as_view(),
        name="evidence-list",
    ),
    path(
        EVIDENCE + "review/",
        evidence.EvidenceReviewApi.as_view(),
        name="evidence-review",
    ),
    path(
        EVIDENCE + "download/",
        evidence.EvidenceDownloadApi.as_view(),
        name="evidence-download",
    ),
    path("requests/", promotions.RequestListApi.as_view(), name="request-list"),
    path(REQUEST, promotions.RequestDetailApi.as_view(), name="request-detail"),
    path(
        REQUEST + "decisions/",
        promotions.RequestDecideApi.as_view(),
        name="request-decide",
    ),
    path(
        REQUEST + "withdraw/",
        promotions.RequestWithdrawApi.as_view(),
        name="request-withdraw",
    ),
    path(
        REQUEST + "apply/",
        promotions.RequestApplyApi.as_view(),
        name="request-apply",
    ),
    path(
        REQUEST + "comments/",
        promotions.RequestCommentApi.as_view(),
        name="request-comment",
    ),
    path("policies/", governance.PolicyListApi.as_view(), name="policy-list"),
    path("findings/", governance.FindingListApi.as_view(), name="finding-list"),
    path(
        "findings/<int:finding_id>/resolve/",
        governance.FindingResolveApi.as_view(),
        name="finding-resolve",
    ),
    path("mlflow/", mlflow.MlflowConnectionApi.as_view(), name="mlflow-connection"),
]
