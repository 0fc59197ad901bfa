"""The delivery task: eager in-process on SQLite, a real worker on Redis in CI's
PostgreSQL pass. Worker tests commit (transaction=True) and poll the database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from django.utils import timezone

from apps.webhooks import tasks
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import deliveries, webhook_event_publish

Status = WebhookDelivery.Status
EVENT = "alias.drift_detected"
TIMEOUT_S = 20


def _wait_for(status: str) -> WebhookDelivery:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        delivery = WebhookDelivery.objects.get()
        if delivery.status == status:
            return delivery
        assert time.monotonic() < deadline, f"still {delivery.status}"
        time.sleep(0.1)


def test_webhook_tasks_are_django_tasks():
    assert isinstance(tasks.webhook_deliver, DjangoTask)
    assert isinstance(tasks.webhook_deliveries_requeue_due, DjangoTask)


@pytest.mark.django_db
def test_eager_task_makes_one_attempt_and_leaves_the_retry_pending(
    org, subscribe, receiver
):
    """Eagerly, no retry is scheduled: the delivery waits for the requeue sweep."""
    subscribe(receiver.url)
    receiver.respond((500, {}, b""))
    (delivery,) = webhook_event_publish(organization=org, event=EVENT, payload={})

    tasks.webhook_deliver.delay(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
    assert len(receiver.requests) == 1
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)


@pytest.mark.django_db
def test_requeue_sweep_sends_overdue_deliveries_once(org, subscribe, receiver):
    subscribe(receiver.url)
    (overdue,) = webhook_event_publish(organization=org, event=EVENT, payload={})
    WebhookDelivery.objects.filter(pk=overdue.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    (fresh,) = webhook_event_publish(organization=org, event=EVENT, payload={})

    queued = tasks.webhook_deliveries_requeue_due.delay().get()

    assert queued == 1  # the fresh one is left to its own task message
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert (overdue.status, fresh.status) == (Status.DELIVERED, Status.PENDING)
    assert len(receiver.requests) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_a_published_event_after_commit(
    celery_worker, org, subscribe, receiver
):
    subscribe(receiver.url)

    with transaction.atomic():
        webhook_event_publish(organization=org, event=EVENT, payload={"n": 1})

    delivery = _wait_for(Status.DELIVERED)
    assert delivery.attempts == 1
    assert len(receiver.posts()) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_retries_after_the_countdown_then_delivers(
    celery_worker, org, subscribe, receiver, monkeypatch
):
    if celery_worker is None:
        pytest.skip("eager mode (no CELERY_BROKER_URL) schedules no retries")
    monkeypatch.setattr(deliveries, "RETRY_DELAYS_S", (1, 1, 1, 1, 1))
    subscribe(receiver.url)
    receiver.respond((500, {}, b""), (500, {}, b""))

    with transaction.atomic():
        webhook_event_publish(organization=org, event=EVENT, payload={})

    delivery = _wait_for(Status.DELIVERED)
    assert delivery.attempts == 3
    assert len(receiver.posts()) == 3
