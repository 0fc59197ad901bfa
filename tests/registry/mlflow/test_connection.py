"""Setting up, changing and disabling an organisation's MLflow connection."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.core.crypto import decrypt_text
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.registry.mlflow import sync
from apps.registry.models import MlflowConnection
from tests.registry.mlflow.conftest import TOKEN

pytestmark = pytest.mark.django_db


def _set(registry, org, **overrides):
    arguments = {
        "organization": org,
        "tracking_uri": "https://mlflow.example.com/",
        "token": TOKEN,
        "default_team": registry.team,
        "configured_by": registry.admin,
        **overrides,
    }
    return sync.mlflow_connection_set(**arguments)


def test_connection_set_stores_the_token_encrypted_with_one_event(registry, org):
    connection = _set(registry, org)

    connection.refresh_from_db()
    assert connection.tracking_uri == "https://mlflow.example.com"
    assert TOKEN not in connection.token_encrypted
    assert decrypt_text(connection.token_encrypted) == TOKEN
    (event,) = AuditEvent.objects.filter(action="mlflow.connection_set")
    assert (event.actor_id, event.object_id) == (registry.admin.pk, str(connection.pk))
    assert TOKEN not in event.canonical
    assert '"authenticated":true' in event.canonical


def test_connection_set_is_for_org_admins_only(registry, org):
    with pytest.raises(PermissionDeniedError, match="Only an org admin"):
        _set(registry, org, configured_by=registry.lead)

    assert not MlflowConnection.objects.exists()


def test_connection_set_refuses_credentials_in_the_url(registry, org):
    with pytest.raises(ApplicationError, match="not in the URL"):
        _set(registry, org, tracking_uri="https://bot:hunter2@mlflow.example.com")


@pytest.mark.parametrize(
    "uri", ["ftp://mlflow.example.com", "mlflow.example.com", "https://x:y:z"]
)
def test_connection_set_refuses_what_is_not_an_http_address(registry, org, uri):
    with pytest.raises(ApplicationError, match="http"):
        _set(registry, org, tracking_uri=uri)


def test_connection_set_again_keeps_the_token_when_none_is_given(registry, org):
    _set(registry, org)

    connection = _set(registry, org, tracking_uri="http://mlflow:5000", token=None)

    assert MlflowConnection.objects.count() == 1
    assert connection.tracking_uri == "http://mlflow:5000"
    assert decrypt_text(connection.token_encrypted) == TOKEN
    assert AuditEvent.objects.filter(action="mlflow.connection_set").count() == 2


def test_connection_disable_stops_the_sync_with_one_event(registry, org):
    _set(registry, org)

    connection = sync.mlflow_connection_disable(
        organization=org, disabled_by=registry.admin
    )
    sync.mlflow_connection_disable(organization=org, disabled_by=registry.admin)

    assert connection.enabled is False
    assert AuditEvent.objects.filter(action="mlflow.connection_disabled").count() == 1
    with pytest.raises(ApplicationError, match="disabled"):
        sync.mlflow_import(connection=connection)


def test_the_token_never_reaches_the_audit_trail(mlflow, connection):
    mlflow.model("fraud")
    mlflow.governed_version("fraud")
    mlflow.set_alias("fraud", "production", "1")

    sync.mlflow_import(connection=connection)

    canonicals = list(AuditEvent.objects.values_list("canonical", flat=True))
    assert len(canonicals) > 3
    assert not [c for c in canonicals if TOKEN in c]
