"""Reads of webhook subscriptions and deliveries, scoped to the caller's organisation."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet

from apps.accounts.models import Organization, User
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def _org_subscriptions(user: User) -> QuerySet[WebhookSubscription]:
    if not user.is_authenticated or not user.organization_id:
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(
        organization_id=user.organization_id, deleted_at__isnull=True
    )


def webhook_subscription_list(*, fetched_by: User) -> QuerySet[WebhookSubscription]:
    """The organisation's subscriptions (deleted ones left out), newest first."""
    return _org_subscriptions(fetched_by).select_related("created_by")


def webhook_subscription_get(
    *, fetched_by: User, subscription_id: int
) -> WebhookSubscription | None:
    """One subscription of the caller's organisation, or None (another org's too)."""
    return (
        webhook_subscription_list(fetched_by=fetched_by)
        .filter(pk=subscription_id)
        .first()
    )


def webhook_subscriptions_for_event(
    *, organization: Organization, event: str
) -> list[WebhookSubscription]:
    """Active subscriptions of the organisation that want `event` (by name or "*")."""
    # Filtered in Python: SQLite has no JSON containment lookup, and an organisation
    # has a handful of subscriptions.
    active = WebhookSubscription.objects.filter(
        organization=organization, is_active=True, deleted_at__isnull=True
    ).only("pk", "events")
    return [subscription for subscription in active if subscription.wants(event)]


def webhook_delivery_list(
    *, subscription: WebhookSubscription
) -> QuerySet[WebhookDelivery]:
    """A subscription's deliveries, newest first, each with its attempts in order."""
    return WebhookDelivery.objects.filter(subscription=subscription).prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
    )


def webhook_delivery_get(
    *, subscription: WebhookSubscription, delivery_id: int
) -> WebhookDelivery | None:
    """One delivery of the subscription, or None."""
    return (
        webhook_delivery_list(subscription=subscription).filter(pk=delivery_id).first()
    )


def webhook_delivery_due_ids(
    *, now: datetime, grace: timedelta, limit: int = 500
) -> list[int]:
    """Deliveries whose next attempt is overdue by `grace`, or whose worker's lease ran out.

    Their task message was lost (a broker outage at publish time, a worker that died
    holding it): enqueueing them again is safe, the task claims before it sends.
    """
    overdue = Q(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now - grace
    ) | Q(status=WebhookDelivery.Status.DELIVERING, next_attempt_at__lte=now)
    return list(
        WebhookDelivery.objects.filter(overdue)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
