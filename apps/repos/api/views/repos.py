"""Linked repositories over the API: list, link, read, change, rotate the webhook
secret.

Reads go through the selectors (a repository the caller cannot see is a 404); writes
through the services, which refuse what the caller's roles do not allow (403).
Credentials are write-only, and the webhook secret is answered only when it is made.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as accounts_selectors
from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.core.api.serializers import IdField
from apps.repos import selectors, services
from apps.repos.api import lookups
from apps.repos.api.serializers import (
    RepoLinkedSerializer,
    RepoSerializer,
    WebhookSecretSerializer,
)
from apps.repos.models import Provider

CREDENTIALS_HELP = (
    "A token for cloning and for the CI API. Write-only: never returned, only "
    "`has_credentials`."
)
# A token is write-only everywhere: no answer names it.
CREDENTIALS = {
    "max_length": 4000,
    "required": False,
    "allow_blank": True,
    "write_only": True,
    "style": {"input_type": "password"},
}


class RepoListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        team = IdField(required=False)

    class LinkInputSerializer(serializers.Serializer):
        team = IdField()
        name = serializers.CharField(max_length=200)
        provider = serializers.ChoiceField(choices=Provider.choices)
        clone_url = serializers.CharField(
            max_length=500,
            required=False,
            allow_blank=True,
            default="",
            help_text="https:// or ssh:// to an allowed host; or give local_path.",
        )
        local_path = serializers.CharField(
            max_length=500,
            required=False,
            allow_blank=True,
            default="",
            help_text="A folder under the allowed roots (org admins only).",
        )
        project = serializers.CharField(
            max_length=300,
            required=False,
            allow_blank=True,
            default="",
            help_text='"owner/name"; default: read from the clone URL.',
        )
        default_branch = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )
        subdir = serializers.CharField(
            max_length=300, required=False, allow_blank=True, default=""
        )
        credentials = serializers.CharField(
            default="", help_text=CREDENTIALS_HELP, **CREDENTIALS
        )

    @extend_schema(parameters=[FilterSerializer], responses=RepoSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=RepoSerializer,
            queryset=selectors.repo_list(
                fetched_by=request.user, **filters.validated_data
            ),
            request=request,
            view=self,
        )

    @extend_schema(request=LinkInputSerializer, responses={201: RepoLinkedSerializer})
    def post(self, request):
        data = self.LinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team = accounts_selectors.team_get(
            fetched_by=request.user, team_id=fields.pop("team")
        )
        if team is None:
            raise serializers.ValidationError({"team": ["Unknown team."]})
        repo, secret = services.repo_link(team=team, linked_by=request.user, **fields)
        return Response(
            RepoLinkedSerializer(
                lookups.repo_detail(request, repo.pk),
                context={"request": request, "webhook_secret": secret},
            ).data,
            status=status.HTTP_201_CREATED,
        )


class RepoDetailApi(APIView):
    permission_classes = [InOrganization]

    class UpdateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        project = serializers.CharField(
            max_length=300, required=False, allow_blank=True
        )
        default_branch = serializers.CharField(
            max_length=200, required=False, allow_blank=True
        )
        subdir = serializers.CharField(max_length=300, required=False, allow_blank=True)
        enabled = serializers.BooleanField(required=False)
        credentials = serializers.CharField(
            help_text=CREDENTIALS_HELP + " Empty clears it.", **CREDENTIALS
        )

        def validate(self, attrs: dict) -> dict:
            if not attrs:
                raise serializers.ValidationError("Give at least one field to change.")
            return attrs

    @extend_schema(responses=RepoSerializer)
    def get(self, request, repo_id: int):
        return Response(RepoSerializer(lookups.repo_detail(request, repo_id)).data)

    @extend_schema(request=UpdateInputSerializer, responses=RepoSerializer)
    def patch(self, request, repo_id: int):
        repo = lookups.visible_repo(request, repo_id)
        data = self.UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.repo_update(repo=repo, updated_by=request.user, **data.validated_data)
        return Response(RepoSerializer(lookups.repo_detail(request, repo_id)).data)


class RepoWebhookSecretApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(request=None, responses=WebhookSecretSerializer)
    def post(self, request, repo_id: int):
        repo = lookups.visible_repo(request, repo_id)
        secret = services.webhook_secret_rotate(repo=repo, rotated_by=request.user)
        return Response(WebhookSecretSerializer({"webhook_secret": secret}).data)
