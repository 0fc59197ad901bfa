"""Checking a stored chain: the hash walk, plus a check that the indexed columns are
still derived from the hashed text.

The indexed columns (action, actor, object, ts) serve filtering. They are stored
generated columns: the database computes them from `canonical` and refuses to write
them, so while they stay generated they cannot disagree with what the hashes cover.
Rather than compare every row, verification asks the database's catalogue once whether
someone altered the table so that they are no longer generated.

Appends may continue while a chain is verified: the head is read again once the rows
run out, so events committed meanwhile are walked too rather than taken for forgeries.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

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
TABLE = AuditEvent._meta.db_table
DERIVED_COLUMNS = AuditEvent.DERIVED_COLUMNS
NOT_DERIVED = "the indexed columns are no longer derived from the hashed text"
_PAGE = f"{TABLE} WHERE chain_id = %s AND seq > %s ORDER BY seq LIMIT %s"


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
        self.chain, self.batch = chain, batch
        self.head = (chain.head_seq, bytes(chain.head_hash))

    def _query(self) -> str:
        # The canonical text as the UTF-8 bytes that were hashed.
        if connection.vendor == "postgresql":
            canonical = "convert_to(canonical, 'UTF8')"
        else:
            canonical = "CAST(canonical AS BLOB)"
        return f"SELECT seq, {canonical}, prev_hash, hash FROM {_PAGE}"  # noqa: S608

    def __iter__(self) -> Iterator[Row]:
        # Flattened in C: a generator step per row would cost as much as a hash.
        return itertools.chain.from_iterable(self._batches())

    def _batches(self) -> Iterator[list[Row]]:
        query = self._query()
        after = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(query, [self.chain.pk, after, self.batch])
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


def _generated_columns() -> set[str]:
    """The audit table's columns the database computes and stores itself."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """SELECT column_name FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = %s
                     AND is_generated = 'ALWAYS'""",
                [TABLE],
            )
            return {name for (name,) in cursor.fetchall()}
        # table_xinfo's hidden column: 3 marks a stored generated column.
        cursor.execute(f"PRAGMA table_xinfo({TABLE})")
        return {row[1] for row in cursor.fetchall() if row[6] == 3}


def columns_derived() -> bool:
    """Whether every indexed column is still generated from the canonical text."""
    return set(DERIVED_COLUMNS) <= _generated_columns()


def _walk(rows: ChainRows) -> tuple[ChainState, Finding | None]:
    # The head read at the start classifies a break; the one read last ends the walk.
    head_seq, head_hash = rows.head
    state, finding = walk_rows(rows, head_seq=head_seq, head_hash=head_hash)
    if finding is None:
        head_seq, head_hash = rows.head
        finding = check_head(state, head_seq=head_seq, head_hash=head_hash)
    return state, finding


def chain_verify(*, chain: Chain) -> Verification:
    """Recompute one chain and name its first tampered seq, if any."""
    rows = ChainRows(chain)
    state, finding = _walk(rows)
    if not columns_derived():
        # Every row's columns may now say anything: the chain is unreliable from seq 1.
        finding = Finding(1, Tampering.EDITED, NOT_DERIVED)
    return Verification(
        chain=chain.key,
        head_seq=rows.head[0],
        head_hash=rows.head[1].hex(),
        verified_through=state.last_seq,
        finding=finding,
    )
