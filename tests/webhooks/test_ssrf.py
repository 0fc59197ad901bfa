"""The SSRF guard: refused targets, on the API and before every delivery."""

from __future__ import annotations

import ipaddress

import pytest

from apps.accounts.models import Role
from apps.webhooks.models import WebhookAttempt, WebhookSubscription
from apps.webhooks.services import webhook_delivery_attempt, webhook_event_publish
from apps.webhooks.ssrf import UnsafeTargetError, is_public_address, resolve_target

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/webhooks/subscriptions/create/"
NON_PUBLIC = (
    "The URL points at a private, loopback, link-local or otherwise non-public address."
)
SCHEME = "Use an http:// or https:// URL."
CREDENTIALS = "Remove the user name and password from the URL."

REFUSED = {
    "loopback": ("http://127.0.0.1/hook", NON_PUBLIC),
    "localhost": ("http://localhost:8000/hook", NON_PUBLIC),
    "private-10": ("http://10.1.2.3/hook", NON_PUBLIC),
    "private-172": ("http://172.16.0.10/hook", NON_PUBLIC),
    "private-192": ("https://192.168.1.20/hook", NON_PUBLIC),
    "metadata": ("http://169.254.169.254/latest/meta-data/", NON_PUBLIC),
    "ipv6-loopback": ("http://[::1]/hook", NON_PUBLIC),
    "ipv6-link-local": ("http://[fe80::1]/hook", NON_PUBLIC),
    "ipv4-mapped": ("http://[::ffff:127.0.0.1]/hook", NON_PUBLIC),
    "shared-100-64": ("http://100.64.0.1/hook", NON_PUBLIC),
    "unspecified": ("http://0.0.0.0/hook", NON_PUBLIC),
    "ipv6-unique-local": ("http://[fd00::1]/hook", NON_PUBLIC),
    "multicast": ("http://224.0.0.251/hook", NON_PUBLIC),
    "nat64-loopback": ("http://[64:ff9b::7f00:1]/hook", NON_PUBLIC),
    "6to4-private": ("http://[2002:a00:1::1]/hook", NON_PUBLIC),
    "hex-shorthand": ("http://0x7f.1/hook", NON_PUBLIC),
    "ftp": ("ftp://files.example.com/hook", SCHEME),
    "no-scheme": ("hooks.example.com/hook", SCHEME),
    "credentials": ("http://user:pass@hooks.example.com/hook", CREDENTIALS),
}


@pytest.mark.parametrize(
    ("url", "message"), list(REFUSED.values()), ids=list(REFUSED.keys())
)
def test_subscription_create_api_refuses_unsafe_url_with_field_message(
    url, message, make_user, api_client
):
    response = api_client(make_user(Role.ORG_ADMIN)).post(
        CREATE, {"url": url, "events": ["*"]}, format="json"
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "unsafe_url"
    assert error["fields"] == {"url": [message]}
    assert not WebhookSubscription.objects.exists()


def test_subscription_create_api_accepts_a_public_address(make_user, api_client):
    response = api_client(make_user(Role.ORG_ADMIN)).post(
        CREATE, {"url": "https://93.184.215.14/hook", "events": ["*"]}, format="json"
    )

    assert response.status_code == 201, response.content


def test_subscription_update_api_refuses_unsafe_url(subscribe, admin, api_client):
    subscription, _ = subscribe()

    response = api_client(admin).post(
        f"/api/v1/webhooks/subscriptions/{subscription.pk}/update/",
        {"url": "http://169.254.169.254/latest/"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"url": [NON_PUBLIC]}
    subscription.refresh_from_db()
    assert subscription.url == "https://93.184.215.14/hooks/tollgate"


def test_resolve_target_refuses_a_name_with_any_private_address(fake_dns):
    fake_dns.names["mixed.example.test"] = ["93.184.215.14", "10.0.0.1"]

    with pytest.raises(UnsafeTargetError, match="non-public"):
        resolve_target("https://mixed.example.test/hook")


def test_resolve_target_refuses_a_name_that_does_not_resolve():
    with pytest.raises(UnsafeTargetError, match="does not resolve"):
        resolve_target("https://no-such-host.invalid/hook")


def test_resolve_target_allows_private_addresses_when_the_setting_is_on(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True

    target = resolve_target("http://localhost:8000/hook")

    assert target.addresses == ("127.0.0.1",)
    assert target.host_header == "localhost:8000"


def test_resolve_target_keeps_scheme_and_credential_rules_when_private_is_allowed(
    settings,
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True

    with pytest.raises(UnsafeTargetError, match="user name"):
        resolve_target("http://user:pass@127.0.0.1/hook")
    with pytest.raises(UnsafeTargetError, match="http"):
        resolve_target("gopher://127.0.0.1/hook")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:93.184.215.14", True),
        ("100.127.255.255", False),
        ("198.18.0.1", False),
        ("192.0.2.1", False),
        ("255.255.255.255", False),
        ("ff02::1", False),
        ("::", False),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo to 10.0.0.1
    ],
)
def test_is_public_address(address, public):
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_delivery_is_refused_when_the_name_now_resolves_privately(
    org, subscribe, receiver, fake_dns, settings
):
    """DNS rebinding: public when subscribed, loopback when delivered."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    fake_dns.names["rebind.example.test"] = ["93.184.215.14"]
    subscribe(receiver.url_for("rebind.example.test"))
    fake_dns.names["rebind.example.test"] = ["127.0.0.1"]
    (delivery,) = webhook_event_publish(
        organization=org, event="alias.drift_detected", payload={}
    )

    webhook_delivery_attempt(delivery_id=delivery.pk)

    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.outcome == WebhookAttempt.Outcome.REFUSED_TARGET
    assert attempt.error == NON_PUBLIC
