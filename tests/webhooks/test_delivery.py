"""Delivery attempts over real HTTP to a local receiver: signing, retries, refusals."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction

from apps.core.exceptions import ApplicationError
from apps.webhooks import client
from apps.webhooks.models import WebhookAttempt, WebhookDelivery
from apps.webhooks.services import (
    deliveries,
    webhook_delivery_attempt,
    webhook_delivery_redeliver,
    webhook_event_publish,
    webhook_subscription_delete,
    webhook_subscription_rotate_secret,
)
from apps.webhooks.services.deliveries import (
    LOST_ATTEMPT_ERROR,
    MAX_ATTEMPTS,
    RETRY_DELAYS_S,
)
from apps.webhooks.signing import verify_signature
from tests.webhooks.conftest import audit_events, trickle

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status
Outcome = WebhookAttempt.Outcome
EVENT = "promotion_request.applied"
PAYLOAD = {"promotion_request": 12, "model": "fraud-scorer", "alias": "production"}


@pytest.fixture
def publish(org):
    """publish() queues EVENT for org's subscribers; returns the single delivery."""

    def _publish(payload=PAYLOAD) -> WebhookDelivery:
        (delivery,) = webhook_event_publish(
            organization=org, event=EVENT, payload=payload
        )
        return delivery

    return _publish


def _attempt(delivery: WebhookDelivery, *, at=None):
    return webhook_delivery_attempt(delivery_id=delivery.pk, now=at)


def _refreshed(delivery: WebhookDelivery) -> WebhookDelivery:
    delivery.refresh_from_db()
    return delivery


def test_delivery_posts_signed_json_that_the_receiver_verifies(
    org, subscribe, receiver, publish
):
    _, secret = subscribe(receiver.url)
    delivery = publish()

    report = _attempt(delivery)

    assert report.status == Status.DELIVERED
    (request,) = receiver.requests
    headers = request.headers
    assert (request.method, request.path) == ("POST", "/hook")
    assert headers["Content-Type"] == "application/json"
    assert headers["Tollgate-Event"] == EVENT
    assert headers["Tollgate-Delivery"] == str(delivery.event_id)
    assert verify_signature(
        secret,
        headers["Tollgate-Timestamp"],
        request.body,
        headers["Tollgate-Signature"],
    )
    body = json.loads(request.body)
    assert body["data"] == PAYLOAD
    assert (body["id"], body["event"], body["organization"]) == (
        str(delivery.event_id),
        EVENT,
        org.slug,
    )


def test_delivery_signature_fails_for_another_secret_or_a_changed_body(
    subscribe, receiver, publish
):
    subscribe(receiver.url)
    _attempt(publish())
    (request,) = receiver.requests
    timestamp, header = (
        request.headers["Tollgate-Timestamp"],
        request.headers["Tollgate-Signature"],
    )

    assert not verify_signature("whsec_guess", timestamp, request.body, header)
    assert not verify_signature(
        "whsec_guess", timestamp, request.body.replace(b"12", b"13"), header
    )


def test_delivered_records_one_attempt_and_one_audit_event(
    subscribe, receiver, publish
):
    subscribe(receiver.url)
    delivery = publish()

    _attempt(delivery)

    delivery = _refreshed(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        Status.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.number, attempt.outcome, attempt.response_code) == (
        1,
        Outcome.SUCCESS,
        200,
    )
    (event,) = audit_events("webhook_delivery.")
    assert event.action == "webhook_delivery.delivered"
    assert json.loads(event.canonical)["data"]["event_id"] == str(delivery.event_id)


def test_a_second_attempt_at_a_delivered_delivery_sends_nothing(
    subscribe, receiver, publish
):
    subscribe(receiver.url)
    delivery = publish()
    _attempt(delivery)

    report = _attempt(delivery)

    assert report.status == "skipped"
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1
    assert len(audit_events("webhook_delivery.")) == 1


def test_delivery_retries_with_backoff_then_succeeds(subscribe, receiver, publish):
    subscribe(receiver.url)
    receiver.respond((500, {}, b"busy"), (500, {}, b"still busy"))
    delivery = publish()

    first = _attempt(delivery)
    due = _refreshed(delivery).next_attempt_at
    early = _attempt(delivery, at=due - timedelta(seconds=10))
    second = _attempt(delivery, at=due)
    due_again = _refreshed(delivery).next_attempt_at
    third = _attempt(delivery, at=due_again)

    assert (first.retry_in, second.retry_in) == RETRY_DELAYS_S[:2] == (30, 120)
    assert early.status == "skipped"  # not due yet: nothing sent
    assert third.status == Status.DELIVERED
    assert len(receiver.requests) == 3
    assert [
        (a.number, a.outcome, a.response_code) for a in delivery.attempt_log.all()
    ] == [
        (1, Outcome.HTTP_ERROR, 500),
        (2, Outcome.HTTP_ERROR, 500),
        (3, Outcome.SUCCESS, 200),
    ]
    assert due_again - due == timedelta(seconds=120)
    assert [e.action for e in audit_events("webhook_delivery.")] == [
        "webhook_delivery.delivered"
    ]


def test_delivery_fails_after_the_last_attempt_with_one_audit_event(
    subscribe, receiver, publish
):
    subscribe(receiver.url)
    receiver.respond(*[(503, {}, b"down")] * MAX_ATTEMPTS)
    delivery = publish()

    reports = [_attempt(delivery)]
    while reports[-1].retry_in is not None:
        reports.append(_attempt(delivery, at=_refreshed(delivery).next_attempt_at))

    delivery = _refreshed(delivery)
    assert [r.retry_in for r in reports] == [*RETRY_DELAYS_S, None]
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 6)
    assert delivery.last_error == "HTTP 503: down"
    (event,) = audit_events("webhook_delivery.")
    assert event.action == "webhook_delivery.failed"
    assert json.loads(event.canonical)["data"]["attempts"] == 6


def test_redirect_is_not_followed_and_counts_as_a_failure(subscribe, receiver, publish):
    subscribe(receiver.url)
    receiver.respond((302, {"Location": receiver.url_for("127.0.0.1", "/moved")}, b""))
    delivery = publish()

    report = _attempt(delivery)

    assert report.status == Status.PENDING
    assert [r.path for r in receiver.requests] == ["/hook"]  # /moved never requested
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.outcome, attempt.response_code) == (Outcome.REDIRECT, 302)
    assert "not followed" in attempt.error


def test_failed_response_body_is_cut_short_in_the_error(subscribe, receiver, publish):
    subscribe(receiver.url)
    receiver.respond((500, {}, b"E" * 100_000))
    delivery = publish()

    _attempt(delivery)

    error = _refreshed(delivery).last_error
    assert error.startswith("HTTP 500: EEEE")
    assert len(error) <= 300


def test_connection_refused_is_a_failed_attempt(subscribe, receiver, publish):
    subscribe("http://127.0.0.1:9/hook")  # the discard port: nothing listens
    delivery = publish()

    report = _attempt(delivery)

    assert report.status == Status.PENDING
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.outcome == Outcome.CONNECTION_ERROR
    assert attempt.response_code is None


def test_a_receiver_that_trickles_is_cut_off_at_the_total_timeout(
    subscribe, receiver, publish, monkeypatch
):
    monkeypatch.setattr(client, "TOTAL_TIMEOUT_S", 1.0)
    subscribe(receiver.url)
    receiver.respond(trickle)
    delivery = publish()

    started = time.monotonic()
    _attempt(delivery)
    elapsed = time.monotonic() - started

    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.outcome == Outcome.TIMEOUT
    assert elapsed < 3, elapsed  # each byte came well within the read timeout


def test_request_goes_to_the_checked_address_with_the_original_host_header(
    subscribe, receiver, publish, fake_dns
):
    fake_dns.names["hooks.example.test"] = ["127.0.0.1"]
    subscribe(receiver.url_for("hooks.example.test"))
    fake_dns.lookups.clear()
    delivery = publish()

    _attempt(delivery)

    (request,) = receiver.requests
    assert request.headers["Host"] == f"hooks.example.test:{receiver.port}"
    # Resolved once, by the guard; the connection used that answer, not a new one.
    assert fake_dns.lookups == ["hooks.example.test"]


def test_https_sends_the_host_name_for_sni_and_verifies_the_certificate_by_it(
    subscribe, tls_receiver, publish
):
    subscribe(tls_receiver.url_for("localhost"))
    delivery = publish()

    report = _attempt(delivery)

    assert report.status == Status.DELIVERED
    assert tls_receiver.server_names == ["localhost"]
    assert tls_receiver.requests[0].headers["Host"] == f"localhost:{tls_receiver.port}"


def test_https_to_an_address_the_certificate_does_not_name_fails(
    subscribe, tls_receiver, publish
):
    subscribe(tls_receiver.url_for("127.0.0.1"))
    delivery = publish()

    _attempt(delivery)

    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.outcome == Outcome.CONNECTION_ERROR
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert tls_receiver.requests == []


def test_retry_after_rotation_is_signed_with_the_new_secret(
    subscribe, receiver, publish, admin
):
    subscription, old = subscribe(receiver.url)
    receiver.respond((500, {}, b""))
    delivery = publish()
    _attempt(delivery)
    _, new = webhook_subscription_rotate_secret(subscription=subscription, actor=admin)

    _attempt(delivery, at=_refreshed(delivery).next_attempt_at)

    first, second = receiver.requests
    assert first.body == second.body  # the same bytes on every attempt

    def signed_with(secret, request):
        headers = request.headers
        return verify_signature(
            secret,
            headers["Tollgate-Timestamp"],
            request.body,
            headers["Tollgate-Signature"],
            now=int(headers["Tollgate-Timestamp"]),
        )

    assert signed_with(old, first)
    assert not signed_with(old, second)
    assert signed_with(new, second)


def test_pending_delivery_of_a_deleted_subscription_fails_without_sending(
    subscribe, receiver, publish, admin
):
    subscription, _ = subscribe(receiver.url)
    delivery = publish()
    webhook_subscription_delete(subscription=subscription, actor=admin)

    report = _attempt(delivery)

    assert report.status == "skipped"
    assert receiver.requests == []
    delivery = _refreshed(delivery)
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 0)
    (event,) = audit_events("webhook_delivery.")
    assert event.action == "webhook_delivery.failed"


def test_a_claim_whose_lease_ran_out_can_be_taken_again(subscribe, receiver, publish):
    subscribe(receiver.url)
    delivery = publish()
    # A worker claimed it and died: DELIVERING, its lease ending now.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.DELIVERING, attempts=1, next_attempt_at=delivery.created_at
    )

    report = _attempt(delivery)

    assert report.status == Status.DELIVERED
    log = _refreshed(delivery).attempt_log.all()
    assert [(a.number, a.outcome) for a in log] == [
        (1, WebhookAttempt.Outcome.WORKER_LOST),
        (2, WebhookAttempt.Outcome.SUCCESS),
    ]
    assert log[0].error == LOST_ATTEMPT_ERROR


def test_a_worker_slower_than_its_lease_leaves_its_attempt_logged_as_lost(
    subscribe, receiver, publish
):
    subscribe(receiver.url)
    delivery = publish()
    claim = deliveries._claim(delivery.pk, delivery.created_at)
    # Its lease lapses before it records anything; another worker delivers.
    after_lease = delivery.created_at + deliveries.LEASE + timedelta(seconds=1)
    assert _attempt(delivery, at=after_lease).status == Status.DELIVERED

    late = deliveries._record(
        delivery.pk,
        claim.number,
        after_lease,
        client.PostResult(
            outcome="success", response_code=200, error="", duration_ms=5
        ),
    )

    assert late.status == "skipped"
    log = _refreshed(delivery).attempt_log.all()
    assert [(a.number, a.outcome) for a in log] == [
        (1, WebhookAttempt.Outcome.WORKER_LOST),
        (2, WebhookAttempt.Outcome.SUCCESS),
    ]


def test_a_claim_whose_lease_holds_is_left_alone(subscribe, receiver, publish):
    subscribe(receiver.url)
    delivery = publish()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.DELIVERING,
        attempts=1,
        next_attempt_at=delivery.created_at + timedelta(minutes=2),
    )

    report = _attempt(delivery, at=delivery.created_at + timedelta(seconds=30))

    assert report.status == "skipped"
    assert receiver.requests == []


def test_redeliver_gives_a_failed_delivery_one_more_attempt(
    subscribe, receiver, publish, admin, django_capture_on_commit_callbacks
):
    subscribe(receiver.url)
    receiver.respond(*[(500, {}, b"")] * (MAX_ATTEMPTS + 1))
    delivery = publish()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.FAILED, attempts=MAX_ATTEMPTS, next_attempt_at=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_redeliver(delivery=delivery, actor=admin)

    delivery = _refreshed(delivery)
    assert (delivery.status, delivery.attempts) == (Status.FAILED, MAX_ATTEMPTS + 1)
    assert len(receiver.requests) == 1  # one attempt, no automatic retries after it
    assert [e.action for e in audit_events("webhook_delivery.")] == [
        "webhook_delivery.redelivery_requested",
        "webhook_delivery.failed",
    ]


def test_redeliver_refuses_a_delivery_that_has_not_failed(
    subscribe, receiver, publish, admin
):
    subscribe(receiver.url)
    delivery = publish()

    with pytest.raises(ApplicationError, match="Only a failed delivery"):
        webhook_delivery_redeliver(delivery=delivery, actor=admin)


def test_attempts_are_append_only(subscribe, receiver, publish):
    subscribe(receiver.url)
    delivery = publish()
    _attempt(delivery)
    attempt = WebhookAttempt.objects.get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WebhookAttempt.objects.filter(pk=attempt.pk).update(response_code=500)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt.delete()

    assert WebhookAttempt.objects.get().response_code == 200
