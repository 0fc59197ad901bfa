"""Reading objects: one long-lived `git cat-file --batch` for the whole scan.

Requests go in as soon as the listing names a file; a thread drains the answers as
git writes them, so that git inflates objects while Python parses the ones before,
and never blocks on a full pipe. Answers are taken in order; the blob sizes from
ls-tree say exactly how many bytes each one takes.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections import deque

from .errors import ScanError
from .gitcmd import Git, close_streams, kill, widen

_KEEP = 1 << 22  # bytes already read that may stay in the buffer


class _Drain(threading.Thread):
    """Reads a process's output to the end as it comes, so that git never waits for
    the reader: it inflates objects while Python parses the ones before."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.fd = stream.fileno()
        self.chunks: deque[bytes] = deque()
        self.ready = threading.Condition()
        self.done = False

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 1 << 20):
                with self.ready:
                    self.chunks.append(chunk)
                    self.ready.notify()
        except OSError:
            pass  # closed: the scan is over
        finally:
            with self.ready:
                self.done = True
                self.ready.notify()


class ObjectReader:
    """One long-lived `git cat-file --batch`: ref resolution, commits and blobs."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self.proc = git.popen("cat-file", "--batch", stdin=subprocess.PIPE, quiet=True)
        widen(self.proc.stdin)
        self.timer = git.watchdog(self.proc)
        self.drain = _Drain(self.proc.stdout)
        self.drain.start()
        self.buffer = bytearray()
        self.pos = 0

    def get(self, name: str) -> tuple[str, str, bytes] | None:
        """(sha, type, content) of the object `name` names, None if there is none."""
        self.request([name])
        self.flush()
        header = self._line()
        parts = header.split()
        if len(parts) != 3:  # "<name> missing" or "<name> ambiguous"
            return None
        data = self._take(int(parts[2]) + 1)[:-1]
        return parts[0].decode(), parts[1].decode(), data

    def request(self, names: list[str]) -> None:
        try:
            self.proc.stdin.write(
                "".join(f"{name}\n" for name in names).encode(
                    "utf-8", "surrogateescape"
                )
            )
        except (OSError, ValueError):
            self._stopped()

    def flush(self) -> None:
        try:
            self.proc.stdin.flush()
        except (OSError, ValueError):
            self._stopped()

    def blob(self, sha: str, size: int, *, wait: bool = True) -> bytes | None:
        """The next answer, which must be the blob `sha` of `size` bytes; None when
        it has not fully arrived yet and the caller would rather not `wait`."""
        header = b"%s blob %d\n" % (sha.encode(), size)
        want = len(header) + size + 1
        if len(self.buffer) - self.pos < want:
            if not wait:
                with self.drain.ready:  # take what has arrived, never wait
                    while self.drain.chunks:
                        self.buffer += self.drain.chunks.popleft()
                if len(self.buffer) - self.pos < want:
                    return None
            else:
                self._fill(want)
        if not self.buffer.startswith(header, self.pos):
            raise ScanError("git cat-file did not answer as expected.")
        start = self.pos + len(header)
        self.pos = start + size + 1
        data = bytes(memoryview(self.buffer)[start : start + size])
        if self.pos > _KEEP:  # drop what was read, now and then
            del self.buffer[: self.pos]
            self.pos = 0
        return data

    def close(self) -> None:
        self.timer.cancel()
        kill(self.proc)
        self.drain.join()  # after the kill: the drain sees the end of the output
        close_streams(self.proc)

    def _fill(self, want: int) -> None:
        """Wait until the buffer holds `want` bytes past the read position."""
        drain = self.drain
        while len(self.buffer) - self.pos < want:
            with drain.ready:
                while not drain.chunks and not drain.done:
                    drain.ready.wait()
                if not drain.chunks:
                    self._stopped()
                if self.pos > _KEEP:
                    del self.buffer[: self.pos]
                    self.pos = 0
                while drain.chunks:
                    self.buffer += drain.chunks.popleft()

    def _take(self, size: int) -> bytes:
        self._fill(size)
        data = bytes(memoryview(self.buffer)[self.pos : self.pos + size])
        self.pos += size
        return data

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\n", self.pos)) < 0:
            self._fill(len(self.buffer) - self.pos + 1)
        return self._take(end + 1 - self.pos)

    def _stopped(self) -> None:
        if self.git.deadline.expired():
            raise self.git.deadline.exceeded()
        raise ScanError("git cat-file stopped unexpectedly.")
