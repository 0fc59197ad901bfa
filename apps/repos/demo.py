"""Demo repositories: small local git repositories of varied maturity, linked to demo
teams and scanned, so that evidence and conflicts show in the demo.

They are written under var/demo-repos/, which `make run` allows as a local-path root
(REPOS_LOCAL_ROOTS) for the demo only. Idempotent: an existing folder or link is kept.
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from apps.accounts.models import Organization, Team, User
from apps.repos import services
from apps.repos.models import LinkedRepo

logger = logging.getLogger(__name__)

DEMO_DIR_NAME = "demo-repos"

_GITHUB_TESTS = """on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest -q
"""
_SCHEDULED_TRAINING = """on:
  schedule:
    - cron: "0 3 * * 1"
  workflow_dispatch:
jobs:
  retrain:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python train.py
"""
_TRACKED_TRAINING = """import mlflow


def train(data):
    with mlflow.start_run():
        mlflow.log_param("model", "gbm")
        mlflow.log_metric("auc", 0.91)
        mlflow.sklearn.log_model(data, "model", registered_model_name="demo-model")


if __name__ == "__main__":
    train(None)
"""
_DVC = """stages:
  prepare:
    cmd: python prepare.py
    deps: [data/raw.csv]
    outs: [data/clean.csv]
  train:
    cmd: python train.py
    deps: [data/clean.csv]
    outs: [model.pkl]
"""
_MONITORING = """from evidently import Report
from evidently.presets import DataDriftPreset


def drift_report(reference, current):
    report = Report([DataDriftPreset()])
    return report.run(reference_data=reference, current_data=current)
"""


@dataclass(frozen=True)
class DemoRepo:
    name: str
    team_slug: str
    files: dict[str, str]


DEMO_REPOS = [
    # A notebook and a script: no CI, no tests, nothing pinned.
    DemoRepo(
        "churn-notebooks",
        "customer-churn",
        {
            "README.md": "# Churn experiments\n",
            "train.py": "import pandas as pd\n\nprint(pd.__version__)\n",
            "requirements.txt": "pandas\nscikit-learn\n",
        },
    ),
    # CI that runs tests, pinned dependencies and a container.
    DemoRepo(
        "credit-scoring-service",
        "credit-risk-scoring",
        {
            ".github/workflows/ci.yml": _GITHUB_TESTS,
            "requirements.txt": "pandas==2.2.3\nscikit-learn==1.5.2\n",
            "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n",
            "score.py": "def score(x):\n    return 0.5\n",
            "tests/test_score.py": "from score import score\n\n\ndef test_score():\n"
            "    assert score(1) == 0.5\n",
        },
    ),
    # DVC pipeline and MLflow tracking with the registry, CI with tests.
    DemoRepo(
        "fraud-pipeline",
        "fraud-detection",
        {
            ".github/workflows/ci.yml": _GITHUB_TESTS,
            ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n"
            "    url = s3://acme-dvc/fraud\n",
            "dvc.yaml": _DVC,
            "dvc.lock": "schema: '2.0'\nstages: {}\n",
            "train.py": _TRACKED_TRAINING,
            "tests/test_train.py": "def test_placeholder():\n    assert True\n",
            "uv.lock": "version = 1\n",
            "MODEL_CARD.md": "# Fraud model\n\n## Intended use\nCard fraud screening.\n",
        },
    ),
    # Scheduled retraining on top of tracked training.
    DemoRepo(
        "pricing-retraining",
        "pricing-models",
        {
            ".github/workflows/ci.yml": _GITHUB_TESTS,
            ".github/workflows/retrain.yml": _SCHEDULED_TRAINING,
            "train.py": _TRACKED_TRAINING,
            "tests/test_train.py": "def test_placeholder():\n    assert True\n",
            "poetry.lock": "# pinned\n",
        },
    ),
    # Production monitoring with Evidently.
    DemoRepo(
        "forecasting-monitoring",
        "forecasting",
        {
            ".github/workflows/ci.yml": _GITHUB_TESTS,
            "monitoring/drift.py": _MONITORING,
            "tests/test_drift.py": "def test_placeholder():\n    assert True\n",
            "requirements.txt": "evidently==0.7.0\n",
        },
    ),
]


def demo_dir() -> Path:
    return settings.VAR_DIR / DEMO_DIR_NAME


def _git(path: Path, *args: str) -> None:
    # Our own demo content, committed with a fixed identity and no user config.
    subprocess.run(  # noqa: S603 - fixed argv, our own arguments
        ["git", "-C", str(path), *args],  # noqa: S607 - git from PATH, as the scanner
        check=True,
        capture_output=True,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(path),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Demo",
            "GIT_AUTHOR_EMAIL": "demo@acme.example",
            "GIT_COMMITTER_NAME": "Demo",
            "GIT_COMMITTER_EMAIL": "demo@acme.example",
        },
    )


def write_repo(path: Path, files: dict[str, str]) -> None:
    """A git repository at `path` holding `files` in one commit (kept if present)."""
    if (path / ".git").is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q", "-b", "main")
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "Demo repository")


def commit_files(path: Path, files: dict[str, str], message: str) -> bool:
    """Write `files` into the demo repository at `path` and commit them; False when
    they already hold that content (nothing to commit)."""
    if all(
        (path / name).is_file() and (path / name).read_text() == content
        for name, content in files.items()
    ):
        return False
    for name, content in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(content)
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", message)
    return True


def seed_demo_repos(*, organization: Organization, admin: User) -> int | None:
    """Write, link and scan the demo repositories that are missing; the number linked,
    or None when var/demo-repos is not an allowed local-path root."""
    root = demo_dir()
    if not services.within_local_roots(root):
        logger.info("demo: %s is not in REPOS_LOCAL_ROOTS; no demo repositories", root)
        return None
    teams = {team.slug: team for team in Team.objects.filter(organization=organization)}
    linked = set(
        LinkedRepo.objects.filter(organization=organization).values_list(
            "name", flat=True
        )
    )
    created = 0
    for demo in DEMO_REPOS:
        team = teams.get(demo.team_slug)
        if team is None or demo.name in linked:
            continue
        path = root / demo.name
        write_repo(path, demo.files)
        services.repo_link(
            team=team,
            linked_by=admin,
            name=demo.name,
            provider="git",
            local_path=str(path),
            default_branch="main",
        )
        created += 1
    return created
