"""Linking repositories, changing them and queueing scans: permissions, validation,
secrets at rest, one audit event per change and nothing half-written."""

from __future__ import annotations

import json
import os

import pytest
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.crypto import decrypt_text
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.repos import services
from apps.repos.models import LinkedRepo, Scan
from tests.broker import unreachable_broker
from tests.repos.factories import LinkedRepoFactory

pytestmark = pytest.mark.django_db

URL = "https://github.com/acme/fraud-model.git"
TOKEN = "ghp_TopSecretToken0123456789"


def _link(people, who=None, **fields):
    values = {"name": "fraud-model", "provider": "github", "clone_url": URL} | fields
    return services.repo_link(team=people.team, linked_by=who or people.lead, **values)


def _field_error(call) -> dict:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.fields


def test_lead_links_a_repository_with_encrypted_credentials(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as sent:
        repo, secret = _link(people, credentials=TOKEN)

    assert (repo.project, repo.organization_id) == (
        "acme/fraud-model",
        people.team.organization_id,
    )
    assert TOKEN not in repo.credentials_encrypted
    assert decrypt_text(repo.credentials_encrypted) == TOKEN
    assert decrypt_text(repo.webhook_secret_encrypted) == secret
    # The first scan is queued, its task sent once the link commits.
    scan = Scan.objects.get(repo=repo)
    assert (scan.status, scan.trigger, len(sent)) == ("queued", "link", 1)


def test_linking_writes_one_audit_event_without_secrets(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _, secret = _link(people, credentials=TOKEN)

    event = AuditEvent.objects.get(action="repo.linked")
    data = json.loads(event.canonical)["data"]
    assert (data["location"], data["access"]) == (URL, "private")
    assert TOKEN not in event.canonical
    assert secret not in event.canonical
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_the_teams_lead_or_an_admin_links(people, who):
    with pytest.raises(PermissionDeniedError):
        _link(people, getattr(people, who))

    assert not LinkedRepo.objects.exists()


def test_an_admin_links_for_any_team(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        repo, _ = _link(people, people.admin)

    assert repo.team == people.team


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc", "clone_url"),
        ("ext::sh -c touch% /tmp/pwned", "clone_url"),
        ("http://github.com/acme/x.git", "clone_url"),
        ("https://evil.example.com/acme/x.git", "clone_url"),
        ("https://user:pass@github.com/acme/x.git", "clone_url"),
        ("--upload-pack=touch /tmp/x", "clone_url"),
    ],
)
def test_clone_urls_outside_the_rules_are_refused_whole(people, url, message):
    fields = _field_error(lambda: _link(people, clone_url=url))

    assert message in fields
    assert not LinkedRepo.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_token_goes_with_an_https_url_only(people):
    fields = _field_error(
        lambda: _link(people, clone_url="git@github.com:acme/x.git", credentials=TOKEN)
    )

    assert fields == {
        "credentials": ["An access token works with an https clone URL only."]
    }


def test_url_or_path_not_both(people, local_root):
    fields = _field_error(lambda: _link(people, local_path=str(local_root)))

    assert "clone_url" in fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subdir": "../outside"}, "subdir"),
        ({"subdir": "/abs"}, "subdir"),
        ({"default_branch": "--upload-pack=x"}, "default_branch"),
        ({"default_branch": "a..b"}, "default_branch"),
        ({"provider": "bitbucket"}, "provider"),
    ],
)
def test_bad_options_are_field_errors(people, changes, field):
    assert field in _field_error(lambda: _link(people, **changes))
    assert not LinkedRepo.objects.exists()


def test_the_same_repository_links_once_per_team(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _link(people)

    assert "clone_url" in _field_error(lambda: _link(people))
    assert LinkedRepo.objects.count() == 1


# --- Local paths --------------------------------------------------------------------


def test_local_paths_are_off_unless_roots_are_configured(people, tmp_path):
    fields = _field_error(
        lambda: _link(people, people.admin, clone_url="", local_path=str(tmp_path))
    )

    assert fields["local_path"] == ["Local paths are not enabled on this server."]


def test_a_local_path_is_an_admins_decision(people, make_git_repo):
    repo = make_git_repo()

    with pytest.raises(PermissionDeniedError):
        _link(people, people.lead, clone_url="", local_path=str(repo.path))


def test_a_local_path_must_be_under_a_root_even_through_a_symlink(
    people, local_root, tmp_path
):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, local_root / "sneaky")

    for path in (str(outside), str(local_root / "sneaky")):
        fields = _field_error(
            lambda p=path: _link(people, people.admin, clone_url="", local_path=p)
        )
        assert fields["local_path"] == ["The path is outside the allowed folders."]


def test_an_admin_links_a_local_path_under_a_root(
    people, make_git_repo, django_capture_on_commit_callbacks
):
    git_repo = make_git_repo()

    with django_capture_on_commit_callbacks(execute=False):
        repo, _ = _link(
            people,
            people.admin,
            provider="git",
            clone_url="",
            local_path=str(git_repo.path),
        )

    assert (repo.local_path, repo.project) == (str(git_repo.path.resolve()), "")


# --- Changes ------------------------------------------------------------------------


def test_update_replaces_credentials_and_audits_only_that_they_changed(people):
    repo = LinkedRepoFactory(team=people.team)

    services.repo_update(
        repo=repo, updated_by=people.lead, credentials=TOKEN, default_branch="main"
    )

    repo.refresh_from_db()
    assert decrypt_text(repo.credentials_encrypted) == TOKEN
    event = AuditEvent.objects.get(action="repo.updated")
    assert json.loads(event.canonical)["data"] == {
        "fields": ["credentials", "default_branch"]
    }
    assert TOKEN not in event.canonical


def test_field_rules_are_field_errors_and_change_nothing(people):
    repo = LinkedRepoFactory(team=people.team, name="fraud")

    fields = _field_error(
        lambda: services.repo_update(repo=repo, updated_by=people.lead, name="n" * 201)
    )

    assert "name" in fields
    repo.refresh_from_db()
    assert repo.name == "fraud"
    assert not AuditEvent.objects.exists()


def test_update_refuses_unknown_fields_and_other_teams(people):
    repo = LinkedRepoFactory(team=people.team)

    assert "clone_url" in _field_error(
        lambda: services.repo_update(
            repo=repo, updated_by=people.lead, clone_url="https://github.com/x/y"
        )
    )
    with pytest.raises(PermissionDeniedError):
        services.repo_update(repo=repo, updated_by=people.outsider, enabled=False)


def test_rotating_the_webhook_secret_returns_a_new_one(people):
    repo = LinkedRepoFactory(team=people.team)

    secret = services.webhook_secret_rotate(repo=repo, rotated_by=people.lead)

    repo.refresh_from_db()
    assert decrypt_text(repo.webhook_secret_encrypted) == secret
    assert secret not in AuditEvent.objects.get().canonical


# --- Scans --------------------------------------------------------------------------


def test_a_second_rescan_returns_the_live_scan(
    people, django_capture_on_commit_callbacks
):
    repo = LinkedRepoFactory(team=people.team)

    with django_capture_on_commit_callbacks(execute=False) as sent:
        first = services.scan_request(
            repo=repo, trigger="manual", requested_by=people.member
        )
        second = services.scan_request(
            repo=repo, trigger="manual", requested_by=people.lead
        )

    assert first == second
    assert len(sent) == 1
    assert AuditEvent.objects.filter(action="repo.scan_requested").count() == 1


def test_rescans_are_for_the_team(people):
    repo = LinkedRepoFactory(team=people.team)

    with pytest.raises(PermissionDeniedError):
        services.scan_request(repo=repo, trigger="manual", requested_by=people.outsider)
    assert not Scan.objects.exists()


def test_a_disabled_repository_is_not_scanned(people):
    repo = LinkedRepoFactory(team=people.team, enabled=False)

    with pytest.raises(ApplicationError):
        services.scan_request(repo=repo, trigger="manual", requested_by=people.lead)


def test_the_daily_sweep_queues_repositories_not_scanned_for_a_day(
    people, django_capture_on_commit_callbacks
):
    fresh, stale = LinkedRepoFactory.create_batch(2, team=people.team)
    LinkedRepoFactory(team=people.team, enabled=False)
    Scan.objects.create(repo=fresh, trigger="manual", status="succeeded")
    old = Scan.objects.create(repo=stale, trigger="manual", status="succeeded")
    Scan.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - services.REFRESH_EVERY * 2
    )

    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.scans_schedule_due() == 1

    assert Scan.objects.filter(repo=stale, status="queued", trigger="schedule").exists()
    assert len(sent) == 1


def test_the_stale_sweep_resends_lost_and_abandoned_scans(
    people, django_capture_on_commit_callbacks
):
    now = timezone.now()
    repos = LinkedRepoFactory.create_batch(3, team=people.team)
    lost = Scan.objects.create(repo=repos[0], trigger="manual")
    Scan.objects.filter(pk=lost.pk).update(
        created_at=now - services.QUEUED_TOO_LONG * 2
    )
    Scan.objects.create(
        repo=repos[1],
        trigger="manual",
        status="running",
        lease_until=now - services.QUEUED_TOO_LONG,
    )
    Scan.objects.create(repo=repos[2], trigger="manual")  # just queued: left alone

    with django_capture_on_commit_callbacks(execute=False):
        assert services.scans_resend_stale(now=now) == 2


def test_a_scan_requested_while_the_broker_is_down_stays_queued_for_the_sweep(
    people, django_capture_on_commit_callbacks
):
    repo = LinkedRepoFactory(team=people.team)

    with unreachable_broker(), django_capture_on_commit_callbacks(execute=True):
        scan = services.scan_request(
            repo=repo, trigger="manual", requested_by=people.lead
        )

    # The request succeeded; its scan waits, queued, until the sweep sends it.
    scan.refresh_from_db()
    assert scan.status == Scan.Status.QUEUED
    later = timezone.now() + services.QUEUED_TOO_LONG * 2
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.scans_resend_stale(now=later) == 1
    assert len(sent) == 1
