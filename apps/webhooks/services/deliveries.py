"""Deliveries: publishing an event, attempting a delivery, redelivering.

An attempt runs in three steps, so the HTTP request never holds a transaction open:
claim the delivery (row lock, PENDING -> DELIVERING, a lease), POST it, then record the
attempt and decide what follows (delivered, a retry later, or failed). Claiming makes
duplicate task messages harmless: only one of them finds the delivery due.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.audit.services import record_event
from apps.core import queue
from apps.core.crypto import decrypt_text
from apps.core.exceptions import ApplicationError
from apps.webhooks import selectors
from apps.webhooks.client import PostResult, post_webhook
from apps.webhooks.events import EVENT_TYPES
from apps.webhooks.models import WebhookAttempt, WebhookDelivery
from apps.webhooks.signing import signature_headers
from apps.webhooks.tasks import webhook_deliver as webhook_deliver_task

logger = logging.getLogger(__name__)

# Waits after failed attempts 1..5; the sixth failure is final (MAX_ATTEMPTS).
RETRY_DELAYS_S = (30, 2 * 60, 10 * 60, 60 * 60, 6 * 60 * 60)
MAX_ATTEMPTS = len(RETRY_DELAYS_S) + 1
# How long a worker's claim holds: well past one attempt (DNS, then at most 10 s of
# HTTP). A worker that dies mid-attempt leaves the delivery claimable after this.
LEASE = timedelta(minutes=2)
# A retry may start a little early (clock skew between workers); it is still due.
DUE_TOLERANCE = timedelta(seconds=5)
# The requeue sweep leaves countdown retries this long to arrive by themselves.
REQUEUE_GRACE = timedelta(minutes=1)

Status = WebhookDelivery.Status


@dataclass(frozen=True)
class AttemptReport:
    """What one call of webhook_delivery_attempt did."""

    delivery_id: int
    status: str  # the delivery's status afterwards, or "skipped"
    retry_in: int | None = None  # seconds until the next attempt is due


@dataclass(frozen=True)
class _Claim:
    number: int
    url: str
    body: bytes
    headers: dict[str, str]


# --- Publishing -------------------------------------------------------------------------


def _json_normalised(payload: Any) -> Any:
    """The payload as it will be sent: dates, UUIDs and decimals as JSON strings."""
    try:
        # NaN and infinities are not JSON: receivers' parsers (and jsonb) refuse them.
        return json.loads(json.dumps(payload, cls=DjangoJSONEncoder, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            f"The webhook payload is not JSON-serialisable: {exc}",
            code="invalid_payload",
        ) from exc


@transaction.atomic
def webhook_event_publish(
    *, organization: Organization, event: str, payload: dict[str, Any]
) -> list[WebhookDelivery]:
    """Queue `event` for every active subscription of the organisation that wants it.

    Call it inside the transaction of the change it announces: the deliveries are
    created in it, and their tasks are enqueued only once it commits, so a rolled-back
    change sends nothing. All deliveries of one call share one event id.
    """
    if event not in EVENT_TYPES:
        raise ApplicationError(
            f"Unknown webhook event {event!r}.", code="unknown_event"
        )
    payload = _json_normalised(payload)
    subscriptions = selectors.webhook_subscriptions_for_event(
        organization=organization, event=event
    )
    event_id = uuid.uuid4()
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=subscription,
            event=event,
            event_id=event_id,
            payload=payload,
            max_attempts=MAX_ATTEMPTS,
            next_attempt_at=now,
        )
        for subscription in subscriptions
    )
    for delivery in deliveries:
        transaction.on_commit(partial(delivery_send, delivery.pk))
    return deliveries


def delivery_send(delivery_id: int) -> None:
    """Send a delivery's task. With the broker unreachable the delivery stays pending
    and the requeue sweep sends it once it is overdue."""
    queue.send(webhook_deliver_task, delivery_id, then="the requeue sweep sends it")


def delivery_body(delivery: WebhookDelivery, organization_slug: str) -> bytes:
    """The exact bytes POSTed (and signed): the same on every attempt."""
    envelope = {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "created_at": delivery.created_at,
        "organization": organization_slug,
        "data": delivery.payload,
    }
    return json.dumps(
        envelope, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
    ).encode()


# --- One attempt ------------------------------------------------------------------------


def _is_due(delivery: WebhookDelivery, now: datetime) -> bool:
    if delivery.status == Status.PENDING:
        due = delivery.next_attempt_at
        return due is None or due <= now + DUE_TOLERANCE
    if delivery.status == Status.DELIVERING:
        return delivery.next_attempt_at is None or delivery.next_attempt_at <= now
    return False


def _audit_outcome(delivery: WebhookDelivery, **data: Any) -> None:
    subscription = delivery.subscription
    record_event(
        organization=subscription.organization,
        actor=None,
        action=f"webhook_delivery.{delivery.status}",
        target=delivery,
        data={
            "subscription": subscription.pk,
            "event": delivery.event,
            "event_id": str(delivery.event_id),
            "attempts": delivery.attempts,
            "response_code": delivery.last_response_code,
            **data,
        },
    )


def _finish(delivery: WebhookDelivery, status: str, now: datetime, **data) -> None:
    delivery.status = status
    delivery.next_attempt_at = None
    if status == Status.DELIVERED:
        delivery.delivered_at = now
    delivery.save()
    _audit_outcome(delivery, **data)


def _locked_delivery(delivery_id: int) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("subscription__organization")
        .filter(pk=delivery_id)
        .first()
    )


@transaction.atomic
def _claim(delivery_id: int, now: datetime) -> _Claim | None:
    delivery = _locked_delivery(delivery_id)
    if delivery is None or not _is_due(delivery, now):
        return None
    if delivery.status == Status.DELIVERING:
        _log_lost_attempt(delivery, now)
    subscription = delivery.subscription
    if not subscription.is_active:
        delivery.last_error = "The subscription is inactive or deleted."
        _finish(delivery, Status.FAILED, now, outcome="subscription_inactive")
        return None
    delivery.status = Status.DELIVERING
    delivery.attempts += 1
    delivery.next_attempt_at = now + LEASE
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    body = delivery_body(delivery, subscription.organization.slug)
    headers = signature_headers(
        secret=decrypt_text(subscription.secret_encrypted),
        event=delivery.event,
        delivery_id=str(delivery.event_id),
        body=body,
        timestamp=int(now.timestamp()),
    )
    return _Claim(delivery.attempts, subscription.url, body, headers)


LOST_ATTEMPT_ERROR = (
    "The worker stopped before recording the result; the receiver may have received "
    "it (the Tollgate-Delivery id is the same on the next attempt)."
)


def _log_lost_attempt(delivery: WebhookDelivery, now: datetime) -> None:
    """Log the attempt whose lease lapsed without a result, before the next one."""
    claimed_at = (delivery.next_attempt_at or now + LEASE) - LEASE
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=claimed_at,
        duration_ms=max(0, int((now - claimed_at).total_seconds() * 1000)),
        error=LOST_ATTEMPT_ERROR,
        outcome=WebhookAttempt.Outcome.WORKER_LOST,
    )


def _schedule_retry(delivery: WebhookDelivery, now: datetime) -> int:
    delay = RETRY_DELAYS_S[min(delivery.attempts, len(RETRY_DELAYS_S)) - 1]
    delivery.status = Status.PENDING
    delivery.next_attempt_at = now + timedelta(seconds=delay)
    delivery.save()
    return delay


@transaction.atomic
def _record(
    delivery_id: int, number: int, now: datetime, result: PostResult
) -> AttemptReport:
    delivery = _locked_delivery(delivery_id)
    if delivery.attempt_log.filter(number=number).exists():
        # Slower than its lease: the next claim logged this attempt as lost, and the
        # log is append-only. The result goes to the application log instead.
        logger.warning(
            "webhook delivery %s attempt %s ended after its lease (%s, %s); "
            "it stays logged as lost",
            delivery_id,
            number,
            result.outcome,
            result.response_code,
        )
        return AttemptReport(delivery_id, "skipped")
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=now,
        duration_ms=result.duration_ms,
        response_code=result.response_code,
        error=result.error,
        outcome=result.outcome,
    )
    if delivery.status != Status.DELIVERING or delivery.attempts != number:
        # The lease ran out and another worker claimed the delivery meanwhile: this
        # attempt is logged, and what follows is that worker's to decide.
        return AttemptReport(delivery_id, "skipped")
    delivery.last_response_code = result.response_code
    delivery.last_error = result.error
    if result.succeeded:
        _finish(delivery, Status.DELIVERED, now, outcome=result.outcome)
    elif delivery.attempts >= delivery.max_attempts:
        _finish(delivery, Status.FAILED, now, outcome=result.outcome)
    else:
        return AttemptReport(
            delivery_id, Status.PENDING, _schedule_retry(delivery, now)
        )
    return AttemptReport(delivery_id, delivery.status)


def webhook_delivery_attempt(
    *, delivery_id: int, now: datetime | None = None
) -> AttemptReport:
    """Make one attempt at a delivery if it is due; record it and what follows.

    Idempotent: a delivery that is delivered, failed, not yet due or claimed by another
    worker is skipped. `now` is the clock (tests pass the time a retry is due).
    """
    now = now or timezone.now()
    claim = _claim(delivery_id, now)
    if claim is None:
        return AttemptReport(delivery_id, "skipped")
    result = post_webhook(url=claim.url, body=claim.body, headers=claim.headers)
    logger.info(
        "webhook delivery %s attempt %s: %s (%s)",
        delivery_id,
        claim.number,
        result.outcome,
        result.response_code,
    )
    return _record(delivery_id, claim.number, now, result)


# --- Redelivery and the requeue sweep ---------------------------------------------------


@transaction.atomic
def webhook_delivery_redeliver(
    *, delivery: WebhookDelivery, actor: User | None
) -> WebhookDelivery:
    """Give a failed delivery one more attempt, now (no automatic retries after it)."""
    locked = _locked_delivery(delivery.pk)
    if locked.status != Status.FAILED:
        raise ApplicationError(
            "Only a failed delivery can be sent again.", code="not_failed"
        )
    if not locked.subscription.is_active:
        raise ApplicationError(
            "The subscription is inactive: activate it first.",
            code="subscription_inactive",
        )
    locked.status = Status.PENDING
    locked.max_attempts = locked.attempts + 1
    locked.next_attempt_at = timezone.now()
    locked.save()
    record_event(
        organization=locked.subscription.organization,
        actor=actor,
        action="webhook_delivery.redelivery_requested",
        target=locked,
        data={
            "subscription": locked.subscription_id,
            "event": locked.event,
            "event_id": str(locked.event_id),
            "attempts": locked.attempts,
        },
    )
    transaction.on_commit(partial(delivery_send, locked.pk))
    return locked


def webhook_deliveries_requeue_due(*, now: datetime | None = None) -> int:
    """Enqueue deliveries whose task message was lost; safe to run at any time."""
    due = selectors.webhook_delivery_due_ids(
        now=now or timezone.now(), grace=REQUEUE_GRACE
    )
    for delivery_id in due:
        webhook_deliver_task.delay(delivery_id)
    return len(due)
