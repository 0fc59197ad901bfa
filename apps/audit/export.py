"""The audit export format, written by `manage.py audit_export` and embedded in
governance reports: JSON Lines, one event per line with its seq, the canonical text
that was hashed, and prev_hash and hash in hex. apps/audit/offline/ holds the
stand-alone script that re-verifies such a file without Tollgate."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

# Stdlib-only: it travels with exports and reports to readers without Tollgate.
OFFLINE_VERIFIER = Path(__file__).parent / "offline" / "verify_audit_export.py"

ExportRow = tuple[int, str, bytes | memoryview, bytes | memoryview]


def export_line(row: ExportRow) -> str:
    """One event as its line of the export, newline included."""
    seq, canonical, prev_hash, digest = row
    line = {
        "seq": seq,
        "canonical": canonical,
        "prev_hash": bytes(prev_hash).hex(),
        "hash": bytes(digest).hex(),
    }
    return json.dumps(line, ensure_ascii=False) + "\n"


def export_lines(
    rows: Iterable[ExportRow], *, through_seq: int | None = None
) -> Iterator[str]:
    """The lines of rows in seq order (selectors.audit_event_export), up to and
    including `through_seq` when given."""
    for row in rows:
        if through_seq is not None and row[0] > through_seq:
            return
        yield export_line(row)


def offline_verifier_source() -> bytes:
    return OFFLINE_VERIFIER.read_bytes()
