"""Metrics over hand-built records: no HTTP, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from apps.repos.collectors import (
    DeploymentRecord,
    RunRecord,
    change_failure_rate,
    ci_pass_rate,
    ci_runs_per_week,
    dedupe_deployments,
    dedupe_runs,
    deployment_frequency,
    last_successful_run,
    lead_time_hours,
)

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def run(
    conclusion: str | None = "success",
    *,
    event: str = "push",
    status: str = "completed",
    ref: str = "main",
    days_ago: float = 1,
    workflow: str = ".github/workflows/ci.yml",
    run_id: str | None = None,
    attempt: int = 1,
) -> RunRecord:
    created = NOW - timedelta(days=days_ago)
    return RunRecord(
        provider="github",
        provider_run_id=run_id or str(next(_ids)),
        workflow=workflow,
        event=event,  # type: ignore[arg-type]
        raw_event=event,
        status=status,  # type: ignore[arg-type]
        conclusion=conclusion,  # type: ignore[arg-type]
        head_sha="a" * 40,
        ref=ref,
        created_at=created,
        started_at=created,
        finished_at=created + timedelta(minutes=10) if status == "completed" else None,
        attempt=attempt,
    )


def deploy(
    status: str = "success",
    *,
    days_ago: float = 1,
    lead_hours: float | None = 2,
    deployment_id: str | None = None,
) -> DeploymentRecord:
    finished = NOW - timedelta(days=days_ago)
    return DeploymentRecord(
        provider="github",
        provider_deployment_id=deployment_id or str(next(_ids)),
        environment="production",
        sha="b" * 40,
        created_at=finished - timedelta(minutes=5),
        finished_at=finished if status in ("success", "failure") else None,
        status=status,  # type: ignore[arg-type]
        commit_time=None
        if lead_hours is None
        else finished - timedelta(hours=lead_hours),
    )


# --- CI pass rate and frequency -------------------------------------------------------------


def test_ci_pass_rate_counts_only_decided_mainline_runs():
    runs = [
        run("success"),
        run("success", event="schedule"),
        run("failure"),
        run("timed_out"),
        # None of these is a verdict on the mainline:
        run("cancelled"),
        run("skipped"),
        run("neutral"),
        run("other"),
        run(None, status="in_progress"),
        run("failure", event="pull_request"),
        run("failure", event="manual"),
        run("failure", days_ago=40),
    ]

    assert ci_pass_rate(runs, now=NOW, window_days=30) == 0.5


def test_ci_pass_rate_can_keep_to_the_default_branch():
    runs = [run("success"), run("failure", ref="feature/x")]

    assert ci_pass_rate(runs, now=NOW, default_branch="main") == 1.0
    assert ci_pass_rate(runs, now=NOW) == 0.5


def test_ci_pass_rate_is_none_without_decided_runs():
    assert ci_pass_rate([], now=NOW) is None
    assert ci_pass_rate([run("cancelled"), run(None, status="queued")], now=NOW) is None


def test_ci_runs_per_week_counts_every_run_in_the_window():
    runs = [run(days_ago=d) for d in (0.5, 3, 6, 10, 13)] + [run(days_ago=15)]

    assert ci_runs_per_week(runs, now=NOW, window_days=14) == pytest.approx(2.5)


def test_window_must_be_positive():
    with pytest.raises(ValueError, match="window_days"):
        ci_runs_per_week([], now=NOW, window_days=0)


# --- Continuous training ---------------------------------------------------------------------


def test_last_successful_run_is_the_newest_scheduled_success():
    newest = run("success", event="schedule", days_ago=1)
    runs = [
        run("success", event="schedule", days_ago=8),
        newest,
        run("failure", event="schedule", days_ago=0.5),
        run("success", event="push", days_ago=0.1),
    ]

    assert last_successful_run(runs) == newest


def test_last_successful_run_keeps_to_the_training_workflows():
    train = ".github/workflows/train.yml"
    trained = run("success", event="schedule", days_ago=6, workflow=train)
    runs = [
        trained,
        run(
            "success",
            event="schedule",
            days_ago=1,
            workflow=".github/workflows/lint.yml",
        ),
    ]

    assert last_successful_run(runs, workflows={train}) == trained
    assert last_successful_run(runs, workflows={".github/workflows/other.yml"}) is None


def test_last_successful_run_of_any_event():
    latest = run("success", event="manual", days_ago=0.1)

    assert last_successful_run([run(event="schedule"), latest], event=None) == latest


# --- DORA ------------------------------------------------------------------------------------


def test_deployment_frequency_counts_successes_and_distinct_days():
    deploys = [
        deploy(days_ago=1),
        deploy(days_ago=1.01),  # same UTC day
        deploy(days_ago=3),
        deploy("failure", days_ago=2),
        deploy("in_progress", days_ago=0),
        deploy(days_ago=20),  # outside the window
    ]

    freq = deployment_frequency(deploys, now=NOW, window_days=14)

    assert (freq.deploys, freq.deploy_days) == (3, 2)
    assert freq.per_week == pytest.approx(1.5)
    assert freq.deploy_days_per_week == pytest.approx(1.0)


def test_lead_time_is_the_median_ignoring_non_positive_and_unknown():
    deploys = [
        deploy(lead_hours=1),
        deploy(lead_hours=3),
        deploy(lead_hours=10),
        deploy(lead_hours=0),
        deploy(lead_hours=-2),
        deploy(lead_hours=None),
        deploy("failure", lead_hours=500),
    ]

    assert lead_time_hours(deploys) == pytest.approx(3)
    assert lead_time_hours([deploy(lead_hours=0)]) is None


def test_change_failure_rate_is_failed_over_finished():
    deploys = [
        deploy(),
        deploy(),
        deploy(),
        deploy("failure"),
        deploy("in_progress"),
        deploy("other"),
    ]

    assert change_failure_rate(deploys) == pytest.approx(0.25)
    assert change_failure_rate([deploy("in_progress")]) is None


def test_lead_time_and_failure_rate_can_keep_to_a_window():
    deploys = [deploy(lead_hours=1), deploy("failure", days_ago=40, lead_hours=100)]

    assert change_failure_rate(deploys, now=NOW, window_days=30) == 0.0
    assert lead_time_hours(deploys, now=NOW, window_days=30) == pytest.approx(1)


# --- Deduplication (Four Keys #213) ----------------------------------------------------------


def test_a_repeated_delivery_changes_no_dora_value():
    failed = deploy("failure", deployment_id="9")
    once = [deploy(deployment_id="1"), deploy(deployment_id="2", lead_hours=4), failed]
    repeated = [*once, failed, failed, replace(failed), once[0]]

    for metric in (change_failure_rate, lead_time_hours):
        assert metric(repeated) == metric(once)
    assert deployment_frequency(repeated, now=NOW) == deployment_frequency(
        once, now=NOW
    )
    assert change_failure_rate(repeated) == pytest.approx(1 / 3)


def test_a_repeated_run_changes_no_ci_value():
    once = [run("success", run_id="1"), run("failure", run_id="2")]
    repeated = once + once + [once[1]]

    assert ci_pass_rate(repeated, now=NOW) == ci_pass_rate(once, now=NOW) == 0.5
    assert ci_runs_per_week(repeated, now=NOW) == ci_runs_per_week(once, now=NOW)


def test_dedupe_runs_keeps_the_latest_state_of_a_run():
    running = run(None, status="in_progress", run_id="5")
    done = replace(running, status="completed", conclusion="failure")
    rerun = replace(done, attempt=2, conclusion="success")

    assert dedupe_runs([rerun, done, running]) == [rerun]
    assert dedupe_runs([running, done]) == [done]


def test_dedupe_deployments_keeps_a_decided_outcome_over_a_later_unknown_one():
    success = deploy(deployment_id="7")
    # GitHub drops statuses after 90 days: a later re-fetch knows less.
    forgotten = replace(success, status="other", finished_at=None)

    assert dedupe_deployments([success, forgotten]) == [success]
    assert dedupe_deployments([forgotten, success]) == [success]


def test_same_id_on_two_providers_is_two_records():
    github = deploy(deployment_id="1")
    gitlab = replace(github, provider="gitlab")

    assert len(dedupe_deployments([github, gitlab])) == 2
