"""Tiny git repositories built with real git, with fixed authors and dates."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

DAY = 86_400
_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}


class GitRepo:
    """A repository in `path`; `add` writes files and commits them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args],
            env={**os.environ, **_ENV, **(env or {})},
            check=True,
            capture_output=True,
        )
        return done.stdout.decode().strip()

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(
                content.encode() if isinstance(content, str) else content
            )

    def commit(
        self,
        message: str = "change",
        *,
        days_ago: float = 1,
        email: str = "dev@example.com",
    ) -> str:
        stamp = f"@{int(time.time() - days_ago * DAY)} +0000"
        env = {
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD")

    def add(self, files: dict[str, str | bytes], **kwargs) -> str:
        self.write(files)
        return self.commit(**kwargs)
