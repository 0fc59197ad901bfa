"""Running the sync: its outcome on the connection, the tasks, the beat entry and the
management command."""

from __future__ import annotations

import pytest
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.registry.mlflow import sync, tasks
from apps.registry.mlflow.client import MlflowError
from apps.registry.models import RegisteredModel
from config.celery import app
from tests.registry.mlflow.conftest import TOKEN

pytestmark = pytest.mark.django_db


def _point_at(connection, uri: str):
    connection.tracking_uri = uri
    connection.save()
    return connection


def test_a_successful_sync_is_recorded_on_the_connection(mlflow, connection):
    mlflow.model("fraud")

    sync.mlflow_import(connection=connection)

    connection.refresh_from_db()
    assert connection.last_synced_at is not None
    assert connection.last_error == ""


def test_an_unreachable_server_is_recorded_without_the_token(connection, closed_port):
    _point_at(connection, f"http://127.0.0.1:{closed_port}")

    with pytest.raises(MlflowError, match="unreachable"):
        sync.mlflow_import(connection=connection)

    connection.refresh_from_db()
    assert connection.last_error.startswith(
        "MLflow GET /registered-models/search at http://127.0.0.1:"
    )
    assert "unreachable" in connection.last_error
    assert TOKEN not in connection.last_error
    assert connection.last_synced_at is None


def test_a_server_that_is_not_mlflow_is_a_clear_error(mlflow, connection):
    _point_at(connection, f"{mlflow.url}/not-mlflow")

    with pytest.raises(MlflowError):
        sync.mlflow_import(connection=connection)

    connection.refresh_from_db()
    assert "HTTP 404, not an MLflow JSON response" in connection.last_error


def test_a_token_the_keys_cannot_decrypt_is_a_clear_error(connection):
    connection.token_encrypted = "gAAAAAB-not-ours"
    connection.save()

    with pytest.raises(MlflowError, match="cannot be decrypted") as caught:
        sync.mlflow_import(connection=connection)

    assert caught.value.transient is False


def test_tasks_are_discovered_django_tasks():
    app.loader.import_default_modules()
    for task in (tasks.mlflow_alias_push, tasks.mlflow_sync_org, tasks.mlflow_sync_all):
        assert isinstance(task, DjangoTask)
        assert task.name in app.tasks


def test_the_sync_is_scheduled_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["registry-mlflow-sync"]
    assert entry == {"task": tasks.mlflow_sync_all.name, "schedule": 60 * 60}


def test_sync_all_syncs_every_enabled_connection(mlflow, connection):
    mlflow.model("fraud")

    assert tasks.mlflow_sync_all.delay().get() == 1

    assert RegisteredModel.objects.filter(mlflow_name="fraud").exists()


def test_sync_org_reports_a_failure_instead_of_raising(connection, closed_port, org):
    _point_at(connection, f"http://127.0.0.1:{closed_port}")

    outcome = tasks.mlflow_sync_org.delay(org.pk).get()

    assert "unreachable" in outcome["error"]


def test_command_syncs_one_organisation(mlflow, connection, capsys):
    mlflow.model("fraud")
    mlflow.governed_version("fraud")

    call_command("mlflow_sync", "--org", "acme")

    assert "acme: 1 models and 1 versions imported (1 submitted), 0 new findings." in (
        capsys.readouterr().out
    )


def test_command_fails_for_an_organisation_without_connection(org):
    with pytest.raises(
        CommandError, match="No enabled MLflow connection for organisation 'acme'"
    ):
        call_command("mlflow_sync", "--org", "acme")


def test_command_fails_when_the_sync_fails(connection, closed_port, capsys):
    _point_at(connection, f"http://127.0.0.1:{closed_port}")

    with pytest.raises(CommandError, match="MLflow sync failed for: acme"):
        call_command("mlflow_sync")

    assert "unreachable" in capsys.readouterr().err
