from __future__ import annotations

import yaml
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as account_selectors
from apps.accounts.permissions import InOrganization, IsOrgAdmin
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.rubrics import selectors, services
from apps.rubrics.api.permissions import ReadsTeamTargets
from apps.rubrics.api.serializers import RubricSerializer, RubricTreeSerializer


class YamlRenderer(renderers.BaseRenderer):
    """Lets a client ask for application/yaml; errors then come as YAML too."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        return text.encode(self.charset)


class RubricListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    @extend_schema(responses=RubricSerializer(many=True))
    def get(self, request):
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=RubricSerializer,
            queryset=selectors.rubric_list(fetched_by=request.user),
            request=request,
            view=self,
        )


class RubricDetailApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(responses=RubricTreeSerializer)
    def get(self, request, slug: str, version: str):
        rubric = selectors.rubric_tree_get(
            slug=slug, version=version, fetched_by=request.user
        )
        if rubric is None:
            raise exceptions.NotFound()
        return Response(RubricTreeSerializer(rubric).data)


class RubricExportApi(APIView):
    permission_classes = [InOrganization]
    renderer_classes = [renderers.JSONRenderer, YamlRenderer]

    @extend_schema(responses={(200, "application/yaml"): OpenApiTypes.STR})
    def get(self, request, slug: str, version: str):
        rubric = selectors.rubric_get(
            slug=slug, version=version, fetched_by=request.user
        )
        if rubric is None:
            raise exceptions.NotFound()
        text = services.rubric_to_yaml(selectors.rubric_spec(rubric=rubric))
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{rubric.slug}-{rubric.version}.yaml"'
        )
        return response


class DimensionWeightSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.FloatField()
    core = serializers.BooleanField()
    default_weight = serializers.FloatField()
    default_core = serializers.BooleanField()
    overridden = serializers.BooleanField()


class DimensionSettingsApi(APIView):
    """GET: the organisation's weight and core flag per dimension of the latest
    published version; POST (org admins): set or clear one dimension's override."""

    class InputSerializer(serializers.Serializer):
        dimension = serializers.CharField(max_length=40)
        weight = serializers.FloatField(required=False)
        core = serializers.BooleanField(required=False)
        clear = serializers.BooleanField(default=False)

        def validate(self, data):
            needed = [] if data["clear"] else ["weight", "core"]
            missing = [name for name in needed if name not in data]
            if missing:
                raise serializers.ValidationError(
                    {name: ["Required unless clear is true."] for name in missing}
                )
            return data

    class OutputSerializer(serializers.Serializer):
        rubric = serializers.CharField(source="rubric.slug")
        version = serializers.CharField(source="rubric.version")
        dimensions = DimensionWeightSerializer(many=True)

    def get_permissions(self):
        return [IsOrgAdmin() if self.request.method == "POST" else InOrganization()]

    @extend_schema(responses=OutputSerializer)
    def get(self, request, slug: str):
        weights = selectors.dimension_weights(
            organization=request.user.organization, rubric_slug=slug
        )
        if weights is None:
            raise exceptions.NotFound()
        return Response(self.OutputSerializer(weights).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request, slug: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = {
            "organization": request.user.organization,
            "rubric_slug": slug,
            "dimension_key": data.validated_data["dimension"],
            "actor": request.user,
        }
        if data.validated_data["clear"]:
            services.dimension_setting_clear(**change)
        else:
            services.dimension_setting_set(
                **change,
                weight=data.validated_data["weight"],
                core=data.validated_data["core"],
            )
        return self.get(request, slug)


class DimensionTargetSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)


class TeamTargetsApi(APIView):
    """GET (team leads, org-wide readers): a team's target level per dimension of the
    latest published version of ?rubric=; POST (org admins): set or clear one."""

    class FilterSerializer(serializers.Serializer):
        rubric = serializers.SlugField(max_length=60)

    class InputSerializer(serializers.Serializer):
        rubric = serializers.SlugField(max_length=60)
        dimension = serializers.CharField(max_length=40)
        level = serializers.IntegerField(required=False)
        clear = serializers.BooleanField(default=False)

        def validate(self, data):
            if not data["clear"] and "level" not in data:
                raise serializers.ValidationError(
                    {"level": ["Required unless clear is true."]}
                )
            return data

    class OutputSerializer(serializers.Serializer):
        team = serializers.IntegerField(source="team.pk")
        rubric = serializers.CharField(source="targets.rubric.slug")
        version = serializers.CharField(source="targets.rubric.version")
        dimensions = DimensionTargetSerializer(source="targets.dimensions", many=True)

    def get_permissions(self):
        return [IsOrgAdmin() if self.request.method == "POST" else ReadsTeamTargets()]

    def _team(self, request, team_id: int):
        team = account_selectors.team_get(fetched_by=request.user, team_id=team_id)
        if team is None:
            raise exceptions.NotFound()
        return team

    def _respond(self, team, rubric_slug: str) -> Response:
        targets = selectors.team_targets(team=team, rubric_slug=rubric_slug)
        if targets is None:
            raise exceptions.NotFound()
        return Response(self.OutputSerializer({"team": team, "targets": targets}).data)

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request, team_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return self._respond(
            self._team(request, team_id), filters.validated_data["rubric"]
        )

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request, team_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team, values = self._team(request, team_id), data.validated_data
        change = {
            "team": team,
            "rubric_slug": values["rubric"],
            "dimension_key": values["dimension"],
            "actor": request.user,
        }
        if values["clear"]:
            services.team_target_clear(**change)
        else:
            services.team_target_set(**change, level=values["level"])
        return self._respond(team, values["rubric"])
