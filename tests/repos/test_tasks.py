"""Linking a repository queues its scan on the `scans` queue, and a worker runs it:
a real Celery worker on Redis in the PostgreSQL pass of CI, eager in the embedded one."""

from __future__ import annotations

import time

import pytest

from apps.repos import services
from apps.repos.models import Scan, Signal
from tests.repos.conftest import MATURE_FILES


def _finished(scan_id: int, timeout: float = 60) -> Scan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scan = Scan.objects.get(pk=scan_id)
        if scan.status in (Scan.Status.SUCCEEDED, Scan.Status.FAILED):
            return scan
        time.sleep(0.2)
    raise AssertionError(f"scan {scan_id} still {scan.status} after {timeout}s")


@pytest.mark.django_db(transaction=True)
def test_a_linked_repository_is_scanned_by_a_worker(
    people, make_git_repo, celery_worker
):
    checkout = make_git_repo(MATURE_FILES)

    repo, _ = services.repo_link(
        team=people.team,
        linked_by=people.admin,
        name="fraud",
        provider="git",
        local_path=str(checkout.path),
    )

    scan = _finished(Scan.objects.get(repo=repo).pk)
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    assert scan.commit == checkout.git("rev-parse", "HEAD")
    assert Signal.objects.get(scan=scan, key="experiment_tracking").value
    # One set of signals, however many times the message was delivered.
    keys = list(Signal.objects.filter(scan=scan).values_list("key", flat=True))
    assert len(keys) == len(set(keys))


def test_scans_are_routed_to_their_own_queue():
    from config.celery import app

    route = app.amqp.router.route({}, "apps.repos.tasks.collect_signals")

    assert route["queue"].name == "scans"
