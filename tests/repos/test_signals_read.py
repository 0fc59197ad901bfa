"""What the team's signals say, as scoring and the promotion gate read them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.assessments.scoring import SignalState
from apps.assessments.signals import signal_states
from apps.repos.models import CIRun
from apps.repos.selectors import commit_ci_green, team_signals
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

SHA = "c0ffee" + "0" * 34


def test_a_key_holds_when_any_repository_shows_it_with_the_strongest_evidence(people):
    serving, training = LinkedRepoFactory.create_batch(2, team=people.team)
    scanned(serving, {"monitoring": (True, "declared"), "model_card": (False, "")})
    scanned(training, {"monitoring": (True, "wired"), "model_card": (False, "")})

    signals = team_signals(team=people.team, now=timezone.now())

    assert (signals["monitoring"].value, signals["monitoring"].strength) == (
        True,
        "wired",
    )
    assert not signals["model_card"].value


def test_only_each_repositorys_latest_successful_scan_counts(people):
    repo = LinkedRepoFactory(team=people.team)
    scanned(
        repo,
        {"monitoring": (True, "wired")},
        observed_at=timezone.now() - timedelta(days=3),
    )
    scanned(repo, {"monitoring": (False, "")})

    assert not team_signals(team=people.team, now=timezone.now())["monitoring"].value


def test_disabled_repositories_and_other_teams_do_not_count(people):
    LinkedRepoFactory(team=people.team, enabled=False)
    scanned(
        LinkedRepoFactory(team=people.team, enabled=False),
        {"monitoring": (True, "wired")},
    )
    scanned(LinkedRepoFactory(), {"monitoring": (True, "wired")})

    assert team_signals(team=people.team, now=timezone.now()) == {}


def test_signal_states_follow_value_freshness_and_strength(people, settings):
    settings.REPOS_SIGNAL_FRESHNESS_DAYS = 30
    now = timezone.now()
    scanned(
        LinkedRepoFactory(team=people.team),
        {
            "ci_config": (True, "declared"),
            "monitoring": (False, ""),
            "ci_pass_rate": (True, "running"),
        },
    )
    scanned(
        LinkedRepoFactory(team=people.team),
        {"model_card": (True, "declared"), "data_validation": (False, "")},
        observed_at=now - timedelta(days=45),
    )

    states = signal_states(team=people.team)

    assert states.states == {
        "ci_config": SignalState.FRESH,
        "monitoring": SignalState.ABSENT,
        "ci_pass_rate": SignalState.FRESH,
        "model_card": SignalState.STALE,
        "data_validation": SignalState.UNKNOWN,  # an old absence proves nothing today
    }
    assert states.running == frozenset({"ci_pass_rate"})


def _run(repo, run_id, conclusion, *, attempt=1, workflow="ci.yml", sha=SHA):
    return CIRun.objects.create(
        repo=repo,
        provider="github",
        provider_run_id=str(run_id),
        attempt=attempt,
        workflow=workflow,
        status="completed",
        conclusion=conclusion,
        head_sha=sha,
    )


def test_ci_is_green_on_a_commit_when_every_runs_latest_attempt_passed(people):
    repo = LinkedRepoFactory(team=people.team)
    _run(repo, 1, "failure", attempt=1)
    _run(repo, 1, "success", attempt=2)  # re-run and passed
    _run(repo, 2, "success", workflow="lint.yml")
    _run(repo, 3, "cancelled", workflow="docs.yml")

    assert commit_ci_green(team_id=people.team.pk, commit=SHA) is True
    assert commit_ci_green(team_id=people.team.pk, commit=SHA[:10]) is True


def test_ci_is_red_when_a_run_failed_and_unknown_without_runs(people):
    repo = LinkedRepoFactory(team=people.team)
    _run(repo, 1, "success")
    _run(repo, 2, "failure", workflow="train.yml")

    assert commit_ci_green(team_id=people.team.pk, commit=SHA) is False
    assert commit_ci_green(team_id=people.team.pk, commit="deadbeef" * 5) is None
    assert commit_ci_green(team_id=people.team.pk, commit="abc") is None
