"""Which clone URLs a scan may fetch. Pure: no Django, no network, no git.

git understands far more than web addresses: `file://` and plain paths read the
server's own disk, `ext::<command>` runs a command, and a URL that starts with `-` is
read as an option (`--upload-pack=<command>`). A linked repository's URL is typed by a
team member, so only three shapes pass, and only to hosts an admin allowed:

- `https://host[:port]/path` (no user name or password: tokens travel separately);
- `ssh://[user@]host[:port]/path`;
- scp-like `user@host:path` (what GitHub and GitLab show as the SSH clone URL).

Hosts compare case-insensitively and exactly: `github.com` does not allow
`api.github.com` or `github.com.evil.example`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from .errors import InvalidInput

_FORBIDDEN_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")
# `<transport>::<address>` runs a git-remote-<transport> helper (ext:: runs a command).
_TRANSPORT_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:\[\]]+):(?P<path>.+)$")
_USER = re.compile(r"^[A-Za-z0-9._~][A-Za-z0-9._~-]*$")


def validate_clone_url(url: str, allowed_hosts: Iterable[str]) -> str:
    """`url` unchanged if a scan may clone it; InvalidInput saying why if not."""
    if not isinstance(url, str) or not url:
        raise InvalidInput("Enter a clone URL.")
    if _FORBIDDEN_CHARS.search(url):
        raise InvalidInput(
            "The clone URL may not contain spaces or control characters."
        )
    if url.startswith("-"):
        raise InvalidInput("The clone URL may not start with '-'.")
    if _TRANSPORT_PREFIX.match(url):
        raise InvalidInput("Use an https:// or ssh:// clone URL (no '::' transports).")
    allowed = {host.strip().lower() for host in allowed_hosts if host.strip()}
    scheme = _SCHEME.match(url)
    host = _check_url(url, scheme.group(1).lower()) if scheme else _check_scp_like(url)
    if host.lower() not in allowed:
        raise InvalidInput(f"Cloning from {host} is not allowed.")
    return url


def _check_url(url: str, scheme: str) -> str:
    if scheme not in ("https", "ssh"):
        raise InvalidInput("Use an https:// or ssh:// clone URL.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError as exc:
        raise InvalidInput("Enter a valid clone URL.") from exc
    if parts.query or parts.fragment:
        raise InvalidInput("Remove the query string or fragment from the clone URL.")
    if parts.password is not None or (scheme == "https" and parts.username is not None):
        raise InvalidInput(
            "Remove the user name and password from the clone URL; "
            "give a token separately."
        )
    if parts.username is not None and not _USER.match(parts.username):
        raise InvalidInput("The user name in the clone URL is not valid.")
    host = parts.hostname or ""
    if not host or host.startswith("-"):
        raise InvalidInput("Enter a clone URL with a host name.")
    if parts.path in ("", "/"):
        raise InvalidInput("The clone URL names no repository.")
    return host


def _check_scp_like(url: str) -> str:
    match = _SCP_LIKE.match(url)
    if not match:
        raise InvalidInput("Use an https:// or ssh:// clone URL, or user@host:path.")
    user, host, path = match.group("user", "host", "path")
    if user is not None and not _USER.match(user):
        raise InvalidInput("The user name in the clone URL is not valid.")
    if host.startswith("-") or path.startswith("-"):
        raise InvalidInput("The clone URL may not contain an option ('-').")
    return host
