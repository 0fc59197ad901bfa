"""Subscription services and publishing: validation, audit, secrets, fan-out."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from django.db import transaction

from apps.core.crypto import decrypt_text
from apps.core.exceptions import ApplicationError
from apps.webhooks.events import EVENT_TYPES
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.selectors import webhook_delivery_due_ids
from apps.webhooks.services import (
    deliveries,
    webhook_event_publish,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)
from tests.accounts.factories import OrganizationFactory
from tests.broker import unreachable_broker
from tests.webhooks.conftest import audit_events

pytestmark = pytest.mark.django_db


def test_subscription_create_stores_the_secret_encrypted_and_audits_once(subscribe):
    subscription, secret = subscribe(events=["alias.drift_detected"])

    assert secret.startswith("whsec_")
    assert len(secret) > 40
    assert secret not in subscription.secret_encrypted
    assert decrypt_text(subscription.secret_encrypted) == secret
    (event,) = audit_events("webhook_subscription.")
    assert event.action == "webhook_subscription.created"
    data = json.loads(event.canonical)["data"]
    assert data == {
        "url_origin": "https://93.184.215.14",
        "events": ["alias.drift_detected"],
        "description": "",
        "is_active": True,
    }


def test_subscription_create_refuses_unknown_events(subscribe):
    with pytest.raises(ApplicationError) as refused:
        subscribe(events=["alias.drift_detected", "model.deleted"])

    assert refused.value.fields == {"events": ["Unknown event 'model.deleted'."]}
    assert audit_events("webhook_subscription.") == []


def test_subscription_create_refuses_an_empty_event_list(subscribe):
    with pytest.raises(ApplicationError, match="at least one event"):
        subscribe(events=[])


def test_subscription_update_audits_only_what_changed_and_url_as_origin(
    subscribe, admin
):
    subscription, _ = subscribe(url="https://93.184.215.14/hooks/token-in-path")

    webhook_subscription_update(
        subscription=subscription,
        actor=admin,
        url="https://93.184.215.15/hooks/other-token",
        description="CI bridge",
        is_active=True,  # unchanged
    )

    (event,) = audit_events("webhook_subscription.updated")
    changes = json.loads(event.canonical)["data"]["changes"]
    assert changes == {
        "description": {"from": "", "to": "CI bridge"},
        "url_origin": {"from": "https://93.184.215.14", "to": "https://93.184.215.15"},
    }
    assert "token" not in event.canonical


def test_subscription_update_without_a_change_writes_no_event(subscribe, admin):
    subscription, _ = subscribe(description="same")

    webhook_subscription_update(
        subscription=subscription, actor=admin, description="same"
    )

    assert audit_events("webhook_subscription.updated") == []


def test_subscription_rotate_secret_replaces_it_and_keeps_it_out_of_the_audit(
    subscribe, admin
):
    subscription, old = subscribe()

    rotated, new = webhook_subscription_rotate_secret(
        subscription=subscription, actor=admin
    )

    assert new != old
    assert decrypt_text(rotated.secret_encrypted) == new
    (event,) = audit_events("webhook_subscription.secret_rotated")
    assert new not in event.canonical
    assert old not in event.canonical
    assert rotated.secret_encrypted not in event.canonical


def test_subscription_delete_keeps_the_row_and_refuses_a_second_delete(
    subscribe, admin
):
    subscription, _ = subscribe()

    webhook_subscription_delete(subscription=subscription, actor=admin)

    subscription.refresh_from_db()
    assert subscription.deleted_at is not None
    assert subscription.is_active is False
    assert len(audit_events("webhook_subscription.deleted")) == 1
    with pytest.raises(ApplicationError, match="deleted"):
        webhook_subscription_delete(subscription=subscription, actor=admin)


def test_no_audit_event_of_any_change_contains_a_secret(subscribe, admin):
    subscription, first = subscribe()
    _, second = webhook_subscription_rotate_secret(
        subscription=subscription, actor=admin
    )
    webhook_subscription_update(subscription=subscription, actor=admin, events=["*"])
    webhook_subscription_delete(subscription=subscription, actor=admin)

    events = audit_events("webhook_subscription.")

    assert [e.action.rsplit(".", 1)[1] for e in events] == [
        "created",
        "secret_rotated",
        "deleted",
    ]  # events=["*"] was already the list: no update event
    for event in events:
        assert first not in event.canonical
        assert second not in event.canonical
        assert "whsec_" not in event.canonical


# --- Publishing ---------------------------------------------------------------------


def test_publish_creates_one_delivery_per_interested_active_subscription(
    org, subscribe, admin
):
    wildcard, _ = subscribe(events=["*"])
    named, _ = subscribe(events=["promotion_request.applied"])
    subscribe(events=["promotion_request.rejected"])  # another event
    inactive, _ = subscribe(events=["*"], is_active=False)
    deleted, _ = subscribe(events=["*"])
    webhook_subscription_delete(subscription=deleted, actor=admin)
    webhook_subscription_create(
        organization=OrganizationFactory(), url="https://93.184.215.14/x", events=["*"]
    )

    deliveries = webhook_event_publish(
        organization=org, event="promotion_request.applied", payload={"id": 7}
    )

    assert {d.subscription_id for d in deliveries} == {wildcard.pk, named.pk}
    assert len({d.event_id for d in deliveries}) == 1
    assert all(d.status == WebhookDelivery.Status.PENDING for d in deliveries)
    assert inactive.pk not in {d.subscription_id for d in deliveries}


def test_publish_enqueues_only_on_commit(
    org, subscribe, django_capture_on_commit_callbacks
):
    subscribe()

    with django_capture_on_commit_callbacks() as callbacks:
        (delivery,) = webhook_event_publish(
            organization=org, event="alias.drift_detected", payload={}
        )
        assert callbacks == []  # nothing is sent before the commit

    assert len(callbacks) == 1
    assert WebhookDelivery.objects.get().pk == delivery.pk


def test_publish_refuses_an_unknown_event(org):
    with pytest.raises(ApplicationError, match="Unknown webhook event"):
        webhook_event_publish(organization=org, event="model.deleted", payload={})


def test_publish_stores_the_payload_as_json_it_will_send(org, subscribe):
    subscribe()
    ident = uuid.uuid4()

    (delivery,) = webhook_event_publish(
        organization=org,
        event="model_version.revalidation_overdue",
        payload={"due": date(2026, 1, 2), "version": ident},
    )

    delivery.refresh_from_db()
    assert delivery.payload == {"due": "2026-01-02", "version": str(ident)}


@pytest.mark.parametrize("value", [object(), float("nan")], ids=["object", "nan"])
def test_publish_refuses_a_payload_that_is_not_json(org, subscribe, value):
    subscribe()

    with pytest.raises(ApplicationError, match="not JSON-serialisable"):
        webhook_event_publish(
            organization=org, event="alias.drift_detected", payload={"x": value}
        )
    assert not WebhookDelivery.objects.exists()


def test_publish_without_subscribers_creates_nothing(org):
    for event in EVENT_TYPES:
        assert webhook_event_publish(organization=org, event=event, payload={}) == []


def _registry_change_that_fails(org) -> None:
    with transaction.atomic():
        webhook_event_publish(
            organization=org, event="alias.drift_detected", payload={}
        )
        raise RuntimeError("the registry's change failed")


@pytest.mark.django_db(transaction=True)
def test_publish_in_a_rolled_back_transaction_sends_nothing(org, subscribe, receiver):
    subscribe(receiver.url)

    with pytest.raises(RuntimeError, match="change failed"):
        _registry_change_that_fails(org)

    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_publish_in_a_committed_transaction_delivers(org, subscribe, receiver):
    subscribe(receiver.url)

    with transaction.atomic():
        webhook_event_publish(
            organization=org, event="alias.drift_detected", payload={}
        )
        assert receiver.requests == []  # not before the commit

    assert len(receiver.posts()) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_publish_while_the_broker_is_down_leaves_the_delivery_for_the_sweep(
    org, subscribe, django_capture_on_commit_callbacks
):
    subscribe()

    with unreachable_broker(), django_capture_on_commit_callbacks(execute=True):
        (delivery,) = webhook_event_publish(
            organization=org, event="alias.drift_detected", payload={}
        )

    # The change that published it committed; the delivery waits, pending, until the
    # requeue sweep finds it overdue.
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    overdue = delivery.next_attempt_at + deliveries.REQUEUE_GRACE
    assert webhook_delivery_due_ids(now=overdue, grace=deliveries.REQUEUE_GRACE) == [
        delivery.pk
    ]
