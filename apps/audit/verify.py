"""Recomputing a chain and naming the first place it was tampered with (pure functions).

Rows arrive in seq order as (seq, canonical, prev_hash, hash). The happy path costs two
SHA-256 calls and two comparisons per row; only a failure parses JSON, to tell an edit
from a deletion, an insertion or a reordering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from apps.audit.canonical import ZERO_HASH

Row = tuple[int, str, bytes, bytes]


class Tampering(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"


@dataclass(frozen=True)
class Finding:
    seq: int
    reason: Tampering
    detail: str


@dataclass(frozen=True)
class ChainState:
    """What the walk saw last: the chain as recomputed from the rows."""

    last_seq: int
    last_hash: bytes


def _body_seq(canonical: str) -> int | None:
    try:
        seq = json.loads(canonical).get("seq")
    except (ValueError, AttributeError):
        return None
    return seq if isinstance(seq, int) else None


def _classify_break(
    row: Row,
    *,
    prev: bytes,
    before_prev: bytes | None,
    following: Row | None,
    head_hash: bytes,
) -> Finding:
    seq, canonical, prev_hash, stored = row
    own = hashlib.sha256(
        prev_hash + hashlib.sha256(canonical.encode()).digest()
    ).digest()
    if own != stored:
        return Finding(seq, Tampering.EDITED, f"seq {seq}: content or hash was changed")
    if before_prev is not None and prev_hash == before_prev:
        return Finding(
            seq - 1,
            Tampering.INSERTED,
            f"seq {seq - 1} is foreign: seq {seq} links past it",
        )
    body_seq = _body_seq(canonical)
    if body_seq is not None and body_seq != seq:
        if following is not None and _body_seq(following[1]) == seq:
            return Finding(
                seq, Tampering.REORDERED, f"seq {seq} holds event {body_seq}"
            )
        if body_seq > seq:
            return Finding(
                seq,
                Tampering.DELETED,
                f"seq {seq} holds event {body_seq}: events removed",
            )
        return Finding(seq, Tampering.INSERTED, f"seq {seq} holds event {body_seq}")
    successor_agrees = (following[2] == stored) if following else stored == head_hash
    if successor_agrees and seq > 1:
        return Finding(
            seq - 1,
            Tampering.EDITED,
            f"seq {seq - 1} was rewritten: seq {seq} commits to another predecessor",
        )
    return Finding(seq, Tampering.INSERTED, f"seq {seq} does not link to seq {seq - 1}")


def walk_chain(
    rows: Iterable[Row], *, head_seq: int, head_hash: bytes
) -> tuple[ChainState, Finding | None]:
    """Recompute the chain; return where it ended and the first tampering found."""
    sha256 = hashlib.sha256
    expected, prev, before_prev = 1, ZERO_HASH, None
    stream: Iterator[Row] = iter(rows)
    for row in stream:
        seq, canonical, prev_hash, stored = row
        if seq != expected:
            detail = f"seq {expected} is missing (next present is {seq})"
            return ChainState(expected - 1, prev), Finding(
                expected, Tampering.DELETED, detail
            )
        if (
            prev_hash != prev
            or sha256(prev + sha256(canonical.encode()).digest()).digest() != stored
        ):
            finding = _classify_break(
                row,
                prev=prev,
                before_prev=before_prev,
                following=next(stream, None),
                head_hash=head_hash,
            )
            return ChainState(expected - 1, prev), finding
        before_prev, prev, expected = prev, stored, expected + 1
    state = ChainState(expected - 1, prev)
    return state, _check_head(state, head_seq=head_seq, head_hash=head_hash)


def _check_head(
    state: ChainState, *, head_seq: int, head_hash: bytes
) -> Finding | None:
    if state.last_seq < head_seq:
        detail = f"events after seq {state.last_seq} are missing (head is {head_seq})"
        return Finding(state.last_seq + 1, Tampering.DELETED, detail)
    if state.last_seq > head_seq:
        detail = (
            f"events beyond the recorded head ({head_seq}) were added outside Tollgate"
        )
        return Finding(head_seq + 1, Tampering.INSERTED, detail)
    if state.last_hash != head_hash:
        detail = f"seq {state.last_seq} does not match the recorded head hash"
        return Finding(state.last_seq, Tampering.EDITED, detail)
    return None
