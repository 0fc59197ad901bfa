"""One webhook POST: to a checked address, no redirects, bounded in time and size.

- The host is resolved and checked by the SSRF guard (apps.webhooks.ssrf) on every
  call; the request goes to a checked address, with the original Host header and,
  for https, the original name for SNI and certificate verification.
- Redirects are never followed: a 3xx is a failed attempt.
- The connection must open within CONNECT_TIMEOUT_S, and the whole exchange finish
  within TOTAL_TIMEOUT_S. httpx's timeouts hold per network operation only, so a
  receiver trickling one byte at a time could outlast them; a network backend with
  a deadline bounds the total.
- At most MAX_ERROR_BODY_BYTES of a failed response are read, for the error message.
- Proxies and other settings from the environment are ignored (`trust_env=False`):
  a proxy would resolve the name itself. Only SSL_CERT_FILE / SSL_CERT_DIR are
  honoured, to trust a private CA.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import httpcore
import httpx

from apps.webhooks.models import WebhookAttempt
from apps.webhooks.ssrf import Target, UnsafeTargetError, resolve_target

CONNECT_TIMEOUT_S = 5.0
TOTAL_TIMEOUT_S = 10.0
MAX_ERROR_BODY_BYTES = 1024
MAX_ADDRESSES = 3  # addresses of one name tried in turn when a connection fails
ERROR_LENGTH = 300
USER_AGENT = "Tollgate-Webhooks/1"

Outcome = WebhookAttempt.Outcome


@dataclass(frozen=True)
class PostResult:
    outcome: str
    response_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.outcome == Outcome.SUCCESS


class _Deadline:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def budget(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise error("The total time limit was reached.")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = self._deadline.budget(timeout, httpcore.ReadTimeout)
        return self._stream.read(max_bytes, budget)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = self._deadline.budget(timeout, httpcore.WriteTimeout)
        self._stream.write(buffer, budget)

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        budget = self._deadline.budget(timeout, httpcore.ConnectTimeout)
        stream = self._stream.start_tls(ssl_context, server_hostname, budget)
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: _Deadline) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self, host, port, timeout=None, local_address=None, socket_options=None
    ):
        budget = self._deadline.budget(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(
            host, port, budget, local_address, socket_options
        )
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise NotImplementedError("webhooks never use unix sockets")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _transport(deadline: _Deadline) -> httpx.HTTPTransport:
    ssl_context = httpx.create_ssl_context()
    transport = httpx.HTTPTransport(verify=ssl_context, trust_env=False)
    # httpx offers no way to pass a network backend; its transport is a thin wrapper
    # around this one httpcore pool (httpx 0.28), so the pool is replaced.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context,
        max_connections=1,
        network_backend=_DeadlineBackend(deadline),
    )
    return transport


def _short(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat[: ERROR_LENGTH - 1] + "…" if len(flat) > ERROR_LENGTH else flat


def _read_head(response: httpx.Response) -> str:
    """The first bytes of the body, for the error message; the rest is never read."""
    head = b""
    for chunk in response.iter_raw(MAX_ERROR_BODY_BYTES):
        head += chunk
        if len(head) >= MAX_ERROR_BODY_BYTES:
            break
    return head[:MAX_ERROR_BODY_BYTES].decode("utf-8", errors="replace")


def _judge(response: httpx.Response) -> tuple[str, str]:
    code = response.status_code
    if 200 <= code < 300:
        return Outcome.SUCCESS, ""
    if 300 <= code < 400:
        return Outcome.REDIRECT, f"HTTP {code}: redirects are not followed."
    head = _read_head(response)
    return Outcome.HTTP_ERROR, _short(
        f"HTTP {code}: {head}" if head else f"HTTP {code}"
    )


def _send(
    target: Target, address: str, body: bytes, headers: dict[str, str], deadline
) -> tuple[str, int, str]:
    extensions = {}
    if target.url.scheme == "https" and not target.host_is_address:
        extensions["sni_hostname"] = target.host
    headers = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    with (
        httpx.Client(
            transport=_transport(deadline),
            timeout=httpx.Timeout(TOTAL_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            follow_redirects=False,
            trust_env=False,
        ) as client,
        client.stream(
            "POST",
            target.url_for(address),
            content=body,
            headers=headers,
            extensions=extensions,
        ) as response,
    ):
        outcome, error = _judge(response)
        return outcome, response.status_code, error


def _failure(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, httpx.TimeoutException):
        return Outcome.TIMEOUT, _short(f"Timed out: {exc}")
    return Outcome.CONNECTION_ERROR, _short(f"{type(exc).__name__}: {exc}")


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def post_webhook(*, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST `body` to `url` under the rules above. Never raises for network errors."""
    started = time.monotonic()
    deadline = _Deadline(started + TOTAL_TIMEOUT_S)
    try:
        target = resolve_target(url)
    except UnsafeTargetError as exc:
        return PostResult(
            Outcome.REFUSED_TARGET, None, exc.message, _elapsed_ms(started)
        )
    outcome, error = Outcome.CONNECTION_ERROR, "No address to connect to."
    for address in target.addresses[:MAX_ADDRESSES]:
        try:
            outcome, code, error = _send(target, address, body, headers, deadline)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # Nothing was sent: the next address of the name may answer.
            outcome, error = _failure(exc)
            continue
        except (httpx.HTTPError, OSError) as exc:
            outcome, error = _failure(exc)
            break
        return PostResult(outcome, code, error, _elapsed_ms(started))
    return PostResult(outcome, None, error, _elapsed_ms(started))
