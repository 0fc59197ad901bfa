"""Registry work for Celery: the daily sweeps (beat) and the MLflow sync tasks."""

from __future__ import annotations

from celery import shared_task

from apps.registry import promotion


@shared_task
def registry_daily() -> dict[str, int]:
    """Expire stale approvals, flag overdue revalidations, suspend unratified
    break-glass promotions. Each change is its own transaction and audit event."""
    return {
        "expired": promotion.expire_stale_approvals(),
        "revalidation_overdue": promotion.mark_overdue_revalidations(),
        "suspended": promotion.enforce_retrospectives(),
    }
