"""Activity facts at the scanned commit: commits and contributors in the last 90 days,
the commit's age, and (if git answers quickly) the number of commits in total.

Contributors are counted by distinct author e-mail; the addresses never leave this
module. The two git commands start before the files are read and are collected after,
so that git walks the history while Python parses files.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from .gitcmd import Git, close_streams, kill

WINDOW_DAYS = 90
_DAY = 86_400
_COUNT_CAP_SECONDS = 10.0


@dataclass(frozen=True)
class History:
    commits_90d: int
    contributors_90d: int
    last_commit_age_days: int
    commits_total: int | None

    def to_json(self) -> dict:
        return {
            "commits_90d": self.commits_90d,
            "contributors_90d": self.contributors_90d,
            "last_commit_age_days": self.last_commit_age_days,
            "commits_total": self.commits_total,
        }


class HistoryJob:
    def __init__(self, git: Git, commit: str, now: float) -> None:
        self.git = git
        self.now = now
        since = int(now) - WINDOW_DAYS * _DAY
        self.log = git.popen(
            "log", f"--max-age={since}", "--format=%ae", "--end-of-options", commit,
            quiet=True,
        )  # fmt: skip
        self.count = git.popen(
            "rev-list", "--count", "--end-of-options", commit, quiet=True
        )

    def result(self, committed_at: int) -> History:
        try:
            out, _ = self.log.communicate(timeout=self.git.deadline.remaining())
        except subprocess.TimeoutExpired:
            raise self.git.deadline.exceeded() from None
        emails = out.splitlines()
        return History(
            commits_90d=len(emails),
            contributors_90d=len({e.strip().lower() for e in emails}),
            last_commit_age_days=max(0, int(self.now - committed_at) // _DAY),
            commits_total=self._total(),
        )

    def _total(self) -> int | None:
        timeout = min(self.git.deadline.remaining(), _COUNT_CAP_SECONDS)
        try:
            out, _ = self.count.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None  # a huge history: the total is not worth the wait
        return int(out) if self.count.returncode == 0 and out.strip() else None

    def close(self) -> None:
        for proc in (self.log, self.count):
            kill(proc)
            close_streams(proc)


def committer_time(commit_object: bytes) -> int:
    """The committer timestamp from a raw commit object's headers."""
    for line in commit_object.split(b"\n"):
        if not line:
            break
        if line.startswith(b"committer "):
            return int(line.rsplit(b" ", 2)[1])
    return int(time.time())
