"""Rows the repositories API acts on, read through the selectors. A repository, scan
or team in the URL that the caller cannot see is a 404."""

from __future__ import annotations

from typing import TypeVar

from rest_framework.exceptions import NotFound

from apps.accounts.models import Team
from apps.repos import selectors
from apps.repos.models import LinkedRepo, Scan

T = TypeVar("T")


def _found(row: T | None, missing: str) -> T:
    if row is None:
        raise NotFound(missing)
    return row


def visible_repo(request, repo_id: int) -> LinkedRepo:
    """The repository with its team and organisation, for a service to act on."""
    return _found(
        selectors.repo_get(fetched_by=request.user, repo_id=repo_id),
        "No such repository.",
    )


def repo_detail(request, repo_id: int) -> LinkedRepo:
    """The repository as the list shows it: team and latest scan loaded."""
    return _found(
        selectors.repo_detail(fetched_by=request.user, repo_id=repo_id),
        "No such repository.",
    )


def visible_scan(request, scan_id: int) -> Scan:
    return _found(
        selectors.scan_get(fetched_by=request.user, scan_id=scan_id), "No such scan."
    )


def visible_team(request, team_id: int) -> Team:
    """A team whose repositories the caller reads."""
    return _found(
        selectors.signal_team_get(fetched_by=request.user, team_id=team_id),
        "No such team.",
    )
