from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.api.serializers import (
    ApiTokenSerializer,
    BusinessUnitSerializer,
    MembershipSerializer,
    TeamSerializer,
    UserBriefSerializer,
)
from apps.accounts.models import Role
from apps.accounts.permissions import InOrganization, IsOrgAdmin, SessionOnly
from apps.core.api.pagination import PageNumberPagination, paginated_response


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        organization = serializers.CharField(source="organization.slug", default=None)
        org_roles = serializers.ListField(child=serializers.CharField())
        team_roles = serializers.DictField(child=serializers.ListField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        roles = selectors.user_roles(user=request.user)
        data = {
            "id": request.user.pk,
            "username": request.user.username,
            "email": request.user.email,
            "organization": request.user.organization,
            "org_roles": sorted(roles.org_roles),
            "team_roles": {str(k): sorted(v) for k, v in roles.team_roles.items()},
        }
        return Response(self.OutputSerializer(data).data)


class BusinessUnitListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    @extend_schema(responses=BusinessUnitSerializer(many=True))
    def get(self, request):
        units = selectors.business_unit_list(fetched_by=request.user)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=BusinessUnitSerializer,
            queryset=units,
            request=request,
            view=self,
        )


class TeamListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        business_unit = serializers.IntegerField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=TeamSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        teams = selectors.team_list(fetched_by=request.user, **filters.validated_data)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=TeamSerializer,
            queryset=teams,
            request=request,
            view=self,
        )


class TeamDetailApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(responses=TeamSerializer)
    def get(self, request, team_id: int):
        team = selectors.team_get(fetched_by=request.user, team_id=team_id)
        if team is None:
            raise exceptions.NotFound()
        return Response(TeamSerializer(team).data)


class UserListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [IsOrgAdmin]

    @extend_schema(responses=UserBriefSerializer(many=True))
    def get(self, request):
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=UserBriefSerializer,
            queryset=selectors.user_list(fetched_by=request.user),
            request=request,
            view=self,
        )


class UserCreateApi(APIView):
    permission_classes = [IsOrgAdmin]

    class InputSerializer(serializers.Serializer):
        username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(write_only=True, max_length=128)
        first_name = serializers.CharField(max_length=150, required=False, default="")
        last_name = serializers.CharField(max_length=150, required=False, default="")

    @extend_schema(request=InputSerializer, responses={201: UserBriefSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(
            organization=request.user.organization,
            actor=request.user,
            **data.validated_data,
        )
        return Response(UserBriefSerializer(user).data, status=status.HTTP_201_CREATED)


class MembershipListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [IsOrgAdmin]

    class FilterSerializer(serializers.Serializer):
        team = serializers.IntegerField(required=False)
        user = serializers.IntegerField(required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=MembershipSerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=MembershipSerializer,
            queryset=selectors.membership_list(
                fetched_by=request.user, **filters.validated_data
            ),
            request=request,
            view=self,
        )


class MembershipGrantApi(APIView):
    permission_classes = [IsOrgAdmin]

    class InputSerializer(serializers.Serializer):
        user = serializers.IntegerField()
        role = serializers.ChoiceField(choices=Role.choices)
        team = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={201: MembershipSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = selectors.user_get(
            fetched_by=request.user, user_id=data.validated_data["user"]
        )
        if user is None:
            raise serializers.ValidationError({"user": ["Unknown user."]})
        team = None
        if data.validated_data["team"] is not None:
            team = selectors.team_get(
                fetched_by=request.user, team_id=data.validated_data["team"]
            )
            if team is None:
                raise serializers.ValidationError({"team": ["Unknown team."]})
        membership = services.membership_grant(
            user=user,
            role=data.validated_data["role"],
            team=team,
            granted_by=request.user,
        )
        return Response(
            MembershipSerializer(membership).data, status=status.HTTP_201_CREATED
        )


class MembershipRevokeApi(APIView):
    permission_classes = [IsOrgAdmin]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, membership_id: int):
        membership = selectors.membership_get(
            fetched_by=request.user, membership_id=membership_id
        )
        if membership is None:
            raise exceptions.NotFound()
        services.membership_revoke(membership=membership, revoked_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=ApiTokenSerializer,
            queryset=selectors.api_token_list(fetched_by=request.user),
            request=request,
            view=self,
        )


class ApiTokenCreateApi(APIView):
    permission_classes = [InOrganization, SessionOnly]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        expires_at = serializers.DateTimeField(
            required=False, allow_null=True, default=None
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "ApiTokenCreated",
                {"token": ApiTokenSerializer(), "secret": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = services.api_token_create(
            user=request.user, **data.validated_data
        )
        body = {"token": ApiTokenSerializer(token).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiTokenRevokeApi(APIView):
    @extend_schema(request=None, responses=ApiTokenSerializer)
    def post(self, request, token_id: int):
        token = selectors.api_token_get(fetched_by=request.user, token_id=token_id)
        if token is None:
            raise exceptions.NotFound()
        token = services.api_token_revoke(token=token, revoked_by=request.user)
        return Response(ApiTokenSerializer(token).data)
