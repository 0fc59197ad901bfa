"""Importing MLflow's registered models and versions into the registry."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.registry import services
from apps.registry.mlflow import sync
from apps.registry.mlflow.client import MlflowClient
from apps.registry.models import ModelVersion, RegisteredModel
from tests.registry.mlflow.conftest import COMMIT, SHA

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_import_pages_through_every_model_and_version(mlflow, connection, monkeypatch):
    for n in range(5):
        mlflow.model(f"model-{n}")
        for _ in range(3):
            mlflow.governed_version(f"model-{n}")
    calls: list[str] = []
    original = MlflowClient._request

    def spy(self, method, path, **kwargs):
        calls.append(path)
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(MlflowClient, "_request", spy)

    report = sync.mlflow_import(
        connection=connection, client=sync.client_for(connection, page_size=2)
    )

    assert (report.models_imported, report.versions_imported) == (5, 15)
    assert calls.count("/registered-models/search") == 3  # 2 + 2 + 1 models
    assert calls.count("/model-versions/search") == 5 * 2  # 2 + 1 versions each
    assert sorted(RegisteredModel.objects.values_list("mlflow_name", flat=True)) == [
        f"model-{n}" for n in range(5)
    ]
    assert ModelVersion.objects.count() == 15


def test_import_a_second_time_imports_nothing_and_records_nothing(mlflow, connection):
    mlflow.model("fraud")
    mlflow.governed_version("fraud")
    mlflow.version("fraud")
    sync.mlflow_import(connection=connection)
    events = AuditEvent.objects.count()

    report = sync.mlflow_import(connection=connection)

    assert report.as_dict() == sync.SyncReport().as_dict()
    assert AuditEvent.objects.count() == events
    assert ModelVersion.objects.count() == 2


def test_import_picks_up_versions_added_since_the_last_sync(mlflow, connection):
    mlflow.model("fraud")
    mlflow.governed_version("fraud")
    sync.mlflow_import(connection=connection)
    mlflow.governed_version("fraud")

    report = sync.mlflow_import(connection=connection)

    assert (report.models_imported, report.versions_imported) == (0, 1)
    model = RegisteredModel.objects.get(mlflow_name="fraud")
    assert list(
        model.versions.order_by("version").values_list("version", "mlflow_version")
    ) == [
        (1, "1"),
        (2, "2"),
    ]


def test_import_maps_the_model_and_attributes_it_to_the_system(
    mlflow, connection, registry
):
    mlflow.model(
        "fraud", description="Flags card fraud.", tags={"tollgate.risk_tier": "high"}
    )
    mlflow.model("churn")

    sync.mlflow_import(connection=connection)

    fraud = RegisteredModel.objects.get(mlflow_name="fraud")
    assert (fraud.name, fraud.team, fraud.owner, fraud.risk_tier, fraud.purpose) == (
        "fraud",
        registry.team,
        registry.admin,
        "high",
        "Flags card fraud.",
    )
    assert RegisteredModel.objects.get(mlflow_name="churn").risk_tier == "medium"
    registered = AuditEvent.objects.filter(action="model.registered")
    assert {(e.actor_type, e.actor_id) for e in registered} == {("system", None)}


def test_import_submits_a_version_with_its_lineage(mlflow, connection, registry):
    mlflow.model("fraud")
    mlflow.version(
        "fraud",
        run_id="9f2c",
        description="Retrained on Q3.",
        tags={
            "tollgate.artifact_sha256": SHA.upper(),
            "mlflow.source.git.commit": COMMIT,
            "mlflow.source.git.repoURL": "https://bot:ghp_secret@github.com/acme/fraud.git",
            "tollgate.dataset_refs": "s3://data/q3.parquet, s3://data/labels.csv",
        },
    )

    sync.mlflow_import(connection=connection)

    version = ModelVersion.objects.get(model__mlflow_name="fraud")
    assert version.status == ModelVersion.Status.SUBMITTED
    assert (version.artifact_sha256, version.code_commit, version.run_ref) == (
        SHA,
        COMMIT,
        "9f2c",
    )
    assert version.source_uri == "s3://models/fraud/artifacts"
    assert version.repository == "https://github.com/acme/fraud.git"
    assert version.dataset_refs == ["s3://data/q3.parquet", "s3://data/labels.csv"]
    assert version.model_card["summary"] == "Retrained on Q3."
    assert version.model_card["mlflow"]["version"] == "1"
    assert "ghp_secret" not in str(version.model_card)
    assert (version.mlflow_version, version.created_by, version.authors) == (
        "1",
        registry.admin,
        [],
    )
    assert _actions()[-2:] == ["model_version.created", "model_version.submitted"]


def test_import_leaves_a_version_without_lineage_a_draft(mlflow, connection):
    mlflow.model("fraud")
    mlflow.version(
        "fraud", run_id="9f2c", tags={"tollgate.artifact_sha256": "not-a-digest"}
    )

    report = sync.mlflow_import(connection=connection)

    version = ModelVersion.objects.get(model__mlflow_name="fraud")
    assert version.status == ModelVersion.Status.DRAFT
    assert version.artifact_sha256 == ""
    assert (report.versions_imported, report.versions_submitted) == (1, 0)


def test_import_reports_a_name_taken_by_a_tollgate_model(mlflow, connection, registry):
    services.model_create(
        team=registry.team,
        name="fraud",
        risk_tier="low",
        owner=registry.lead,
        created_by=registry.lead,
    )
    mlflow.model("fraud")
    mlflow.model("churn")

    report = sync.mlflow_import(connection=connection)

    assert report.models_imported == 1
    assert report.problems == [
        "Model 'fraud' not imported: A model with this name exists in the organisation."
    ]
    connection.refresh_from_db()
    assert connection.last_error == report.problems[0]
    assert connection.last_synced_at is not None


def test_import_finds_versions_of_names_with_quotes(mlflow, connection):
    mlflow.model("it's")
    mlflow.governed_version("it's")
    mlflow.model('the "best"')
    mlflow.governed_version('the "best"')

    report = sync.mlflow_import(connection=connection)

    assert report.versions_imported == 2
