"""One scan: resolve the commit, list its tree, read what the rules need, combine.

Everything is read from git's object database at that commit, through one
`git cat-file --batch` process, so a working tree's uncommitted files, symlinks to
elsewhere and checkout filters play no part, and bare repositories work the same.
The history facts come from `git log`, run alongside (history.py); the reading itself
is in pipeline.py.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .clone import clone_repository
from .errors import InvalidInput, ScanError, ScanLimitExceeded
from .gitcmd import (
    Git,
    check_repository,
    open_repository,
    validate_ref,
    validate_subdir,
)
from .history import History, HistoryJob, committer_time
from .limits import Deadline, ScanLimits
from .objects import ObjectReader
from .pipeline import (
    Progress,
    Run,
    list_and_plan,
    read_blobs,
    read_late,
    read_scheduled_scripts,
)
from .signals import Signal, combine
from .tree import Listing
from .urls import validate_clone_url

COLLECTOR_VERSION = "scanner/1"
DEFAULT_ALLOWED_HOSTS = ("github.com", "gitlab.com")


@dataclass(frozen=True)
class ScanStats:
    files_listed: int
    files_read: int
    bytes_read: int
    skipped_symlinks: int
    skipped_submodules: int
    skipped_ignored: int
    skipped_large: int
    parse_errors: int
    seconds: float

    def to_json(self) -> dict:
        return {**self.__dict__, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class ScanResult:
    commit: str
    signals: Mapping[str, Signal]
    history: History
    stats: ScanStats
    ref: str | None = None
    subdir: str | None = None
    collector_version: str = COLLECTOR_VERSION

    def to_json(self) -> dict:
        """A JSON-ready dict: commit, signals (every catalogue key), history, stats."""
        return {
            "commit": self.commit,
            "ref": self.ref,
            "subdir": self.subdir,
            "collector_version": self.collector_version,
            "signals": {key: sig.to_json() for key, sig in self.signals.items()},
            "history": self.history.to_json(),
            "stats": self.stats.to_json(),
        }


def scan_path(
    path: str | os.PathLike,
    *,
    ref: str | None = None,
    subdir: str | None = None,
    limits: ScanLimits = ScanLimits(),  # noqa: B008 - frozen, shared safely
    progress: Progress | None = None,
) -> ScanResult:
    """Scan the local repository at `path` (working copy or bare) at `ref` (HEAD)."""
    started = time.monotonic()
    ref = validate_ref(ref) if ref is not None else None
    subdir = validate_subdir(subdir)
    deadline = Deadline(limits.timeout)
    git = open_repository(path, deadline)
    try:
        return _scan(git, ref, subdir, limits, progress, started)
    except (InvalidInput, ScanLimitExceeded):
        raise
    except ScanError:
        check_repository(git, path)  # git stopped: was there a repository at all?
        raise


def scan_url(
    url: str,
    *,
    ref: str | None = None,
    subdir: str | None = None,
    token: str | None = None,
    allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
    limits: ScanLimits = ScanLimits(),  # noqa: B008
    progress: Progress | None = None,
) -> ScanResult:
    """Clone `url` (https or ssh, to an allowed host) into a temporary folder, scan it
    at `ref` (the default branch), delete the clone. The deadline covers the clone."""
    started = time.monotonic()
    url = validate_clone_url(url, allowed_hosts)
    ref = validate_ref(ref) if ref is not None else None
    subdir = validate_subdir(subdir)
    deadline = Deadline(limits.timeout)
    if progress:
        progress("cloning", 0)
    with tempfile.TemporaryDirectory(
        prefix="tollgate-scan-", ignore_cleanup_errors=True
    ) as folder:
        dest = os.path.join(folder, "repo.git")
        clone_repository(url, dest, ref=ref, token=token, deadline=deadline)
        git = Git(dest, deadline, safe_dirs=[dest])
        # A branch or tag was cloned as HEAD; a commit id was fetched by id.
        at = ref if ref and re.fullmatch(r"[0-9a-fA-F]{7,64}", ref) else None
        result = _scan(git, at, subdir, limits, progress, started)
    return dataclasses.replace(result, ref=ref)


def _scan(
    git: Git,
    ref: str | None,
    subdir: str | None,
    limits: ScanLimits,
    progress: Progress | None,
    started: float,
) -> ScanResult:
    report = progress or (lambda step, percent: None)
    reader = ObjectReader(git)
    history_job = None
    try:
        commit, committed_at = _resolve(reader, ref)
        if subdir:
            found = reader.get(f"{commit}:{subdir}")
            if not found or found[1] != "tree":
                raise InvalidInput(f"There is no folder {subdir!r} at {commit[:12]}.")
        history_job = HistoryJob(git, commit, time.time())
        report("listing", 5)
        listing = Listing()
        run = Run(limits, subdir)
        plan = list_and_plan(git, reader, commit, run, listing)
        report("reading", 10 + 80 * run.next // max(1, len(plan)))
        read_blobs(reader, plan, run, report, wait=True)
        read_late(reader, run)
        read_scheduled_scripts(reader, run)
        report("history", 90)
        history = history_job.result(committed_at)
    finally:
        reader.close()
        if history_job:
            history_job.close()
    signals = combine(run.hits)
    report("done", 100)
    stats = ScanStats(
        files_listed=listing.listed,
        files_read=run.files_read,
        bytes_read=run.bytes_read,
        skipped_symlinks=listing.symlinks,
        skipped_submodules=listing.submodules,
        skipped_ignored=listing.ignored,
        skipped_large=run.skipped_large,
        parse_errors=run.parse_errors,
        seconds=time.monotonic() - started,
    )
    return ScanResult(commit, signals, history, stats, ref=ref, subdir=subdir)


def _resolve(reader: ObjectReader, ref: str | None) -> tuple[str, int]:
    found = reader.get(f"{ref or 'HEAD'}^{{commit}}")
    if found is None:
        if ref is None:
            raise InvalidInput("The repository has no commits.")
        raise InvalidInput(f"No commit named {ref!r} in the repository.")
    sha, _, body = found
    return sha, committer_time(body)
