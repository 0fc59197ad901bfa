"""The webhook admin: read-only, and the encrypted secret never shown."""

from __future__ import annotations

import pytest

from apps.webhooks.services import webhook_delivery_attempt, webhook_event_publish
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/webhooks/"


@pytest.fixture
def signed_in(client, org):
    client.force_login(UserFactory(organization=org, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def delivered(org, subscribe, receiver):
    subscription, secret = subscribe(receiver.url, description="CI bridge")
    (delivery,) = webhook_event_publish(
        organization=org, event="alias.drift_detected", payload={}
    )
    webhook_delivery_attempt(delivery_id=delivery.pk)
    return subscription, secret, delivery


@pytest.mark.parametrize(
    "model", ["webhooksubscription", "webhookdelivery", "webhookattempt"]
)
def test_admin_changelist_renders_without_an_add_button(signed_in, delivered, model):
    response = signed_in.get(f"{ADMIN}{model}/")

    assert response.status_code == 200
    assert f"{ADMIN}{model}/add/" not in response.content.decode()
    assert signed_in.get(f"{ADMIN}{model}/add/").status_code == 403


def test_admin_subscription_page_shows_neither_secret_nor_its_ciphertext(
    signed_in, delivered
):
    subscription, secret, _ = delivered

    page = signed_in.get(f"{ADMIN}webhooksubscription/{subscription.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "CI bridge" in html
    assert secret not in html
    assert subscription.secret_encrypted not in html


def test_admin_refuses_to_change_a_delivery(signed_in, delivered):
    _, _, delivery = delivered

    response = signed_in.post(
        f"{ADMIN}webhookdelivery/{delivery.pk}/change/", {"status": "pending"}
    )

    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
