"""Hand-built chains and the tampering an attacker could do to them (no database).

A chain is a list of rows (seq, canonical, prev_hash, hash) plus its head (seq, hash).
Each tampering function returns the tampered rows and the seq and reason that
verification must name.
"""

from __future__ import annotations

import hashlib
import json

from apps.audit.verify import Row, Tampering

ZERO = bytes(32)


def link(prev: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(prev + hashlib.sha256(canonical).digest()).digest()


def body(seq: int, **data) -> bytes:
    return json.dumps(
        {"chain": "org:1", "seq": seq, "action": "test.event", "data": data},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def build_rows(count: int) -> list[Row]:
    rows, prev = [], ZERO
    for seq in range(1, count + 1):
        canonical = body(seq, n=seq)
        digest = link(prev, canonical)
        rows.append((seq, canonical, prev, digest))
        prev = digest
    return rows


def head_of(rows: list[Row]) -> dict:
    return {"head_seq": rows[-1][0], "head_hash": rows[-1][3]}


def renumber(rows: list[Row]) -> list[Row]:
    """Give the rows seq 1..n in their current order, as an UPDATE of seq would."""
    return [(n, *row[1:]) for n, row in enumerate(rows, start=1)]


Expected = tuple[int, Tampering]


def edit_payload(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    rows = list(rows)
    _, canonical, prev, digest = rows[seq - 1]
    rows[seq - 1] = (seq, canonical.replace(b'"n":', b'"n":1'), prev, digest)
    return rows, (seq, Tampering.EDITED)


def edit_hash(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    rows = list(rows)
    _, canonical, prev, digest = rows[seq - 1]
    rows[seq - 1] = (seq, canonical, prev, bytes([digest[0] ^ 1]) + digest[1:])
    return rows, (seq, Tampering.EDITED)


def edit_prev_hash(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    rows = list(rows)
    _, canonical, prev, digest = rows[seq - 1]
    rows[seq - 1] = (seq, canonical, bytes([prev[0] ^ 1]) + prev[1:], digest)
    return rows, (seq, Tampering.EDITED)


def delete(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    return rows[: seq - 1] + rows[seq:], (seq, Tampering.DELETED)


def truncate(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    """Delete seq and everything after it."""
    return rows[: seq - 1], (seq, Tampering.DELETED)


def delete_and_renumber(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    return renumber(rows[: seq - 1] + rows[seq:]), (seq, Tampering.DELETED)


def forged_row(rows: list[Row], seq: int) -> Row:
    """A well-formed event at seq that links correctly to the row before it."""
    prev = rows[seq - 2][3] if seq > 1 else ZERO
    canonical = body(seq, forged=True)
    return (seq, canonical, prev, link(prev, canonical))


def insert(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    """Insert a forged row at seq (1..n+1), moving the later rows up by one."""
    tampered = [*rows[: seq - 1], forged_row(rows, seq), *rows[seq - 1 :]]
    return renumber(tampered), (seq, Tampering.INSERTED)


def insert_unlinked(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    """Insert a row whose hash does not even verify, moving the later rows up."""
    _, canonical, prev, _ = forged_row(rows, seq)
    tampered = [*rows[: seq - 1], (seq, canonical, prev, bytes(32)), *rows[seq - 1 :]]
    return renumber(tampered), (seq, Tampering.INSERTED)


def swap(rows: list[Row], seq: int, other: int) -> tuple[list[Row], Expected]:
    rows = list(rows)
    rows[seq - 1], rows[other - 1] = rows[other - 1], rows[seq - 1]
    return renumber(rows), (min(seq, other), Tampering.REORDERED)


def rewrite_and_rehash(rows: list[Row], seq: int) -> tuple[list[Row], Expected]:
    """Change a row's content and recompute its hash: its successor no longer links."""
    rows = list(rows)
    _, _, prev, _ = rows[seq - 1]
    canonical = body(seq, n=-1)
    rows[seq - 1] = (seq, canonical, prev, link(prev, canonical))
    return rows, (seq, Tampering.EDITED)
