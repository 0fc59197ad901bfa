"""Activity facts at the scanned commit: commits and contributors in the last 90 days,
and the commit's age. (No total count: walking a whole history costs a scan more than
the fact is worth.)

Contributors are counted by distinct author e-mail; the addresses never leave this
module. The git command starts before the files are read and is collected after, so
that git walks the history while Python parses files.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from .gitcmd import Git, close_streams, kill

WINDOW_DAYS = 90
_DAY = 86_400


@dataclass(frozen=True)
class History:
    commits_90d: int
    contributors_90d: int
    last_commit_age_days: int

    def to_json(self) -> dict:
        return {
            "commits_90d": self.commits_90d,
            "contributors_90d": self.contributors_90d,
            "last_commit_age_days": self.last_commit_age_days,
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
        )

    def close(self) -> None:
        kill(self.log)
        close_streams(self.log)


def committer_time(commit_object: bytes) -> int:
    """The committer timestamp from a raw commit object's headers."""
    for line in commit_object.split(b"\n"):
        if not line:
            break
        if line.startswith(b"committer "):
            return int(line.rsplit(b" ", 2)[1])
    return int(time.time())
