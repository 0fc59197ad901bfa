"""Evidence links to the file at the scanned commit."""

from __future__ import annotations

import pytest

from apps.repos.links import evidence_url
from apps.repos.models import LinkedRepo

SHA = "a" * 40


@pytest.mark.parametrize(
    ("provider", "url", "project", "item", "expected"),
    [
        (
            "github",
            "https://github.com/acme/fraud.git",
            "acme/fraud",
            "train.py:12",
            f"https://github.com/acme/fraud/blob/{SHA}/train.py#L12",
        ),
        (
            "github",
            "git@github.com:acme/fraud.git",
            "acme/fraud",
            ".github/workflows/ci.yml",
            f"https://github.com/acme/fraud/blob/{SHA}/.github/workflows/ci.yml",
        ),
        (
            "gitlab",
            "ssh://git@gitlab.com:2222/g/sub/p.git",
            "g/sub/p",
            "dvc.yaml",
            f"https://gitlab.com/g/sub/p/-/blob/{SHA}/dvc.yaml",
        ),
        (
            "github",
            "https://github.com/acme/fraud.git",
            "acme/fraud",
            "a b.py",
            f"https://github.com/acme/fraud/blob/{SHA}/a%20b.py",
        ),
        ("git", "https://git.example.com/x.git", "", "train.py", None),
        (
            "github",
            "https://github.com/acme/fraud.git",
            "acme/fraud",
            "https://github.com/acme/fraud/actions/runs/1",
            "https://github.com/acme/fraud/actions/runs/1",
        ),
    ],
)
def test_evidence_links(provider, url, project, item, expected):
    repo = LinkedRepo(provider=provider, clone_url=url, project=project)

    assert evidence_url(repo, SHA, item) == expected


def test_local_paths_have_no_links():
    repo = LinkedRepo(provider="github", local_path="/srv/repos/x", project="acme/x")

    assert evidence_url(repo, SHA, "train.py") is None
