"""walk_chain and verify_export_lines: pure functions over hand-built rows, no database."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.audit.verify import Tampering, verify_export_lines, walk_chain
from tests.audit import chains


def _walk(rows, head):
    state, finding = walk_chain(rows, **head)
    return state, (finding.seq, finding.reason) if finding else None


def test_walk_chain_accepts_an_intact_chain():
    rows = chains.build_rows(5)

    state, finding = _walk(rows, chains.head_of(rows))

    assert finding is None
    assert (state.last_seq, state.last_hash) == (5, rows[-1][3])


def test_walk_chain_accepts_an_empty_chain():
    state, finding = _walk([], {"head_seq": 0, "head_hash": chains.ZERO})

    assert finding is None
    assert state.last_seq == 0


@pytest.mark.parametrize(
    ("tamper", "seq"),
    [
        (chains.edit_payload, 1),
        (chains.edit_payload, 3),
        (chains.edit_payload, 6),
        (chains.edit_hash, 3),
        (chains.edit_hash, 6),
        (chains.edit_prev_hash, 1),
        (chains.edit_prev_hash, 4),
        (chains.delete, 1),
        (chains.delete, 3),
        (chains.delete, 6),
        (chains.truncate, 4),
        (chains.delete_and_renumber, 1),
        (chains.delete_and_renumber, 3),
        (chains.delete_and_renumber, 5),
        (chains.insert, 1),
        (chains.insert, 3),
        (chains.insert, 6),
        (chains.insert, 7),
        (chains.insert_unlinked, 1),
        (chains.insert_unlinked, 4),
        (chains.rewrite_and_rehash, 1),
        (chains.rewrite_and_rehash, 3),
        (chains.rewrite_and_rehash, 5),
        (chains.rewrite_and_rehash, 6),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_walk_chain_names_the_tampered_seq_and_kind(tamper, seq):
    rows = chains.build_rows(6)
    tampered, expected = tamper(rows, seq)

    _, finding = _walk(tampered, chains.head_of(rows))

    assert finding == expected


@pytest.mark.parametrize(("seq", "other"), [(1, 2), (3, 4), (5, 6), (1, 6), (2, 5)])
def test_walk_chain_names_a_swap_reordered_at_the_lower_seq(seq, other):
    rows = chains.build_rows(6)
    tampered, _ = chains.swap(rows, seq, other)

    _, finding = _walk(tampered, chains.head_of(rows))

    assert finding == (seq, Tampering.REORDERED)


def test_walk_chain_names_a_head_hash_that_no_row_has_as_edited():
    rows = chains.build_rows(4)

    _, finding = _walk(rows, {"head_seq": 4, "head_hash": bytes(32)})

    assert finding == (4, Tampering.EDITED)


def test_walk_chain_names_rows_beyond_a_lowered_head_as_inserted():
    rows = chains.build_rows(4)

    _, finding = _walk(rows, {"head_seq": 2, "head_hash": rows[1][3]})

    assert finding == (3, Tampering.INSERTED)


def test_walk_chain_names_a_raised_head_as_deleted_events():
    rows = chains.build_rows(4)

    _, finding = _walk(rows, {"head_seq": 6, "head_hash": rows[3][3]})

    assert finding == (5, Tampering.DELETED)


def test_walk_chain_reports_where_the_intact_part_ends():
    rows = chains.build_rows(6)
    tampered, _ = chains.edit_payload(rows, 4)

    state, _ = _walk(tampered, chains.head_of(rows))

    assert (state.last_seq, state.last_hash) == (3, rows[2][3])


# --- Property: any single tampering is found where it happened -------------------------

SINGLE_SEQ_KINDS = [
    chains.edit_payload,
    chains.edit_hash,
    chains.edit_prev_hash,
    chains.delete,
    chains.truncate,
    chains.delete_and_renumber,
    chains.insert,
    chains.insert_unlinked,
    chains.rewrite_and_rehash,
]


@st.composite
def tampered_chains(draw):
    count = draw(st.integers(min_value=2, max_value=40))
    rows = chains.build_rows(count)
    kind = draw(st.sampled_from([*SINGLE_SEQ_KINDS, chains.swap]))
    if kind is chains.swap:
        seq, other = sorted(
            draw(st.sets(st.integers(1, count), min_size=2, max_size=2))
        )
        tampered, expected = chains.swap(rows, seq, other)
    else:
        last = count + 1 if kind in (chains.insert, chains.insert_unlinked) else count
        tampered, expected = kind(rows, draw(st.integers(1, last)))
    return rows, tampered, expected


@given(tampered_chains())
def test_walk_chain_always_names_a_single_tampering(case):
    rows, tampered, expected = case

    _, finding = _walk(tampered, chains.head_of(rows))

    assert finding == expected


# --- Exports -------------------------------------------------------------------------


def _export_lines(rows) -> list[str]:
    return [
        json.dumps(
            {
                "seq": seq,
                "canonical": text.decode(),
                "prev_hash": prev.hex(),
                "hash": digest.hex(),
            }
        )
        for seq, text, prev, digest in rows
    ]


def test_verify_export_lines_accepts_an_intact_export():
    lines = _export_lines(chains.build_rows(5))

    assert verify_export_lines(lines) is None


def test_verify_export_lines_names_an_edited_line():
    rows, _ = chains.edit_payload(chains.build_rows(5), 2)

    finding = verify_export_lines(_export_lines(rows))

    assert (finding.seq, finding.reason) == (2, Tampering.EDITED)


@pytest.mark.parametrize(
    "bad_line",
    [
        "not json",
        "[]",
        '{"seq": 2}',
        '{"seq": "2", "canonical": "{}", "prev_hash": "00", "hash": "00"}',
        '{"seq": 2, "canonical": "{}", "prev_hash": "zz", "hash": "00"}',
    ],
)
def test_verify_export_lines_names_a_line_that_is_not_an_event(bad_line):
    lines = _export_lines(chains.build_rows(3))
    lines[1] = bad_line

    finding = verify_export_lines(lines)

    assert (finding.seq, finding.reason) == (2, Tampering.EDITED)
    assert "line 2" in finding.detail


def test_verify_export_lines_checks_the_head_when_given():
    rows = chains.build_rows(5)

    finding = verify_export_lines(
        _export_lines(rows[:3]), head_seq=5, head_hash=rows[4][3]
    )

    assert (finding.seq, finding.reason) == (4, Tampering.DELETED)
