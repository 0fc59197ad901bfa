"""CI and delivery metrics over run and deployment records. Pure: no I/O, no clock.

Every function first keeps one record per provider id, so a webhook delivered twice,
a run fetched while running and again when done, or two overlapping syncs never count
twice (Four Keys' change-failure rate was inflated exactly that way, issue #213).
These are the raw values that get stored; bands are derived on read (`bands.py`).

Windows are `(now - window_days, now]`: runs by creation time, deployments by finish
time (creation time while unfinished).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .records import EPOCH, DeploymentRecord, Event, RunRecord

DAYS_PER_WEEK = 7
# A run with one of these conclusions passed or failed; cancelled, skipped, neutral
# and provider-specific outcomes (`other`) say nothing about the code.
DECIDED = {"success", "failure", "timed_out"}
# The runs that show whether the mainline is healthy: not a PR's work in progress.
MAINLINE_EVENTS = {"push", "schedule"}

_RUN_STATUS_RANK = {"queued": 0, "in_progress": 1, "completed": 2}
_DEPLOY_STATUS_RANK = {"other": 0, "in_progress": 1, "success": 2, "failure": 2}


@dataclass(frozen=True)
class DeployFrequency:
    """Successful deployments in a window: a count, distinct UTC days, per week."""

    deploys: int
    deploy_days: int
    per_week: float
    deploy_days_per_week: float


# --- Deduplication --------------------------------------------------------------------


def dedupe_runs(runs: Iterable[RunRecord]) -> list[RunRecord]:
    """One record per (provider, run id), the most advanced one: the latest attempt,
    then completed over running over queued, then the latest finish."""
    return _dedupe(
        runs,
        key=lambda r: (r.provider, r.provider_run_id),
        rank=lambda r: (
            r.attempt,
            _RUN_STATUS_RANK.get(r.status, 0),
            r.finished_at or EPOCH,
        ),
    )


def dedupe_deployments(deploys: Iterable[DeploymentRecord]) -> list[DeploymentRecord]:
    """One record per (provider, deployment id): a decided outcome over an undecided
    one (GitHub drops statuses after 90 days), then the latest finish."""
    return _dedupe(
        deploys,
        key=lambda d: (d.provider, d.provider_deployment_id),
        rank=lambda d: (_DEPLOY_STATUS_RANK.get(d.status, 0), d.finished_at or EPOCH),
    )


def _dedupe(records, *, key: Callable, rank: Callable) -> list:
    best: dict = {}
    for record in records:
        k = key(record)
        if k not in best or rank(record) > rank(best[k]):
            best[k] = record
    return list(best.values())


# --- CI -------------------------------------------------------------------------------


def ci_pass_rate(
    runs: Iterable[RunRecord],
    *,
    now: datetime,
    window_days: int = 30,
    default_branch: str | None = None,
) -> float | None:
    """Successful ÷ decided runs among mainline pushes and schedules in the window
    (on `default_branch` when given); None when there is no decided run."""
    decided = [
        r
        for r in _runs_within(runs, now, window_days)
        if r.event in MAINLINE_EVENTS
        and (default_branch is None or r.ref == default_branch)
        and r.status == "completed"
        and r.conclusion in DECIDED
    ]
    if not decided:
        return None
    return sum(r.conclusion == "success" for r in decided) / len(decided)


def ci_runs_per_week(
    runs: Iterable[RunRecord], *, now: datetime, window_days: int = 30
) -> float:
    """Runs created in the window (every event and outcome), per week."""
    return len(_runs_within(runs, now, window_days)) / _weeks(window_days)


def last_successful_run(
    runs: Iterable[RunRecord],
    *,
    event: Event | None = "schedule",
    workflows: set[str] | None = None,
) -> RunRecord | None:
    """The newest successful run of `event` (any event when None), only of the given
    workflow paths when `workflows` is set. With the defaults and the workflows the
    scanner found to train, this is "continuous training is running"."""
    matches = [
        r
        for r in dedupe_runs(runs)
        if r.conclusion == "success"
        and (event is None or r.event == event)
        and (workflows is None or r.workflow in workflows)
    ]
    return max(matches, key=lambda r: r.finished_at or r.created_at, default=None)


# --- DORA -----------------------------------------------------------------------------


def deployment_frequency(
    deploys: Iterable[DeploymentRecord], *, now: datetime, window_days: int = 30
) -> DeployFrequency:
    """Successful deployments finished in the window, and the distinct days on which
    one happened, each also per week."""
    done = [
        d for d in _deploys_within(deploys, now, window_days) if d.status == "success"
    ]
    days = len({_deploy_time(d).date() for d in done})
    weeks = _weeks(window_days)
    return DeployFrequency(
        deploys=len(done),
        deploy_days=days,
        per_week=len(done) / weeks,
        deploy_days_per_week=days / weeks,
    )


def lead_time_hours(
    deploys: Iterable[DeploymentRecord],
    *,
    now: datetime | None = None,
    window_days: int | None = None,
) -> float | None:
    """Median hours from the deployed commit to the deployment's success.

    Values ≤ 0 are dropped (clock skew, automated commits; Four Keys does the same),
    as are deployments whose commit time is unknown. Only the deployed head commit is
    known here, so this is a lower bound on the per-change lead time DORA defines.
    None when nothing qualifies. Restricted to a window when `now` and `window_days`
    are both given.
    """
    hours = [
        (d.finished_at - d.commit_time).total_seconds() / 3600
        for d in _maybe_within(deploys, now, window_days)
        if d.status == "success" and d.finished_at and d.commit_time
    ]
    positive = [h for h in hours if h > 0]
    return statistics.median(positive) if positive else None


def change_failure_rate(
    deploys: Iterable[DeploymentRecord],
    *,
    now: datetime | None = None,
    window_days: int | None = None,
) -> float | None:
    """Failed ÷ finished (succeeded or failed) deployments; None when none finished.
    Restricted to a window when `now` and `window_days` are both given."""
    finished = [
        d
        for d in _maybe_within(deploys, now, window_days)
        if d.status in ("success", "failure")
    ]
    if not finished:
        return None
    return sum(d.status == "failure" for d in finished) / len(finished)


# --- Windows --------------------------------------------------------------------------


def _weeks(window_days: int) -> float:
    if window_days <= 0:
        raise ValueError("window_days must be positive.")
    return window_days / DAYS_PER_WEEK


def _in_window(moment: datetime, now: datetime, window_days: int) -> bool:
    return now - timedelta(days=window_days) < moment <= now


def _runs_within(
    runs: Iterable[RunRecord], now: datetime, window_days: int
) -> list[RunRecord]:
    _weeks(window_days)
    return [r for r in dedupe_runs(runs) if _in_window(r.created_at, now, window_days)]


def _deploy_time(deploy: DeploymentRecord) -> datetime:
    return deploy.finished_at or deploy.created_at


def _deploys_within(
    deploys: Iterable[DeploymentRecord], now: datetime, window_days: int
) -> list[DeploymentRecord]:
    _weeks(window_days)
    return [
        d
        for d in dedupe_deployments(deploys)
        if _in_window(_deploy_time(d), now, window_days)
    ]


def _maybe_within(
    deploys: Iterable[DeploymentRecord],
    now: datetime | None,
    window_days: int | None,
) -> list[DeploymentRecord]:
    if now is None or window_days is None:
        return dedupe_deployments(deploys)
    return _deploys_within(deploys, now, window_days)
