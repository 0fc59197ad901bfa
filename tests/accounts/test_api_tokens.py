"""Personal API tokens: hashed at rest, Bearer authentication, one generic refusal."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts import services
from apps.accounts.models import ApiToken
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import audit_events, bearer, event_data

pytestmark = pytest.mark.django_db

REFUSAL = {
    "error": {
        "code": "authentication_failed",
        "message": "Invalid, expired or revoked token.",
        "fields": {},
    }
}


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def token_and_secret(user):
    return services.api_token_create(user=user, name="ci")


def _all_database_text() -> str:
    """Every value of every table, as text: a secret must be in none of them."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_token_create_api_stores_only_sha256_digest(user, api_client):
    response = api_client(user).post("/api/v1/tokens/create/", {"name": "ci"})

    secret = response.json()["secret"]
    token = ApiToken.objects.get(user=user)
    assert response.status_code == 201
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in _all_database_text()


def test_token_create_keeps_secret_out_of_audit_text(user):
    _, secret = services.api_token_create(user=user, name="ci")

    (event,) = audit_events("api_token.created")
    assert secret not in event.canonical


def test_token_create_records_audit_event(user):
    token, _ = services.api_token_create(user=user, name="ci")

    (event,) = audit_events("api_token.created")
    assert (event.actor_id, event.object_id) == (user.pk, str(token.pk))
    assert event_data(event)["name"] == "ci"
    assert event_data(event)["prefix"] == token.prefix


def test_token_authenticates_bearer_request(token_and_secret, user):
    token, secret = token_and_secret

    response = APIClient().get("/api/v1/me/", **bearer(secret))

    assert response.status_code == 200
    assert response.json()["username"] == user.username
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_authenticates_when_scheme_is_lowercase(token_and_secret):
    _, secret = token_and_secret

    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"bearer {secret}")

    assert response.status_code == 200


def test_token_refused_when_expired(token_and_secret):
    token, secret = token_and_secret
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = APIClient().get("/api/v1/me/", **bearer(secret))

    assert response.status_code == 401
    assert response.json() == REFUSAL


def test_token_refused_when_revoked(token_and_secret, user):
    token, secret = token_and_secret
    services.api_token_revoke(token=token, revoked_by=user)

    response = APIClient().get("/api/v1/me/", **bearer(secret))

    assert response.status_code == 401
    assert response.json() == REFUSAL


def test_token_refused_when_unknown():
    response = APIClient().get("/api/v1/me/", **bearer("tg_" + "x" * 43))

    assert response.status_code == 401
    assert response.json() == REFUSAL


def test_token_refused_when_user_inactive(token_and_secret, user):
    _, secret = token_and_secret
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = APIClient().get("/api/v1/me/", **bearer(secret))

    assert response.status_code == 401
    assert response.json() == REFUSAL


def test_token_create_api_refuses_token_authenticated_caller(token_and_secret):
    _, secret = token_and_secret

    response = APIClient().post(
        "/api/v1/tokens/create/", {"name": "more"}, **bearer(secret)
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert ApiToken.objects.count() == 1


def test_token_revoke_api_records_audit_event(token_and_secret, user, api_client):
    token, _ = token_and_secret

    response = api_client(user).post(f"/api/v1/tokens/{token.pk}/revoke/")

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    (event,) = audit_events("api_token.revoked")
    assert (event.actor_id, event.object_id) == (user.pk, str(token.pk))


def test_token_revoke_api_refuses_second_revoke(token_and_secret, user, api_client):
    token, _ = token_and_secret
    client = api_client(user)
    client.post(f"/api/v1/tokens/{token.pk}/revoke/")

    response = client.post(f"/api/v1/tokens/{token.pk}/revoke/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "already_revoked"
    assert len(audit_events("api_token.revoked")) == 1


def test_token_revoke_api_hides_another_users_token(
    token_and_secret, make_user, api_client
):
    token, _ = token_and_secret

    response = api_client(make_user()).post(f"/api/v1/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_list_api_hides_another_users_token(
    token_and_secret, make_user, api_client
):
    response = api_client(make_user()).get("/api/v1/tokens/")

    assert response.json()["results"] == []


def test_token_create_api_refuses_expiry_in_past(user, api_client):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()

    response = api_client(user).post(
        "/api/v1/tokens/create/", {"name": "ci", "expires_at": past}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "expires_at": ["Must be in the future."]
    }
    assert not ApiToken.objects.exists()


def test_token_create_api_refuses_expiry_beyond_max_age(user, api_client, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    # Less than a full day too far: comparing whole days would let it through.
    too_late = timezone.now() + timedelta(days=30, hours=12)

    response = api_client(user).post(
        "/api/v1/tokens/create/", {"name": "ci", "expires_at": too_late.isoformat()}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "expires_at": ["At most 30 days from now."]
    }
    assert not ApiToken.objects.exists()


def test_token_create_expires_after_max_age_when_no_expiry_given(user, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30

    token, _ = services.api_token_create(user=user, name="ci")

    lifetime = token.expires_at - token.created_at
    assert timedelta(days=30) - timedelta(minutes=1) < lifetime <= timedelta(days=30)


@pytest.mark.django_db(transaction=True)
def test_token_authenticates_real_http_request(live_server):
    user = UserFactory(username="http-user")
    _, secret = services.api_token_create(user=user, name="http")
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}
    )

    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body = json.load(response)

    assert body["username"] == "http-user"
