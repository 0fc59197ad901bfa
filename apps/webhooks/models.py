from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel
from apps.webhooks.events import WILDCARD


class WebhookSubscription(TimeStampedModel):
    """An organisation's HTTPS endpoint that receives the events it lists, signed.

    The signing secret is stored encrypted (apps.core.crypto) and shown only when it is
    created or rotated. Deleting a subscription marks it deleted, so the history of
    its deliveries stays readable.
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
    )
    # Checked by the SSRF guard in the services (apps.webhooks.ssrf), not here.
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret_encrypted = models.TextField()
    secret_rotated_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(is_active=False),
                name="webhook_subscription_deleted_is_inactive",
            )
        ]

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event: str) -> bool:
        return event in self.events or WILDCARD in self.events


class WebhookDelivery(TimeStampedModel):
    """One event for one subscription, and where its delivery stands.

    `next_attempt_at` is when a pending delivery is due; while one is delivering, it is
    the end of the worker's lease, after which another worker may claim it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERING = "delivering", "Delivering"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(max_length=100)
    # Shared by the deliveries of one published event, and kept across retries and
    # redeliveries: receivers use it to drop duplicates.
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"],
                name="webhook_delivery_event_once_per_subscription",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="webhook_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.subscription_id}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery. Append-only (triggers in apps.core.db)."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success (2xx)"
        HTTP_ERROR = "http_error", "HTTP error status"
        REDIRECT = "redirect", "Redirect (not followed)"
        TIMEOUT = "timeout", "Timed out"
        CONNECTION_ERROR = "connection_error", "Connection failed"
        REFUSED_TARGET = "refused_target", "Target refused (SSRF guard)"
        # Its worker stopped (killed, or slower than its lease) before recording it;
        # the receiver may have got it, and drops the copy by its delivery id.
        WORKER_LOST = "worker_lost", "Worker lost (result unknown)"

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.PROTECT, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.outcome}"
