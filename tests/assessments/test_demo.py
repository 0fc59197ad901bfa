"""The demo history: every demo team has 3–4 quarterly assessments with scores."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.models import Team
from apps.assessments.models import Assessment, ScoreSnapshot
from apps.audit.integrity import chain_verify
from apps.audit.models import Chain
from apps.roadmaps.models import Roadmap
from apps.rubrics.models import TeamTarget

pytestmark = pytest.mark.django_db


def _seed() -> None:
    call_command("seed_demo", "--allow-production", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _mean_index(period: str) -> float:
    values = [
        s.index
        for s in ScoreSnapshot.objects.filter(
            assessment__period=period, kind="submitted"
        )
    ]
    return sum(values) / len(values)


def test_seed_demo_gives_every_team_a_scored_history_once():
    _seed()
    counts = (Assessment.objects.count(), ScoreSnapshot.objects.count())

    _seed()

    per_team = [team.assessments.count() for team in Team.objects.all()]
    assert len(per_team) == 12
    assert all(3 <= n <= 4 for n in per_team)
    assert (Assessment.objects.count(), ScoreSnapshot.objects.count()) == counts
    assert not Assessment.objects.filter(snapshots__isnull=True).exists()
    latest = Assessment.objects.filter(period="2026-Q3")
    assert latest.count() == 12
    assert set(latest.values_list("status", flat=True)) == {Assessment.Status.SUBMITTED}
    indexes = {round(s.index, 2) for s in ScoreSnapshot.objects.all()}
    assert len(indexes) > 10  # teams and quarters differ
    first, last = (_mean_index(period) for period in ("2026-Q1", "2026-Q3"))
    assert last > first  # the organisation improves over the quarters
    # Every team has a roadmap planned from its latest assessment, towards its targets.
    roadmaps = Roadmap.objects.select_related("assessment")
    assert roadmaps.count() == 12
    assert {r.assessment.period for r in roadmaps} == {"2026-Q3"}
    assert not Roadmap.objects.filter(items__isnull=True).exists()
    assert TeamTarget.objects.filter(level=3).count() > 12
    assert chain_verify(chain=Chain.objects.get(organization__slug="acme")).ok
