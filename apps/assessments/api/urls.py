from django.urls import path

from apps.assessments.api import reviews, views

app_name = "assessments-api"

ASSESSMENT = "assessments/<int:assessment_id>/"
EVIDENCE = ASSESSMENT + "evidence/<int:evidence_id>/"

urlpatterns = [
    path("assessments/", views.AssessmentListApi.as_view(), name="assessment-list"),
    path(
        "assessments/create/",
        views.AssessmentCreateApi.as_view(),
        name="assessment-create",
    ),
    path(
        "assessments/compare/",
        views.AssessmentCompareApi.as_view(),
        name="assessment-compare",
    ),
    path(
        "assessments/rollup/",
        views.AssessmentRollupApi.as_view(),
        name="assessment-rollup",
    ),
    path(ASSESSMENT, views.AssessmentDetailApi.as_view(), name="assessment-detail"),
    path(ASSESSMENT + "answers/", views.AnswerSaveApi.as_view(), name="answer-save"),
    path(ASSESSMENT + "evidence/", views.EvidenceAddApi.as_view(), name="evidence-add"),
    path(
        EVIDENCE + "download/",
        views.EvidenceDownloadApi.as_view(),
        name="evidence-download",
    ),
    path(
        ASSESSMENT + "submit/",
        views.AssessmentSubmitApi.as_view(),
        name="assessment-submit",
    ),
    path(
        ASSESSMENT + "scores/",
        views.AssessmentScoresApi.as_view(),
        name="assessment-scores",
    ),
    path(
        ASSESSMENT + "review/start/",
        reviews.ReviewStartApi.as_view(),
        name="review-start",
    ),
    path(
        EVIDENCE + "verify/",
        reviews.EvidenceVerifyApi.as_view(),
        name="evidence-verify",
    ),
    path(
        EVIDENCE + "reject/",
        reviews.EvidenceRejectApi.as_view(),
        name="evidence-reject",
    ),
    path(
        ASSESSMENT + "disagreements/resolve/",
        reviews.DisagreementResolveApi.as_view(),
        name="disagreement-resolve",
    ),
    path(
        ASSESSMENT + "conflicts/resolve/",
        reviews.ConflictResolveApi.as_view(),
        name="conflict-resolve",
    ),
    path(
        ASSESSMENT + "review/complete/",
        reviews.ReviewCompleteApi.as_view(),
        name="review-complete",
    ),
    path(
        ASSESSMENT + "reopen/",
        reviews.AssessmentReopenApi.as_view(),
        name="assessment-reopen",
    ),
]
