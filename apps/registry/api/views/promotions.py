"""Promotion requests over the API: list, open, read (with what is still missing),
decide, withdraw, apply, comment.

The workflow's rules (separation of duties, quorum, expiry, break-glass) are in
apps/registry/promotion.py; a refusal there is a 403 or a 400 here. Every action
answers with the request as GET shows it, so a client sees the new readiness.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.core.api.serializers import IdField
from apps.registry import promotion, selectors, services
from apps.registry.api import lookups
from apps.registry.api.serializers import (
    PromotionRequestDetailSerializer,
    PromotionRequestSerializer,
    RequestCommentSerializer,
)
from apps.registry.models import Comment, PromotionRequest


def _detail(request, request_id: int, code: int = status.HTTP_200_OK) -> Response:
    promotion_request = lookups.request_detail(request, request_id)
    return Response(
        PromotionRequestDetailSerializer(promotion_request).data, status=code
    )


class RequestListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=PromotionRequest.Status.choices, required=False
        )
        model = IdField(required=False)
        target = serializers.CharField(max_length=60, required=False, allow_blank=True)
        awaiting_me = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Open requests you have not decided and are not party to.",
        )

    class OpenInputSerializer(serializers.Serializer):
        version = IdField(help_text="The version's id.")
        target = serializers.CharField(
            max_length=60, help_text="A protected alias, e.g. production."
        )
        justification = serializers.CharField(max_length=5000)
        on_behalf_of = IdField(
            required=False, help_text="The person this is asked for (a user id)."
        )

    @extend_schema(
        parameters=[FilterSerializer], responses=PromotionRequestSerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=PromotionRequestSerializer,
            queryset=selectors.request_list(
                fetched_by=request.user, **filters.validated_data
            ),
            request=request,
            view=self,
        )

    @extend_schema(
        request=OpenInputSerializer, responses={201: PromotionRequestDetailSerializer}
    )
    def post(self, request):
        data = self.OpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = lookups.named_version(request, fields.pop("version"), field="version")
        if "on_behalf_of" in fields:
            fields["on_behalf_of"] = lookups.named_user(
                request, fields["on_behalf_of"], field="on_behalf_of"
            )
        opened = promotion.promotion_open(
            version=version, requested_by=request.user, **fields
        )
        return _detail(request, opened.pk, status.HTTP_201_CREATED)


class RequestDetailApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(responses=PromotionRequestDetailSerializer)
    def get(self, request, request_id: int):
        return _detail(request, request_id)


class RequestDecideApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        approve = serializers.BooleanField()
        comment = serializers.CharField(
            max_length=5000,
            required=False,
            allow_blank=True,
            default="",
            help_text="Required to reject.",
        )

    @extend_schema(request=InputSerializer, responses=PromotionRequestDetailSerializer)
    def post(self, request, request_id: int):
        promotion_request = lookups.visible_request(request, request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promotion.promotion_decide(
            request=promotion_request, approver=request.user, **data.validated_data
        )
        return _detail(request, request_id)


class RequestWithdrawApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default=""
        )

    @extend_schema(request=InputSerializer, responses=PromotionRequestDetailSerializer)
    def post(self, request, request_id: int):
        promotion_request = lookups.visible_request(request, request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promotion.promotion_withdraw(
            request=promotion_request,
            withdrawn_by=request.user,
            **data.validated_data,
        )
        return _detail(request, request_id)


class RequestApplyApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        break_glass = serializers.BooleanField(
            required=False,
            default=False,
            help_text="A risk officer moves the alias before quorum; a retrospective "
            "review opens and must reach quorum in time.",
        )
        reason = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            default="",
            help_text="Required to break the glass.",
        )

    @extend_schema(request=InputSerializer, responses=PromotionRequestDetailSerializer)
    def post(self, request, request_id: int):
        promotion_request = lookups.visible_request(request, request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promotion.promotion_apply(
            request=promotion_request, applied_by=request.user, **data.validated_data
        )
        return _detail(request, request_id)


class RequestCommentApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=10000)
        supersedes = IdField(
            required=False, help_text="Your earlier comment on this request."
        )

    @extend_schema(request=InputSerializer, responses={201: RequestCommentSerializer})
    def post(self, request, request_id: int):
        promotion_request = lookups.visible_request(request, request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_add(
            author=request.user,
            body=data.validated_data["body"],
            request=promotion_request,
            supersedes=self._revised(
                promotion_request, data.validated_data.get("supersedes")
            ),
        )
        return Response(
            RequestCommentSerializer(comment).data, status=status.HTTP_201_CREATED
        )

    @staticmethod
    def _revised(promotion_request, comment_id: int | None) -> Comment | None:
        """The comment being revised, among the request's (already loaded)."""
        if comment_id is None:
            return None
        for comment in promotion_request.comments.all():
            if comment.pk == comment_id:
                return comment
        raise serializers.ValidationError({"supersedes": ["Unknown comment."]})
