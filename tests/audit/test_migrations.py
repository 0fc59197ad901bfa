"""0003 turns the indexed columns of existing events into generated ones; 0004 starts
each chain's figures_hash at its head."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from apps.audit.canonical import ZERO_HASH, canonical_json, chain_hash
from apps.audit.integrity import chain_verify, columns_derived
from apps.audit.models import AuditEvent, Chain

pytestmark = pytest.mark.django_db(transaction=True)

# Each test starts before 0003 and ends at the newest migration, as the suite expects.
BEFORE = ("audit", "0002_append_only_triggers")


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("audit"))


def _old_rows(count: int) -> None:
    """Events as 0002's table stored them, columns written by the application."""
    prev = ZERO_HASH
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_chain (key, head_seq, head_hash, created_at) "
            "VALUES ('platform', %s, %s, %s) RETURNING id",
            [0, ZERO_HASH, "2026-01-01 00:00:00"],
        )
        (chain_id,) = cursor.fetchone()
        for seq in range(1, count + 1):
            ts = f"2026-01-01T00:00:0{seq}.000000Z"
            canonical = canonical_json(
                {
                    "v": 1,
                    "chain": "platform",
                    "seq": seq,
                    "ts": ts,
                    "actor": {"type": "system", "id": None},
                    "action": f"old.event{seq}",
                    "object": {"type": "model", "id": str(seq)},
                    "data": {},
                    "ctx": {},
                }
            )
            prev, link = chain_hash(prev, canonical), prev
            cursor.execute(
                "INSERT INTO audit_auditevent (chain_id, seq, occurred_at, actor_type,"
                " action, object_type, object_id, canonical, prev_hash, hash) VALUES"
                " (%s, %s, %s, 'system', %s, 'model', %s, %s, %s, %s)",
                [chain_id, seq, f"2026-01-01 00:00:0{seq}", f"old.event{seq}",
                 str(seq), canonical, link, prev],
            )  # fmt: skip
        cursor.execute(
            "UPDATE audit_chain SET head_seq = %s, head_hash = %s WHERE id = %s",
            [count, prev, chain_id],
        )


def test_existing_events_get_their_columns_from_the_hashed_text():
    _migrate(BEFORE)
    try:
        _old_rows(3)
    finally:
        _migrate_to_latest()

    events = AuditEvent.objects.order_by("seq")
    assert [(e.seq, e.action, e.object_id, e.actor_id, e.ts) for e in events] == [
        (n, f"old.event{n}", str(n), None, f"2026-01-01T00:00:0{n}.000000Z")
        for n in (1, 2, 3)
    ]
    assert columns_derived()
    assert chain_verify(chain=Chain.objects.get()).ok
    # The rebuilt table (SQLite) has its append-only triggers back.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()


def test_a_chain_s_figures_start_at_its_head():
    _migrate(BEFORE)
    try:
        _old_rows(2)
    finally:
        _migrate_to_latest()

    chain = Chain.objects.get()
    assert bytes(chain.figures_hash) == bytes(chain.head_hash) != ZERO_HASH
