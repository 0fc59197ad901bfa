"""Registered models over the API: list, register, read, edit, and their versions.

Reads go through the selectors (another organisation's or team's model is a 404);
writes through the services, which refuse what the caller's roles do not allow (403).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as accounts_selectors
from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.core.api.serializers import IdField, represent
from apps.registry import selectors, services
from apps.registry.api import lookups
from apps.registry.api.serializers import (
    ModelVersionDetailSerializer,
    ModelVersionSerializer,
    RegisteredModelDetailSerializer,
    RegisteredModelSerializer,
    VersionContentInputSerializer,
)
from apps.registry.models import RegisteredModel, RiskTier

REVALIDATION_STATES = ["overdue", "due_soon", "ok"]


class ModelListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        team = IdField(required=False)
        risk_tier = serializers.ChoiceField(choices=RiskTier.choices, required=False)
        alias = serializers.CharField(
            max_length=60, required=False, allow_blank=True, help_text="Holds it."
        )
        revalidation = serializers.ChoiceField(
            choices=REVALIDATION_STATES,
            required=False,
            help_text="overdue; due_soon (within 30 days); ok (none overdue).",
        )
        q = serializers.CharField(
            max_length=200,
            required=False,
            allow_blank=True,
            help_text="In name or purpose.",
        )

    class RegisterInputSerializer(serializers.Serializer):
        team = IdField()
        name = serializers.CharField(max_length=200)
        risk_tier = serializers.ChoiceField(choices=RiskTier.choices)
        owner = IdField(required=False, help_text="A user id; default: you.")
        purpose = serializers.CharField(
            max_length=5000, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        parameters=[FilterSerializer], responses=RegisteredModelSerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=RegisteredModelSerializer,
            queryset=selectors.model_list(
                fetched_by=request.user, **filters.validated_data
            ),
            request=request,
            view=self,
        )

    @extend_schema(
        request=RegisterInputSerializer,
        responses={201: RegisteredModelDetailSerializer},
    )
    def post(self, request):
        data = self.RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team = accounts_selectors.team_get(
            fetched_by=request.user, team_id=fields.pop("team")
        )
        if team is None:
            raise serializers.ValidationError({"team": ["Unknown team."]})
        owner_id = fields.pop("owner", request.user.pk)
        model = services.model_create(
            team=team,
            owner=lookups.named_user(request, owner_id, field="owner"),
            created_by=request.user,
            **fields,
        )
        return Response(
            RegisteredModelDetailSerializer(
                lookups.model_detail(request, model.pk)
            ).data,
            status=status.HTTP_201_CREATED,
        )


class ModelDetailApi(APIView):
    permission_classes = [InOrganization]

    class UpdateInputSerializer(serializers.Serializer):
        purpose = serializers.CharField(
            max_length=5000, allow_blank=True, required=False
        )
        owner = IdField(required=False, help_text="A user id of the organisation.")
        risk_tier = serializers.ChoiceField(choices=RiskTier.choices, required=False)
        status = serializers.ChoiceField(
            choices=RegisteredModel.Status.choices, required=False
        )

        def validate(self, attrs: dict) -> dict:
            if not attrs:
                raise serializers.ValidationError("Give at least one field to change.")
            return attrs

    @extend_schema(responses=RegisteredModelDetailSerializer)
    def get(self, request, model_id: int):
        model = lookups.model_detail(request, model_id)
        return Response(RegisteredModelDetailSerializer(model).data)

    @extend_schema(
        request=UpdateInputSerializer, responses=RegisteredModelDetailSerializer
    )
    def patch(self, request, model_id: int):
        model = lookups.visible_model(request, model_id)
        data = self.UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "owner" in changes:
            changes["owner"] = lookups.named_user(
                request, changes["owner"], field="owner"
            )
        services.model_update(model=model, updated_by=request.user, **changes)
        model = lookups.model_detail(request, model_id)
        return Response(RegisteredModelDetailSerializer(model).data)


class ModelVersionListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    @extend_schema(responses=ModelVersionSerializer(many=True))
    def get(self, request, model_id: int):
        model = lookups.visible_model(request, model_id)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=ModelVersionSerializer,
            queryset=selectors.version_list(fetched_by=request.user, model=model.pk),
            request=request,
            view=self,
        )

    @extend_schema(
        request=VersionContentInputSerializer,
        responses={201: ModelVersionDetailSerializer},
    )
    def post(self, request, model_id: int):
        model = lookups.visible_model(request, model_id)
        data = VersionContentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_create(
            model=model, created_by=request.user, **data.validated_data
        )
        return Response(
            represent(
                ModelVersionDetailSerializer,
                selectors.version_detail_of_new(version=version),
            ),
            status=status.HTTP_201_CREATED,
        )
