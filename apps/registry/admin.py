"""The registry changes only through its services and the promotion workflow (each step
audited, history append-only in the database): read-only here."""

from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin
from apps.registry.models import (
    Alias,
    Decision,
    EvidenceItem,
    Finding,
    MlflowConnection,
    ModelVersion,
    PromotionPolicy,
    PromotionRequest,
    RegisteredModel,
)


@admin.register(RegisteredModel)
class RegisteredModelAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "team", "risk_tier", "owner", "status"]
    list_filter = ["risk_tier", "status"]
    list_select_related = ["team", "owner"]
    search_fields = ["name", "purpose"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyModelAdmin):
    list_display = ["model", "version", "status", "code_commit", "revalidation_due"]
    list_filter = ["status"]
    list_select_related = ["model"]
    search_fields = ["model__name", "code_commit", "artifact_sha256"]


@admin.register(Alias)
class AliasAdmin(ReadOnlyModelAdmin):
    list_display = ["model", "name", "version", "protected", "set_by", "set_at"]
    list_filter = ["protected", "name"]
    list_select_related = ["model", "version__model", "set_by"]


@admin.register(PromotionPolicy)
class PromotionPolicyAdmin(ReadOnlyModelAdmin):
    list_display = [
        "organization",
        "target",
        "risk_tier",
        "version",
        "required_approvals",
        "approval_ttl_days",
    ]
    list_filter = ["target", "risk_tier"]
    list_select_related = ["organization"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyModelAdmin):
    list_display = ["version", "requirement_key", "status", "sha256", "url"]
    list_filter = ["status", "kind"]
    list_select_related = ["version__model"]


@admin.register(PromotionRequest)
class PromotionRequestAdmin(ReadOnlyModelAdmin):
    list_display = ["pk", "version", "target", "status", "requested_by", "opened_at"]
    list_filter = ["status", "target", "break_glass"]
    list_select_related = ["version__model", "requested_by"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyModelAdmin):
    list_display = ["request", "approver", "outcome", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["request__version__model", "approver"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyModelAdmin):
    list_display = ["model", "kind", "status", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["model"]


@admin.register(MlflowConnection)
class MlflowConnectionAdmin(ReadOnlyModelAdmin):
    # The token stays out of the admin: it is encrypted and never shown.
    fields = [
        "organization",
        "tracking_uri",
        "enabled",
        "default_team",
        "last_synced_at",
    ]
    list_display = ["organization", "tracking_uri", "enabled", "last_synced_at"]
