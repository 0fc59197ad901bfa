"""Checking a stored chain: the hash walk plus the indexed columns against the hashed text.

The indexed columns (action, actor, object, time) serve filtering. An attacker who edits
only them would make the API lie while the hashes still verify, so they are compared with
the canonical text inside the database, where JSON extraction runs at C speed. The SQL
comparison only nominates rows; Python confirms each one, so an encoding quirk of the
database can cost time but never raise a false alarm.

Appends may continue while a chain is verified: the head is read again once the rows
run out, so events committed meanwhile are walked too rather than taken for forgeries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from apps.audit.canonical import format_timestamp
from apps.audit.models import AuditEvent, Chain
from apps.audit.verify import Finding, Row, Tampering, check_head, walk_rows

BATCH = 20_000
CANDIDATES = 100
TABLE = AuditEvent._meta.db_table

# Canonical text as the UTF-8 bytes that were hashed: no decoding and re-encoding.
_ROWS = {
    "sqlite": "CAST(canonical AS BLOB)",
    "postgresql": "convert_to(canonical, 'UTF8')",
}
_ROWS_SQL = (
    "SELECT seq, {canonical}, prev_hash, hash FROM {table} "
    "WHERE chain_id = %s AND seq > %s ORDER BY seq LIMIT %s"
)

# One JSON parse per row: every indexed value pulled out at once, against the columns.
_CANDIDATES_SQLITE = f"""
SELECT seq FROM {TABLE}
WHERE chain_id = %s AND seq > %s
  AND json_extract(canonical, '$.chain', '$.seq', '$.action', '$.actor.type',
                   '$.actor.id', '$.object.type', '$.object.id', '$.ts')
      IS NOT json_array(%s, seq, action, actor_type, actor_id, object_type, object_id,
    -- Django stores UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (no fraction when zero).
                        replace(occurred_at, ' ', 'T')
                        || CASE WHEN length(occurred_at) = 19 THEN '.000000' ELSE '' END
                        || 'Z')
ORDER BY seq LIMIT %s
"""  # noqa: S608 (table name is a constant)

_CANDIDATES_POSTGRES = f"""
SELECT seq FROM (SELECT seq, canonical::jsonb AS body, action, actor_type, actor_id,
                        object_type, object_id, occurred_at
                 FROM {TABLE} WHERE chain_id = %s AND seq > %s) AS e
WHERE jsonb_build_array(body->'chain', body->'seq', body->'action',
                        body->'actor'->'type', body->'actor'->'id',
                        body->'object'->'type', body->'object'->'id', body->'ts')
      IS DISTINCT FROM jsonb_build_array(
          %s::text, seq, action, actor_type, actor_id, object_type, object_id,
          to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
ORDER BY seq LIMIT %s
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


class ChainRows:
    """Every row of a chain in seq order, in keyset batches so memory stays flat.

    When the rows run out, the head is read again: if appends moved it meanwhile, their
    rows are fetched too. `head` is then the (seq, hash) the last row must match.
    """

    def __init__(self, chain: Chain, *, batch: int = BATCH) -> None:
        self.chain_id, self.batch = chain.pk, batch
        self.head = (chain.head_seq, bytes(chain.head_hash))

    def __iter__(self) -> Iterator[Row]:
        sql = _ROWS_SQL.format(canonical=_ROWS[connection.vendor], table=TABLE)
        after = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(sql, [self.chain_id, after, self.batch])
                rows = cursor.fetchall()
                yield from rows
                after = rows[-1][0] if rows else after
                if len(rows) == self.batch or self._head_moved_past(after):
                    continue
                return

    def _head_moved_past(self, after: int) -> bool:
        # Read after the rows: an append committed by then has moved the head this far.
        seen = self.head[0]
        head_seq, head_hash = Chain.objects.values_list("head_seq", "head_hash").get(
            pk=self.chain_id
        )
        self.head = (head_seq, bytes(head_hash))
        return head_seq > after and head_seq != seen


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


def _first_confirmed(chain: Chain, seqs: list[int]) -> int | None:
    events = AuditEvent.objects.filter(chain=chain, seq__in=seqs).order_by("seq")
    return next((e.seq for e in events if not _columns_match(e, chain.key)), None)


def _first_mismatch_slow(chain: Chain) -> int | None:
    """Python only, used when the database cannot parse some canonical text at all."""
    events = AuditEvent.objects.filter(chain=chain).order_by("seq")
    for event in events.iterator(2000):
        if not _columns_match(event, chain.key):
            return event.seq
    return None


def _candidates(chain: Chain, *, after: int) -> list[int]:
    sql = (
        _CANDIDATES_POSTGRES
        if connection.vendor == "postgresql"
        else _CANDIDATES_SQLITE
    )
    # A savepoint keeps a caller's transaction usable if the text does not parse. Outside
    # one, no transaction at all: on SQLite (BEGIN IMMEDIATE) it would block writers.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, [chain.pk, after, chain.key, CANDIDATES])
        return [seq for (seq,) in cursor.fetchall()]


def first_column_mismatch(chain: Chain) -> int | None:
    """Lowest seq whose indexed columns disagree with its canonical text."""
    after = 0
    while True:
        try:
            seqs = _candidates(chain, after=after)
        except DatabaseError:
            return _first_mismatch_slow(chain)
        mismatch = _first_confirmed(chain, seqs) if seqs else None
        if mismatch is not None or len(seqs) < CANDIDATES:
            return mismatch
        after = seqs[-1]


def chain_verify(*, chain: Chain) -> Verification:
    """Recompute one chain and name its first tampered seq, if any."""
    rows = ChainRows(chain)
    # The head read at the start classifies a break; the one read last ends the walk.
    state, finding = walk_rows(rows, head_seq=rows.head[0], head_hash=rows.head[1])
    head_seq, head_hash = rows.head
    if finding is None:
        finding = check_head(state, head_seq=head_seq, head_hash=head_hash)
    mismatch = first_column_mismatch(chain)
    if mismatch is not None and (finding is None or mismatch < finding.seq):
        detail = f"seq {mismatch}: indexed columns differ from the hashed text"
        finding = Finding(mismatch, Tampering.EDITED, detail)
    return Verification(
        chain=chain.key,
        head_seq=head_seq,
        head_hash=head_hash.hex(),
        verified_through=state.last_seq,
        finding=finding,
    )
