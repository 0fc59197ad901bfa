"""Runtime signals from CI runs and deployments (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apps.repos.collectors import DeploymentRecord, RunRecord
from apps.repos.runtime import ci_signals, delivery_signals

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _run(n, *, event="push", conclusion="success", days=1, workflow="ci.yml"):
    return RunRecord(
        provider="github",
        provider_run_id=str(n),
        workflow=workflow,
        event=event,
        raw_event=event,
        status="completed",
        conclusion=conclusion,
        head_sha="a" * 40,
        ref="main",
        created_at=NOW - timedelta(days=days),
        finished_at=NOW - timedelta(days=days),
        url=f"https://github.com/acme/fraud/actions/runs/{n}",
    )


def _signals(runs, training=frozenset()):
    found = ci_signals(
        runs,
        now=NOW,
        window_days=30,
        default_branch="main",
        training_workflows=set(training),
    )
    return {s.key: s for s in found}


def test_no_runs_report_nothing():
    assert _signals([]) == {}


def test_pass_rate_and_frequency_hold_above_their_thresholds():
    runs = [_run(n) for n in range(9)] + [_run(9, conclusion="failure")]

    signals = _signals(runs)

    assert signals["ci_pass_rate"].value
    assert signals["ci_pass_rate"].measure["pass_rate"] == 0.9
    assert signals["ci_run_frequency"].value  # 10 runs in 30 days


def test_a_mostly_red_rarely_run_ci_does_not_hold():
    signals = _signals([_run(1, conclusion="failure", days=20), _run(2, days=25)])

    assert not signals["ci_pass_rate"].value
    assert not signals["ci_run_frequency"].value


def test_continuous_training_runs_when_a_training_workflow_succeeded_on_schedule():
    runs = [
        _run(1, event="schedule", workflow="train.yml", days=3),
        _run(2, event="schedule", workflow="report.yml", days=1),
    ]

    signals = _signals(runs, training={"train.yml"})

    assert signals["continuous_training"].value
    assert signals["continuous_training"].evidence == [
        "https://github.com/acme/fraud/actions/runs/1"
    ]
    assert signals["scheduled_run_success"].value


def test_an_old_scheduled_success_is_not_running_training():
    signals = _signals(
        [
            _run(1, event="schedule", workflow="train.yml", days=40),
            _run(
                2, event="schedule", workflow="train.yml", conclusion="failure", days=2
            ),
        ],
        training={"train.yml"},
    )

    assert not signals["continuous_training"].value
    assert not signals["scheduled_run_success"].value


def _deploy(n, status="success", *, hours=2, days=1):
    finished = NOW - timedelta(days=days)
    return DeploymentRecord(
        provider="github",
        provider_deployment_id=str(n),
        environment="production",
        sha="a" * 40,
        created_at=finished - timedelta(minutes=5),
        finished_at=finished,
        status=status,
        commit_time=finished - timedelta(hours=hours),
    )


def test_delivery_signals_hold_in_the_high_and_elite_bands():
    deploys = [_deploy(n, days=n % 28 + 1) for n in range(12)] + [
        _deploy(99, "failure")
    ]

    signals = {s.key: s for s in delivery_signals(deploys, now=NOW, window_days=30)}

    assert signals["deployment_frequency"].value  # ~3 a week: high
    assert signals["lead_time"].measure["band"] in {"high", "elite"}
    assert signals["change_failure_rate"].measure["change_failure_rate"] == round(
        1 / 13, 4
    )
    assert signals["change_failure_rate"].value


def test_failing_deployments_do_not_hold():
    deploys = [_deploy(1), _deploy(2, "failure"), _deploy(3, "failure")]

    signals = {s.key: s for s in delivery_signals(deploys, now=NOW, window_days=30)}

    assert not signals["change_failure_rate"].value
    assert signals["change_failure_rate"].measure["band"] == "low"
    assert delivery_signals([], now=NOW, window_days=30) == []
