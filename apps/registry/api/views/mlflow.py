"""The organisation's MLflow sync connection: read and set, by org admins only. The
token is write-only: stored encrypted, never returned."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as accounts_selectors
from apps.accounts.api.serializers import TeamRefSerializer, UserBriefSerializer
from apps.accounts.permissions import IsOrgAdmin
from apps.core.api.schema import error_response
from apps.core.api.serializers import IdField
from apps.registry import selectors
from apps.registry.mlflow import sync
from apps.registry.models import MlflowConnection


class MlflowConnectionApi(APIView):
    permission_classes = [IsOrgAdmin]

    class SetInputSerializer(serializers.Serializer):
        tracking_uri = serializers.CharField(
            max_length=500, help_text="The server's http(s) address."
        )
        token = serializers.CharField(
            max_length=4000,
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            write_only=True,
            help_text="A bearer token. Omit it to keep the stored one; empty removes it.",
        )
        default_team = IdField(help_text="The team imported models land in.")

    class OutputSerializer(serializers.ModelSerializer):
        default_team = TeamRefSerializer()
        configured_by = UserBriefSerializer()
        authenticated = serializers.SerializerMethodField(
            help_text="A token is stored (it is never returned)."
        )

        class Meta:
            model = MlflowConnection
            fields = [
                "tracking_uri",
                "enabled",
                "authenticated",
                "default_team",
                "configured_by",
                "last_synced_at",
                "last_error",
                "created_at",
                "updated_at",
            ]

        def get_authenticated(self, connection: MlflowConnection) -> bool:
            return bool(connection.token_encrypted)

    @extend_schema(
        responses={
            200: OutputSerializer,
            404: error_response("The organisation has no MLflow connection."),
        }
    )
    def get(self, request):
        connection = selectors.mlflow_connection_get(fetched_by=request.user)
        if connection is None:
            raise exceptions.NotFound("The organisation has no MLflow connection.")
        return Response(self.OutputSerializer(connection).data)

    @extend_schema(request=SetInputSerializer, responses=OutputSerializer)
    def put(self, request):
        data = self.SetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = accounts_selectors.team_get(
            fetched_by=request.user, team_id=data.validated_data["default_team"]
        )
        if team is None:
            raise serializers.ValidationError({"default_team": ["Unknown team."]})
        connection = sync.mlflow_connection_set(
            organization=request.user.organization,
            tracking_uri=data.validated_data["tracking_uri"],
            token=data.validated_data.get("token"),
            default_team=team,
            configured_by=request.user,
        )
        return Response(self.OutputSerializer(connection).data)
