"""`manage.py assessment_score`: the stored scores as a table or as JSON."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.assessments import services
from tests.assessments.conftest import GOOD_ANSWERS
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db


def score(*args: str) -> str:
    out = StringIO()
    call_command("assessment_score", *args, stdout=out)
    return out.getvalue()


def test_assessment_score_prints_the_latest_snapshot_as_a_table(reviewed):
    snapshot = reviewed.snapshots.get(kind="reviewed")

    text = score(str(reviewed.pk))

    assert f"Snapshot {snapshot.pk}: on review" in text
    assert "rubric test-rubric 1.0.0, engine 1.0.0" in text
    assert f"Floor {snapshot.floor}   Index {snapshot.index:.2f}" in text
    assert "data                         2     0.50   2.50   1.00  yes" in text
    assert "  data.l1.documented               L1   0.5  met" in text
    assert "Conflicts: none" in text


def test_assessment_score_prints_the_stored_payload_as_json(reviewed):
    text = score(str(reviewed.pk), "--json")

    payload = json.loads(text)
    assert payload == reviewed.snapshots.get(kind="reviewed").payload
    data = next(d for d in payload["dimensions"] if d["id"] == "data")
    assert {"level", "progress", "score", "credits"} <= set(data)
    assert {"floor", "index", "confidence", "conflicts"} <= set(payload)


def test_assessment_score_prints_a_chosen_snapshot(reviewed):
    first = reviewed.snapshots.get(kind="submitted")

    text = score(str(reviewed.pk), "--snapshot", str(first.pk), "--json")

    assert json.loads(text) == first.payload


def test_assessment_score_marks_conflicts(draft, member, lead, answer):
    scanned(
        LinkedRepoFactory(team=draft.team),
        {"continuous_training": (False, "")},
    )
    answer(draft, member, **GOOD_ANSWERS, **{"ops.l3.retraining": 12})
    services.assessment_submit(assessment=draft, submitted_by=lead)

    text = score(str(draft.pk))

    assert "ops.l3.retraining                L3     0  met, CONFLICT" in text
    assert "Conflicts: ops.l3.retraining" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["987654"], "No assessment 987654."),
        (["{scored}", "--snapshot", "987654"], "has no snapshot 987654."),
        (["{unscored}"], "has no scores yet."),
    ],
)
def test_assessment_score_fails_with_a_message(submitted, team, lead, args, message):
    unscored = services.assessment_create(
        team=team, period="2025-Q1", rubric=submitted.rubric, created_by=lead
    )
    args = [a.format(scored=submitted.pk, unscored=unscored.pk) for a in args]

    with pytest.raises(CommandError, match=message):
        score(*args)


def test_assessment_score_exits_non_zero_from_the_command_line(draft, capsys):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "assessment_score", str(draft.pk)])

    assert exited.value.code != 0
    assert "has no scores yet" in capsys.readouterr().err
