"""Recomputing a chain and naming the first place it was tampered with (pure functions).

Rows arrive in seq order as (seq, canonical UTF-8 bytes, prev_hash, hash). The happy
path costs two SHA-256 calls and three comparisons per row; only a failure parses JSON,
to tell an edit from a deletion, an insertion or a reordering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain

from apps.audit.canonical import ZERO_HASH

Row = tuple[int, bytes, bytes, bytes]


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


@dataclass(frozen=True)
class _Break:
    """Where the walk stopped: the row that failed and what the chain expected there."""

    row: Row
    prev: bytes
    before_prev: bytes | None
    rest: Iterator[Row]
    head_seq: int | None
    head_hash: bytes | None


def _own_hash(row: Row) -> bytes:
    _, canonical, prev_hash, _ = row
    return hashlib.sha256(prev_hash + hashlib.sha256(canonical).digest()).digest()


def _body_seq(canonical: bytes) -> int | None:
    try:
        seq = json.loads(canonical).get("seq")
    except (ValueError, AttributeError):
        return None
    return seq if isinstance(seq, int) else None


def _holds_event(row: Row | None, seq: int) -> bool:
    # The byte test skips the JSON parse for nearly every row of a long tail.
    return row is not None and b'"seq":%d' % seq in row[1] and _body_seq(row[1]) == seq


def _classify_unverifiable(brk: _Break, following: Row | None) -> Finding:
    """The row's own hash does not verify: edited, unless the chain links past it."""
    seq = brk.row[0]
    if following is not None and following[2] == brk.prev:
        return Finding(
            seq,
            Tampering.INSERTED,
            f"seq {seq} is foreign: seq {seq + 1} links past it",
        )
    if brk.head_seq is not None and seq > brk.head_seq:
        detail = f"seq {seq} lies beyond the recorded head ({brk.head_seq})"
        return Finding(seq, Tampering.INSERTED, detail)
    return Finding(seq, Tampering.EDITED, f"seq {seq}: content or hash was changed")


def _classify_misplaced(brk: _Break, following: Row | None, body_seq: int) -> Finding:
    """The row verifies but holds another seq's event."""
    seq = brk.row[0]
    if body_seq < seq:
        return Finding(seq, Tampering.INSERTED, f"seq {seq} holds event {body_seq}")
    if any(_holds_event(row, seq) for row in chain((following,), brk.rest)):
        detail = f"seq {seq} holds event {body_seq}; event {seq} comes later"
        return Finding(seq, Tampering.REORDERED, detail)
    detail = f"seq {seq} holds event {body_seq}: events removed"
    return Finding(seq, Tampering.DELETED, detail)


def _classify_break(brk: _Break) -> Finding:
    row = brk.row
    seq, canonical, prev_hash, stored = row
    following = next(brk.rest, None)
    if _own_hash(row) != stored:
        return _classify_unverifiable(brk, following)
    if brk.before_prev is not None and prev_hash == brk.before_prev:
        detail = f"seq {seq - 1} is foreign: seq {seq} links past it"
        return Finding(seq - 1, Tampering.INSERTED, detail)
    body_seq = _body_seq(canonical)
    if body_seq is not None and body_seq != seq:
        return _classify_misplaced(brk, following, body_seq)
    if following is not None:
        successor_agrees = following[2] == stored
    else:
        successor_agrees = brk.head_hash is None or stored == brk.head_hash
    if successor_agrees and seq > 1:
        detail = (
            f"seq {seq - 1} was rewritten: seq {seq} commits to another predecessor"
        )
        return Finding(seq - 1, Tampering.EDITED, detail)
    return Finding(seq, Tampering.INSERTED, f"seq {seq} does not link to seq {seq - 1}")


def _out_of_sequence(seq: int, expected: int) -> Finding:
    if seq > expected:
        detail = f"seq {expected} is missing (next present is {seq})"
        return Finding(expected, Tampering.DELETED, detail)
    detail = f"seq {seq} appears again after seq {expected - 1}"
    return Finding(expected, Tampering.INSERTED, detail)


def walk_rows(
    rows: Iterable[Row],
    *,
    head_seq: int | None = None,
    head_hash: bytes | None = None,
) -> tuple[ChainState, Finding | None]:
    """Recompute the chain row by row; stop at the first row that does not fit.

    The head only helps to classify a break at the last row; compare it with the
    returned state through check_head (walk_chain does both).
    """
    sha256 = hashlib.sha256
    expected, prev, before_prev = 1, ZERO_HASH, None
    stream: Iterator[Row] = iter(rows)
    for seq, canonical, prev_hash, stored in stream:
        if (
            seq != expected
            or prev_hash != prev
            or sha256(prev + sha256(canonical).digest()).digest() != stored
        ):
            state = ChainState(expected - 1, prev)
            if seq != expected:
                return state, _out_of_sequence(seq, expected)
            row = (seq, canonical, prev_hash, stored)
            brk = _Break(row, prev, before_prev, stream, head_seq, head_hash)
            return state, _classify_break(brk)
        before_prev = prev
        prev = stored
        expected += 1
    return ChainState(expected - 1, prev), None


def check_head(state: ChainState, *, head_seq: int, head_hash: bytes) -> Finding | None:
    """Compare where the walk ended with the recorded chain head."""
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


def walk_chain(
    rows: Iterable[Row],
    *,
    head_seq: int | None = None,
    head_hash: bytes | None = None,
) -> tuple[ChainState, Finding | None]:
    """Recompute the chain; return where it ended and the first tampering found.

    head_seq and head_hash are the recorded chain head. Without them (an export read
    offline) the last row is taken as the head, so a cut-off tail goes unnoticed.
    """
    state, finding = walk_rows(rows, head_seq=head_seq, head_hash=head_hash)
    if finding is not None or head_seq is None or head_hash is None:
        return state, finding
    return state, check_head(state, head_seq=head_seq, head_hash=head_hash)


# --- Exports (audit_export writes them; anyone can check them offline) ---------------


class _BadLine(ValueError):
    def __init__(self, number: int) -> None:
        super().__init__(f"line {number} is not an exported event")
        self.number = number


def _export_rows(lines: Iterable[str]) -> Iterator[Row]:
    for number, line in enumerate(lines, start=1):
        try:
            item = json.loads(line)
            row = (
                item["seq"],
                item["canonical"].encode(),
                bytes.fromhex(item["prev_hash"]),
                bytes.fromhex(item["hash"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _BadLine(number) from exc
        if type(row[0]) is not int:
            raise _BadLine(number)
        yield row


def verify_export_lines(
    lines: Iterable[str],
    *,
    head_seq: int | None = None,
    head_hash: bytes | None = None,
) -> Finding | None:
    """Re-verify an `audit_export` file (its lines, in order); None when intact.

    Give the head printed by `audit_verify` (or a checkpoint) to also catch a file whose
    last lines were cut off.
    """
    try:
        _, finding = walk_chain(
            _export_rows(lines), head_seq=head_seq, head_hash=head_hash
        )
    except _BadLine as bad:
        return Finding(bad.number, Tampering.EDITED, str(bad))
    return finding
