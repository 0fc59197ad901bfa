"""Checking a stored chain: the hash walk plus the indexed columns against the hashed text.

The indexed columns (action, actor, object, time) serve filtering. An attacker who edits
only them would make the API lie while the hashes still verify, so they are compared with
the canonical text inside the database, where JSON extraction runs at C speed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from apps.audit.canonical import format_timestamp
from apps.audit.models import AuditEvent, Chain
from apps.audit.verify import Finding, Row, Tampering, walk_chain

BATCH = 10_000
TABLE = AuditEvent._meta.db_table

_MISMATCH_SQLITE = f"""
SELECT MIN(seq) FROM {TABLE} WHERE chain_id = %s AND NOT coalesce(
    json_valid(canonical)
    AND json_extract(canonical, '$.chain') = %s
    AND json_extract(canonical, '$.seq') = seq
    AND json_extract(canonical, '$.action') = action
    AND json_extract(canonical, '$.actor.type') = actor_type
    AND json_extract(canonical, '$.actor.id') IS actor_id
    AND json_extract(canonical, '$.object.type') = object_type
    AND json_extract(canonical, '$.object.id') = object_id
    -- Django stores UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (no fraction when zero).
    AND json_extract(canonical, '$.ts') = replace(occurred_at, ' ', 'T')
        || CASE WHEN length(occurred_at) = 19 THEN '.000000' ELSE '' END || 'Z', 0)
"""  # noqa: S608 (table name is a constant)

_MISMATCH_POSTGRES = f"""
SELECT MIN(seq) FROM (SELECT seq, canonical::jsonb AS body, action, actor_type, actor_id,
                             object_type, object_id, occurred_at
                      FROM {TABLE} WHERE chain_id = %s) AS e
WHERE NOT coalesce(
    body->>'chain' = %s
    AND (body->>'seq')::bigint = seq
    AND body->>'action' = action
    AND body->'actor'->>'type' = actor_type
    AND (body->'actor'->>'id')::bigint IS NOT DISTINCT FROM actor_id
    AND body->'object'->>'type' = object_type
    AND body->'object'->>'id' = object_id
    AND body->>'ts' = to_char(occurred_at AT TIME ZONE 'UTC',
                              'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), false)
"""  # noqa: S608 (table name is a constant)


@dataclass(frozen=True)
class Verification:
    chain: str
    head_seq: int
    head_hash: str
    verified_through: int
    finding: Finding | None

    @property
    def ok(self) -> bool:
        return self.finding is None


def chain_rows(chain_id: int, *, batch: int = BATCH) -> Iterator[Row]:
    """Rows in seq order, fetched in keyset batches so memory stays flat."""
    sql = (
        f"SELECT seq, canonical, prev_hash, hash FROM {TABLE} "  # noqa: S608
        "WHERE chain_id = %s AND seq > %s ORDER BY seq LIMIT %s"
    )
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [chain_id, after, batch])
            rows = cursor.fetchall()
            for seq, canonical, prev_hash, digest in rows:
                yield seq, canonical, bytes(prev_hash), bytes(digest)
            if len(rows) < batch:
                return
            after = rows[-1][0]


def _columns_match(event: AuditEvent, chain_key: str) -> bool:
    try:
        body = json.loads(event.canonical)
        return (
            body["chain"] == chain_key
            and body["seq"] == event.seq
            and body["action"] == event.action
            and body["actor"] == {"type": event.actor_type, "id": event.actor_id}
            and body["object"] == {"type": event.object_type, "id": event.object_id}
            and body["ts"] == format_timestamp(event.occurred_at)
        )
    except (ValueError, KeyError, TypeError):
        return False


def _first_mismatch_slow(chain: Chain) -> int | None:
    """Python fallback, used only when the canonical text is not even valid JSON."""
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(2000):
        if not _columns_match(event, chain.key):
            return event.seq
    return None


def first_column_mismatch(chain: Chain) -> int | None:
    """Lowest seq whose indexed columns disagree with its canonical text."""
    sql = _MISMATCH_POSTGRES if connection.vendor == "postgresql" else _MISMATCH_SQLITE
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [chain.pk, chain.key])
            return cursor.fetchone()[0]
    except DatabaseError:
        return _first_mismatch_slow(chain)


def chain_verify(*, chain: Chain) -> Verification:
    """Recompute one chain and name its first tampered seq, if any."""
    head_hash = bytes(chain.head_hash)
    state, finding = walk_chain(
        chain_rows(chain.pk), head_seq=chain.head_seq, head_hash=head_hash
    )
    mismatch = first_column_mismatch(chain)
    if mismatch is not None and (finding is None or mismatch < finding.seq):
        detail = f"seq {mismatch}: indexed columns differ from the hashed text"
        finding = Finding(mismatch, Tampering.EDITED, detail)
    return Verification(
        chain=chain.key,
        head_seq=chain.head_seq,
        head_hash=head_hash.hex(),
        verified_through=state.last_seq,
        finding=finding,
    )
