"""Celery tasks of the MLflow sync: the push after an apply, and the hourly import."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.core.context import bound_context

logger = logging.getLogger(__name__)

PUSH_MAX_RETRIES = 5
# Seconds before the first retry; each retry waits twice as long (10 s … 160 s).
PUSH_RETRY_BASE_S = 10


@shared_task(bind=True, max_retries=PUSH_MAX_RETRIES)
def mlflow_alias_push(self, request_id: int) -> str:
    """Mirror an applied request's alias in MLflow; one outcome event per request.

    Network errors, 429 and 5xx are retried with exponential backoff; after the last
    retry, or at once for any other error, the failure is recorded. Run eagerly (no
    broker) there is no retry: Celery would run it at once and raise Retry into
    whoever committed the apply.
    """
    from apps.registry.mlflow import sync

    with bound_context(task=self.name, task_id=self.request.id):
        try:
            return sync.mlflow_alias_push(request_id=request_id)
        except sync.MlflowError as exc:
            retries = self.request.retries
            if (
                exc.transient
                and retries < self.max_retries
                and not self.request.is_eager
            ):
                logger.info(
                    "MLflow push of request %s: retry %s", request_id, retries + 1
                )
                raise self.retry(countdown=PUSH_RETRY_BASE_S * 2**retries) from None
            sync.mlflow_alias_push_failed(request_id=request_id, error=str(exc))
            return "failed"


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
