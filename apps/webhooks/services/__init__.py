"""Writes about webhooks. Other apps publish events with `webhook_event_publish`:

from apps.webhooks.services import webhook_event_publish

webhook_event_publish(organization=org, event="promotion_request.applied", payload={...})
"""

from apps.webhooks.services.deliveries import (
    AttemptReport,
    webhook_deliveries_requeue_due,
    webhook_delivery_attempt,
    webhook_delivery_redeliver,
    webhook_event_publish,
)
from apps.webhooks.services.subscriptions import (
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)

__all__ = [
    "AttemptReport",
    "webhook_deliveries_requeue_due",
    "webhook_delivery_attempt",
    "webhook_delivery_redeliver",
    "webhook_event_publish",
    "webhook_subscription_create",
    "webhook_subscription_delete",
    "webhook_subscription_rotate_secret",
    "webhook_subscription_update",
]
