"""Model versions over the API: search, read, edit a draft, submit, revalidate."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import SeqCursorPagination, paginated_response
from apps.core.api.serializers import IdField, represent
from apps.registry import selectors, services
from apps.registry.api import lookups
from apps.registry.api.serializers import (
    ModelVersionDetailSerializer,
    ModelVersionSerializer,
    VersionContentInputSerializer,
)
from apps.registry.models import SHA256_PATTERN, ModelVersion, RiskTier


class IdCursorPagination(SeqCursorPagination):
    """Newest versions first; a cursor stays stable while versions are added."""

    ordering = "-id"


class VersionSearchApi(APIView):
    pagination_class = IdCursorPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        model = IdField(required=False)
        team = IdField(required=False)
        risk_tier = serializers.ChoiceField(choices=RiskTier.choices, required=False)
        status = serializers.ChoiceField(
            choices=ModelVersion.Status.choices, required=False
        )
        alias = serializers.CharField(max_length=60, required=False, allow_blank=True)
        code_commit = serializers.CharField(
            max_length=64, required=False, allow_blank=True, help_text="A prefix."
        )
        artifact_sha256 = serializers.RegexField(SHA256_PATTERN, required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=ModelVersionSerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=ModelVersionSerializer,
            queryset=selectors.version_list(
                fetched_by=request.user, **filters.validated_data
            ),
            request=request,
            view=self,
        )


class VersionDetailApi(APIView):
    permission_classes = [InOrganization]

    class UpdateInputSerializer(VersionContentInputSerializer):
        def validate(self, attrs: dict) -> dict:
            if not attrs:
                raise serializers.ValidationError("Give at least one field to change.")
            return attrs

    @extend_schema(responses=ModelVersionDetailSerializer)
    def get(self, request, version_id: int):
        version = lookups.version_detail(request, version_id)
        return Response(represent(ModelVersionDetailSerializer, version))

    @extend_schema(
        request=UpdateInputSerializer, responses=ModelVersionDetailSerializer
    )
    def patch(self, request, version_id: int):
        version = lookups.visible_version(request, version_id)
        data = self.UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.version_update(
            version=version, updated_by=request.user, **data.validated_data
        )
        version = lookups.version_detail(request, version_id)
        return Response(represent(ModelVersionDetailSerializer, version))


class VersionSubmitApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(request=None, responses=ModelVersionDetailSerializer)
    def post(self, request, version_id: int):
        version = lookups.visible_version(request, version_id)
        services.version_submit(version=version, submitted_by=request.user)
        version = lookups.version_detail(request, version_id)
        return Response(represent(ModelVersionDetailSerializer, version))


class VersionRevalidateApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(
            max_length=2000, help_text="What was checked, and the outcome."
        )
        interval_days = serializers.IntegerField(
            min_value=1,
            max_value=3650,
            required=False,
            help_text="Days to the next revalidation; default: the applied policy's.",
        )

    @extend_schema(request=InputSerializer, responses=ModelVersionDetailSerializer)
    def post(self, request, version_id: int):
        version = lookups.visible_version(request, version_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.version_revalidate(
            version=version, revalidated_by=request.user, **data.validated_data
        )
        version = lookups.version_detail(request, version_id)
        return Response(represent(ModelVersionDetailSerializer, version))
