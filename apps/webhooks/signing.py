"""Webhook signatures: how Tollgate signs a delivery, and how a receiver checks it.

Every delivery is a POST whose body is JSON, with these headers:

    Tollgate-Event: promotion_request.applied
    Tollgate-Delivery: 5f0c…  (the event id: the same on retries; drop duplicates)
    Tollgate-Timestamp: 1767225600  (unix seconds when this attempt was signed)
    Tollgate-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.".encode() + body)>

The body is signed exactly as sent, so a receiver must verify the raw bytes before
parsing them. With this module (or a copy of `verify_signature`, which needs only
the standard library):

    from apps.webhooks.signing import verify_signature

    ok = verify_signature(
        secret,
        request.headers["Tollgate-Timestamp"],
        request.body,
        request.headers["Tollgate-Signature"],
    )

The header may carry several comma-separated `v1=` values; one match is enough. The
timestamp bounds replays: a signature older (or further in the future) than
`tolerance_s` seconds is refused even when it matches.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


def compute_signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `{timestamp}.` followed by the body."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(
    *, secret: str, event: str, delivery_id: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The four Tollgate-* headers of one delivery attempt."""
    signature = compute_signature(secret, timestamp, body)
    return {
        "Tollgate-Event": event,
        "Tollgate-Delivery": delivery_id,
        "Tollgate-Timestamp": str(timestamp),
        "Tollgate-Signature": f"{SCHEME}={signature}",
    }


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes,
    header: str,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    *,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` at `timestamp` with `secret`, recently enough.

    Compares in constant time. `now` (unix seconds) defaults to the current time.
    """
    try:
        signed_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - signed_at) > tolerance_s:
        return False
    expected = compute_signature(secret, signed_at, body).encode()
    matched = False
    for part in (header or "").split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME:
            # Bytes, so any header text compares; no early exit.
            matched |= hmac.compare_digest(expected, value.encode())
    return matched
