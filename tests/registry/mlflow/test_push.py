"""Mirroring an applied promotion in MLflow: the alias push after commit."""

from __future__ import annotations

import json
import time

import pytest

from apps.audit.models import AuditEvent
from apps.registry import services
from apps.registry.mlflow import sync, tasks
from apps.registry.mlflow.client import MlflowClient
from apps.registry.mlflow.tasks import mlflow_alias_push
from apps.registry.models import ModelVersion
from tests.registry.mlflow.conftest import TOKEN, promote

PUSH_TIMEOUT_S = 30


def _outcomes(request_id: int) -> list[tuple[str, dict]]:
    events = AuditEvent.objects.filter(
        object_type="registry.promotionrequest",
        object_id=str(request_id),
        action__startswith="mlflow.",
    ).order_by("pk")
    return [(e.action, json.loads(e.canonical)["data"]) for e in events]


def _wait_for_outcome(request_id: int) -> list[tuple[str, dict]]:
    deadline = time.monotonic() + PUSH_TIMEOUT_S
    while not (outcomes := _outcomes(request_id)):
        assert time.monotonic() < deadline, "no push outcome recorded in time"
        time.sleep(0.2)
    return outcomes


def _imported(mlflow, connection) -> list[ModelVersion]:
    mlflow.model("fraud")
    mlflow.governed_version("fraud")
    mlflow.governed_version("fraud")
    sync.mlflow_import(connection=connection)
    return list(
        ModelVersion.objects.filter(model__mlflow_name="fraud").order_by("version")
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_applied_promotion_moves_the_alias_in_mlflow(
    celery_worker, mlflow, connection, registry
):
    _, second = _imported(mlflow, connection)
    mlflow.set_alias("fraud", "production", "1")

    request = promote(registry, second)  # commits: the push is queued on commit

    ((action, data),) = _wait_for_outcome(request.pk)
    assert action == "mlflow.alias_pushed"
    assert mlflow.aliases("fraud") == {"production": "2"}
    assert (data["alias"], data["mlflow_version"], data["version"]) == (
        "production",
        "2",
        second.version,
    )
    assert TOKEN not in json.dumps(data)


@pytest.mark.django_db
def test_pushing_again_changes_nothing(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    _, second = _imported(mlflow, connection)
    with django_capture_on_commit_callbacks(execute=True):
        request = promote(registry, second)
    mlflow.set_alias("fraud", "production", "1")  # moved by hand since

    result = mlflow_alias_push.delay(request.pk).get()

    assert result == "already_recorded"
    assert [action for action, _ in _outcomes(request.pk)] == ["mlflow.alias_pushed"]
    assert mlflow.aliases("fraud") == {"production": "1"}


@pytest.mark.django_db
def test_a_version_without_mlflow_counterpart_is_skipped_with_an_event(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    _imported(mlflow, connection)
    model = ModelVersion.objects.filter(model__mlflow_name="fraud").first().model
    native = services.version_create(
        model=model,
        created_by=registry.lead,
        artifact_sha256="c" * 64,
        code_commit="abcdef1",
        run_ref="local-run",
    )
    native = services.version_submit(version=native, submitted_by=registry.lead)

    with django_capture_on_commit_callbacks(execute=True):
        request = promote(registry, native)

    ((action, data),) = _outcomes(request.pk)
    assert (action, data["reason"]) == ("mlflow.alias_push_skipped", "not_in_mlflow")
    assert mlflow.aliases("fraud") == {}


@pytest.mark.django_db
def test_a_push_overtaken_by_a_later_apply_does_not_regress_mlflow(
    mlflow, connection, registry
):
    first, second = _imported(mlflow, connection)
    older = promote(registry, first)
    newer = promote(registry, second)
    mlflow_alias_push.delay(newer.pk)

    result = mlflow_alias_push.delay(older.pk).get()

    assert result == "skipped:superseded"
    assert mlflow.aliases("fraud") == {"production": "2"}


@pytest.mark.django_db
def test_a_push_to_an_unreachable_server_is_recorded_as_failed(
    mlflow, connection, registry, closed_port
):
    first, _ = _imported(mlflow, connection)
    request = promote(registry, first)
    connection.tracking_uri = f"http://127.0.0.1:{closed_port}"
    connection.save()

    result = mlflow_alias_push.delay(request.pk).get()

    assert result == "failed"
    ((action, data),) = _outcomes(request.pk)
    assert action == "mlflow.alias_push_failed"
    assert "unreachable" in data["error"]
    assert TOKEN not in data["error"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_push_is_retried_on_network_errors_then_recorded_as_failed(
    celery_worker, mlflow, connection, registry, closed_port, monkeypatch
):
    first, _ = _imported(mlflow, connection)
    connection.tracking_uri = f"http://127.0.0.1:{closed_port}"
    connection.save()
    monkeypatch.setattr(tasks, "PUSH_RETRY_BASE_S", 0)
    attempts = []
    original = MlflowClient.set_alias
    monkeypatch.setattr(
        MlflowClient,
        "set_alias",
        lambda self, *a: attempts.append(a) or original(self, *a),
    )

    request = promote(registry, first)

    ((action, _),) = _wait_for_outcome(request.pk)
    assert action == "mlflow.alias_push_failed"
    # Eager (no broker): one attempt; a real worker retries five times.
    assert len(attempts) == (1 if celery_worker is None else tasks.PUSH_MAX_RETRIES + 1)
