"""How much one scan may list, read and spend, and the clock it runs against."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import ScanLimitExceeded

MiB = 1024 * 1024


@dataclass(frozen=True)
class ScanLimits:
    """Bounds of one scan. Over `max_files`, `max_bytes` or `timeout`, the scan stops.

    Files over `max_file_bytes` (notebooks: `max_notebook_bytes`, since embedded plots
    make them large) are skipped, never read, and counted in the stats.
    """

    max_files: int = 100_000
    max_bytes: int = 64 * MiB
    max_file_bytes: int = 1 * MiB
    max_notebook_bytes: int = 8 * MiB
    timeout: float = 300.0


class Deadline:
    """The wall-clock end of a scan; every subprocess gets what is left of it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; ScanLimitExceeded once there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.exceeded()
        return left

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def exceeded(self) -> ScanLimitExceeded:
        return ScanLimitExceeded(
            "timeout", self.seconds, f"the scan took longer than {self.seconds:g} s"
        )
