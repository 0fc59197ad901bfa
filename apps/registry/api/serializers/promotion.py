"""Shapes of the promotion workflow: requests with their decisions, comments and
readiness; policies; findings. None of them queries."""

from __future__ import annotations

from rest_framework import serializers

from apps.accounts.api.serializers import UserBriefSerializer
from apps.registry.api.serializers.catalogue import (
    ModelRefSerializer,
    VersionRefSerializer,
    choices_text,
)
from apps.registry.models import (
    Comment,
    Decision,
    Finding,
    PromotionPolicy,
    PromotionRequest,
)

# --- Promotion requests -------------------------------------------------------------------


class PromotionRequestSerializer(serializers.ModelSerializer):
    model = ModelRefSerializer(source="version.model")
    version = VersionRefSerializer()
    status = serializers.CharField(help_text=choices_text(PromotionRequest.Status))
    requested_by = UserBriefSerializer()
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", allow_null=True)
    retrospective_of = serializers.IntegerField(
        source="retrospective_of_id",
        allow_null=True,
        help_text="The break-glass apply this request reviews.",
    )

    class Meta:
        model = PromotionRequest
        fields = [
            "id",
            "model",
            "version",
            "target",
            "status",
            "requested_by",
            "on_behalf_of",
            "opened_at",
            "approved_until",
            "closed_at",
            "break_glass",
            "retrospective_of",
            "retrospective_due",
        ]


class DecisionSerializer(serializers.ModelSerializer):
    approver = UserBriefSerializer()
    outcome = serializers.CharField(help_text=choices_text(Decision.Outcome))
    roles = serializers.ListField(child=serializers.CharField())
    still_valid = serializers.BooleanField(
        help_text="An approval stops counting when the evidence changes or it "
        "outlives the policy's TTL; a reject always counts."
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "approver",
            "outcome",
            "roles",
            "comment",
            "decided_at",
            "still_valid",
        ]


class RequestCommentSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer()
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "supersedes", "created_at"]


class ReadinessSerializer(serializers.Serializer):
    approved = serializers.BooleanField(help_text="The policy snapshot is met.")
    valid_approvals = serializers.IntegerField()
    covered_roles = serializers.SerializerMethodField()
    blockers = serializers.ListField(
        child=serializers.CharField(), help_text="Everything still missing."
    )

    def get_covered_roles(self, readiness) -> list[str]:
        return sorted(readiness.covered_roles)


class PromotionRequestDetailSerializer(PromotionRequestSerializer):
    on_behalf_of = UserBriefSerializer(allow_null=True)
    applied_by = UserBriefSerializer(allow_null=True)
    policy = serializers.IntegerField(source="policy_id")
    policy_snapshot = serializers.JSONField(
        help_text="The policy as it was when the request opened; it decides the request."
    )
    decisions = DecisionSerializer(many=True)
    comments = RequestCommentSerializer(many=True)
    readiness = ReadinessSerializer()

    class Meta(PromotionRequestSerializer.Meta):
        fields = [
            *PromotionRequestSerializer.Meta.fields,
            "justification",
            "approved_at",
            "applied_by",
            "policy",
            "policy_snapshot",
            "evidence_digest_at_open",
            "decisions",
            "comments",
            "readiness",
        ]


# --- Policies and findings --------------------------------------------------------------


class RequirementSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    mandatory = serializers.BooleanField()


class PromotionPolicySerializer(serializers.ModelSerializer):
    required_roles = serializers.ListField(child=serializers.CharField())
    required_signals = serializers.ListField(child=serializers.CharField())
    requirements = RequirementSerializer(many=True)
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)

    class Meta:
        model = PromotionPolicy
        fields = [
            "id",
            "risk_tier",
            "target",
            "version",
            "required_approvals",
            "required_roles",
            "approval_ttl_days",
            "revalidation_interval_days",
            "required_signals",
            "allow_break_glass",
            "retrospective_hours",
            "requirements",
            "created_by",
            "created_at",
        ]


class FindingSerializer(serializers.ModelSerializer):
    model = ModelRefSerializer()
    kind = serializers.CharField(help_text=choices_text(Finding.Kind))
    status = serializers.CharField(help_text=choices_text(Finding.Status))
    detail = serializers.JSONField()
    resolved_by = serializers.IntegerField(source="resolved_by_id", allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "model",
            "kind",
            "status",
            "detail",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
