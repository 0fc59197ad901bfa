"""Cloning a remote repository for one scan, with its token kept out of sight.

The clone is bare (no working tree, so no checkout filters or hooks run), of one
branch and no tags, into a folder the caller deletes afterwards. A token for a private
repository reaches git only through the environment (GIT_CONFIG_COUNT: an HTTP header
scoped to the clone URL's origin): never on a command line, where `ps` would show it,
and never in an error message: git's output is scrubbed before it is quoted.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

from .errors import CloneFailed, InvalidInput
from .gitcmd import SHA, Git
from .limits import Deadline

_SECRETISH = re.compile(r"(Authorization:\s*\S+\s+)\S+", re.I)


def clone_repository(
    url: str, dest: str, *, ref: str | None, token: str | None, deadline: Deadline
) -> None:
    """Bare-clone `url` (validated) into `dest`; `ref` as validated by validate_ref."""
    env = _token_env(url, token) if token else {}
    git = Git(None, deadline, env=env)
    by_sha = bool(ref and SHA.match(ref))
    args = ["clone", "--bare", "--no-tags", "--single-branch", "--quiet"]
    if ref and not by_sha:
        args += ["--branch", ref]
    result = git.run(*args, "--", url, dest)
    if result.returncode != 0:
        reason = _first_error(result.stderr, token)
        raise CloneFailed(f"Could not clone {url}: {reason}")
    if by_sha:
        # A commit off the default branch: ask for it by id (GitHub and GitLab serve
        # reachable commits). Best effort: if it fails, resolving the ref says so.
        fetcher = Git(dest, deadline, safe_dirs=[dest], env=env)
        fetcher.run("fetch", "--quiet", "--no-tags", "origin", "--end-of-options", ref)


def _token_env(url: str, token: str) -> dict[str, str]:
    if re.search(r"[\x00-\x1f\x7f\s]", token):
        raise InvalidInput("The access token contains invalid characters.")
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise InvalidInput("An access token can only be used with an https:// URL.")
    # Basic with a fixed user name is what GitHub (x-access-token) and GitLab (any
    # name, token as password) both accept for git over HTTPS.
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{parts.scheme}://{parts.netloc}/.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


def scrub(text: str, token: str | None) -> str:
    """`text` without the token, its Basic form, or any Authorization value."""
    if token:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        text = text.replace(basic, "***").replace(token, "***")
    return _SECRETISH.sub(r"\1***", text)


def _first_error(stderr: bytes, token: str | None) -> str:
    lines = [
        line.strip()
        for line in scrub(stderr.decode("utf-8", "replace"), token).splitlines()
        if line.strip()
    ]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else "git exited with an error"
