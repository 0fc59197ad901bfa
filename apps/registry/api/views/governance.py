"""Promotion policies (read by everyone, written by org admins, one version per edit)
and the registry's findings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.core.api.serializers import FlatErrorsSerializer
from apps.registry import gates, selectors, services
from apps.registry.api import lookups
from apps.registry.api.serializers import FindingSerializer, PromotionPolicySerializer
from apps.registry.models import (
    ALIAS_PATTERN,
    APPROVER_ROLES,
    EvidenceRequirement,
    Finding,
    RiskTier,
)


def _once(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise serializers.ValidationError("Name each one once.")
    return values


class RequirementInputSerializer(serializers.Serializer):
    key = serializers.SlugField(max_length=60)
    # A plain string checked here: as a choice it would name the evidence kinds'
    # enum a second time (see apps/registry/api/serializers/catalogue.py).
    kind = serializers.CharField(
        max_length=30, help_text=" | ".join(EvidenceRequirement.Kind.values)
    )
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    mandatory = serializers.BooleanField(required=False, default=True)

    def validate_kind(self, value: str) -> str:
        if value not in EvidenceRequirement.Kind.values:
            raise serializers.ValidationError(
                f"Use one of {EvidenceRequirement.Kind.values}."
            )
        return value


class PolicyListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        history = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Every version, not only the current.",
        )

    class SetInputSerializer(FlatErrorsSerializer):
        risk_tier = serializers.ChoiceField(choices=RiskTier.choices)
        target = serializers.RegexField(
            ALIAS_PATTERN, help_text="The protected alias, e.g. production."
        )
        required_approvals = serializers.IntegerField(min_value=1, max_value=20)
        required_roles = serializers.ListField(
            child=serializers.ChoiceField(choices=APPROVER_ROLES),
            required=False,
            default=list,
            validators=[_once],
        )
        approval_ttl_days = serializers.IntegerField(min_value=1, max_value=365)
        revalidation_interval_days = serializers.IntegerField(
            min_value=1, max_value=3650, required=False, allow_null=True, default=None
        )
        required_signals = serializers.ListField(
            child=serializers.ChoiceField(choices=sorted(gates.SIGNAL_CHECKS)),
            required=False,
            default=list,
            validators=[_once],
        )
        allow_break_glass = serializers.BooleanField(required=False, default=False)
        retrospective_hours = serializers.IntegerField(
            min_value=1, max_value=720, required=False, default=72
        )
        requirements = RequirementInputSerializer(
            many=True, required=False, default=list, max_length=50
        )

    @extend_schema(
        parameters=[FilterSerializer], responses=PromotionPolicySerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=PromotionPolicySerializer,
            queryset=selectors.policy_list(
                fetched_by=request.user,
                current_only=not filters.validated_data["history"],
            ),
            request=request,
            view=self,
        )

    @extend_schema(
        request=SetInputSerializer, responses={201: PromotionPolicySerializer}
    )
    def post(self, request):
        data = self.SetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        spec = dict(data.validated_data)
        policy = services.policy_set(
            organization=request.user.organization,
            risk_tier=spec.pop("risk_tier"),
            target=spec.pop("target"),
            spec=spec,
            set_by=request.user,
        )
        return Response(
            PromotionPolicySerializer(policy).data, status=status.HTTP_201_CREATED
        )


class FindingListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Finding.Status.choices, required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=FindingSerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=FindingSerializer,
            queryset=selectors.finding_list(
                fetched_by=request.user, **filters.validated_data
            ),
            request=request,
            view=self,
        )


class FindingResolveApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=2000, help_text="How it was resolved.")

    @extend_schema(request=InputSerializer, responses=FindingSerializer)
    def post(self, request, finding_id: int):
        finding = lookups.visible_finding(request, finding_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.finding_resolve(
            finding=finding, resolved_by=request.user, **data.validated_data
        )
        return Response(FindingSerializer(finding).data)
