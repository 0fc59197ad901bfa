"""Celery tasks of the MLflow sync: the push after an apply, the withdrawal after a
suspension, and the hourly import."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task

from apps.core.context import bound_context

logger = logging.getLogger(__name__)

# Both the push and the withdrawal retry like this.
PUSH_MAX_RETRIES = 5
# Seconds before the first retry; each retry waits twice as long (10 s … 160 s).
PUSH_RETRY_BASE_S = 10


def _mirror(
    task,
    request_id: int,
    what: str,
    run: Callable[..., str],
    give_up: Callable[..., None],
) -> str:
    """Run one alias change in MLflow for a request; one outcome event per request.

    Network errors, 429 and 5xx are retried with exponential backoff; after the last
    retry, or at once for any other error, `give_up` records the failure. Run eagerly
    (no broker) there is no retry: Celery would run it at once and raise Retry into
    whoever committed the change.
    """
    from apps.registry.mlflow.client import MlflowError

    with bound_context(task=task.name, task_id=task.request.id):
        try:
            return run(request_id=request_id)
        except MlflowError as exc:
            retries = task.request.retries
            if (
                exc.transient
                and retries < task.max_retries
                and not task.request.is_eager
            ):
                logger.info(
                    "MLflow %s of request %s: retry %s", what, request_id, retries + 1
                )
                raise task.retry(countdown=PUSH_RETRY_BASE_S * 2**retries) from None
            give_up(request_id=request_id, error=str(exc))
            return "failed"


@shared_task(bind=True, max_retries=PUSH_MAX_RETRIES)
def mlflow_alias_push(self, request_id: int) -> str:
    """Mirror an applied request's alias in MLflow (see `_mirror` for retries)."""
    from apps.registry.mlflow import sync

    return _mirror(
        self, request_id, "push", sync.mlflow_alias_push, sync.mlflow_alias_push_failed
    )


@shared_task(bind=True, max_retries=PUSH_MAX_RETRIES)
def mlflow_alias_withdraw(self, request_id: int) -> str:
    """After a rejected or missed retrospective suspended a break-glass version, remove
    its alias from MLflow if still there (`request_id`: the retrospective request;
    see `_mirror` for retries)."""
    from apps.registry.mlflow import sync

    return _mirror(
        self,
        request_id,
        "withdrawal",
        sync.mlflow_alias_withdraw,
        sync.mlflow_alias_withdraw_failed,
    )


@shared_task(bind=True)
def mlflow_sync_org(self, organization_id: int) -> dict:
    """Sync one organisation. A failure is recorded on its connection; the next
    hourly run tries again."""
    from apps.accounts.models import Organization
    from apps.registry.mlflow import sync
    from apps.registry.selectors import mlflow_connection_for

    organization = Organization.objects.get(pk=organization_id)
    connection = mlflow_connection_for(organization=organization)
    if connection is None:
        return {"skipped": "no enabled connection"}
    with bound_context(task=self.name, task_id=self.request.id):
        try:
            return sync.mlflow_import(connection=connection).as_dict()
        except sync.MlflowError as exc:
            return {"error": str(exc)}


@shared_task(bind=True)
def mlflow_sync_all(self) -> int:
    """Periodic (beat, hourly): queue a sync of every organisation with a connection."""
    from apps.registry.models import MlflowConnection

    organization_ids = list(
        MlflowConnection.objects.filter(enabled=True).values_list(
            "organization_id", flat=True
        )
    )
    for organization_id in organization_ids:
        mlflow_sync_org.delay(organization_id)
    return len(organization_ids)
