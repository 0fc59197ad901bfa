"""Linking repositories and requesting scans. Every change writes one audit event in
its transaction; no secret ever reaches the audit data."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.audit.services import record_event
from apps.core import queue
from apps.core.crypto import encrypt_text
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.repos import policies
from apps.repos.models import LinkedRepo, Provider, Scan
from apps.repos.scanner.errors import InvalidInput
from apps.repos.scanner.gitcmd import validate_ref, validate_subdir
from apps.repos.scanner.urls import validate_clone_url


def _refuse(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDeniedError(f"Your roles do not allow you to {what}.")


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _checked_url(clone_url: str) -> str:
    try:
        return validate_clone_url(clone_url, settings.REPOS_ALLOWED_HOSTS)
    except InvalidInput as error:
        raise _invalid("clone_url", str(error)) from None


def within_local_roots(path: str | Path) -> bool:
    """Is the folder under one of settings.REPOS_LOCAL_ROOTS? resolve() follows
    symlinks, so a link inside a root cannot lead outside it."""
    resolved = Path(path).resolve()
    return any(
        resolved.is_relative_to(Path(root).resolve())
        for root in settings.REPOS_LOCAL_ROOTS
        if root
    )


def _checked_local_path(local_path: str, linked_by: User) -> str:
    """A folder under one of settings.REPOS_LOCAL_ROOTS, linked by an org admin."""
    if not any(settings.REPOS_LOCAL_ROOTS):
        raise _invalid("local_path", "Local paths are not enabled on this server.")
    _refuse(policies.can_link_local_path(linked_by), "link a local path")
    path = Path(local_path).resolve()
    if not within_local_roots(path):
        raise _invalid("local_path", "The path is outside the allowed folders.")
    if not path.is_dir():
        raise _invalid("local_path", "No such folder.")
    return str(path)


def project_from_url(clone_url: str) -> str:
    """The provider's name for the repository ("owner/name", "group/sub/name") from
    its clone URL; "" when the path has no owner."""
    if "://" in clone_url:
        path = urlsplit(clone_url).path
    else:  # scp-like: git@host:owner/name.git
        path = clone_url.split(":", 1)[1]
    path = path.strip("/").removesuffix(".git").strip("/")
    return path if "/" in path else ""


def _checked_options(subdir: str, default_branch: str) -> str:
    """The folder in its clean form; InvalidInput becomes a field error."""
    try:
        if default_branch:
            validate_ref(default_branch)
    except InvalidInput as error:
        raise _invalid("default_branch", str(error)) from None
    try:
        return validate_subdir(subdir) or ""
    except InvalidInput as error:
        raise _invalid("subdir", str(error)) from None


def _clean(repo: LinkedRepo) -> None:
    """The model's field rules (lengths, choices) as field errors, never a 500."""
    try:
        repo.full_clean(exclude=["organization", "team", "created_by"])
    except ValidationError as error:
        raise ApplicationError(
            "Check the highlighted fields.", fields=error.message_dict
        ) from None


def _audit(repo: LinkedRepo, actor: User | None, action: str, **data: Any) -> None:
    record_event(
        organization=repo.organization,
        actor=actor,
        action=action,
        target=repo,
        data=data,
    )


@transaction.atomic
def repo_link(
    *,
    team: Team,
    linked_by: User,
    name: str,
    provider: str,
    clone_url: str = "",
    local_path: str = "",
    project: str = "",
    default_branch: str = "",
    subdir: str = "",
    credentials: str = "",
) -> tuple[LinkedRepo, str]:
    """Link a repository to a team and queue its first scan. Returns the repository
    and its webhook secret, shown this once (it is stored encrypted)."""
    _refuse(
        policies.can_manage_repos(linked_by, team), "link repositories to this team"
    )
    if bool(clone_url) == bool(local_path):
        raise _invalid("clone_url", "Give a clone URL or a local path (one of them).")
    if provider not in Provider.values:
        raise _invalid("provider", "Unknown provider.")
    if clone_url:
        clone_url = _checked_url(clone_url)
        if credentials and not clone_url.startswith("https://"):
            raise _invalid(
                "credentials", "An access token works with an https clone URL only."
            )
    else:
        local_path = _checked_local_path(local_path, linked_by)
    subdir = _checked_options(subdir, default_branch)
    if provider != Provider.GIT and not project:
        project = project_from_url(clone_url)
    webhook_secret = secrets.token_urlsafe(32)
    repo = LinkedRepo(
        organization_id=team.organization_id,
        team=team,
        name=name,
        provider=provider,
        clone_url=clone_url,
        local_path=local_path,
        project=project,
        default_branch=default_branch,
        subdir=subdir,
        credentials_encrypted=encrypt_text(credentials) if credentials else "",
        webhook_secret_encrypted=encrypt_text(webhook_secret),
        created_by=linked_by,
    )
    _clean(repo)
    try:
        with transaction.atomic():
            repo.save()
    except IntegrityError:
        raise _invalid("clone_url", "This repository is already linked.") from None
    scan, _ = scan_enqueue(repo, Scan.Trigger.LINK, requested_by=linked_by)
    _audit(
        repo,
        linked_by,
        "repo.linked",
        team=team.pk,
        provider=provider,
        location=repo.location,
        subdir=subdir,
        # Whether a secret was given, under a key the audit does not redact.
        access="private" if credentials else "public",
        scan=scan.pk,
    )
    return repo, webhook_secret


@transaction.atomic
def repo_update(*, repo: LinkedRepo, updated_by: User, **changes: Any) -> LinkedRepo:
    """Change a link's name, branch, folder, project, credentials or enabled flag."""
    _refuse(policies.can_manage_repos(updated_by, repo.team), "change this repository")
    allowed = {"name", "default_branch", "subdir", "project", "enabled", "credentials"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(
            "Unknown fields.", fields={name: ["Unknown field."] for name in unknown}
        )
    repo = LinkedRepo.objects.select_for_update().get(pk=repo.pk)
    if "subdir" in changes or "default_branch" in changes:
        subdir = _checked_options(
            changes.get("subdir", repo.subdir),
            changes.get("default_branch", repo.default_branch),
        )
        if "subdir" in changes:
            changes["subdir"] = subdir
    if "credentials" in changes:
        secret = changes.pop("credentials")
        repo.credentials_encrypted = encrypt_text(secret) if secret else ""
        changes["credentials"] = bool(
            secret
        )  # the audit names the field, never its value
    for field, value in changes.items():
        if field != "credentials":
            setattr(repo, field, value)
    _clean(repo)
    repo.save()
    _audit(repo, updated_by, "repo.updated", fields=sorted(changes))
    return repo


@transaction.atomic
def webhook_secret_rotate(*, repo: LinkedRepo, rotated_by: User) -> str:
    """A new webhook secret, returned this once; the old one stops working."""
    _refuse(policies.can_manage_repos(rotated_by, repo.team), "change this repository")
    secret = secrets.token_urlsafe(32)
    LinkedRepo.objects.filter(pk=repo.pk).update(
        webhook_secret_encrypted=encrypt_text(secret)
    )
    _audit(repo, rotated_by, "repo.webhook_secret_rotated")
    return secret


def scan_enqueue(
    repo: LinkedRepo, trigger: str, *, requested_by: User | None
) -> tuple[Scan, bool]:
    """The repository's live scan, or a new queued one (its task is sent after
    commit), and whether it is new. Part of a caller's change: the caller writes
    the audit event."""
    live = (
        Scan.objects.filter(
            repo=repo, status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]
        )
        .order_by()
        .first()
    )
    if live is not None:
        return live, False
    try:
        with transaction.atomic():
            scan = Scan.objects.create(
                repo=repo, trigger=trigger, requested_by=requested_by
            )
    except IntegrityError:  # another request queued one a moment ago
        return Scan.objects.get(
            repo=repo, status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]
        ), False
    transaction.on_commit(partial(scan_send, scan.pk))
    return scan, True


def scan_send(scan_id: int) -> None:
    """Send a queued scan's task. With the broker unreachable the scan stays queued
    and the sweep (scans_resend_stale) sends it later."""
    from apps.repos.tasks import collect_signals

    queue.send(collect_signals, scan_id, then="the sweep sends it later")


@transaction.atomic
def scan_request(
    *, repo: LinkedRepo, trigger: str, requested_by: User | None = None
) -> Scan:
    """Queue a scan of the repository, unless one is queued or running already (then
    that one is returned: one scan per repository at a time)."""
    if requested_by is not None:
        _refuse(policies.can_scan(requested_by, repo.team), "scan this repository")
    if not repo.enabled:
        raise ApplicationError("The repository is disabled.", code="disabled")
    scan, queued = scan_enqueue(repo, trigger, requested_by=requested_by)
    if queued:
        _audit(repo, requested_by, "repo.scan_requested", scan=scan.pk, trigger=trigger)
    return scan


# --- Sweeps (celery beat) ---------------------------------------------------------------

# How often every enabled repository is scanned, besides webhooks and rescans.
REFRESH_EVERY = timedelta(hours=24)
# A queued scan whose task has not started by then is sent again (lost message).
QUEUED_TOO_LONG = timedelta(minutes=15)


def scans_schedule_due(*, now: datetime | None = None) -> int:
    """Queue a scan of each enabled repository not scanned within REFRESH_EVERY."""
    now = now or timezone.now()
    recent = Scan.objects.filter(
        repo=OuterRef("pk"), created_at__gte=now - REFRESH_EVERY
    )
    due = LinkedRepo.objects.filter(enabled=True).exclude(Exists(recent))
    queued = 0
    for repo in due.select_related("organization"):
        scan_request(repo=repo, trigger=Scan.Trigger.SCHEDULE)
        queued += 1
    return queued


def scans_resend_stale(*, now: datetime | None = None) -> int:
    """Send again the task of each scan queued too long or whose worker's lease lapsed
    (the worker died): the claim makes a second message harmless."""
    now = now or timezone.now()
    stale = Scan.objects.filter(
        Q(status=Scan.Status.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
        | Q(status=Scan.Status.RUNNING, lease_until__lt=now)
    ).values_list("pk", flat=True)
    ids = list(stale)
    for scan_id in ids:
        transaction.on_commit(partial(scan_send, scan_id))
    return len(ids)
