"""Each snapshot's dimensions as rows: what dashboards aggregate in SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from apps.assessments.models import ScoreDimension, ScoreSnapshot

pytestmark = pytest.mark.django_db


def test_a_snapshot_writes_one_row_per_dimension_from_the_same_score(submitted):
    snapshot = ScoreSnapshot.objects.get(assessment=submitted)
    rows = {r.dimension: r for r in ScoreDimension.objects.filter(snapshot=snapshot)}
    payload = {d["id"]: d for d in snapshot.payload["dimensions"]}
    assert set(rows) == set(payload) == {"data", "ops"}
    for key, row in rows.items():
        given = payload[key]
        assert (row.level, row.progress, row.score, row.target) == (
            given["level"],
            given["progress"],
            given["score"],
            given["target"],
        )
        assert (row.weight, row.core) == (given["weight"], given["core"])
    assert snapshot.floor == min(r.level for r in rows.values() if r.core)


def test_rows_are_append_only(submitted):
    row = ScoreDimension.objects.filter(snapshot__assessment=submitted).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        ScoreDimension.objects.filter(pk=row.pk).update(level=4)
    with pytest.raises(DatabaseError), transaction.atomic():
        ScoreDimension.objects.filter(pk=row.pk).delete()
