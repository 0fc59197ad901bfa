"""The HTTP behaviour both CI collectors share: errors, rate limits, safe URLs.

One `ApiClient` per collection run. It turns every failure into a `CollectorError`
whose message is fit for a user and a log line: the token lives in one request header
and is never put into a message, a repr or a log record, and exceptions are raised
outside `except` blocks so no httpx exception (which holds the request, headers
included) hangs off them as `__context__`.

Rate limits (GitHub and GitLab both answer 403 or 429): honour `Retry-After`, else
wait until `x-ratelimit-reset` / `RateLimit-Reset` when the remaining count is 0,
else a minute (GitHub's advice). The client sleeps only up to `max_wait_s` in total;
past that it raises `RateLimited(retry_at)` so the Celery task retries at that time
instead of holding a worker. 5xx, timeouts and connection errors raise
`TransientError` at once: the task retries those with backoff.

Base URLs: https, or plain http to a loopback address (the tests' local provider
server). Which hosts are allowed is the caller's rule: the repos layer validates a
linked repository's base URL against its allowlist before building a collector.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_WAIT_S = 60.0
# GitHub: "otherwise, wait for at least one minute before retrying".
DEFAULT_RATE_LIMIT_WAIT_S = 60.0
# Reset times are whole epoch seconds and the clocks differ a little.
RESET_MARGIN_S = 1.0
# A server that keeps answering "retry now" must not loop us forever.
MAX_RATE_LIMIT_RETRIES = 3
MAX_REDIRECTS = 3


class CollectorError(Exception):
    """A collection failed. The message names the call, never the token.

    `status` is the HTTP status, or None when no response came back.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        # Celery and multiprocessing pickle exceptions; keep `status` across.
        return (_rebuild, (type(self), str(self), self.status))


def _rebuild(cls: type[CollectorError], message: str, status: int | None):
    return cls(message, status=status)


class AuthenticationFailed(CollectorError):
    """401: the token is missing, wrong, expired or revoked."""


class PermissionDenied(CollectorError):
    """403 that is not a rate limit: the token lacks a scope or access."""


class NotFound(CollectorError):
    """404: no such repository or project, or the token cannot see it."""


class TransientError(CollectorError):
    """5xx, timeout or connection failure: retrying later can help."""


class RateLimited(CollectorError):
    """Rate limited for longer than the collector may wait; retry at `retry_at`."""

    def __init__(self, retry_at: datetime, message: str = "") -> None:
        text = message or f"Rate limited; retry after {retry_at.isoformat()}."
        super().__init__(text, status=None)
        self.retry_at = retry_at

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.retry_at, str(self)))


def check_base_url(url: str) -> str:
    """`url` without a trailing slash, or ValueError when it is not a safe API root."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("The API base URL must be an https:// URL.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(
            "The API base URL must not carry credentials, a query or a fragment."
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "The API base URL must use https (plain http only to loopback)."
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or {"https": 443, "http": 80}.get(url.scheme)
    return (url.scheme, url.host, port)


class ApiClient:
    """GET JSON from one provider API with the rules in the module docstring.

    `max_wait_s` bounds the total sleep over the client's life: build one per
    collection run. Not shared between threads.
    """

    def __init__(
        self,
        *,
        label: str,
        base_url: str,
        headers: Mapping[str, str],
        secret: str | None,
        not_found: str,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        sleep: Callable[[float], object] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.label = label
        self.base_url = check_base_url(base_url)
        self.max_wait_s = max_wait_s
        self.waited_s = 0.0
        self._not_found = not_found
        self._secret = secret or ""
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=dict(headers),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            # Redirects are followed by hand, same origin only: httpx would forward a
            # custom header such as GitLab's PRIVATE-TOKEN to any host.
            follow_redirects=False,
            transport=transport,
        )
        self._origin = _origin(self._http.base_url)

    def __repr__(self) -> str:
        return f"ApiClient({self.label}, {self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def get(
        self, target: str, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, httpx.Response]:
        """The decoded JSON body and the response (for its headers) of GET `target`.

        `target` is a path under the base URL or an absolute URL the provider gave
        (a `Link` header); an absolute URL must share the base URL's origin.
        """
        url = self._http.build_request("GET", target, params=params).url
        redirects = rate_limited = 0
        while True:
            self._check_origin(url)
            response = self._send(url)
            if response.is_redirect and redirects < MAX_REDIRECTS:
                redirects += 1
                url = url.join(response.headers.get("location", ""))
                continue
            wait = rate_limit_wait(response, now=time.time())
            if wait is None:
                return self._decode(url, response), response
            rate_limited += 1
            self._wait(url, wait, give_up=rate_limited > MAX_RATE_LIMIT_RETRIES)

    # --- Plumbing -----------------------------------------------------------------

    def _where(self, url: httpx.URL) -> str:
        return f"{self.label} GET {url.path}"

    def _check_origin(self, url: httpx.URL) -> None:
        if _origin(url) != self._origin:
            scheme, host, port = _origin(url)
            raise CollectorError(
                f"{self.label} sent us to another host ({scheme}://{host}:{port}); "
                "refusing to send the token there."
            )

    def _send(self, url: httpx.URL) -> httpx.Response:
        try:
            return self._http.get(url)
        except httpx.TimeoutException as exc:
            problem = f"timed out ({type(exc).__name__})"
        except httpx.HTTPError as exc:
            problem = f"unreachable ({type(exc).__name__}: {self._scrub(exc)})"
        # Raised here, not in the except block, so the httpx exception (and the
        # request headers it holds) is not chained onto ours.
        raise TransientError(f"{self._where(url)}: {problem}.")

    def _wait(self, url: httpx.URL, wait: float, *, give_up: bool) -> None:
        retry_at = datetime.now(UTC) + timedelta(seconds=wait)
        if give_up or self.waited_s + wait > self.max_wait_s:
            raise RateLimited(
                retry_at,
                f"{self._where(url)}: rate limited; retry after "
                f"{retry_at.strftime('%Y-%m-%dT%H:%M:%SZ')}.",
            )
        logger.info("%s: rate limited, waiting %.1f s.", self._where(url), wait)
        self._sleep(wait)
        self.waited_s += wait

    def _decode(self, url: httpx.URL, response: httpx.Response) -> Any:
        status = response.status_code
        if response.is_success:
            try:
                return response.json()
            except ValueError:
                problem = "not a JSON response"
            raise CollectorError(f"{self._where(url)}: {problem}.", status=status)
        raise self._error(url, response)

    def _error(self, url: httpx.URL, response: httpx.Response) -> CollectorError:
        status = response.status_code
        where = self._where(url)
        if status == 401:
            text = (
                f"{self.label} refused the token (401)."
                if self._secret
                else f"{self.label} requires a token here (401)."
            )
            return AuthenticationFailed(text, status=status)
        if status == 403:
            return PermissionDenied(
                f"{self.label} denied access (403): the token lacks permission "
                f"({where}).",
                status=status,
            )
        if status == 404:
            return NotFound(f"{self._not_found} (404): {where}.", status=status)
        if status >= 500:
            return TransientError(
                f"{where}: HTTP {status} from {self.label}; retry later.", status=status
            )
        if response.is_redirect:
            return CollectorError(f"{where}: too many redirects.", status=status)
        detail = self._scrub(_message(response))[:200]
        text = f"{where}: HTTP {status}" + (f": {detail}" if detail else ".")
        return CollectorError(text, status=status)

    def _scrub(self, text: object) -> str:
        """Remove the token from text that might echo it (defence in depth)."""
        text = str(text)
        return text.replace(self._secret, "[redacted]") if self._secret else text


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    message = data.get("message", "") if isinstance(data, dict) else ""
    return str(message or "")


def rate_limit_wait(response: httpx.Response, *, now: float) -> float | None:
    """Seconds to wait before retrying, or None when `response` is no rate limit.

    A 403 counts only with rate-limit evidence (a `Retry-After`, a remaining count of
    0, or GitHub's "secondary rate limit" message); otherwise it is a permission error.
    """
    status = response.status_code
    if status not in (403, 429):
        return None
    headers = response.headers
    retry_after = _retry_after(headers.get("retry-after"), now)
    if retry_after is not None:
        return retry_after
    remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
    if remaining is not None and remaining.strip() == "0":
        reset = headers.get("x-ratelimit-reset", headers.get("ratelimit-reset"))
        if reset and reset.strip().isdigit():
            return max(0.0, int(reset) - now) + RESET_MARGIN_S
        return DEFAULT_RATE_LIMIT_WAIT_S
    if status == 429 or "rate limit" in _message(response).lower():
        return DEFAULT_RATE_LIMIT_WAIT_S
    return None


def _retry_after(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class Collector:
    """What both providers' collectors share: one ApiClient (`_api`), closed on exit."""

    _api: ApiClient

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._api.base_url!r})"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._api.close()
