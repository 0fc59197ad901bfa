from django.urls import path

from apps.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.model_list, name="model-list"),
    path("models/<int:model_id>/", views.model_detail, name="model-detail"),
    path("models/<int:model_id>/requests/", views.promotion_open, name="request-open"),
    path("models/<int:model_id>/evidence/", views.evidence_add, name="evidence-add"),
    path(
        "models/<int:model_id>/evidence/<int:item_id>/review/",
        views.model_evidence_review,
        name="model-evidence-review",
    ),
    path("evidence/<int:item_id>/file/", views.evidence_file, name="evidence-file"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/<int:request_id>/", views.request_detail, name="request-detail"),
    path(
        "requests/<int:request_id>/decide/",
        views.request_decide,
        name="request-decide",
    ),
    path(
        "requests/<int:request_id>/withdraw/",
        views.request_withdraw,
        name="request-withdraw",
    ),
    path("requests/<int:request_id>/apply/", views.request_apply, name="request-apply"),
    path(
        "requests/<int:request_id>/break-glass/",
        views.request_break_glass,
        name="request-break-glass",
    ),
    path(
        "requests/<int:request_id>/comments/",
        views.request_comment,
        name="request-comment",
    ),
    path(
        "requests/<int:request_id>/evidence/<int:item_id>/review/",
        views.request_evidence_review,
        name="request-evidence-review",
    ),
]
