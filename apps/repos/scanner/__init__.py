"""The offline checkout scanner: static MLOps signals from a git repository.

Pure Python (no Django): the `scan_repo` command and the Celery task pass limits in
from settings. Entry points:

- `scan_path(path, *, ref=None, subdir=None, limits=ScanLimits(), progress=None)`
- `scan_url(url, *, ref=None, subdir=None, token=None, allowed_hosts=..., limits=...,
  progress=None)`
- `validate_clone_url(url, allowed_hosts)`: the URL rule, for forms and models too.

Both scans return a `ScanResult` and raise `ScanError` subclasses whose messages are
safe to show. Nothing in a scanned repository is ever executed, and only its committed
objects are read.
"""

from __future__ import annotations

from .errors import (
    CloneFailed,
    InvalidInput,
    NotAGitRepository,
    ScanError,
    ScanLimitExceeded,
)
from .history import History
from .limits import ScanLimits
from .scan import (
    COLLECTOR_VERSION,
    DEFAULT_ALLOWED_HOSTS,
    ScanResult,
    ScanStats,
    scan_path,
    scan_url,
)
from .signals import SIGNAL_KEYS, Signal
from .urls import validate_clone_url

__all__ = [
    "COLLECTOR_VERSION",
    "DEFAULT_ALLOWED_HOSTS",
    "SIGNAL_KEYS",
    "CloneFailed",
    "History",
    "InvalidInput",
    "NotAGitRepository",
    "ScanError",
    "ScanLimitExceeded",
    "ScanLimits",
    "ScanResult",
    "ScanStats",
    "Signal",
    "scan_path",
    "scan_url",
    "validate_clone_url",
]
