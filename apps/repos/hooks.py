"""Provider webhooks: who sent a delivery, and what it changes.

GitHub signs the raw body with HMAC-SHA256 (`X-Hub-Signature-256`; the legacy SHA-1
`X-Hub-Signature` is not accepted); GitLab sends the shared secret itself
(`X-Gitlab-Token`). Both are compared in constant time with every candidate
repository's secret. A delivery id is stored once, so a replay changes nothing
(the lesson of Four Keys' inflated change-failure rate, issue #213).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from apps.audit.services import record_event
from apps.core.crypto import DecryptionError, decrypt_text
from apps.repos.collectors.github import run_record
from apps.repos.models import LinkedRepo, Provider, Scan, WebhookDelivery
from apps.repos.services import scan_enqueue
from apps.repos.store import ci_runs_upsert

# Events that can change a signal: a push (new code to scan), CI runs and pipelines,
# deployments. Anything else is acknowledged and ignored.
USED_EVENTS = {
    Provider.GITHUB: {"push", "workflow_run", "deployment_status"},
    Provider.GITLAB: {"Push Hook", "Pipeline Hook", "Deployment Hook"},
}


def github_signature_matches(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def gitlab_token_matches(secret: str, header: str) -> bool:
    return hmac.compare_digest(secret.encode(), header.encode())


def project_of(provider: str, payload: dict[str, Any]) -> str:
    """The repository a delivery is about, as the provider names it."""
    if provider == Provider.GITHUB:
        repository = payload.get("repository")
        name = repository.get("full_name") if isinstance(repository, dict) else None
    else:
        project = payload.get("project")
        name = project.get("path_with_namespace") if isinstance(project, dict) else None
    return name if isinstance(name, str) else ""


def candidates(provider: str, project: str) -> list[LinkedRepo]:
    """Enabled links of that repository (several teams may link one repository)."""
    if not project:
        return []
    return list(
        LinkedRepo.objects.filter(
            provider=provider, project__iexact=project, enabled=True
        ).select_related("organization")
    )


def _secret(repo: LinkedRepo) -> str | None:
    try:
        return decrypt_text(repo.webhook_secret_encrypted)
    except DecryptionError:
        return None


def authenticated(
    provider: str, repos: list[LinkedRepo], *, body: bytes, credential: str
) -> list[LinkedRepo]:
    """The repositories whose secret the delivery proves it knows."""
    matched = []
    for repo in repos:
        secret = _secret(repo)
        if secret is None:
            continue
        if provider == Provider.GITHUB:
            ok = github_signature_matches(secret, body, credential)
        else:
            ok = gitlab_token_matches(secret, credential)
        if ok:
            matched.append(repo)
    return matched


@dataclass(frozen=True)
class Receipt:
    duplicate: bool
    outcome: str  # WebhookDelivery.Outcome, or "duplicate"
    scans: list[int]


@transaction.atomic
def delivery_receive(
    *,
    provider: str,
    delivery_id: str,
    event: str,
    payload: dict[str, Any],
    repos: list[LinkedRepo],
) -> Receipt:
    """Record an authenticated delivery once; for a used event, store the CI run it
    carries and queue a scan of each repository (after commit). One audit event per
    repository, in this transaction."""
    used = event in USED_EVENTS[provider]
    outcome = (
        WebhookDelivery.Outcome.ACCEPTED if used else WebhookDelivery.Outcome.IGNORED
    )
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                provider=provider,
                delivery_id=delivery_id,
                repo=repos[0],
                event=event[:60],
                outcome=outcome,
            )
    except IntegrityError:
        return Receipt(duplicate=True, outcome="duplicate", scans=[])
    scans = []
    for repo in repos:
        scan = None
        if used:
            if provider == Provider.GITHUB and event == "workflow_run":
                _store_github_run(repo, payload)
            scan, _ = scan_enqueue(repo, Scan.Trigger.WEBHOOK, requested_by=None)
            scans.append(scan.pk)
        record_event(
            organization=repo.organization,
            actor=None,
            action="repo.webhook_received",
            target=repo,
            data={
                "provider": provider,
                "delivery": delivery_id,
                "event": event[:60],
                "outcome": outcome,
                "scan": scan.pk if scan else None,
            },
        )
    return Receipt(duplicate=False, outcome=outcome, scans=scans)


def _store_github_run(repo: LinkedRepo, payload: dict[str, Any]) -> None:
    run = payload.get("workflow_run")
    if isinstance(run, dict) and "id" in run:
        ci_runs_upsert(repo=repo, records=[run_record(run)])
