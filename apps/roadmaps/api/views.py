"""Roadmaps over the API: a team's roadmap, planning it again, the team's edits to an
item, and the gaps the organisation's teams share.

Reads go through the selectors (a team or item the caller cannot see is a 404);
writes through the services, which refuse what the caller's roles do not allow (403)
and bad edits whole (400, with a message per field).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.api.serializers import IdField, represent
from apps.roadmaps import selectors, services
from apps.roadmaps.api import lookups
from apps.roadmaps.api.serializers import (
    OrgGapsSerializer,
    RoadmapItemSerializer,
    RoadmapSerializer,
)
from apps.roadmaps.models import RoadmapItem


class TeamRoadmapApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(
        responses=RoadmapSerializer,
        description="404 (code `no_roadmap`) while the team has none: generate one.",
    )
    def get(self, request, team_id: int):
        team = lookups.visible_team(request, team_id)
        return Response(represent(RoadmapSerializer, lookups.team_roadmap(team)))


class TeamRoadmapGenerateApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(
        request=None,
        responses=RoadmapSerializer,
        description="Plan the roadmap again from the team's latest handed-in "
        "assessment and its current signals, keeping the team's edits. 400 (code "
        "`no_assessment`) when no assessment has been submitted.",
    )
    def post(self, request, team_id: int):
        team = lookups.visible_team(request, team_id)
        services.roadmap_generate(team=team, generated_by=request.user)
        return Response(represent(RoadmapSerializer, lookups.team_roadmap(team)))


class RoadmapItemDetailApi(APIView):
    permission_classes = [InOrganization]

    class UpdateInputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=RoadmapItem.Status.choices, required=False
        )
        owner = IdField(
            required=False,
            allow_null=True,
            help_text="A user id of the team; null clears it.",
        )
        due_quarter = serializers.CharField(
            max_length=20,
            required=False,
            allow_blank=True,
            help_text='"2027-Q1"; empty clears it.',
        )
        dismissed_reason = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            help_text="Required to dismiss the item.",
        )

        def validate(self, attrs: dict) -> dict:
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}
                )
            if not attrs:
                raise serializers.ValidationError("Give at least one field to change.")
            return attrs

    @extend_schema(request=UpdateInputSerializer, responses=RoadmapItemSerializer)
    def patch(self, request, item_id: int):
        item = lookups.visible_item(request, item_id)
        data = self.UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if changes.get("owner") is not None:
            changes["owner"] = lookups.named_user(
                request, changes["owner"], field="owner"
            )
        services.item_update(item=item, updated_by=request.user, **changes)
        item = lookups.visible_item(request, item_id)
        return Response(represent(RoadmapItemSerializer, item))


class OrgGapsApi(APIView):
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        limit = serializers.IntegerField(
            min_value=1,
            max_value=50,
            default=10,
            help_text="Gaps per list, most shared first.",
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses=OrgGapsSerializer,
        description="Across the roadmaps of the teams the caller reads: the criteria "
        "most often in Now, and the open prerequisites that block the most teams.",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        gaps = selectors.org_gaps(fetched_by=request.user, **filters.validated_data)
        return Response(represent(OrgGapsSerializer, gaps))
