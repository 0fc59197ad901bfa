"""API token format (pure functions). A token is `tg_` + 43 url-safe characters."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "tg_"  # noqa: S105 (a public marker, not a secret)
DISPLAY_PREFIX_LENGTH = 10


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    # A plain SHA-256 suffices: the secret has 256 bits of entropy, so there is nothing
    # for a slow password hash to protect against, and lookups stay one indexed query.
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    return secret[:DISPLAY_PREFIX_LENGTH]
