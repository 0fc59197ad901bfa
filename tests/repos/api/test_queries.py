"""Query budgets: the repositories API costs the same with 1 row as with 5.

Callers are fetched afresh before each request: roles are cached per user object, and
a cached role set would hide the permission query.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.repos.models import CIRun, LinkedRepo
from tests.repos.api.helpers import API, url
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db


def _repos(repo: LinkedRepo, n: int) -> str:
    scanned(repo, {"ci_config": (True, "wired")})
    for _ in range(n - 1):
        scanned(LinkedRepoFactory(team=repo.team), {"ci_config": (True, "wired")})
    return url()


def _scans(repo: LinkedRepo, n: int) -> str:
    for _ in range(n):
        scanned(repo, {})
    return url(repo.pk, "scans")


def _runs(repo: LinkedRepo, n: int) -> str:
    for i in range(n):
        CIRun.objects.create(
            repo=repo,
            provider="github",
            provider_run_id=str(i),
            run_created_at=timezone.now() - timedelta(hours=i),
        )
    return url(repo.pk, "runs")


def _facts(n: int) -> dict[str, tuple[bool, str]]:
    return {f"key_{i}": (True, "declared") for i in range(n)}


def _scan_signals(repo: LinkedRepo, n: int) -> str:
    return f"{API}scans/{scanned(repo, _facts(n)).pk}/"


def _repo_signals(repo: LinkedRepo, n: int) -> str:
    scanned(repo, _facts(n))
    return url(repo.pk, "signals")


def _team_signals(repo: LinkedRepo, n: int) -> str:
    scanned(repo, _facts(n))
    for _ in range(n - 1):
        scanned(LinkedRepoFactory(team=repo.team), _facts(n))
    return url("teams", repo.team_id, "signals")


CASES = {
    # 1 caller's roles, 2 count, 3 repos joined to team with their latest scan's id,
    # 4 those scans.
    "repos": (_repos, 4),
    # 1 caller's roles, 2 the repo (visibility in a subquery), 3 count, 4 scans.
    "scans": (_scans, 4),
    # 1 caller's roles, 2 the repo, 3 count, 4 runs.
    "runs": (_runs, 4),
    # 1 caller's roles, 2 the scan joined to its repo, 3 its signals.
    "scan signals": (_scan_signals, 3),
    # 1 caller's roles, 2 the repo, 3 its latest successful scan, 4 its signals.
    "repo signals": (_repo_signals, 4),
    # 1 caller's roles, 2 the team, 3 the signals of its repos' latest successful
    # scans joined to their repo.
    "team signals": (_team_signals, 3),
}


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize("name", list(CASES))
def test_repos_api_runs_constant_queries(
    name, rows, repo, people, api_client, django_assert_num_queries
):
    make_rows, queries = CASES[name]
    path = make_rows(repo, rows)
    client = api_client(User.objects.get(pk=people.member.pk))

    with django_assert_num_queries(queries):
        response = client.get(path)

    assert response.status_code == 200, response.content
    assert _size(response.json()) == rows


def _size(body) -> int:
    """Rows in a page, signals of a scan, or items of a list."""
    if isinstance(body, list):
        return len(body)
    return len(body["results"] if "results" in body else body["signals"])
