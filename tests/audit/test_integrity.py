"""chain_verify against the database: the walk, the derived columns, appends meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from apps.audit.db import drop_append_only_triggers
from apps.audit.integrity import ChainRows, chain_verify, columns_derived
from apps.audit.models import AuditEvent
from apps.audit.services import record_event
from apps.audit.verify import walk_chain

pytestmark = pytest.mark.django_db


def test_chain_verify_accepts_a_thousand_events(append_events, org_chain):
    append_events(1000)
    chain = org_chain()

    result = chain_verify(chain=chain)

    assert result.ok
    assert (result.head_seq, result.verified_through) == (1000, 1000)
    assert result.head_hash == bytes(chain.head_hash).hex()


def test_chain_verify_walks_events_appended_after_the_chain_was_read(
    append_events, org_chain
):
    append_events(3)
    chain_read_earlier = org_chain()
    append_events(2)

    result = chain_verify(chain=chain_read_earlier)

    assert result.ok
    assert (result.head_seq, result.verified_through) == (5, 5)


def test_chain_rows_reads_every_row_across_batches(append_events, org_chain):
    append_events(10)
    chain = org_chain()
    rows = ChainRows(chain, batch=3)

    state, finding = walk_chain(
        rows, head_seq=chain.head_seq, head_hash=bytes(chain.head_hash)
    )

    assert finding is None
    assert state.last_seq == 10


def test_chain_verify_accepts_events_recorded_on_a_whole_second(
    org, append_events, org_chain, monkeypatch
):
    # The hashed text (and so ts) keeps .000000 on a whole second.
    whole_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: whole_second)
    append_events(2)

    assert chain_verify(chain=org_chain()).ok


def test_chain_verify_accepts_awkward_text_in_indexed_columns(org, org_chain):
    awkward = 'quote " backslash \\ tab \t newline \n bell \x07 é ☃ \u2028'
    with transaction.atomic():
        record_event(
            organization=org,
            actor=None,
            action="test.é☃",
            target=(awkward[:90], awkward),
        )

    assert chain_verify(chain=org_chain()).ok


def test_chain_verify_keeps_the_callers_transaction_usable(append_events, org_chain):
    append_events(3)
    drop_append_only_triggers(connection)
    event = AuditEvent.objects.get(seq=2)
    AuditEvent.objects.filter(seq=2).update(
        canonical=event.canonical.replace('"n":', '"n":9')
    )

    result = chain_verify(chain=org_chain())

    assert (result.finding.seq, str(result.finding.reason)) == (2, "edited")
    assert AuditEvent.objects.count() == 3


def test_the_indexed_columns_are_generated_by_the_database(append_events):
    append_events(1)

    assert columns_derived()
    assert set(AuditEvent.DERIVED_COLUMNS) == {
        "ts",
        "actor_id",
        "actor_type",
        "action",
        "object_type",
        "object_id",
    }


def test_chain_verify_reads_the_catalogue_once_whatever_the_length(
    append_events, org_chain, django_assert_num_queries
):
    append_events(30)
    chain = org_chain()

    # 1. the rows (one batch), 2. the head re-read, 3. the catalogue
    with django_assert_num_queries(3):
        assert chain_verify(chain=chain).ok
