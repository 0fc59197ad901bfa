"""Webhooks change only through their services (each change audited): read-only here.

The encrypted signing secret is never displayed.
"""

from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyModelAdmin):
    list_display = [
        "organization",
        "url",
        "description",
        "is_active",
        "deleted_at",
        "created_at",
    ]
    list_filter = ["is_active"]
    list_select_related = ["organization"]
    search_fields = ["url", "description", "organization__slug"]
    exclude = ["secret_encrypted"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyModelAdmin):
    list_display = [
        "event",
        "event_id",
        "subscription",
        "status",
        "attempts",
        "last_response_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event"]
    list_select_related = ["subscription"]
    search_fields = ["event_id", "event", "subscription__url"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyModelAdmin):
    list_display = [
        "delivery",
        "number",
        "outcome",
        "response_code",
        "duration_ms",
        "started_at",
    ]
    list_filter = ["outcome"]
    list_select_related = ["delivery"]
    search_fields = ["delivery__event_id"]
