"""The append-only triggers refuse every UPDATE and DELETE, the ORM's and raw SQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(append_events) -> AuditEvent:
    append_events(2)
    return AuditEvent.objects.get(seq=1)


def _snapshot() -> list[tuple]:
    return list(
        AuditEvent.objects.order_by("pk").values_list(
            "pk", "seq", "action", "canonical", "hash"
        )
    )


def _refused(change) -> str:
    """Run change in a savepoint, so the test's transaction stays usable; the error."""
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        change()
    return str(refused.value)


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _save_changed(event: AuditEvent) -> None:
    event.canonical = event.canonical.replace("test.event", "test.rewritten")
    event.save()


CHANGES = {
    "instance_save": _save_changed,
    "queryset_update": lambda e: AuditEvent.objects.filter(pk=e.pk).update(
        canonical="{}"
    ),
    "instance_delete": lambda e: e.delete(),
    "queryset_delete": lambda e: AuditEvent.objects.all().delete(),
    "raw_update": lambda e: _raw(
        "UPDATE audit_auditevent SET canonical = '{}' WHERE id = %s", [e.pk]
    ),
    "raw_delete": lambda e: _raw("DELETE FROM audit_auditevent WHERE id = %s", [e.pk]),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_append_only_triggers_refuse_the_change(event, change):
    before = _snapshot()

    message = _refused(lambda: change(event))

    assert "append-only" in message
    assert _snapshot() == before


@pytest.mark.postgres
def test_append_only_triggers_refuse_truncate_on_postgres(event):
    before = _snapshot()

    # Run the deferred foreign-key checks of the fixture's inserts first: PostgreSQL
    # refuses to TRUNCATE a table with pending trigger events before any trigger runs.
    _raw("SET CONSTRAINTS ALL IMMEDIATE")

    message = _refused(lambda: _raw("TRUNCATE audit_auditevent"))

    assert "append-only" in message
    assert _snapshot() == before


def test_append_only_triggers_still_allow_appends(event, append_events):
    append_events(1)

    assert AuditEvent.objects.count() == 3
