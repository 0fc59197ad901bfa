"""The exact bytes the audit chain hashes, and the chain hash itself (pure functions).

hash = SHA-256(prev_hash ‖ SHA-256(canonical)), with canonical JSON: keys sorted, no
insignificant whitespace, UTF-8, NaN refused. The text is stored verbatim because a
database's JSON type may reorder keys or renormalise numbers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

FORMAT_VERSION = 1
ZERO_HASH = bytes(32)


def canonical_json(body: dict[str, Any]) -> str:
    return json.dumps(
        body,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        cls=DjangoJSONEncoder,
    )


def chain_hash(prev_hash: bytes, canonical: str) -> bytes:
    digest = hashlib.sha256(canonical.encode()).digest()
    return hashlib.sha256(prev_hash + digest).digest()


def format_timestamp(moment: datetime) -> str:
    """UTC, microseconds always present: one spelling per instant."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
