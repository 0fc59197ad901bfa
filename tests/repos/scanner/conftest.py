"""Tiny git repositories built with real git, with fixed authors and dates."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from apps.repos.scanner import Signal, scan_path
from tests.repos.gitrepos import GitRepo


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., GitRepo]:
    counter = itertools.count()

    def _make(files: dict[str, str | bytes] | None = None) -> GitRepo:
        repo = GitRepo(tmp_path / f"repo{next(counter)}")
        if files is not None:
            repo.add(files)
        return repo

    return _make


@pytest.fixture
def signals(make_repo) -> Callable[..., dict[str, Signal]]:
    """Signals of a one-commit repository holding `files`."""

    def _signals(files: dict[str, str | bytes], **kwargs) -> dict[str, Signal]:
        return scan_path(make_repo(files).path, **kwargs).signals

    return _signals
