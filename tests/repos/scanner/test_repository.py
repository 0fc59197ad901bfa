"""How a repository is read: commits not working trees, limits, refs, folders, safety."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from apps.repos.scanner import (
    COLLECTOR_VERSION,
    SIGNAL_KEYS,
    InvalidInput,
    NotAGitRepository,
    ScanLimitExceeded,
    ScanLimits,
    scan_path,
)

TRACKING = "import mlflow\nmlflow.start_run()\n"


def test_scan_result_has_every_signal_and_serialises(make_repo):
    repo = make_repo({"train.py": TRACKING})

    result = scan_path(repo.path)
    data = json.loads(json.dumps(result.to_json()))

    assert list(data["signals"]) == list(SIGNAL_KEYS)
    assert data["commit"] == repo.git("rev-parse", "HEAD")
    assert data["collector_version"] == COLLECTOR_VERSION
    assert set(data["signals"]["ci_config"]) == {"value", "strength", "evidence"}
    assert data["stats"]["files_read"] == 1


def test_folder_that_is_not_a_repository(tmp_path):
    with pytest.raises(NotAGitRepository, match="is not a git repository"):
        scan_path(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(NotAGitRepository, match="is not a directory"):
        scan_path(tmp_path / "nope")


def test_folder_inside_a_repository_is_not_the_repository(make_repo):
    repo = make_repo({"src/train.py": TRACKING})

    with pytest.raises(NotAGitRepository):
        scan_path(repo.path / "src")


def test_repository_without_commits(make_repo):
    with pytest.raises(InvalidInput, match="no commits"):
        scan_path(make_repo().path)


def test_bare_repository(make_repo, tmp_path):
    repo = make_repo({"train.py": TRACKING})
    bare = tmp_path / "bare.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True
    )

    assert scan_path(bare).signals["experiment_tracking"].strength == "wired"


def test_uncommitted_files_are_not_read(make_repo):
    repo = make_repo({"README.md": "# x\n"})
    repo.write({"train.py": TRACKING})

    assert scan_path(repo.path).signals["experiment_tracking"].value is False


def test_ref_scans_an_older_commit(make_repo):
    repo = make_repo()
    first = repo.add({"train.py": TRACKING})
    repo.git("rm", "-q", "train.py")
    repo.commit("drop mlflow")
    repo.git("tag", "v1", first)

    assert scan_path(repo.path).signals["experiment_tracking"].value is False
    for ref in (first, first[:10], "v1"):
        result = scan_path(repo.path, ref=ref)
        assert result.commit == first
        assert result.signals["experiment_tracking"].value is True


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("--upload-pack=touch /tmp/x", "may not start with '-'"),
        ("-n", "may not start with '-'"),
        ("a..b", "not a valid"),
        ("main~1", "not a valid"),
        ("bad\nref", "not a valid"),
        ("feature/x.lock", "not a valid"),
        ("", "Enter a branch"),
    ],
)
def test_bad_refs_are_refused_before_git_runs(make_repo, ref, message):
    repo = make_repo({"a.py": ""})

    with pytest.raises(InvalidInput, match=message):
        scan_path(repo.path, ref=ref)


def test_unknown_ref(make_repo):
    repo = make_repo({"a.py": ""})

    with pytest.raises(InvalidInput, match="No commit named 'release/9'"):
        scan_path(repo.path, ref="release/9")


MONOREPO = {
    "ml/train.py": TRACKING,
    "ml/tests/test_train.py": "def test_a():\n    pass\n",
    "web/app.py": "print('hi')\n",
    ".github/workflows/ml.yml": "on:\n  push:\n    paths: ['ml/**']\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: cd ml && pytest\n",
}


def test_subdir_scans_one_folder_of_a_monorepo(make_repo):
    repo = make_repo(MONOREPO)

    ml = scan_path(repo.path, subdir="ml/").signals
    web = scan_path(repo.path, subdir="web").signals

    assert ml["experiment_tracking"].evidence == ("ml/train.py:2",)
    assert ml["ci_runs_tests"].evidence == (".github/workflows/ml.yml",)
    assert ml["tests_present"].value is True
    assert web["experiment_tracking"].value is False
    assert web["ci_config"].value is False  # the root workflow never names web/
    assert web["tests_present"].value is False


@pytest.mark.parametrize("subdir", ["../x", "/etc", "ml/../..", "-x", ":(exclude)ml"])
def test_bad_subdirs_are_refused(make_repo, subdir):
    repo = make_repo(MONOREPO)

    with pytest.raises(InvalidInput):
        scan_path(repo.path, subdir=subdir)


def test_missing_subdir(make_repo):
    repo = make_repo(MONOREPO)

    with pytest.raises(InvalidInput, match="no folder 'api'"):
        scan_path(repo.path, subdir="api")


def test_symlink_out_of_the_tree_is_not_followed(make_repo, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text(TRACKING)
    repo = make_repo()
    os.symlink(outside, repo.path / "train.py")
    os.symlink("../../outside.py", repo.path / "rel.py")
    repo.commit("links")

    result = scan_path(repo.path)

    assert result.signals["experiment_tracking"].value is False
    assert result.stats.skipped_symlinks == 2


def test_tool_folders_are_ignored(make_repo):
    repo = make_repo(
        {
            "node_modules/x/index.py": TRACKING,
            ".venv/lib/site.py": TRACKING,
            "src/__pycache__/t.py": TRACKING,
            "build/lib/pkg/train.py": TRACKING,
        }
    )

    result = scan_path(repo.path)

    assert result.signals["experiment_tracking"].value is False
    assert result.stats.skipped_ignored == 4


def test_too_many_files(make_repo):
    repo = make_repo({f"f{i}.txt": "x" for i in range(5)})

    with pytest.raises(ScanLimitExceeded, match="more than 4 files") as caught:
        scan_path(repo.path, limits=ScanLimits(max_files=4))
    assert caught.value.limit == "max_files"
    assert "max_files=4" in caught.value.message


def test_too_many_bytes(make_repo):
    repo = make_repo({"a.py": "x = 1\n" * 10, "b.py": "y = 2\n" * 10})

    with pytest.raises(ScanLimitExceeded, match="max_bytes=100") as caught:
        scan_path(repo.path, limits=ScanLimits(max_bytes=100))
    assert caught.value.limit == "max_bytes"


def test_out_of_time(make_repo):
    repo = make_repo({"a.py": ""})

    with pytest.raises(ScanLimitExceeded, match="longer than") as caught:
        scan_path(repo.path, limits=ScanLimits(timeout=0.000001))
    assert caught.value.limit == "timeout"


def test_files_over_the_size_limit_are_skipped_not_read(make_repo):
    repo = make_repo(
        {"big.py": TRACKING + "# padding\n" * 50, "Dockerfile": "FROM python\n"}
    )

    result = scan_path(repo.path, limits=ScanLimits(max_file_bytes=100))

    assert result.signals["experiment_tracking"].value is False
    assert result.signals["containerised"].value is True
    assert result.stats.skipped_large == 1


def test_history_facts(make_repo):
    repo = make_repo()
    repo.add({"a": "1"}, days_ago=200, email="old@example.com")
    repo.add({"a": "2"}, days_ago=30, email="ana@example.com")
    repo.add({"a": "3"}, days_ago=10, email="ANA@example.com")
    repo.add({"a": "4"}, days_ago=5.5, email="bo@example.com")

    history = scan_path(repo.path).history

    assert history.commits_90d == 3
    assert history.contributors_90d == 2
    assert history.last_commit_age_days == 5
    assert "example.com" not in json.dumps(history.to_json())


def test_history_without_recent_commits(make_repo):
    repo = make_repo()
    repo.add({"a": "1"}, days_ago=200)

    history = scan_path(repo.path).history

    assert (history.commits_90d, history.contributors_90d) == (0, 0)
    assert history.last_commit_age_days == 200


def test_big_files_stream_through(make_repo):
    # A notebook bigger than a pipe's buffer, among many small files.
    image = "A" * 3_000_000
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [{"data": {"image/png": image}}],
         "source": ["import mlflow\n", "mlflow.autolog()\n"], "execution_count": 1},
    ]  # fmt: skip
    files = {f"pkg/m{i}.py": f"X = {i}\n" for i in range(300)}
    files["big.ipynb"] = json.dumps({"nbformat": 4, "metadata": {}, "cells": cells})
    repo = make_repo(files)

    result = scan_path(repo.path)

    assert result.signals["experiment_tracking"].evidence == ("big.ipynb",)
    assert result.stats.files_read == 301
    assert result.stats.bytes_read > 3_000_000


def test_progress_is_reported(make_repo):
    repo = make_repo({"a.py": "", "b.py": ""})
    steps: list[tuple[str, int]] = []

    scan_path(repo.path, progress=lambda step, percent: steps.append((step, percent)))

    assert [s for s, _ in steps][:2] == ["listing", "reading"]
    assert steps[-1] == ("done", 100)
    assert [p for _, p in steps] == sorted(p for _, p in steps)


def test_repository_config_cannot_make_git_run_programs(make_repo, tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    repo = make_repo({"a.py": ""})
    for key in ("core.fsmonitor", "core.pager", "gpg.program", "core.sshCommand"):
        repo.git("config", key, str(script))
    repo.git("config", "log.showSignature", "true")
    repo.git("config", "core.hooksPath", str(tmp_path))

    scan_path(repo.path)

    assert not marker.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repo away")
def test_repository_owned_by_another_user_can_be_read(make_repo):
    repo = make_repo({"train.py": TRACKING})
    subprocess.run(["chown", "-R", "65534:65534", str(repo.path)], check=True)

    assert scan_path(repo.path).signals["experiment_tracking"].value is True


def test_a_copy_listed_long_after_its_blob_was_read_is_read_too(make_repo):
    # Two files with one content, thousands of entries apart: by the time the
    # listing reaches the second, the shared blob has been read for the first.
    train = "import mlflow\n\nmlflow.start_run()\n"
    files = {"aaa/train.py": train, "zzz/train.py": train}
    files |= {f"data/part{i:05}.csv": f"{i}\n" for i in range(6000)}
    repo = make_repo(files)

    result = scan_path(repo.path)

    assert result.signals["experiment_tracking"].evidence == (
        "aaa/train.py:3",
        "zzz/train.py:3",
    )
    assert result.stats.files_read == 2
