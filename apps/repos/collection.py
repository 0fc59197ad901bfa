"""One scan, as a worker runs it: claim the row, scan the checkout, fetch the CI
system's runs, store the signals.

A scan is claimed with a conditional update (healthchecks' pattern), so a duplicate
task message finds nothing to do. The claim is a lease: a worker killed mid-scan
leaves a running scan whose lease lapses, and the next delivery of its message (or
the sweep) claims it again. Signals are written with the scan's success in one
transaction, replacing any the scan wrote before, so a scan completes once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.audit.services import record_event
from apps.core.crypto import DecryptionError, decrypt_text
from apps.core.events import announce_team_evidence_changed
from apps.repos import runtime
from apps.repos.collectors import (
    CollectorError,
    GitHubActions,
    GitLabCI,
    RateLimited,
    RunRecord,
    TransientError,
)
from apps.repos.models import CIRun, LinkedRepo, Provider, Scan, Signal
from apps.repos.scanner import COLLECTOR_VERSION, ScanLimits, scan_path, scan_url
from apps.repos.scanner.errors import CloneFailed, ScanError
from apps.repos.services import within_local_roots
from apps.repos.store import Fact, ci_runs_upsert, signals_replace

logger = logging.getLogger(__name__)

# A scan that fails to clone (network) is tried this many times before it fails.
MAX_ATTEMPTS = 3
# Runs looked at for the rates, and re-fetched before the newest stored one (a run
# stored while it ran is fetched again once it has finished).
WINDOW_DAYS = 30
REFETCH_MARGIN = timedelta(days=2)


class RetryLater(Exception):
    """A transient failure: the task retries after `countdown` seconds."""

    def __init__(self, message: str, countdown: int) -> None:
        super().__init__(message)
        self.countdown = countdown


@dataclass(frozen=True)
class Outcome:
    status: str
    commit: str = ""
    signals: int = 0


def scan_run(*, scan_id: int) -> Outcome:
    now = timezone.now()
    scan = _claim(scan_id, now)
    if scan is None:
        return Outcome("skipped")
    repo = scan.repo
    try:
        facts, commit = _checkout_facts(scan, repo)
        facts += _runtime_facts(scan, repo, facts, now)
    except (CloneFailed, TransientError) as error:
        if scan.attempts < MAX_ATTEMPTS:
            _release(scan)
            raise RetryLater(str(error), countdown=30 * 2**scan.attempts) from error
        return _fail(scan, str(error))
    except RateLimited as error:
        _release(scan)
        wait = max(int((error.retry_at - timezone.now()).total_seconds()), 1)
        raise RetryLater(str(error), countdown=wait) from error
    except (ScanError, CollectorError) as error:
        return _fail(scan, str(error))
    return _finish(scan, facts, commit)


def _claim(scan_id: int, now: datetime) -> Scan | None:
    lease = now + timedelta(seconds=settings.REPOS_SCAN_TIMEOUT + 120)
    claimable = Q(status=Scan.Status.QUEUED) | Q(
        status=Scan.Status.RUNNING, lease_until__lt=now
    )
    claimed = (
        Scan.objects.filter(claimable, pk=scan_id)
        .filter(repo__enabled=True)
        .update(
            status=Scan.Status.RUNNING,
            started_at=now,
            lease_until=lease,
            attempts=F("attempts") + 1,
            step="starting",
            percent=0,
        )
    )
    if not claimed:
        return None
    return Scan.objects.select_related("repo__organization").get(pk=scan_id)


def _progress(scan: Scan, step: str, percent: int) -> None:
    # Shown on the repository page while the scan runs; bookkeeping, not audited.
    Scan.objects.filter(pk=scan.pk).update(step=step[:60], percent=percent)


def _token(repo: LinkedRepo) -> str | None:
    if not repo.credentials_encrypted:
        return None
    try:
        return decrypt_text(repo.credentials_encrypted)
    except DecryptionError:
        raise ScanError("The stored credentials cannot be decrypted.") from None


def _checkout_facts(scan: Scan, repo: LinkedRepo) -> tuple[list[Fact], str]:
    limits = ScanLimits(
        max_files=settings.REPOS_SCAN_MAX_FILES,
        max_bytes=settings.REPOS_SCAN_MAX_BYTES,
        timeout=settings.REPOS_SCAN_TIMEOUT,
    )

    def progress(step: str, percent: int) -> None:
        # The checkout is the first 80 % of a scan; the CI system the rest.
        _progress(scan, step, percent * 8 // 10)

    options = {
        "ref": repo.default_branch or None,
        "subdir": repo.subdir or None,
        "limits": limits,
        "progress": progress,
    }
    if repo.local_path:
        # Checked again at every scan: an admin may have withdrawn the root since.
        if not within_local_roots(repo.local_path):
            raise ScanError("Local paths under this folder are no longer allowed.")
        result = scan_path(repo.local_path, **options)
    else:
        # A token authenticates https clones; ssh relies on the worker's own keys.
        https = repo.clone_url.startswith("https://")
        result = scan_url(
            repo.clone_url,
            token=_token(repo) if https else None,
            allowed_hosts=settings.REPOS_ALLOWED_HOSTS,
            **options,
        )
    facts = [
        Fact(
            key=key,
            value=found.value,
            strength=found.strength or "",
            source=Signal.Source.SCAN,
            evidence=list(found.evidence),
            commit=result.commit,
        )
        for key, found in result.signals.items()
    ]
    # Commits, contributors and the last commit's age: shown with the signals, and
    # "holds" while the repository is active.
    facts.append(
        Fact(
            key="history",
            value=result.history.commits_90d > 0,
            strength="",
            source=Signal.Source.SCAN,
            measure=result.history.to_json(),
            commit=result.commit,
        )
    )
    return facts, result.commit


def _runtime_facts(
    scan: Scan, repo: LinkedRepo, checkout: list[Fact], now: datetime
) -> list[Fact]:
    """Signals from the provider's API: CI runs and deployments of the last window."""
    if repo.provider == Provider.GIT or not repo.project:
        return []
    _progress(scan, "fetching CI runs", 85)
    since = now - timedelta(days=WINDOW_DAYS)
    newest = (
        CIRun.objects.filter(repo=repo)
        .order_by("-run_created_at")
        .values_list("run_created_at", flat=True)
        .first()
    )
    fetch_since = max(since, newest - REFETCH_MARGIN) if newest else since
    runs, deploys = _fetch(repo, fetch_since, since)
    ci_runs_upsert(repo=repo, records=runs)
    _progress(scan, "computing CI signals", 95)
    training = {
        path.split(":", 1)[0]
        for fact in checkout
        if fact.key == "continuous_training"
        for path in fact.evidence
    }
    source = (
        Signal.Source.GITHUB
        if repo.provider == Provider.GITHUB
        else Signal.Source.GITLAB
    )
    found = runtime.ci_signals(
        _stored_runs(repo, since),
        now=now,
        window_days=WINDOW_DAYS,
        default_branch=repo.default_branch or None,
        training_workflows=training,
    ) + runtime.delivery_signals(deploys, now=now, window_days=WINDOW_DAYS)
    return [
        Fact(
            key=signal.key,
            value=signal.value,
            strength=Signal.Strength.RUNNING if signal.value else "",
            source=source,
            evidence=signal.evidence,
            measure=signal.measure,
            commit=signal.commit,
        )
        for signal in found
    ]


def _fetch(repo: LinkedRepo, fetch_since: datetime, since: datetime):
    """Runs since `fetch_since` (incremental) and the window's deployments."""
    token = _token(repo)
    if repo.provider == Provider.GITHUB:
        owner, _, name = repo.project.partition("/")
        with GitHubActions(settings.REPOS_GITHUB_API_URL, token=token) as client:
            return (
                client.workflow_runs(owner, name, since=fetch_since),
                client.deployments(owner, name, since=since),
            )
    with GitLabCI(settings.REPOS_GITLAB_URL, token=token) as client:
        return (
            client.pipelines(repo.project, since=fetch_since),
            client.deployments(repo.project, since=since),
        )


def _stored_runs(repo: LinkedRepo, since: datetime) -> list[RunRecord]:
    return [
        RunRecord(
            provider=run.provider,
            provider_run_id=run.provider_run_id,
            workflow=run.workflow,
            event=run.event,
            raw_event=run.raw_event,
            status=run.status,
            conclusion=run.conclusion or None,
            head_sha=run.head_sha,
            ref=run.ref,
            created_at=run.run_created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            attempt=run.attempt,
            url=run.url,
        )
        for run in CIRun.objects.filter(repo=repo, run_created_at__gte=since)
    ]


def _release(scan: Scan) -> None:
    Scan.objects.filter(pk=scan.pk, status=Scan.Status.RUNNING).update(
        status=Scan.Status.QUEUED, lease_until=None, step="waiting to retry"
    )


@transaction.atomic
def _finish(scan: Scan, facts: list[Fact], commit: str) -> Outcome:
    now = timezone.now()
    count = signals_replace(scan=scan, facts=facts, observed_at=now)
    Scan.objects.filter(pk=scan.pk).update(
        status=Scan.Status.SUCCEEDED,
        finished_at=now,
        lease_until=None,
        commit=commit,
        collector_version=COLLECTOR_VERSION,
        step="done",
        percent=100,
        error="",
    )
    record_event(
        organization=scan.repo.organization,
        actor=None,
        action="repo.scanned",
        target=scan.repo,
        data={
            "scan": scan.pk,
            "commit": commit,
            "holding": sorted(f.key for f in facts if f.value),
            "collector_version": COLLECTOR_VERSION,
        },
    )
    announce_team_evidence_changed(scan.repo.team_id)
    return Outcome("succeeded", commit=commit, signals=count)


@transaction.atomic
def _fail(scan: Scan, message: str) -> Outcome:
    Scan.objects.filter(pk=scan.pk).update(
        status=Scan.Status.FAILED,
        finished_at=timezone.now(),
        lease_until=None,
        step="failed",
        error=message[:1000],
    )
    record_event(
        organization=scan.repo.organization,
        actor=None,
        action="repo.scan_failed",
        target=scan.repo,
        data={"scan": scan.pk, "error": message[:500]},
    )
    logger.info("scan %s of repo %s failed: %s", scan.pk, scan.repo_id, message)
    return Outcome("failed")
