"""Runtime signals: what a repository's CI runs and deployments prove, as signals.

Pure functions over the collectors' records. The raw values (a pass rate, hours,
deployments per week) are kept in each signal's `measure`; whether the signal holds
is judged here, with DORA bands read from the versioned table (collectors/bands.py)
so that a new year's bands change the judgement, never the stored facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apps.repos.collectors import (
    DEFAULT_TABLE,
    DeploymentRecord,
    RunRecord,
    band,
    change_failure_rate,
    ci_pass_rate,
    ci_runs_per_week,
    deployment_frequency,
    last_successful_run,
    lead_time_hours,
)

# A CI that passes this share of its mainline runs is green enough to count.
CI_PASS_RATE_HOLDS = 0.8
# CI that runs at least weekly is in use, not a forgotten config.
CI_RUNS_PER_WEEK_HOLDS = 1.0
# The DORA bands at which a delivery metric counts as evidence of a practice.
GOOD_BANDS = frozenset({"elite", "high"})


@dataclass(frozen=True)
class RuntimeSignal:
    key: str
    value: bool
    evidence: list[str] = field(default_factory=list)  # run or deployment URLs / ids
    measure: dict[str, Any] = field(default_factory=dict)
    commit: str = ""


def _run_ref(run: RunRecord) -> str:
    return run.url or f"{run.provider} run {run.provider_run_id}"


def ci_signals(
    runs: Iterable[RunRecord],
    *,
    now: datetime,
    window_days: int,
    default_branch: str | None,
    training_workflows: set[str],
) -> list[RuntimeSignal]:
    """ci_run_frequency, ci_pass_rate, scheduled_run_success and (when the checkout
    shows workflows that train) continuous_training. A signal with no run to judge
    by in the window is not reported."""
    runs = list(runs)
    signals = []
    per_week = ci_runs_per_week(runs, now=now, window_days=window_days)
    if runs:
        signals.append(
            RuntimeSignal(
                "ci_run_frequency",
                per_week >= CI_RUNS_PER_WEEK_HOLDS,
                measure={
                    "runs_per_week": round(per_week, 2),
                    "window_days": window_days,
                },
            )
        )
    rate = ci_pass_rate(
        runs, now=now, window_days=window_days, default_branch=default_branch
    )
    if rate is not None:
        signals.append(
            RuntimeSignal(
                "ci_pass_rate",
                rate >= CI_PASS_RATE_HOLDS,
                measure={"pass_rate": round(rate, 4), "window_days": window_days},
            )
        )
    since = now - timedelta(days=window_days)
    scheduled = last_successful_run(runs, event="schedule")
    if any(r.event == "schedule" for r in runs):
        signals.append(_recent_run("scheduled_run_success", scheduled, since))
    if training_workflows:
        trained = last_successful_run(
            runs, event="schedule", workflows=training_workflows
        )
        signals.append(_recent_run("continuous_training", trained, since))
    return signals


def _recent_run(key: str, run: RunRecord | None, since: datetime) -> RuntimeSignal:
    when = (run.finished_at or run.created_at) if run else None
    return RuntimeSignal(
        key,
        when is not None and when >= since,
        evidence=[_run_ref(run)] if run else [],
        measure={"last_success_at": when.isoformat() if when else None},
        commit=run.head_sha if run else "",
    )


def delivery_signals(
    deploys: Iterable[DeploymentRecord],
    *,
    now: datetime,
    window_days: int,
    table: str = DEFAULT_TABLE,
) -> list[RuntimeSignal]:
    """DORA's deployment frequency, lead time and change-failure rate, each holding
    when its band in `table` is high or elite. Nothing without deployments."""
    deploys = list(deploys)
    if not deploys:
        return []
    frequency = deployment_frequency(deploys, now=now, window_days=window_days)
    lead = lead_time_hours(deploys, now=now, window_days=window_days)
    failures = change_failure_rate(deploys, now=now, window_days=window_days)
    measured = [
        ("deployment_frequency", "deployment_frequency", frequency.per_week),
        ("lead_time", "lead_time_hours", lead),
        ("change_failure_rate", "change_failure_rate", failures),
    ]
    signals = []
    for key, metric, value in measured:
        if value is None:
            continue
        rank = band(metric, value, table)
        signals.append(
            RuntimeSignal(
                key,
                rank in GOOD_BANDS,
                measure={
                    metric: round(value, 4),
                    "band": rank,
                    "bands": table,
                    "window_days": window_days,
                },
            )
        )
    return signals
