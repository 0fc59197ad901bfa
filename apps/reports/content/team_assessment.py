"""What a team assessment report shows, read from the other apps' selectors. A report
reads as of its rendering: the audit trail records when that was."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from apps.accounts.models import Team
from apps.assessments import selectors as assessments
from apps.assessments.models import Assessment, ScoreDimension, ScoreSnapshot
from apps.core.exceptions import ApplicationError
from apps.dashboards import selectors as dashboards
from apps.roadmaps import selectors as roadmaps
from apps.roadmaps.models import RoadmapItem
from apps.rubrics.models import Criterion, Dimension


@dataclass(frozen=True)
class DimensionRow:
    name: str
    core: bool
    level: int
    score: float
    target: int | None
    conflicts: int
    level_change: int | None


@dataclass(frozen=True)
class TeamAssessmentContent:
    team: Team
    assessment: Assessment
    snapshot: ScoreSnapshot
    previous: ScoreSnapshot | None
    dimensions: list[DimensionRow]
    conflicts: list[tuple[str, str]]  # (criterion key, statement)
    history: pd.DataFrame  # index, floor and confidence per period
    roadmap_items: list[RoadmapItem] = field(default_factory=list)

    @property
    def index_change(self) -> str | None:
        """ "+0.33" since the previous assessment; None without one."""
        if self.previous is None:
            return None
        return f"{self.snapshot.index - self.previous.index:+.2f}"

    @property
    def floor_change(self) -> str | None:
        if self.previous is None:
            return None
        return f"{self.snapshot.floor - self.previous.floor:+d}"


def scored_assessment(*, team: Team, period: str = "") -> Assessment:
    """The team's assessment of `period` (its latest revision), or its latest scored
    one; refused with a readable reason when there is none."""
    found = Assessment.objects.filter(team=team, snapshots__isnull=False)
    if period:
        found = found.filter(period=period)
    assessment = (
        found.select_related("team__business_unit", "team__organization", "rubric")
        .order_by("-period", "-revision")
        .first()
    )
    if assessment is None:
        where = f" for {period}" if period else ""
        raise ApplicationError(
            f"{team.name} has no scored assessment{where}.",
            code="no_data",
            fields={"period": [f"No scored assessment{where}."]} if period else None,
        )
    return assessment


def team_assessment_content(*, team: Team, period: str = "") -> TeamAssessmentContent:
    assessment = scored_assessment(team=team, period=period)
    snapshot = assessments.snapshot_latest(assessment=assessment)
    earlier = assessments.previous_assessment(assessment=assessment)
    previous = assessments.snapshot_latest(assessment=earlier) if earlier else None
    before = (
        {row.dimension: row.level for row in previous.dimension_scores.all()}
        if previous
        else {}
    )
    dimensions = Dimension.objects.filter(rubric=snapshot.rubric)
    names, positions = {}, {}
    for key, name, position in dimensions.values_list("key", "name", "position"):
        names[key], positions[key] = name, position
    rows = sorted(
        ScoreDimension.objects.filter(snapshot=snapshot),
        key=lambda row: (positions.get(row.dimension, 99), row.dimension),
    )
    keys = list(snapshot.payload.get("conflicts", []))
    statements = dict(
        Criterion.objects.filter(
            dimension__rubric=snapshot.rubric, key__in=keys
        ).values_list("key", "statement")
    )
    roadmap = roadmaps.roadmap_of(team=team)
    return TeamAssessmentContent(
        team=assessment.team,
        assessment=assessment,
        snapshot=snapshot,
        previous=previous,
        dimensions=[
            DimensionRow(
                name=names.get(row.dimension, row.dimension),
                core=row.core,
                level=row.level,
                score=row.score,
                target=row.target,
                conflicts=row.conflicts,
                level_change=(
                    row.level - before[row.dimension]
                    if row.dimension in before
                    else None
                ),
            )
            for row in rows
        ],
        conflicts=[(key, statements.get(key, "")) for key in keys],
        history=dashboards.team_history_frame(team=team),
        roadmap_items=[
            item
            for item in (roadmap.items.all() if roadmap else [])
            if item.in_plan and item.is_open
        ],
    )
