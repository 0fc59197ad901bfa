"""Webhook subscriptions and their deliveries: organisation admins only.

Another organisation's subscription does not exist for the caller (404).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsOrgAdmin
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.webhooks import selectors, services
from apps.webhooks.api.serializers import (
    WebhookDeliverySerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionWithSecretSerializer,
)
from apps.webhooks.events import EVENT_TYPES, WILDCARD
from apps.webhooks.models import WebhookSubscription


def _subscription_or_404(request, subscription_id: int) -> WebhookSubscription:
    subscription = selectors.webhook_subscription_get(
        fetched_by=request.user, subscription_id=subscription_id
    )
    if subscription is None:
        raise exceptions.NotFound()
    return subscription


def _with_secret(subscription: WebhookSubscription, secret: str) -> dict:
    return WebhookSubscriptionWithSecretSerializer(
        {"subscription": subscription, "secret": secret}
    ).data


class WebhookEventListApi(APIView):
    permission_classes = [IsOrgAdmin]

    @extend_schema(
        responses=inline_serializer(
            "WebhookEventTypes",
            {
                "events": serializers.ListField(child=serializers.CharField()),
                "wildcard": serializers.CharField(),
            },
        )
    )
    def get(self, request):
        return Response({"events": list(EVENT_TYPES), "wildcard": WILDCARD})


class WebhookSubscriptionListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [IsOrgAdmin]

    @extend_schema(responses=WebhookSubscriptionSerializer(many=True))
    def get(self, request):
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=WebhookSubscriptionSerializer,
            queryset=selectors.webhook_subscription_list(fetched_by=request.user),
            request=request,
            view=self,
        )


class WebhookSubscriptionCreateApi(APIView):
    permission_classes = [IsOrgAdmin]

    class InputSerializer(serializers.Serializer):
        # Checked by the service (scheme, credentials, SSRF guard), with field errors.
        url = serializers.CharField(max_length=2000)
        events = serializers.ListField(child=serializers.CharField(max_length=100))
        description = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )
        is_active = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        request=InputSerializer,
        responses={201: WebhookSubscriptionWithSecretSerializer},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, secret = services.webhook_subscription_create(
            organization=request.user.organization,
            created_by=request.user,
            **data.validated_data,
        )
        return Response(
            _with_secret(subscription, secret), status=status.HTTP_201_CREATED
        )


class WebhookSubscriptionDetailApi(APIView):
    permission_classes = [IsOrgAdmin]

    @extend_schema(responses=WebhookSubscriptionSerializer)
    def get(self, request, subscription_id: int):
        subscription = _subscription_or_404(request, subscription_id)
        return Response(WebhookSubscriptionSerializer(subscription).data)


class WebhookSubscriptionUpdateApi(APIView):
    permission_classes = [IsOrgAdmin]

    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000, required=False)
        events = serializers.ListField(
            child=serializers.CharField(max_length=100), required=False
        )
        description = serializers.CharField(
            max_length=200, required=False, allow_blank=True
        )
        is_active = serializers.BooleanField(required=False)

    @extend_schema(request=InputSerializer, responses=WebhookSubscriptionSerializer)
    def post(self, request, subscription_id: int):
        subscription = _subscription_or_404(request, subscription_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_update(
            subscription=subscription, actor=request.user, **data.validated_data
        )
        return Response(WebhookSubscriptionSerializer(subscription).data)


class WebhookSubscriptionDeleteApi(APIView):
    permission_classes = [IsOrgAdmin]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, subscription_id: int):
        subscription = _subscription_or_404(request, subscription_id)
        services.webhook_subscription_delete(
            subscription=subscription, actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSubscriptionRotateSecretApi(APIView):
    permission_classes = [IsOrgAdmin]

    @extend_schema(request=None, responses=WebhookSubscriptionWithSecretSerializer)
    def post(self, request, subscription_id: int):
        subscription = _subscription_or_404(request, subscription_id)
        subscription, secret = services.webhook_subscription_rotate_secret(
            subscription=subscription, actor=request.user
        )
        return Response(_with_secret(subscription, secret))


class WebhookDeliveryListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [IsOrgAdmin]

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    def get(self, request, subscription_id: int):
        subscription = _subscription_or_404(request, subscription_id)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=WebhookDeliverySerializer,
            queryset=selectors.webhook_delivery_list(subscription=subscription),
            request=request,
            view=self,
        )


class WebhookDeliveryRedeliverApi(APIView):
    permission_classes = [IsOrgAdmin]

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    def post(self, request, subscription_id: int, delivery_id: int):
        subscription = _subscription_or_404(request, subscription_id)
        delivery = selectors.webhook_delivery_get(
            subscription=subscription, delivery_id=delivery_id
        )
        if delivery is None:
            raise exceptions.NotFound()
        delivery = services.webhook_delivery_redeliver(
            delivery=delivery, actor=request.user
        )
        return Response(
            WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED
        )
