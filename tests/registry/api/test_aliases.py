"""models/<id>/aliases/<name>/: read by alias (the serving path), set, remove."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts import services as account_services
from apps.registry import promotion, services
from apps.registry.models import Alias
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenger(registry):
    """A model whose v2 holds the unprotected alias `challenger`."""
    model = registry.model()
    registry.version(model)
    version = registry.version(model, artifact_sha256="c" * 64)
    return services.alias_set(
        model=model, name="challenger", version=version, set_by=registry.lead
    )


def test_alias_read_answers_with_the_version_it_points_at(
    challenger, registry, api_client
):
    response = api_client(registry.member).get(
        url("models", challenger.model_id, "aliases", "challenger")
    )

    assert response.status_code == 200
    assert response.json() == {
        "model": challenger.model_id,
        "name": "challenger",
        "version": 2,
        "version_id": challenger.version_id,
        "version_status": "submitted",
        "source_uri": "s3://models/fraud/7",
        "artifact_sha256": "c" * 64,
        "code_commit": challenger.version.code_commit,
        "protected": False,
        "set_at": response.json()["set_at"],
        "via_request": None,
    }


def test_alias_read_with_a_session_costs_four_queries(challenger, registry):
    client = APIClient()
    client.force_login(registry.member)
    path = url("models", challenger.model_id, "aliases", "challenger")

    # 1 session, 2 user, 3 the caller's roles, 4 alias joined to its version.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)

    assert response.status_code == 200
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_alias_read_with_a_token_costs_four_queries(challenger, registry):
    _, secret = account_services.api_token_create(user=registry.member, name="serving")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    path = url("models", challenger.model_id, "aliases", "challenger")

    # 1 token joined to user, 2 its last-used stamp (at most every few minutes),
    # 3 the caller's roles, 4 alias joined to its version.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)

    assert response.status_code == 200
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_alias_read_is_404_for_unknown_alias_or_invisible_model(
    challenger, registry, api_client, stranger
):
    path = url("models", challenger.model_id, "aliases", "challenger")

    assert api_client(stranger).get(path).status_code == 404
    assert api_client(registry.outsider).get(path).status_code == 404
    assert (
        api_client(registry.member)
        .get(url("models", challenger.model_id, "aliases", "nope"))
        .status_code
        == 404
    )


def test_alias_put_moves_an_unprotected_alias(challenger, registry, api_client):
    response = api_client(registry.member).put(
        url("models", challenger.model_id, "aliases", "challenger"),
        {"version": 1},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["version"] == 1
    assert Alias.objects.get(pk=challenger.pk).version.version == 1


def test_alias_put_creates_a_new_alias(challenger, registry, api_client):
    response = api_client(registry.member).put(
        url("models", challenger.model_id, "aliases", "shadow"),
        {"version": 2},
        format="json",
    )

    assert response.status_code == 200
    assert Alias.objects.filter(model=challenger.model, name="shadow").exists()


@pytest.mark.parametrize(
    ("name", "body", "code", "field"),
    [
        ("production", {"version": 1}, "protected_alias", "name"),
        ("Shadow", {"version": 1}, "validation_error", "name"),
        ("shadow", {"version": 7}, "validation_error", "version"),
        ("shadow", {"version": "one"}, "validation_error", "version"),
        ("shadow", {"version": 10**12}, "validation_error", "version"),
    ],
)
def test_alias_put_refuses(challenger, registry, api_client, name, body, code, field):
    response = api_client(registry.member).put(
        url("models", challenger.model_id, "aliases", name), body, format="json"
    )

    assert response.status_code == 400
    assert (error(response)["code"], list(error(response)["fields"])) == (code, [field])


def test_alias_put_is_forbidden_to_readers(challenger, registry, api_client):
    response = api_client(registry.approvers[0]).put(
        url("models", challenger.model_id, "aliases", "challenger"),
        {"version": 1},
        format="json",
    )

    assert response.status_code == 403


def test_alias_delete_removes_an_unprotected_alias(challenger, registry, api_client):
    response = api_client(registry.member).delete(
        url("models", challenger.model_id, "aliases", "challenger")
    )

    assert response.status_code == 204
    assert not Alias.objects.filter(pk=challenger.pk).exists()


def test_alias_delete_refuses_a_protected_alias(registry, api_client):
    request = registry.approved(tier="low")
    promotion.promotion_apply(request=request, applied_by=registry.lead)

    response = api_client(registry.lead).delete(
        url("models", request.version.model_id, "aliases", "production")
    )

    assert response.status_code == 400
    assert error(response)["code"] == "protected_alias"
    assert Alias.objects.filter(name="production").exists()
