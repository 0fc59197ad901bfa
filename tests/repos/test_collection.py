"""A scan as a worker runs it: a real checkout, the CI provider over real HTTP (a local
server shaped like GitHub's API), claimed once, stored once, audited once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.repos import collection
from apps.repos.models import CIRun, Scan, Signal
from tests.repos.collectors.provider_payloads import github_run
from tests.repos.collectors.provider_server import ProviderServer
from tests.repos.conftest import MATURE_FILES
from tests.repos.factories import LinkedRepoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    server = ProviderServer().start()
    settings.REPOS_GITHUB_API_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def linked(people, make_git_repo):
    """A GitHub repository of the team, read from a local checkout."""

    def _linked(files=MATURE_FILES, **fields):
        checkout = make_git_repo(files)
        repo = LinkedRepoFactory(
            team=people.team,
            name="acme/fraud",
            project="acme/fraud",
            clone_url="",
            local_path=str(checkout.path),
            default_branch="main",
            **fields,
        )
        return repo, checkout

    return _linked


def _queued(repo) -> Scan:
    return Scan.objects.create(repo=repo, trigger=Scan.Trigger.MANUAL)


def _signals(scan) -> dict[str, Signal]:
    return {s.key: s for s in Signal.objects.filter(scan=scan)}


def test_a_scan_stores_checkout_and_ci_signals_once(linked, provider):
    repo, checkout = linked()
    now = timezone.now()
    provider.github_runs["acme/fraud"] = [
        github_run(1, created=now - timedelta(days=2), event="push"),
        github_run(
            2, created=now - timedelta(days=1), event="push", conclusion="failure"
        ),
        github_run(
            3,
            created=now - timedelta(days=1),
            event="schedule",
            path=".github/workflows/train.yml",
        ),
    ]
    scan = _queued(repo)

    outcome = collection.scan_run(scan_id=scan.pk)

    scan.refresh_from_db()
    assert (outcome.status, scan.status, scan.percent) == (
        "succeeded",
        "succeeded",
        100,
    )
    assert scan.commit == checkout.git("rev-parse", "HEAD")
    signals = _signals(scan)
    assert signals["experiment_tracking"].value
    assert signals["experiment_tracking"].evidence[0].startswith("train.py")
    assert signals["ci_runs_tests"].strength == "wired"
    assert not signals["monitoring"].value
    # The CI system: 2 of 3 mainline runs passed (a push failed), and the scheduled
    # training run passed.
    assert signals["ci_pass_rate"].measure["pass_rate"] == round(2 / 3, 4)
    assert not signals["ci_pass_rate"].value
    # The checkout shows the training workflow wired; its scheduled run proves it runs.
    training = {
        s.source: (s.value, s.strength, s.evidence)
        for s in Signal.objects.filter(scan=scan, key="continuous_training")
    }
    assert training == {
        "scan": (True, "wired", [".github/workflows/train.yml"]),
        "github": (True, "running", ["https://github.com/acme/fraud/actions/runs/3"]),
    }
    assert CIRun.objects.filter(repo=repo).count() == 3
    event = AuditEvent.objects.get(action="repo.scanned")
    assert json.loads(event.canonical)["data"]["commit"] == scan.commit


def test_a_duplicate_task_finds_nothing_to_do(linked, provider):
    repo, _ = linked()
    scan = _queued(repo)
    collection.scan_run(scan_id=scan.pk)
    count = Signal.objects.count()

    assert collection.scan_run(scan_id=scan.pk).status == "skipped"
    assert Signal.objects.count() == count
    assert AuditEvent.objects.filter(action="repo.scanned").count() == 1


def test_a_scan_whose_worker_died_is_claimed_again_and_completes_once(linked, provider):
    repo, _ = linked()
    scan = _queued(repo)
    # A worker claimed it, wrote half its signals and died: the lease has lapsed.
    Scan.objects.filter(pk=scan.pk).update(
        status="running", attempts=1, lease_until=timezone.now() - timedelta(minutes=1)
    )
    Signal.objects.create(
        repo=repo,
        scan=scan,
        key="ci_config",
        value=False,
        source="scan",
        observed_at=timezone.now(),
    )

    assert collection.scan_run(scan_id=scan.pk).status == "succeeded"

    scan.refresh_from_db()
    assert scan.attempts == 2
    assert Signal.objects.filter(scan=scan, key="ci_config").get().value
    assert AuditEvent.objects.filter(action="repo.scanned").count() == 1


def test_a_live_lease_is_not_taken_over(linked):
    repo, _ = linked()
    scan = _queued(repo)
    Scan.objects.filter(pk=scan.pk).update(
        status="running", lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert collection.scan_run(scan_id=scan.pk).status == "skipped"


def test_a_folder_that_is_not_a_repository_fails_the_scan_with_its_reason(
    people, local_root
):
    folder = local_root / "plain"
    folder.mkdir()
    repo = LinkedRepoFactory(
        team=people.team,
        provider="git",
        project="",
        clone_url="",
        local_path=str(folder),
    )
    scan = _queued(repo)

    assert collection.scan_run(scan_id=scan.pk).status == "failed"

    scan.refresh_from_db()
    assert scan.status == "failed"
    assert "not a git repository" in scan.error.lower()
    assert not Signal.objects.exists()
    assert AuditEvent.objects.filter(action="repo.scan_failed").count() == 1


def test_a_provider_outage_releases_the_scan_for_a_retry(linked, provider):
    from tests.repos.collectors.provider_server import Reply

    repo, _ = linked()
    provider.script("/repos/acme/fraud/actions/runs", Reply(503, {"message": "down"}))
    scan = _queued(repo)

    with pytest.raises(collection.RetryLater):
        collection.scan_run(scan_id=scan.pk)

    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == ("queued", 1)
    assert not Signal.objects.filter(scan=scan).exists()
    # The retry succeeds and stores one set of signals.
    assert collection.scan_run(scan_id=scan.pk).status == "succeeded"


def test_generic_git_repositories_skip_the_ci_api(people, make_git_repo):
    checkout = make_git_repo(MATURE_FILES)
    repo = LinkedRepoFactory(
        team=people.team,
        provider="git",
        project="",
        clone_url="",
        local_path=str(checkout.path),
    )
    scan = _queued(repo)

    collection.scan_run(scan_id=scan.pk)

    assert {s.source for s in Signal.objects.filter(scan=scan)} == {"scan"}


def test_disabled_repositories_are_not_scanned(linked):
    repo, _ = linked(enabled=False)
    scan = _queued(repo)

    assert collection.scan_run(scan_id=scan.pk).status == "skipped"


def test_a_local_path_whose_root_was_withdrawn_is_not_scanned(linked, settings):
    repo, _ = linked()
    settings.REPOS_LOCAL_ROOTS = []
    scan = _queued(repo)

    assert collection.scan_run(scan_id=scan.pk).status == "failed"
    scan.refresh_from_db()
    assert scan.error == "Local paths under this folder are no longer allowed."
