"""What can go wrong in a scan. Every message is safe to show an operator or a team.

Messages never carry credentials: the clone code scrubs tokens out of git's output
before it builds one of these.
"""

from __future__ import annotations


class ScanError(Exception):
    """A scan could not run or finish; `message` says why in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ScanError):
    """A ref, folder or URL was refused before git ran, or names nothing."""


class NotAGitRepository(ScanError):
    """The local path is not a git repository (working copy or bare)."""


class CloneFailed(ScanError):
    """git could not clone the URL: unreachable host, no access, no such branch."""


class ScanLimitExceeded(ScanError):
    """The repository is bigger, or the scan slower, than its limits allow."""

    def __init__(self, limit: str, value: int | float, detail: str) -> None:
        super().__init__(f"Scan stopped: {detail} (limit {limit}={value}).")
        self.limit = limit
        self.value = value
