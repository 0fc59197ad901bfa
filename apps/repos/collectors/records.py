"""What the CI collectors return: plain, frozen records, one shape for both providers.

The collectors normalise each provider's vocabulary here (GitHub's `workflow_dispatch`
and GitLab's `web` are both a `manual` event) so the metrics never look at a provider
again. The raw value is kept beside the normalised one for display and for debugging a
mapping. Datetimes are aware and in UTC, or None when the provider has not said yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

Provider = Literal["github", "gitlab"]
Event = Literal["push", "pull_request", "schedule", "manual", "api", "tag", "other"]
RunStatus = Literal["queued", "in_progress", "completed"]
Conclusion = Literal[
    "success", "failure", "cancelled", "skipped", "timed_out", "neutral", "other"
]
DeployStatus = Literal["success", "failure", "in_progress", "other"]

# Stands in for a timestamp a provider left out, so records still sort.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RunRecord:
    """One CI run: a GitHub Actions workflow run or a GitLab pipeline.

    `workflow` is the workflow file on GitHub (`.github/workflows/train.yml`) and the
    pipeline name on GitLab ("" when unnamed); `workflow_name` is the display name.
    `conclusion` is None until the run completes. `raw_status` is the provider's own
    word (GitHub's conclusion or status, GitLab's status), e.g. GitLab's `manual`.
    """

    provider: Provider
    provider_run_id: str
    workflow: str
    event: Event
    raw_event: str
    status: RunStatus
    conclusion: Conclusion | None
    head_sha: str
    ref: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempt: int = 1
    url: str = ""
    workflow_name: str = ""
    raw_status: str = ""


@dataclass(frozen=True)
class DeploymentRecord:
    """One deployment to an environment, with the outcome that decided it.

    `finished_at` is when the deciding status was reported (None while running);
    `commit_time` is the deployed commit's time when the provider tells it, for lead
    time. `raw_status` is the provider's own word (GitHub's state, GitLab's status).
    """

    provider: Provider
    provider_deployment_id: str
    environment: str
    sha: str
    created_at: datetime
    finished_at: datetime | None
    status: DeployStatus
    commit_time: datetime | None = None
    ref: str = ""
    raw_status: str = ""


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp from a provider as an aware UTC datetime (None if absent).

    GitHub sends `2024-05-01T10:00:00Z`, GitLab `2024-05-01T10:00:00.123Z` or a local
    offset (`+02:00` on commit times); a value without an offset is taken as UTC.
    """
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """`moment` in UTC as `YYYY-MM-DDTHH:MM:SSZ`, the form both APIs document."""
    if moment.tzinfo is None:
        raise ValueError("Naive datetime: pass an aware datetime (UTC).")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
