"""0007 counts each dimension's conflicts for the snapshots taken before it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from apps.assessments.models import ScoreDimension, ScoreSnapshot

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = (
    ("assessments", "0006_snapshot_summary_index"),
    ("assessments", "0007_score_dimension_conflicts"),
)


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _counts() -> dict[tuple[int, str], int]:
    return dict(
        ((row.snapshot_id, row.dimension), row.conflicts)
        for row in ScoreDimension.objects.all()
    )


def test_0007_fills_the_counts_from_the_payloads_and_keeps_rows_append_only():
    # Scored by the real engine, some with conflicts.
    call_command(
        "seed_scale",
        *("--teams", "12", "--quarters", "2", "--models-per-team", "0"),
        "--no-progress",
        stdout=StringIO(),
    )
    written = _counts()
    assert any(written.values())

    _migrate(BEFORE)
    _migrate(AFTER)

    assert _counts() == written
    for snapshot in ScoreSnapshot.objects.all():
        assert sum(
            row.conflicts for row in ScoreDimension.objects.filter(snapshot=snapshot)
        ) == len(snapshot.payload["conflicts"])
    row = ScoreDimension.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        ScoreDimension.objects.filter(pk=row.pk).update(conflicts=9)
