"""Runtime CI collectors (GitHub Actions, GitLab CI) and the metrics over their runs.

Plain records in, plain records out: nothing here touches the database or Django.
The repos layer validates base URLs, decrypts tokens, persists `RunRecord`s as CIRun
rows and wraps collection in a Celery task that retries `TransientError` with
backoff and `RateLimited` at its `retry_at`.
"""

from __future__ import annotations

from .bands import BANDS, DEFAULT_TABLE, band
from .github import GitHubActions
from .gitlab import GitLabCI
from .http import (
    AuthenticationFailed,
    CollectorError,
    NotFound,
    PermissionDenied,
    RateLimited,
    TransientError,
)
from .metrics import (
    DeployFrequency,
    change_failure_rate,
    ci_pass_rate,
    ci_runs_per_week,
    dedupe_deployments,
    dedupe_runs,
    deployment_frequency,
    last_successful_run,
    lead_time_hours,
)
from .records import DeploymentRecord, RunRecord

__all__ = [
    "BANDS",
    "DEFAULT_TABLE",
    "AuthenticationFailed",
    "CollectorError",
    "DeployFrequency",
    "DeploymentRecord",
    "GitHubActions",
    "GitLabCI",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "RunRecord",
    "TransientError",
    "band",
    "change_failure_rate",
    "ci_pass_rate",
    "ci_runs_per_week",
    "dedupe_deployments",
    "dedupe_runs",
    "deployment_frequency",
    "last_successful_run",
    "lead_time_hours",
]
