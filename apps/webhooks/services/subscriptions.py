"""Subscriptions: create, change, delete, rotate the secret. Each change is audited.

The signing secret is returned only by the create and rotate services, and stored
encrypted (apps.core.crypto). URLs reach the audit trail as their origin only, because
a webhook URL often carries a token in its path or query.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.audit.services import record_event
from apps.core.crypto import encrypt_text
from apps.core.exceptions import ApplicationError
from apps.webhooks.events import EVENT_TYPES, WILDCARD
from apps.webhooks.models import WebhookSubscription
from apps.webhooks.ssrf import UnsafeTargetError, resolve_target, url_origin

SECRET_PREFIX = "whsec_"  # noqa: S105 (a public marker, not a secret)
URL_MAX_LENGTH = 2000


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _checked_url(url: str) -> str:
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        message = f"At most {URL_MAX_LENGTH} characters."
        raise ApplicationError(message, fields={"url": [message]})
    try:
        resolve_target(url)
    except UnsafeTargetError as exc:
        raise ApplicationError(
            "The URL may not be a webhook target.",
            code="unsafe_url",
            fields={"url": [exc.message]},
        ) from exc
    return url


def _checked_events(events: list[str]) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        message = 'Name at least one event, or "*" for every event.'
        raise ApplicationError(message, fields={"events": [message]})
    unknown = sorted({e for e in events if e != WILDCARD and e not in EVENT_TYPES})
    if unknown:
        raise ApplicationError(
            "Unknown event.",
            fields={"events": [f"Unknown event {name!r}." for name in unknown]},
        )
    return sorted(set(events))


def _described(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "url_origin": url_origin(subscription.url),
        "events": subscription.events,
        "description": subscription.description,
        "is_active": subscription.is_active,
    }


def webhook_subscription_create(
    *,
    organization: Organization,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
    created_by: User | None = None,
) -> tuple[WebhookSubscription, str]:
    """Subscribe a URL to events; return it with its signing secret, shown only now.

    The URL passes the SSRF guard first (a DNS lookup, outside the transaction).
    """
    url = _checked_url(url)
    events = _checked_events(events)
    secret = _new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            organization=organization,
            url=url,
            events=events,
            description=description,
            is_active=is_active,
            created_by=created_by,
            secret_encrypted=encrypt_text(secret),
            secret_rotated_at=timezone.now(),
        )
        record_event(
            organization=organization,
            actor=created_by,
            action="webhook_subscription.created",
            target=subscription,
            data=_described(subscription),
        )
    return subscription, secret


def _locked_live(subscription: WebhookSubscription) -> WebhookSubscription:
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.deleted_at is not None:
        raise ApplicationError("The subscription is deleted.", code="deleted")
    return locked


def _audited_changes(changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    audited = {field: change for field, change in changes.items() if field != "url"}
    if "url" in changes:
        audited["url_origin"] = {k: url_origin(v) for k, v in changes["url"].items()}
    return audited


def webhook_subscription_update(
    *,
    subscription: WebhookSubscription,
    actor: User | None,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change what is given (None leaves a field alone); audited if anything changed."""
    wanted: dict[str, Any] = {}
    if url is not None:
        wanted["url"] = _checked_url(url)
    if events is not None:
        wanted["events"] = _checked_events(events)
    if description is not None:
        wanted["description"] = description
    if is_active is not None:
        wanted["is_active"] = is_active
    with transaction.atomic():
        locked = _locked_live(subscription)
        changes = {
            field: {"from": getattr(locked, field), "to": value}
            for field, value in wanted.items()
            if getattr(locked, field) != value
        }
        if not changes:
            return locked
        for field, change in changes.items():
            setattr(locked, field, change["to"])
        locked.save(update_fields=[*changes, "updated_at"])
        record_event(
            organization=locked.organization,
            actor=actor,
            action="webhook_subscription.updated",
            target=locked,
            data={"changes": _audited_changes(changes)},
        )
    return locked


@transaction.atomic
def webhook_subscription_delete(
    *, subscription: WebhookSubscription, actor: User | None
) -> None:
    """Delete a subscription: it stops receiving events; its deliveries stay readable.

    Deliveries still pending fail at their next attempt, each audited then.
    """
    locked = _locked_live(subscription)
    locked.deleted_at = timezone.now()
    locked.is_active = False
    locked.save(update_fields=["deleted_at", "is_active", "updated_at"])
    record_event(
        organization=locked.organization,
        actor=actor,
        action="webhook_subscription.deleted",
        target=locked,
        data=_described(locked),
    )


@transaction.atomic
def webhook_subscription_rotate_secret(
    *, subscription: WebhookSubscription, actor: User | None
) -> tuple[WebhookSubscription, str]:
    """Replace the signing secret; return the new one, shown only now.

    Attempts from now on, retries of earlier events included, use the new secret.
    """
    locked = _locked_live(subscription)
    secret = _new_secret()
    locked.secret_encrypted = encrypt_text(secret)
    locked.secret_rotated_at = timezone.now()
    locked.save(update_fields=["secret_encrypted", "secret_rotated_at", "updated_at"])
    record_event(
        organization=locked.organization,
        actor=actor,
        action="webhook_subscription.secret_rotated",
        target=locked,
        data={"rotated_at": locked.secret_rotated_at},
    )
    return locked, secret
