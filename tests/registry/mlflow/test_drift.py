"""Drift: a protected alias moved in MLflow without an applied request in Tollgate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.audit.models import AuditEvent
from apps.registry.mlflow import sync
from apps.registry.models import Alias, Finding, ModelVersion
from tests.registry.mlflow.conftest import promote

pytestmark = pytest.mark.django_db


def _drift_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="alias.drift_detected"))


def _imported(mlflow, connection, versions: int = 2) -> list[ModelVersion]:
    mlflow.model("fraud")
    for _ in range(versions):
        mlflow.governed_version("fraud")
    sync.mlflow_import(connection=connection)
    return list(
        ModelVersion.objects.filter(model__mlflow_name="fraud").order_by("version")
    )


def test_alias_set_only_in_mlflow_is_one_finding_and_one_event(mlflow, connection):
    _imported(mlflow, connection)
    mlflow.set_alias("fraud", "production", "2")

    report = sync.mlflow_import(connection=connection)

    assert report.findings == 1
    (finding,) = Finding.objects.all()
    assert (finding.kind, finding.status, finding.model.mlflow_name) == (
        "unapproved_alias_move",
        "open",
        "fraud",
    )
    assert finding.detail["alias"] == "production"
    assert (finding.detail["mlflow_version"], finding.detail["tollgate_version"]) == (
        "2",
        None,
    )
    (event,) = _drift_events()
    assert (event.object_id, event.actor_type) == (str(finding.pk), "system")


def test_the_same_drift_is_not_reported_twice(mlflow, connection):
    _imported(mlflow, connection)
    mlflow.set_alias("fraud", "production", "2")
    sync.mlflow_import(connection=connection)

    report = sync.mlflow_import(connection=connection)

    assert report.findings == 0
    assert Finding.objects.count() == 1
    assert len(_drift_events()) == 1


def test_a_further_move_is_a_new_finding(mlflow, connection):
    _imported(mlflow, connection)
    mlflow.set_alias("fraud", "production", "2")
    sync.mlflow_import(connection=connection)
    mlflow.set_alias("fraud", "production", "1")

    sync.mlflow_import(connection=connection)

    versions = sorted(f.detail["mlflow_version"] for f in Finding.objects.all())
    assert versions == ["1", "2"]
    assert len(_drift_events()) == 2


def test_unprotected_aliases_move_freely_in_mlflow(mlflow, connection):
    _imported(mlflow, connection)
    mlflow.set_alias("fraud", "challenger", "2")

    assert sync.mlflow_import(connection=connection).findings == 0
    assert not Finding.objects.exists()


def test_mlflow_moving_a_promoted_alias_back_is_drift(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    _, second = _imported(mlflow, connection)
    with django_capture_on_commit_callbacks(execute=True):
        request = promote(registry, second)
    assert mlflow.aliases("fraud") == {"production": "2"}
    assert sync.mlflow_import(connection=connection).findings == 0
    mlflow.set_alias("fraud", "production", "1")

    sync.mlflow_import(connection=connection)

    (finding,) = Finding.objects.all()
    assert finding.detail == {
        "alias": "production",
        "mlflow_name": "fraud",
        "mlflow_version": "1",
        "tollgate_version": second.version,
        "tollgate_mlflow_version": "2",
        "tollgate_request": request.pk,
    }


def test_mlflow_behind_an_apply_whose_push_is_in_flight_is_not_drift(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    first, second = _imported(mlflow, connection)
    with django_capture_on_commit_callbacks(execute=True):
        promote(registry, first)
    promote(registry, second)  # commit hooks not run: its push is still queued

    report = sync.mlflow_import(connection=connection)

    assert mlflow.aliases("fraud") == {"production": "1"}
    assert report.findings == 0


def test_a_push_that_never_reported_is_drift_once_it_had_time(
    mlflow, connection, registry
):
    _, second = _imported(mlflow, connection)
    promote(registry, second)  # the push was lost
    mlflow.set_alias("fraud", "production", "1")
    Alias.objects.filter(name="production").update(
        set_at=Alias.objects.get(name="production").set_at
        - sync.PUSH_SETTLE
        - timedelta(minutes=1)
    )

    sync.mlflow_import(connection=connection)

    (finding,) = Finding.objects.all()
    assert (
        finding.detail["mlflow_version"],
        finding.detail["tollgate_mlflow_version"],
    ) == (
        "1",
        "2",
    )
