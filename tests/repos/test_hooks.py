"""`/hooks/github/` and `/hooks/gitlab/` over real HTTP (a live server): signatures in
constant time, deliveries deduplicated, nothing stored for a stranger, processing
queued after commit."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from apps.audit.models import AuditEvent
from apps.core.crypto import encrypt_text
from apps.repos.models import CIRun, Scan, WebhookDelivery
from tests.repos.collectors.provider_payloads import github_run
from tests.repos.factories import LinkedRepoFactory

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "hook-secret-0123456789"


@pytest.fixture
def repo(people):
    return LinkedRepoFactory(
        team=people.team,
        name="acme/fraud",
        project="acme/fraud",
        webhook_secret_encrypted=encrypt_text(SECRET),
    )


@pytest.fixture
def no_worker(monkeypatch):
    """Queued scans are recorded instead of run: running them is test_collection's job
    (and test_tasks' on a real worker)."""
    sent: list[int] = []
    monkeypatch.setattr(
        "apps.repos.tasks.collect_signals.delay", lambda scan_id: sent.append(scan_id)
    )
    return sent


def _github(
    live_server, body: bytes, *, event="workflow_run", delivery=None, signature=None
):
    signature = signature or (
        "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    )
    return httpx.post(
        f"{live_server.url}/hooks/github/",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature,
        },
    )


def _workflow_run(repo_name: str = "acme/fraud") -> bytes:
    run = github_run(
        77, created=datetime(2026, 11, 1, tzinfo=UTC), event="schedule", repo=repo_name
    )
    return json.dumps(
        {
            "action": "completed",
            "workflow_run": run,
            "repository": {"full_name": repo_name},
        }
    ).encode()


def test_a_signed_workflow_run_is_stored_and_queues_a_scan(
    live_server, repo, no_worker
):
    response = _github(live_server, _workflow_run())

    assert response.status_code == 202, response.text
    run = CIRun.objects.get(repo=repo)
    assert (run.provider_run_id, run.event, run.conclusion) == (
        "77",
        "schedule",
        "success",
    )
    scan = Scan.objects.get(repo=repo)
    assert (scan.trigger, no_worker) == ("webhook", [scan.pk])
    assert AuditEvent.objects.filter(action="repo.webhook_received").count() == 1


def test_a_replayed_delivery_changes_nothing(live_server, repo, no_worker):
    body = _workflow_run()
    first = _github(live_server, body, delivery="d-1")
    Scan.objects.update(status="succeeded")  # the first scan has run

    replay = _github(live_server, body, delivery="d-1")

    assert (first.status_code, replay.status_code) == (202, 200)
    assert replay.json()["outcome"] == "duplicate"
    assert WebhookDelivery.objects.count() == 1
    assert Scan.objects.count() == 1
    assert len(no_worker) == 1


@pytest.mark.parametrize(
    "signature",
    [
        "sha256=" + "0" * 64,
        "sha1=" + hmac.new(SECRET.encode(), b"x", hashlib.sha1).hexdigest(),
        "",
    ],
)
def test_a_bad_signature_is_401_and_stores_nothing(
    live_server, repo, no_worker, signature
):
    response = _github(live_server, _workflow_run(), signature=signature or "none")

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()
    assert not CIRun.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_legacy_sha1_header_alone_is_not_accepted(live_server, repo, no_worker):
    body = _workflow_run()
    response = httpx.post(
        f"{live_server.url}/hooks/github/",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": "workflow_run",
            "X-GitHub-Delivery": "d-2",
            "X-Hub-Signature": "sha1="
            + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest(),
        },
    )

    assert response.status_code == 401


def test_an_unknown_repository_is_404(live_server, repo, no_worker):
    assert _github(live_server, _workflow_run("acme/other")).status_code == 404


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
def test_a_malformed_body_is_400(live_server, repo, no_worker, body):
    assert _github(live_server, body).status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_a_delivery_without_an_id_is_400(live_server, repo, no_worker):
    response = httpx.post(
        f"{live_server.url}/hooks/github/",
        content=_workflow_run(),
        headers={"X-GitHub-Event": "workflow_run", "Content-Type": "application/json"},
    )

    assert response.status_code == 400


def test_an_unused_event_is_acknowledged_and_ignored(live_server, repo, no_worker):
    body = json.dumps(
        {"zen": "Keep it simple.", "repository": {"full_name": "acme/fraud"}}
    )

    response = _github(live_server, body.encode(), event="ping")

    assert response.status_code == 200
    assert WebhookDelivery.objects.get().outcome == "ignored"
    assert not Scan.objects.exists()


def test_only_post_is_allowed(live_server, repo):
    assert httpx.get(f"{live_server.url}/hooks/github/").status_code == 405


# --- GitLab -------------------------------------------------------------------------


def _gitlab(
    live_server, *, token=SECRET, project="acme/fraud", uuid_=None, webhook_uuid=None
):
    body = json.dumps(
        {
            "object_kind": "pipeline",
            "project": {"path_with_namespace": project},
            "object_attributes": {"id": 9, "status": "success", "source": "schedule"},
        }
    )
    return httpx.post(
        f"{live_server.url}/hooks/gitlab/",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Gitlab-Event": "Pipeline Hook",
            "X-Gitlab-Webhook-UUID": webhook_uuid or str(uuid.uuid4()),
            **({"Idempotency-Key": uuid_} if uuid_ else {}),
            "X-Gitlab-Token": token,
        },
    )


@pytest.fixture
def gitlab_repo(people):
    return LinkedRepoFactory(
        team=people.team,
        provider="gitlab",
        name="acme/fraud",
        project="acme/fraud",
        clone_url="https://gitlab.com/acme/fraud.git",
        webhook_secret_encrypted=encrypt_text(SECRET),
    )


def test_gitlab_checks_its_token_and_queues_a_scan(live_server, gitlab_repo, no_worker):
    assert _gitlab(live_server, token="wrong").status_code == 401
    assert not WebhookDelivery.objects.exists()

    response = _gitlab(live_server, uuid_="u-1")

    assert response.status_code == 202
    assert Scan.objects.filter(repo=gitlab_repo, trigger="webhook").count() == 1
    # A retry of the same event carries the same Idempotency-Key.
    assert _gitlab(live_server, uuid_="u-1").json()["outcome"] == "duplicate"


def test_gitlab_without_an_idempotency_key_dedupes_on_the_webhook_uuid(
    live_server, gitlab_repo, no_worker
):
    assert _gitlab(live_server, webhook_uuid="w-1").status_code == 202

    assert _gitlab(live_server, webhook_uuid="w-1").json()["outcome"] == "duplicate"
    assert WebhookDelivery.objects.get().delivery_id == "w-1"
