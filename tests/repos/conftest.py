"""A team with a lead, a member, an admin and an outsider; git repositories under an
allowed local root."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from apps.accounts.models import Role, Team, User
from tests.repos.gitrepos import GitRepo

# A small repository with CI running tests, MLflow tracking and a scheduled
# training workflow.
MATURE_FILES = {
    ".github/workflows/ci.yml": (
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: pytest -q\n"
    ),
    ".github/workflows/train.yml": (
        "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  train:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n"
    ),
    "train.py": "import mlflow\n\nwith mlflow.start_run():\n    mlflow.log_metric('auc', 0.9)\n",
    "tests/test_train.py": "def test_it():\n    assert True\n",
}


@dataclass
class People:
    team: Team
    lead: User
    member: User
    admin: User
    outsider: User


@pytest.fixture
def people(team, make_user, org) -> People:
    from tests.accounts.factories import TeamFactory

    other_team = TeamFactory(organization=org, business_unit=team.business_unit)
    return People(
        team=team,
        lead=make_user(Role.TEAM_LEAD, team=team),
        member=make_user(Role.TEAM_MEMBER, team=team),
        admin=make_user(Role.ORG_ADMIN),
        outsider=make_user(Role.TEAM_LEAD, team=other_team),
    )


@pytest.fixture
def local_root(tmp_path: Path, settings) -> Path:
    """A folder where linking local paths is allowed."""
    root = tmp_path / "repos"
    root.mkdir()
    settings.REPOS_LOCAL_ROOTS = [str(root)]
    return root


@pytest.fixture
def make_git_repo(local_root: Path) -> Callable[..., GitRepo]:
    counter = itertools.count()

    def _make(files: dict[str, str | bytes] | None = None) -> GitRepo:
        repo = GitRepo(local_root / f"repo{next(counter)}")
        repo.add(files or {"README.md": "# a model\n"})
        return repo

    return _make
