"""Output shapes of the webhook endpoints. No serializer has a field for the secret:
the create and rotate endpoints add it beside the subscription, once."""

from rest_framework import serializers

from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "secret_rotated_at",
            "created_by",
            "created_at",
            "updated_at",
        ]


class WebhookSubscriptionWithSecretSerializer(serializers.Serializer):
    subscription = WebhookSubscriptionSerializer()
    secret = serializers.CharField(
        help_text="The signing secret. Shown only in this response: store it now."
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "started_at",
            "duration_ms",
            "outcome",
            "response_code",
            "error",
        ]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "status",
            "attempts",
            "max_attempts",
            "next_attempt_at",
            "delivered_at",
            "last_response_code",
            "last_error",
            "payload",
            "created_at",
            "attempt_log",
        ]
