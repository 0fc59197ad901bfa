"""Checking a stored chain: the hash walk plus the indexed columns against the hashed text.

The indexed columns (action, actor, object, time) serve filtering. An attacker who edits
only them would make the API lie while the hashes still verify, so they are compared with
the canonical text inside the database, where JSON parsing runs at C speed.

A quick pass does both in one scan: a row whose columns disagree comes back with an
empty hash, so the walk stops there. Only when the quick pass finds something does a
thorough pass work out what and where, with the columns compared separately and every
SQL mismatch confirmed in Python (an encoding quirk then costs time, never a false
alarm).

Appends may continue while a chain is verified: the head is read again once the rows
run out, so events committed meanwhile are walked too rather than taken for forgeries.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from apps.audit.canonical import format_timestamp
from apps.audit.models import AuditEvent, Chain
from apps.audit.verify import (
    ChainState,
    Finding,
    Row,
    Tampering,
    check_head,
    walk_rows,
)

BATCH = 20_000
CANDIDATES = 100
TABLE = AuditEvent._meta.db_table
_PAGE = f"{TABLE} WHERE chain_id = %s AND seq > %s ORDER BY seq LIMIT %s"


@dataclass(frozen=True)
class _Dialect:
    canonical: str  # the canonical text as the UTF-8 bytes that were hashed
    parse: str  # joined to the rows: the canonical text parsed once, if need be
    agree: str  # the indexed columns equal the hashed text; one %s, the chain key
    empty: str  # a bytes value no hash equals


_SQLITE = _Dialect(
    canonical="CAST(canonical AS BLOB)",
    parse="",
    # One JSON parse: every indexed value pulled out at once, against the columns.
    # Django stores UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (no fraction when zero).
    agree="""json_extract(canonical, '$.chain', '$.seq', '$.action', '$.actor.type',
                          '$.actor.id', '$.object.type', '$.object.id', '$.ts')
             IS json_array(%s, seq, action, actor_type, actor_id, object_type,
                           object_id, replace(occurred_at, ' ', 'T')
                           || CASE WHEN length(occurred_at) = 19 THEN '.000000'
                                   ELSE '' END || 'Z')""",
    empty="x''",
)
# Field by field: jsonb_build_array looks up every argument's type on every call.
# OFFSET 0 keeps the planner from inlining the parse into each reference to body.
_POSTGRES = _Dialect(
    canonical="convert_to(canonical, 'UTF8')",
    parse="CROSS JOIN LATERAL (SELECT canonical::jsonb AS body OFFSET 0) AS parsed",
    agree="""(body->>'chain' = %s
              AND (body->>'seq')::bigint = seq
              AND body->>'action' = action
              AND body->'actor'->>'type' = actor_type
              AND (body->'actor'->>'id')::bigint IS NOT DISTINCT FROM actor_id
              AND body->'object'->>'type' = object_type
              AND body->'object'->>'id' = object_id
              AND body->>'ts' = to_char(occurred_at AT TIME ZONE 'UTC',
                                        'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))""",
    empty="''::bytea",
)


def _dialect() -> _Dialect:
    return _POSTGRES if connection.vendor == "postgresql" else _SQLITE


def _savepoint() -> AbstractContextManager:
    """Keeps a caller's transaction usable if some text does not parse. Outside one, no
    transaction at all: on SQLite (BEGIN IMMEDIATE) it would block writers."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


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

    With check_columns, a row whose indexed columns disagree with its text comes with
    an empty hash. When the rows run out, the head is read again: if appends moved it
    meanwhile, their rows are fetched too. `head` is then the (seq, hash) the last row
    must match.
    """

    def __init__(
        self, chain: Chain, *, batch: int = BATCH, check_columns: bool = False
    ) -> None:
        self.chain, self.batch, self.check_columns = chain, batch, check_columns
        self.head = (chain.head_seq, bytes(chain.head_hash))

    def _query(self) -> tuple[str, list]:
        sql, params = _dialect(), [self.chain.pk]
        page, hash_sql = _PAGE, "hash"
        if self.check_columns:
            hash_sql = f"CASE WHEN {sql.agree} THEN hash ELSE {sql.empty} END"
            params = [self.chain.key, self.chain.pk]
            if sql.parse:  # cut the page first, so only its rows are parsed
                page = f"(SELECT * FROM {_PAGE}) AS page {sql.parse} ORDER BY seq"  # noqa: S608
        query = f"SELECT seq, {sql.canonical}, prev_hash, {hash_sql} FROM {page}"  # noqa: S608
        return query, params

    def __iter__(self) -> Iterator[Row]:
        # Flattened in C: a generator step per row would cost as much as a hash.
        return itertools.chain.from_iterable(self._batches())

    def _batches(self) -> Iterator[list[Row]]:
        query, params = self._query()
        after = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(query, [*params, after, self.batch])
                rows = cursor.fetchall()
                yield rows
                after = rows[-1][0] if rows else after
                if len(rows) == self.batch or self._head_moved_past(after):
                    continue
                return

    def _head_moved_past(self, after: int) -> bool:
        # Read after the rows: an append committed by then has moved the head this far.
        seen = self.head[0]
        head_seq, head_hash = Chain.objects.values_list("head_seq", "head_hash").get(
            pk=self.chain.pk
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
    sql = _dialect()
    query = (
        f"SELECT seq FROM {TABLE} {sql.parse} WHERE chain_id = %s AND seq > %s "  # noqa: S608
        f"AND NOT coalesce({sql.agree}, false) ORDER BY seq LIMIT %s"
    )
    with _savepoint(), connection.cursor() as cursor:
        cursor.execute(query, [chain.pk, after, chain.key, CANDIDATES])
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


def _walk(rows: ChainRows) -> tuple[ChainState, Finding | None]:
    # The head read at the start classifies a break; the one read last ends the walk.
    head_seq, head_hash = rows.head
    state, finding = walk_rows(rows, head_seq=head_seq, head_hash=head_hash)
    if finding is None:
        head_seq, head_hash = rows.head
        finding = check_head(state, head_seq=head_seq, head_hash=head_hash)
    return state, finding


def _verification(
    chain: Chain, rows: ChainRows, state: ChainState, finding: Finding | None
) -> Verification:
    return Verification(
        chain=chain.key,
        head_seq=rows.head[0],
        head_hash=rows.head[1].hex(),
        verified_through=state.last_seq,
        finding=finding,
    )


def _quick_pass(chain: Chain) -> Verification | None:
    rows = ChainRows(chain, check_columns=True)
    try:
        with _savepoint():
            state, finding = _walk(rows)
    except DatabaseError:  # some canonical text is not even JSON
        return None
    return _verification(chain, rows, state, finding)


def _thorough_pass(chain: Chain) -> Verification:
    rows = ChainRows(chain)
    state, finding = _walk(rows)
    mismatch = first_column_mismatch(chain)
    if mismatch is not None and (finding is None or mismatch < finding.seq):
        detail = f"seq {mismatch}: indexed columns differ from the hashed text"
        finding = Finding(mismatch, Tampering.EDITED, detail)
    return _verification(chain, rows, state, finding)


def chain_verify(*, chain: Chain) -> Verification:
    """Recompute one chain and name its first tampered seq, if any."""
    quick = _quick_pass(chain)
    if quick is not None and quick.ok:
        return quick
    return _thorough_pass(chain)
