"""audit_verify names each kind of tampering by seq and reason.

The attacker here can drop the append-only triggers. That happens inside the test's
transaction (DDL is transactional on SQLite and PostgreSQL), so the rollback at the end
of each test puts the triggers back.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.audit.canonical import canonical_json, format_timestamp
from apps.audit.db import drop_append_only_triggers
from apps.audit.models import AuditEvent, Chain

pytestmark = pytest.mark.django_db

EVENTS = 6


@pytest.fixture
def chain(org, append_events, make_user) -> Chain:
    """Six events in org's chain, the triggers dropped as an attacker would."""
    append_events(EVENTS, actor=make_user("org_admin"))
    drop_append_only_triggers(connection)
    return Chain.objects.get(organization=org)


def _verify(slug: str = "acme") -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", "--org", slug, stdout=out)
    except SystemExit as exited:
        return exited.code, out.getvalue()
    return 0, out.getvalue()


def _events(chain: Chain, seq: int):
    return AuditEvent.objects.filter(chain=chain, seq=seq)


def _link(prev: bytes, canonical: str) -> bytes:
    return hashlib.sha256(prev + hashlib.sha256(canonical.encode()).digest()).digest()


def _shift(chain: Chain, *, from_seq: int, by: int) -> None:
    """Move every seq >= from_seq by `by`, in two steps so no two rows ever collide."""
    later = AuditEvent.objects.filter(chain=chain, seq__gte=from_seq)
    later.update(seq=F("seq") + 1_000_000)
    AuditEvent.objects.filter(chain=chain, seq__gte=1_000_000).update(
        seq=F("seq") - 1_000_000 + by
    )


def _forge(chain: Chain, seq: int) -> AuditEvent:
    """A well-formed event at seq, linked to the row now at seq - 1."""
    prev = bytes(_events(chain, seq - 1).get().hash) if seq > 1 else bytes(32)
    now = timezone.now()
    canonical = canonical_json(
        {
            "v": 1,
            "chain": chain.key,
            "seq": seq,
            "ts": format_timestamp(now),
            "actor": {"type": "system", "id": None},
            "action": "test.forged",
            "object": {"type": "", "id": ""},
            "data": {},
            "ctx": {},
        }
    )
    return AuditEvent.objects.create(
        chain=chain,
        seq=seq,
        canonical=canonical,
        prev_hash=prev,
        hash=_link(prev, canonical),
    )


def _rewrite(chain: Chain, seq: int) -> None:
    event = _events(chain, seq).get()
    canonical = event.canonical.replace('"data":{"n":', '"data":{"n":1')
    _events(chain, seq).update(
        canonical=canonical, hash=_link(bytes(event.prev_hash), canonical)
    )


def _set_head(chain: Chain, seq: int) -> None:
    head_hash = bytes(_events(chain, seq).get().hash)
    Chain.objects.filter(pk=chain.pk).update(head_seq=seq, head_hash=head_hash)


def test_audit_verify_passes_an_untouched_chain(chain):
    code, out = _verify()

    assert code == 0
    assert f"acme: OK head seq {EVENTS}" in out


@pytest.mark.parametrize("seq", [1, 3, EVENTS])
def test_audit_verify_names_an_edited_payload(chain, seq):
    event = _events(chain, seq).get()
    _events(chain, seq).update(canonical=event.canonical.replace('"n":', '"n":9'))

    code, out = _verify()

    assert code == 1
    assert f"acme: BROKEN at seq {seq}: edited" in out


def test_audit_verify_names_an_edited_hash(chain):
    _events(chain, 3).update(hash=bytes(32))

    code, out = _verify()

    assert code == 1
    assert "BROKEN at seq 3: edited" in out


def test_audit_verify_names_an_edited_prev_hash(chain):
    _events(chain, 3).update(prev_hash=bytes(32))

    code, out = _verify()

    assert code == 1
    assert "BROKEN at seq 3: edited" in out


# The indexed columns, as raw SQL would set them: the ORM leaves generated fields out of
# an UPDATE altogether.
COLUMN_EDITS = {
    "action": ("action", "'auth.login_succeeded'"),
    "actor_id": ("actor_id", "NULL"),
    "actor_type": ("actor_type", "'anonymous'"),
    "object_type": ("object_type", "'accounts.user'"),
    "object_id": ("object_id", "'999'"),
    "ts": ("ts", "'2000-01-01T00:00:00.000000Z'"),
}


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _set_column(chain: Chain, seq: int, column: str, value: str) -> None:
    _raw(
        f"UPDATE audit_auditevent SET {column} = {value} "
        "WHERE chain_id = %s AND seq = %s",
        [chain.pk, seq],
    )


def _undo_derivation(column: str) -> None:
    """Alter the table so that column is a plain one, keeping its current values."""
    if connection.vendor == "postgresql":
        # Run the fixture's deferred foreign-key checks first: PostgreSQL will not
        # alter a table with pending trigger events.
        _raw("SET CONSTRAINTS ALL IMMEDIATE")
        _raw(f"ALTER TABLE audit_auditevent ALTER COLUMN {column} DROP EXPRESSION")
        return
    # SQLite cannot alter a generated column: drop it (and what indexes it), add a
    # plain one and copy the values back from the hashed text.
    for index in ("action", "object", "actor", "time"):
        _raw(f"DROP INDEX audit_event_{index}_idx")
    path = column.replace("_", ".")  # object_type -> object.type, and so on
    _raw(f"ALTER TABLE audit_auditevent DROP COLUMN {column}")
    _raw(f"ALTER TABLE audit_auditevent ADD COLUMN {column} text")
    _raw(f"UPDATE audit_auditevent SET {column} = json_extract(canonical, '$.{path}')")


@pytest.mark.parametrize(("column", "value"), COLUMN_EDITS.values(), ids=COLUMN_EDITS)
def test_the_database_refuses_to_edit_an_indexed_column(chain, column, value):
    before = list(_events(chain, 4).values_list(column, flat=True))

    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        _set_column(chain, 4, column, value)

    assert "generated column" in str(refused.value) or "DEFAULT" in str(refused.value)
    assert list(_events(chain, 4).values_list(column, flat=True)) == before


@pytest.mark.parametrize(("column", "value"), COLUMN_EDITS.values(), ids=COLUMN_EDITS)
def test_audit_verify_names_a_table_whose_indexed_column_is_no_longer_derived(
    chain, column, value
):
    _undo_derivation(column)
    _set_column(chain, 4, column, value)

    code, out = _verify()

    assert code == 1
    assert (
        "BROKEN at seq 1: edited (the indexed columns are no longer derived "
        "from the hashed text)"
    ) in out


def test_audit_verify_names_a_table_no_longer_derived_even_if_values_agree(chain):
    _undo_derivation("action")

    code, out = _verify()

    assert code == 1
    assert "BROKEN at seq 1: edited (the indexed columns are no longer" in out


@pytest.mark.parametrize("seq", [1, 3])
def test_audit_verify_names_a_deleted_row(chain, seq):
    _events(chain, seq).delete()

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {seq}: deleted" in out


@pytest.mark.parametrize("first", [EVENTS, EVENTS - 2])
def test_audit_verify_names_a_cut_off_tail(chain, first):
    AuditEvent.objects.filter(chain=chain, seq__gte=first).delete()

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {first}: deleted" in out


@pytest.mark.parametrize("seq", [1, 3, EVENTS - 1])
def test_audit_verify_names_a_deletion_hidden_by_renumbering(chain, seq):
    _events(chain, seq).delete()
    _shift(chain, from_seq=seq + 1, by=-1)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {seq}: deleted" in out


def test_audit_verify_names_a_forged_row_after_the_head(chain):
    _forge(chain, EVENTS + 1)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {EVENTS + 1}: inserted" in out


@pytest.mark.parametrize("seq", [1, 3, EVENTS])
def test_audit_verify_names_a_forged_row_in_the_middle(chain, seq):
    _shift(chain, from_seq=seq, by=1)
    _forge(chain, seq)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {seq}: inserted" in out


@pytest.mark.parametrize(("seq", "other"), [(3, 4), (2, 5), (1, EVENTS)])
def test_audit_verify_names_two_swapped_rows(chain, seq, other):
    _events(chain, seq).update(seq=0)
    _events(chain, other).update(seq=seq)
    _events(chain, 0).update(seq=other)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {seq}: reordered" in out


@pytest.mark.parametrize("seq", [1, 3, EVENTS - 1])
def test_audit_verify_names_a_rewritten_and_rehashed_row(chain, seq):
    _rewrite(chain, seq)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {seq}: edited" in out


def test_audit_verify_names_a_rewritten_row_when_the_head_was_moved_to_it(chain):
    _rewrite(chain, 3)
    _set_head(chain, 3)

    code, out = _verify()

    assert code == 1
    assert "BROKEN at seq 3: edited" in out


def test_audit_verify_names_a_rewritten_head_row(chain):
    _rewrite(chain, EVENTS)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {EVENTS}: edited" in out


def test_audit_verify_names_an_edited_head_hash(chain):
    Chain.objects.filter(pk=chain.pk).update(head_hash=bytes(32))

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {EVENTS}: edited" in out


def test_audit_verify_names_rows_hidden_behind_a_lowered_head(chain):
    _set_head(chain, EVENTS - 2)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {EVENTS - 1}: inserted" in out


def test_audit_verify_names_a_raised_head_as_deleted_events(chain):
    Chain.objects.filter(pk=chain.pk).update(head_seq=EVENTS + 2)

    code, out = _verify()

    assert code == 1
    assert f"BROKEN at seq {EVENTS + 1}: deleted" in out


def test_the_database_refuses_a_payload_that_is_not_json(chain):
    # The indexed columns are derived from the text, so it must stay JSON. (Were the
    # table altered to allow it, audit_verify would say so; the walk names such a row
    # as edited, see test_verify.)
    with pytest.raises(DatabaseError), transaction.atomic():
        _events(chain, 2).update(canonical="{not json")

    assert _verify()[0] == 0
