"""`manage.py scan_repo`: one JSON object, a table, or a one-line CommandError."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.repos.scanner import SIGNAL_KEYS


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("scan_repo", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_every_key(make_repo):
    repo = make_repo({"train.py": "import mlflow\nmlflow.start_run()\n"})

    data = json.loads(run(str(repo.path), "--json"))

    assert data["commit"] == repo.git("rev-parse", "HEAD")
    assert list(data["signals"]) == list(SIGNAL_KEYS)
    for signal in data["signals"].values():
        assert set(signal) == {"value", "strength", "evidence"}
    assert data["signals"]["experiment_tracking"] == {
        "value": True,
        "strength": "wired",
        "evidence": ["train.py:2"],
    }
    assert set(data["history"]) >= {
        "commits_90d",
        "contributors_90d",
        "last_commit_age_days",
    }


def test_json_with_ref_and_subdir(make_repo):
    repo = make_repo()
    first = repo.add({"ml/train.py": "import wandb\nwandb.init()\n"})
    repo.add({"ml/train.py": "print('no tracking')\n"})

    data = json.loads(run(str(repo.path), "--ref", first, "--subdir", "ml", "--json"))

    assert data["commit"] == first
    assert data["subdir"] == "ml"
    assert data["signals"]["experiment_tracking"]["value"] is True


def test_table_output(make_repo):
    repo = make_repo({"Dockerfile": "FROM python:3.12\n"})

    text = run(str(repo.path))

    assert "containerised" in text
    assert "Dockerfile" in text
    assert "History:" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--ref", "--upload-pack=touch /tmp/x"), "may not start with '-'"),
        (("--ref", "a..b"), "not a valid"),
        (("--subdir", "../up"), "may not contain '..'"),
        (("--ref", "nope"), "No commit named"),
    ],
)
def test_bad_input_is_a_command_error(make_repo, args, message):
    repo = make_repo({"a.py": ""})

    with pytest.raises(CommandError, match=message):
        run(str(repo.path), *args, "--json")


def test_not_a_repository_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="is not a git repository"):
        run(str(tmp_path), "--json")


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/x.git",
        "file:///etc",
        "ext::sh -c id",
        "http://github.com/a/b",
    ],
)
def test_refused_urls_are_command_errors(url):
    with pytest.raises(CommandError):
        run(url, "--json")


def test_unreachable_url_is_a_command_error(settings):
    settings.REPOS_ALLOWED_HOSTS = ["127.0.0.1"]

    with pytest.raises(
        CommandError, match=r"Could not clone https://127\.0\.0\.1:1/x\.git"
    ):
        run("https://127.0.0.1:1/x.git", "--json")


def test_over_the_limits_is_a_command_error(make_repo, settings):
    settings.REPOS_SCAN_MAX_FILES = 1
    repo = make_repo({"a.py": "", "b.py": ""})

    with pytest.raises(CommandError, match="more than 1 files"):
        run(str(repo.path), "--json")
