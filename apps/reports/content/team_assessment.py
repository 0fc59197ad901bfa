"""What a team assessment report shows, read from the other apps' selectors. A report
reads as of its rendering: the audit trail records when that was.

Reading it costs a fixed number of queries whatever the size of the rubric, the
number of respondents or the evidence attached (assessment_answers reads each kind
of row once)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from apps.accounts.models import Team
from apps.assessments import selectors as assessments
from apps.assessments.models import Assessment, ScoreDimension, ScoreSnapshot
from apps.core.exceptions import ApplicationError
from apps.dashboards import selectors as dashboards
from apps.dashboards.selectors import Filters, Scope
from apps.reports.content.assessment_answers import (
    AssessmentRows,
    CriterionAnswer,
    Decision,
    DimensionAnswers,
    criteria_answers,
    review_decisions,
)
from apps.roadmaps import selectors as roadmaps
from apps.roadmaps.models import RoadmapItem
from apps.rubrics.models import Dimension


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
    history: pd.DataFrame  # index, floor and confidence per period
    radar: pd.DataFrame  # the team's dashboard radar: level, org median, target
    org_targets: pd.DataFrame  # the organisation's median level and target
    answers: list[DimensionAnswers] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
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

    @property
    def conflicts(self) -> list[CriterionAnswer]:
        """Criteria a signal contradicted at scoring, ruled on or not."""
        return [
            row
            for dimension in self.answers
            for row in dimension.criteria
            if row.conflict or row.signal_ruling
        ]


def scored_assessment(*, team: Team, period: str = "") -> Assessment:
    """The team's assessment of `period` (its latest revision), or its latest scored
    one; refused with a readable reason when there is none."""
    found = Assessment.objects.filter(team=team, snapshots__isnull=False)
    if period:
        found = found.filter(period=period)
    assessment = (
        found.select_related(
            "team__business_unit",
            "team__organization",
            "rubric",
            "created_by",
            "submitted_by",
            "reviewer",
            "previous_revision__reviewer",
        )
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
    """Everything the report prints, in 16 queries (17 when the team has a roadmap,
    14 without an earlier assessment) however large the rubric and the answers."""
    assessment = scored_assessment(team=team, period=period)
    snapshot = assessments.snapshot_get(assessment=assessment)
    earlier = assessments.previous_assessment(assessment=assessment)
    previous = assessments.snapshot_get(assessment=earlier) if earlier else None
    names = dict(
        Dimension.objects.filter(rubric_id=assessment.rubric_id)
        .order_by("position")
        .values_list("key", "name")
    )
    scores = list(ScoreDimension.objects.filter(snapshot=snapshot))
    # The organisation's teams assessed in the same quarter: the report is the
    # organisation's document, whoever requested it.
    maturity = dashboards.maturity_frame(
        scope=Scope.of_organization(assessment.team.organization_id),
        filters=Filters(period=assessment.period),
    )
    roadmap = roadmaps.roadmap_of(team=team)
    assessment_rows = AssessmentRows.of(assessment, snapshot)
    return TeamAssessmentContent(
        team=assessment.team,
        assessment=assessment,
        snapshot=snapshot,
        previous=previous,
        dimensions=_dimension_rows(scores, names, previous),
        history=dashboards.team_history_frame(team=team),
        radar=dashboards.team_radar_frame(team=team, maturity=maturity),
        org_targets=dashboards.median_vs_target_frame(maturity),
        answers=criteria_answers(
            assessment_rows, assessment.rubric_id, {s.dimension: s for s in scores}
        ),
        decisions=review_decisions(assessment, assessment_rows),
        roadmap_items=[
            item
            for item in (roadmap.items.all() if roadmap else [])
            if item.in_plan and item.is_open
        ],
    )


def _dimension_rows(
    scores: list[ScoreDimension],
    names: dict[str, str],
    previous: ScoreSnapshot | None,
) -> list[DimensionRow]:
    """The snapshot's dimensions in the rubric's order (`names` is), with the change
    in level since the previous assessment."""
    before = (
        {row.dimension: row.level for row in previous.dimension_scores.all()}
        if previous
        else {}
    )
    order = {key: position for position, key in enumerate(names)}
    rows = sorted(scores, key=lambda row: (order.get(row.dimension, 99), row.dimension))
    return [
        DimensionRow(
            name=names.get(row.dimension, row.dimension),
            core=row.core,
            level=row.level,
            score=row.score,
            target=row.target,
            conflicts=row.conflicts,
            level_change=(
                row.level - before[row.dimension] if row.dimension in before else None
            ),
        )
        for row in rows
    ]
