"""The webhook API: org admins only, scoped to their organisation, secrets shown once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.webhooks.events import EVENT_TYPES
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from apps.webhooks.services import (
    webhook_delivery_attempt,
    webhook_event_publish,
    webhook_subscription_create,
)
from tests.accounts.factories import OrganizationFactory
from tests.webhooks.conftest import PUBLIC_URL, audit_events

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks/subscriptions/"


def _url(subscription, action: str = "") -> str:
    return f"{BASE}{subscription.pk}/{action}"


def test_create_returns_the_secret_once_and_never_again(admin, api_client):
    client = api_client(admin)

    created = client.post(
        BASE + "create/",
        {"url": PUBLIC_URL, "events": ["promotion_request.applied"]},
        format="json",
    )

    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    subscription = WebhookSubscription.objects.get()
    assert created.json()["subscription"]["id"] == subscription.pk
    for path in (BASE, _url(subscription)):
        response = client.get(path)
        assert response.status_code == 200
        assert secret not in response.content.decode()
        assert "secret_encrypted" not in response.content.decode()
    for event in audit_events("webhook_subscription."):
        assert secret not in event.canonical


def test_rotate_secret_returns_a_new_secret_once(subscribe, admin, api_client):
    subscription, old = subscribe()

    response = api_client(admin).post(_url(subscription, "rotate-secret/"))

    assert response.status_code == 200
    new = response.json()["secret"]
    assert new != old
    assert new.startswith("whsec_")
    detail = api_client(admin).get(_url(subscription)).content.decode()
    assert new not in detail
    assert old not in detail
    assert len(audit_events("webhook_subscription.secret_rotated")) == 1


def test_update_changes_fields_given_and_audits_once(subscribe, admin, api_client):
    subscription, _ = subscribe()

    response = api_client(admin).post(
        _url(subscription, "update/"),
        {"events": ["alias.drift_detected"], "is_active": False},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["events"], body["is_active"]) == (["alias.drift_detected"], False)
    subscription.refresh_from_db()
    assert subscription.url == PUBLIC_URL
    assert len(audit_events("webhook_subscription.updated")) == 1


def test_update_refuses_an_unknown_event_with_a_field_message(
    subscribe, admin, api_client
):
    subscription, _ = subscribe()

    response = api_client(admin).post(
        _url(subscription, "update/"), {"events": ["model.deleted"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "events": ["Unknown event 'model.deleted'."]
    }


def test_delete_hides_the_subscription_and_audits_once(subscribe, admin, api_client):
    subscription, _ = subscribe()
    client = api_client(admin)

    response = client.post(_url(subscription, "delete/"))

    assert response.status_code == 204
    assert client.get(_url(subscription)).status_code == 404
    assert client.get(BASE).json()["count"] == 0
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    assert len(audit_events("webhook_subscription.deleted")) == 1


def test_events_lists_the_known_event_names(admin, api_client):
    response = api_client(admin).get("/api/v1/webhooks/events/")

    assert response.json() == {"events": list(EVENT_TYPES), "wildcard": "*"}


def test_deliveries_list_shows_attempts_in_order(
    org, subscribe, receiver, admin, api_client
):
    subscription, _ = subscribe(receiver.url)
    receiver.respond((500, {}, b"nope"))
    (delivery,) = webhook_event_publish(
        organization=org, event="alias.drift_detected", payload={"alias": "prod"}
    )
    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    response = api_client(admin).get(_url(subscription, "deliveries/"))

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["status"], row["attempts"], row["payload"]) == (
        "delivered",
        2,
        {"alias": "prod"},
    )
    assert [(a["number"], a["outcome"]) for a in row["attempt_log"]] == [
        (1, "http_error"),
        (2, "success"),
    ]
    assert row["attempt_log"][0]["error"] == "HTTP 500: nope"


def test_redeliver_api_queues_a_failed_delivery(org, subscribe, admin, api_client):
    subscription, _ = subscribe()
    (delivery,) = webhook_event_publish(
        organization=org, event="alias.drift_detected", payload={}
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED, attempts=6
    )

    response = api_client(admin).post(
        _url(subscription, f"deliveries/{delivery.pk}/redeliver/")
    )

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.max_attempts) == ("pending", 7)


def test_redeliver_api_refuses_a_pending_delivery(org, subscribe, admin, api_client):
    subscription, _ = subscribe()
    (delivery,) = webhook_event_publish(
        organization=org, event="alias.drift_detected", payload={}
    )

    response = api_client(admin).post(
        _url(subscription, f"deliveries/{delivery.pk}/redeliver/")
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_failed"


# --- Other organisations and other roles -----------------------------------------------


@pytest.fixture
def other_admin(make_user):
    return make_user(Role.ORG_ADMIN, organization=OrganizationFactory())


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", ""),
        ("post", "update/"),
        ("post", "delete/"),
        ("post", "rotate-secret/"),
        ("get", "deliveries/"),
    ],
)
def test_another_organisations_subscription_is_not_found(
    method, action, subscribe, other_admin, api_client
):
    subscription, _ = subscribe()

    response = getattr(api_client(other_admin), method)(
        _url(subscription, action), {"description": "mine now"}, format="json"
    )

    assert response.status_code == 404
    subscription.refresh_from_db()
    assert (subscription.description, subscription.deleted_at) == ("", None)
    assert audit_events("webhook_subscription.") == audit_events(
        "webhook_subscription.created"
    )


def test_another_organisations_delivery_is_not_found(
    org, subscribe, other_admin, api_client
):
    subscription, _ = subscribe()
    (delivery,) = webhook_event_publish(
        organization=org, event="alias.drift_detected", payload={}
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    theirs, _ = webhook_subscription_create(
        organization=other_admin.organization, url=PUBLIC_URL, events=["*"]
    )
    client = api_client(other_admin)

    via_ours = client.post(_url(subscription, f"deliveries/{delivery.pk}/redeliver/"))
    via_theirs = client.post(_url(theirs, f"deliveries/{delivery.pk}/redeliver/"))

    assert (via_ours.status_code, via_theirs.status_code) == (404, 404)
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_list_shows_only_the_callers_organisation(subscribe, other_admin, api_client):
    subscribe()

    response = api_client(other_admin).get(BASE)

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.TEAM_LEAD, Role.EXECUTIVE])
def test_people_other_than_org_admins_are_refused(
    role, subscribe, make_user, team, api_client
):
    subscription, _ = subscribe()
    user = make_user(role, team=team)

    assert api_client(user).get(BASE).status_code == 403
    assert (
        api_client(user).post(_url(subscription, "rotate-secret/")).status_code == 403
    )


# --- Query budgets -------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_subscription_list_query_count_does_not_grow(subscribe, make_user, api_client):
    subscribe()
    # Fresh callers: roles are cached per user object.
    one = _queries(api_client(make_user(Role.ORG_ADMIN)), BASE)
    for _ in range(4):
        subscribe()

    five = _queries(api_client(make_user(Role.ORG_ADMIN)), BASE)

    # 1 caller's roles, 2 count, 3 subscriptions joined to their creators.
    assert one == five == 3


def test_delivery_list_query_count_does_not_grow(org, subscribe, make_user, api_client):
    subscription, _ = subscribe()

    def add_delivery():
        (delivery,) = webhook_event_publish(
            organization=org, event="alias.drift_detected", payload={}
        )
        for number in (1, 2):
            WebhookAttempt.objects.create(
                delivery=delivery,
                number=number,
                started_at=delivery.created_at,
                duration_ms=5,
                outcome="http_error",
                response_code=500,
            )

    add_delivery()
    path = _url(subscription, "deliveries/")
    one = _queries(api_client(make_user(Role.ORG_ADMIN)), path)
    for _ in range(4):
        add_delivery()

    five = _queries(api_client(make_user(Role.ORG_ADMIN)), path)

    # 1 caller's roles, 2 the subscription, 3 count, 4 deliveries, 5 their attempts.
    assert one == five == 5
