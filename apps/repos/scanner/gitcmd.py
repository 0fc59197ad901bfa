"""Running git on a repository nobody vouched for, without running anything of it.

The scanner reads the object database at one commit (ls-tree, cat-file, log); it never
checks out a working tree, so nothing in the repository decides what runs:

- hooks are off (`core.hooksPath=/dev/null`), and so are the fsmonitor daemon, the
  pager and signature checks, all of which a repository's own config could name;
- no system or user config is read (`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL`), the
  environment is rebuilt from a short list, and git never prompts;
- `safe.directory` names only the repository at hand, so one owned by another user can
  be read without trusting any other repository more;
- refs and folders are validated here, and reach git after `--end-of-options`/`--`
  (pathspecs are literal: `GIT_LITERAL_PATHSPECS`);
- every process runs in its own process group and is killed at the scan's deadline.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput, NotAGitRepository, ScanError
from .limits import Deadline

# What a git process may inherit: where programs and home are, proxies, CA bundles and
# the ssh agent. Nothing else, so no GIT_DIR or GIT_CONFIG_PARAMETERS slips in.
_PASSTHROUGH = (
    "PATH", "HOME", "TMPDIR", "SSH_AUTH_SOCK", "GIT_SSL_CAINFO", "SSL_CERT_FILE",
    "SSL_CERT_DIR", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
    "no_proxy", "NO_PROXY", "ALL_PROXY",
)  # fmt: skip
_HARDENED_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_LITERAL_PATHSPECS": "1",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PAGER": "cat",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=30",
    "LC_ALL": "C",
}
_HARDENED_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "log.showSignature=false",
    "protocol.allow=never",
    "protocol.https.allow=always",
    "protocol.ssh.allow=always",
)

_PIPE_BYTES = 1 << 20
SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")
# git check-ref-format's rules (with --allow-onelevel), checked without a process.
_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|^/|/$|\.$|^@$")


def validate_ref(ref: str) -> str:
    """`ref` if it may name a commit (branch, tag, full or short SHA); else InvalidInput."""
    shown = repr(ref[:60]) if isinstance(ref, str) else "the ref"
    if not isinstance(ref, str) or not ref or len(ref) > 255:
        raise InvalidInput("Enter a branch, tag or commit SHA.")
    if ref.startswith("-"):
        raise InvalidInput(f"The ref {shown} may not start with '-'.")
    if SHA.match(ref):
        return ref
    parts = ref.split("/")
    if _BAD_REF.search(ref) or any(
        p.startswith(".") or p.endswith(".lock") for p in parts
    ):
        raise InvalidInput(f"{shown} is not a valid branch, tag or commit name.")
    return ref


def validate_subdir(subdir: str | None) -> str | None:
    """The folder as a clean relative path ("" or "." mean the whole tree: None)."""
    if subdir is None or subdir.strip() in ("", ".", "./"):
        return None
    shown = repr(subdir[:60])
    if re.search(r"[\x00-\x1f\x7f\\]", subdir):
        raise InvalidInput(f"The folder {shown} contains invalid characters.")
    if subdir.startswith(("/", "-", ":")):
        raise InvalidInput(
            f"The folder {shown} must be relative to the repository's root."
        )
    parts = [p for p in subdir.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidInput(f"The folder {shown} may not contain '..'.")
    return "/".join(parts) or None


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: os.environ[key] for key in _PASSTHROUGH if key in os.environ}
    env.update(_HARDENED_ENV)
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: bytes
    stderr: bytes


class Git:
    """git commands on one repository (`git_dir`), under one deadline."""

    def __init__(
        self,
        git_dir: str | None,
        deadline: Deadline,
        *,
        safe_dirs: Iterable[str] = (),
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        """Run in `git_dir`, or else find the repository in `cwd` (git -C)."""
        self.git_dir = git_dir
        self.deadline = deadline
        self.env = git_env(env)
        self.prefix = ["git", "--no-pager"]
        for item in (*_HARDENED_CONFIG, *(f"safe.directory={d}" for d in safe_dirs)):
            self.prefix += ["-c", item]
        if git_dir:
            self.prefix.append(f"--git-dir={git_dir}")
        elif cwd:
            self.prefix += ["-C", cwd]

    def popen(
        self, *args: str, stdin: int | None = None, quiet: bool = False
    ) -> subprocess.Popen:
        """Start git; `quiet`: drop its stderr (for long-lived processes whose stderr
        nobody reads, which would otherwise block once the pipe is full)."""
        try:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv, validated input
                [*self.prefix, *args],
                stdin=subprocess.DEVNULL if stdin is None else stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL if quiet else subprocess.PIPE,
                env=self.env,
                start_new_session=True,
                bufsize=_PIPE_BYTES,
            )
        except FileNotFoundError as exc:
            raise ScanError("git is not installed on this machine.") from exc
        widen(proc.stdout)
        return proc

    def run(self, *args: str, cap: float | None = None) -> Completed:
        """Run to completion within the deadline (or `cap` seconds, if sooner)."""
        timeout = self.deadline.remaining()
        if cap is not None:
            timeout = min(timeout, cap)
        proc = self.popen(*args)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill(proc)
            if self.deadline.expired():
                raise self.deadline.exceeded() from None
            raise ScanError(f"git {args[0]} took too long.") from None
        return Completed(proc.returncode, out, err)

    def watchdog(self, proc: subprocess.Popen) -> threading.Timer:
        """Kill `proc` when the deadline passes; cancel the timer once done."""
        timer = threading.Timer(self.deadline.remaining(), kill, args=(proc,))
        timer.daemon = True
        timer.start()
        return timer


def widen(stream) -> None:
    """A bigger pipe lets git run ahead of the reader (Linux; elsewhere a no-op)."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def kill(proc: subprocess.Popen) -> None:
    """Kill the process and its children (a clone runs git-remote-https)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def close_streams(proc: subprocess.Popen) -> None:
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def open_repository(path: str | os.PathLike, deadline: Deadline) -> Git:
    """A Git for the repository at `path` itself, working copy or bare (never one in
    a folder above it: discovery may not climb past `path`). Whether it is one is
    known at the first command; `check_repository` says so in words."""
    folder = Path(path).expanduser().absolute()
    if not folder.is_dir():
        raise NotAGitRepository(f"{path} is not a directory.")
    return Git(
        None,
        deadline,
        safe_dirs=[str(folder)],
        env={"GIT_CEILING_DIRECTORIES": str(folder.parent)},
        cwd=str(folder),
    )


def check_repository(git: Git, path: str | os.PathLike) -> None:
    """NotAGitRepository unless git finds a repository where `git` runs."""
    if git.run("rev-parse", "--absolute-git-dir").returncode != 0:
        raise NotAGitRepository(f"{path} is not a git repository.")


def listing_chunks(git: Git, *args: str, limit: int, on_limit) -> Iterator[bytes]:
    """NUL-separated output of a git command, in pieces that end at a NUL, as git
    writes it (so that the caller works while git lists); stopped once more than
    `limit` records have come (`on_limit()` is the error raised)."""
    proc = git.popen(*args)
    timer = git.watchdog(proc)
    count = 0
    tail = b""
    try:
        while chunk := proc.stdout.read1(1 << 20):
            count += chunk.count(b"\0")
            if count > limit:
                kill(proc)
                raise on_limit()
            chunk = tail + chunk
            cut = chunk.rfind(b"\0") + 1
            tail = chunk[cut:]
            if cut:
                yield chunk[:cut]
        err = proc.stderr.read()
        proc.wait()
    finally:
        timer.cancel()
        kill(proc)
        close_streams(proc)
    if git.deadline.expired():
        raise git.deadline.exceeded()
    if proc.returncode != 0:
        line = err.decode("utf-8", "replace").strip().splitlines()[:1]
        raise ScanError(f"git {args[0]} failed: {''.join(line) or proc.returncode}")
