"""Undoing a break-glass promotion in MLflow: when its retrospective is rejected or
missed, the suspended version's alias is withdrawn from MLflow after commit — unless
it was moved since, in MLflow or through a later promotion in Tollgate."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from celery.contrib.django.task import DjangoTask

from apps.audit.models import AuditEvent
from apps.registry import promotion
from apps.registry.mlflow import sync, tasks
from apps.registry.mlflow.client import MlflowClient
from apps.registry.models import Finding, ModelVersion, PromotionRequest
from config.celery import app
from tests.registry.mlflow.conftest import TOKEN

OUTCOME_TIMEOUT_S = 30


def _outcomes(request_id: int, actions: tuple[str, ...]) -> list[tuple[str, dict]]:
    events = AuditEvent.objects.filter(
        object_type="registry.promotionrequest",
        object_id=str(request_id),
        action__in=actions,
    ).order_by("pk")
    return [(e.action, json.loads(e.canonical)["data"]) for e in events]


def _withdrawals(retrospective: PromotionRequest) -> list[tuple[str, dict]]:
    return _outcomes(retrospective.pk, sync.WITHDRAW_OUTCOMES)


def _wait_for(request_id: int, actions: tuple[str, ...]) -> list[tuple[str, dict]]:
    deadline = time.monotonic() + OUTCOME_TIMEOUT_S
    while not (outcomes := _outcomes(request_id, actions)):
        assert time.monotonic() < deadline, f"no {actions[0]} outcome in time"
        time.sleep(0.2)
    return outcomes


def _imported(mlflow, connection) -> list[ModelVersion]:
    """A high-tier model (break-glass allowed for production) with two versions."""
    mlflow.model("fraud", tags={"tollgate.risk_tier": "high"})
    mlflow.governed_version("fraud")
    mlflow.governed_version("fraud")
    sync.mlflow_import(connection=connection)
    return list(
        ModelVersion.objects.filter(model__mlflow_name="fraud").order_by("version")
    )


def _break_glass(registry, version: ModelVersion) -> PromotionRequest:
    return promotion.promotion_apply(
        request=registry.request(version),
        applied_by=registry.risk_officers[0],
        break_glass=True,
        reason="Fraud spike: the champion misses the new pattern.",
    )


def _retrospective(glass: PromotionRequest) -> PromotionRequest:
    return PromotionRequest.objects.get(retrospective_of=glass)


def _reject(registry, glass: PromotionRequest) -> PromotionRequest:
    return promotion.promotion_decide(
        request=_retrospective(glass),
        approver=registry.approvers[0],
        approve=False,
        comment="No independent validation; back to the champion.",
    )


def _glass_pushed(mlflow, connection, registry, capture) -> PromotionRequest:
    """v2 broken into production and mirrored in MLflow."""
    _, second = _imported(mlflow, connection)
    with capture(execute=True):
        glass = _break_glass(registry, second)
    assert mlflow.aliases("fraud") == {"production": "2"}
    return glass


def _point_at(connection, uri: str) -> None:
    connection.tracking_uri = uri
    connection.save()


# --- The withdrawal ----------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_rejected_retrospective_removes_the_alias_from_mlflow(
    celery_worker, mlflow, connection, registry
):
    _, second = _imported(mlflow, connection)
    glass = _break_glass(registry, second)  # commits: the push is queued on commit
    ((action, _),) = _wait_for(glass.pk, sync.PUSH_OUTCOMES)
    assert action == "mlflow.alias_pushed"
    assert mlflow.aliases("fraud") == {"production": "2"}

    retrospective = _reject(registry, glass)

    ((action, data),) = _wait_for(retrospective.pk, sync.WITHDRAW_OUTCOMES)
    assert action == "mlflow.alias_withdrawn"
    assert mlflow.aliases("fraud") == {}
    assert ModelVersion.objects.get(pk=second.pk).status == "suspended"
    assert data == {
        "request": retrospective.pk,
        "break_glass_request": glass.pk,
        "model": second.model_id,
        "mlflow_name": "fraud",
        "alias": "production",
        "version": second.version,
        "mlflow_version": "2",
        "tracking_uri": mlflow.url,
    }
    assert TOKEN not in json.dumps(data)


@pytest.mark.django_db
def test_an_alias_repointed_in_mlflow_meanwhile_is_left_alone(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    mlflow.set_alias("fraud", "production", "1")  # someone moved it back by hand

    with django_capture_on_commit_callbacks(execute=True):
        retrospective = _reject(registry, glass)

    assert mlflow.aliases("fraud") == {"production": "1"}
    ((action, data),) = _withdrawals(retrospective)
    assert (action, data["reason"], data["mlflow_version_now"]) == (
        "mlflow.alias_withdraw_skipped",
        "repointed",
        "1",
    )


@pytest.mark.django_db
def test_withdrawing_again_changes_nothing(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        retrospective = _reject(registry, glass)
    assert mlflow.aliases("fraud") == {}
    mlflow.set_alias("fraud", "production", "2")  # set again by hand since

    assert tasks.mlflow_alias_withdraw.delay(retrospective.pk).get() == (
        "already_recorded"
    )
    assert sync.mlflow_alias_withdraw(request_id=retrospective.pk) == (
        "already_recorded"
    )
    sync.mlflow_alias_withdraw_failed(request_id=retrospective.pk, error="late")

    assert [action for action, _ in _withdrawals(retrospective)] == [
        "mlflow.alias_withdrawn"
    ]
    assert mlflow.aliases("fraud") == {"production": "2"}


@pytest.mark.django_db
def test_a_missed_retrospective_also_withdraws_the_alias(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    retrospective = _retrospective(glass)

    with django_capture_on_commit_callbacks(execute=True):
        suspended = promotion.enforce_retrospectives(
            now=retrospective.retrospective_due + timedelta(minutes=1)
        )

    assert suspended == 1
    retrospective.refresh_from_db()
    assert retrospective.status == "expired"
    assert mlflow.aliases("fraud") == {}
    ((action, data),) = _withdrawals(retrospective)
    assert (action, data["break_glass_request"]) == ("mlflow.alias_withdrawn", glass.pk)


@pytest.mark.django_db
def test_a_repromotion_in_tollgate_meanwhile_is_left_for_its_push(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    retrospective = _reject(registry, glass)  # its withdrawal is still queued
    first = ModelVersion.objects.get(model__mlflow_name="fraud", mlflow_version="1")
    registry.evidence(first, "validation_report")
    registry.evidence(first, "model_card")
    request = registry.request(first)
    request = registry.approve(
        request, registry.risk_officers[0], registry.approvers[1]
    )
    request = promotion.promotion_apply(request=request, applied_by=registry.lead)
    # Its push is queued too, and has not run: MLflow still shows the suspended v2.

    result = tasks.mlflow_alias_withdraw.delay(retrospective.pk).get()

    assert result == "skipped:repromoted"
    assert mlflow.aliases("fraud") == {"production": "2"}
    ((action, data),) = _withdrawals(retrospective)
    assert action == "mlflow.alias_withdraw_skipped"
    assert (data["reason"], data["tollgate_request"], data["tollgate_version"]) == (
        "repromoted",
        request.pk,
        first.version,
    )
    assert tasks.mlflow_alias_push.delay(request.pk).get() == "pushed"
    assert mlflow.aliases("fraud") == {"production": "1"}


@pytest.mark.django_db
def test_a_repromotion_landing_while_mlflow_is_read_is_caught_before_the_delete(
    mlflow, connection, registry, monkeypatch, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    retrospective = _reject(registry, glass)
    first = ModelVersion.objects.get(model__mlflow_name="fraud", mlflow_version="1")
    registry.evidence(first, "validation_report")
    registry.evidence(first, "model_card")
    request = registry.request(first)
    request = registry.approve(
        request, registry.risk_officers[0], registry.approvers[1]
    )
    original = MlflowClient.get_registered_model

    def read_then_repromote(self, name):
        remote = original(self, name)
        promotion.promotion_apply(request=request, applied_by=registry.lead)
        return remote

    monkeypatch.setattr(MlflowClient, "get_registered_model", read_then_repromote)

    assert sync.mlflow_alias_withdraw(request_id=retrospective.pk) == (
        "skipped:repromoted"
    )
    assert mlflow.aliases("fraud") == {"production": "2"}  # for the push to move


@pytest.mark.django_db
def test_a_suspension_before_the_break_glass_push_leaves_mlflow_untouched(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    _, second = _imported(mlflow, connection)

    with django_capture_on_commit_callbacks(execute=True):
        glass = _break_glass(registry, second)
        retrospective = _reject(registry, glass)

    assert mlflow.aliases("fraud") == {}
    ((_, pushed),) = _outcomes(glass.pk, sync.PUSH_OUTCOMES)
    assert pushed["reason"] == "superseded"
    ((_, withdrawn),) = _withdrawals(retrospective)
    assert withdrawn["reason"] == "absent"


@pytest.mark.django_db
def test_a_version_without_mlflow_counterpart_is_skipped_with_an_event(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    (first, _) = _imported(mlflow, connection)
    native = registry.version(first.model, run_ref="local-run")

    with django_capture_on_commit_callbacks(execute=True):
        retrospective = _reject(registry, _break_glass(registry, native))

    ((action, data),) = _withdrawals(retrospective)
    assert (action, data["reason"]) == (
        "mlflow.alias_withdraw_skipped",
        "not_in_mlflow",
    )


@pytest.mark.django_db
def test_a_request_that_suspended_nothing_is_skipped(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )

    result = tasks.mlflow_alias_withdraw.delay(_retrospective(glass).pk).get()

    assert result == "skipped:not_suspended"
    assert mlflow.aliases("fraud") == {"production": "2"}


@pytest.mark.django_db
def test_a_withdrawal_from_an_unreachable_server_is_recorded_as_failed(
    mlflow, connection, registry, closed_port, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    _point_at(connection, f"http://127.0.0.1:{closed_port}")

    with django_capture_on_commit_callbacks(execute=True):
        retrospective = _reject(registry, glass)

    ((action, data),) = _withdrawals(retrospective)
    assert action == "mlflow.alias_withdraw_failed"
    assert "unreachable" in data["error"]
    assert TOKEN not in data["error"]
    assert mlflow.aliases("fraud") == {"production": "2"}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_is_retried_on_network_errors_then_recorded_as_failed(
    celery_worker, mlflow, connection, registry, closed_port, monkeypatch
):
    _, second = _imported(mlflow, connection)
    glass = _break_glass(registry, second)
    _wait_for(glass.pk, sync.PUSH_OUTCOMES)
    _point_at(connection, f"http://127.0.0.1:{closed_port}")
    monkeypatch.setattr(tasks, "PUSH_RETRY_BASE_S", 0)
    attempts = []
    original = MlflowClient.get_registered_model
    monkeypatch.setattr(
        MlflowClient,
        "get_registered_model",
        lambda self, name: attempts.append(name) or original(self, name),
    )

    retrospective = _reject(registry, glass)

    ((action, _),) = _wait_for(retrospective.pk, sync.WITHDRAW_OUTCOMES)
    assert action == "mlflow.alias_withdraw_failed"
    # Eager (no broker): one attempt; a real worker retries five times.
    assert len(attempts) == (1 if celery_worker is None else tasks.PUSH_MAX_RETRIES + 1)


def test_the_task_is_a_discovered_django_task():
    assert isinstance(tasks.mlflow_alias_withdraw, DjangoTask)
    assert tasks.mlflow_alias_withdraw.name in app.tasks
    assert tasks.mlflow_alias_withdraw.max_retries == tasks.PUSH_MAX_RETRIES


# --- Drift while a withdrawal is on its way ------------------------------------------------


@pytest.mark.django_db
def test_mlflow_still_at_the_suspended_version_is_not_drift_until_withdrawn(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    retrospective = _reject(registry, glass)  # commit hooks not run: still queued

    assert sync.mlflow_import(connection=connection).findings == 0

    assert tasks.mlflow_alias_withdraw.delay(retrospective.pk).get() == "withdrawn"
    assert sync.mlflow_import(connection=connection).findings == 0
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_the_suspended_version_set_again_after_the_withdrawal_is_drift(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        _reject(registry, glass)
    mlflow.set_alias("fraud", "production", "2")

    assert sync.mlflow_import(connection=connection).findings == 1


@pytest.mark.django_db
def test_a_failed_withdrawal_is_drift(
    mlflow, connection, registry, closed_port, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    real_uri = connection.tracking_uri
    _point_at(connection, f"http://127.0.0.1:{closed_port}")
    with django_capture_on_commit_callbacks(execute=True):
        _reject(registry, glass)
    _point_at(connection, real_uri)

    assert sync.mlflow_import(connection=connection).findings == 1

    (finding,) = Finding.objects.all()
    assert finding.kind == "unapproved_alias_move"
    assert finding.detail == {
        "alias": "production",
        "mlflow_name": "fraud",
        "mlflow_version": "2",
        "tollgate_version": None,
        "tollgate_mlflow_version": None,
        "tollgate_request": None,
    }


@pytest.mark.django_db
def test_a_withdrawal_that_never_reported_is_drift_once_it_had_time(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    retrospective = _reject(registry, glass)  # the withdrawal was lost
    PromotionRequest.objects.filter(pk=retrospective.pk).update(
        closed_at=retrospective.closed_at - sync.WITHDRAW_SETTLE - timedelta(minutes=1)
    )

    assert sync.mlflow_import(connection=connection).findings == 1


@pytest.mark.django_db
def test_a_withdrawal_in_flight_does_not_hide_another_versions_move(
    mlflow, connection, registry, django_capture_on_commit_callbacks
):
    glass = _glass_pushed(
        mlflow, connection, registry, django_capture_on_commit_callbacks
    )
    _reject(registry, glass)  # still queued
    mlflow.set_alias("fraud", "production", "1")

    assert sync.mlflow_import(connection=connection).findings == 1
    (finding,) = Finding.objects.all()
    assert finding.detail["mlflow_version"] == "1"
