"""Reads of roadmaps: a team's plan, what it is built from, and the organisation's gaps."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet

from apps.accounts.models import Team, User
from apps.accounts.selectors import visible_team_ids
from apps.assessments.models import Assessment
from apps.assessments.scoring import Claim
from apps.assessments.selectors import Evaluation, evaluate
from apps.roadmaps import engine
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.rubrics.models import Criterion

# The assessments a plan is built from: handed in, so their answers no longer move.
PLANNABLE = (
    Assessment.Status.SUBMITTED,
    Assessment.Status.IN_REVIEW,
    Assessment.Status.REVIEWED,
)


def visible_teams(*, user: User) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=visible_team_ids(user=user))


def team_get(*, fetched_by: User, team_id: int) -> Team | None:
    return visible_teams(user=fetched_by).filter(pk=team_id).first()


def teams_by_slug(*, slug: str, organization_slug: str | None = None) -> list[Team]:
    """At most two teams with the slug (one per organisation): enough to tell a
    unique answer from an ambiguous one."""
    teams = Team.objects.filter(slug=slug).select_related("organization")
    if organization_slug:
        teams = teams.filter(organization__slug=organization_slug)
    return list(teams.order_by("pk")[:2])


def plannable_assessment(*, team: Team) -> Assessment | None:
    """The team's latest handed-in assessment: the one a roadmap plans from."""
    return (
        Assessment.objects.filter(team=team, status__in=PLANNABLE)
        .select_related("team", "rubric")
        .order_by("-period", "-revision", "-pk")
        .first()
    )


@dataclass(frozen=True)
class PlanBasis:
    """What a generation plans from: the assessment scored with today's signals."""

    assessment: Assessment
    evaluation: Evaluation
    criteria: dict[str, Criterion]
    plan_input: engine.PlanInput
    signals_as_of: str | None = None
    signal_states: dict[str, str] = field(default_factory=dict)


def plan_basis(*, assessment: Assessment) -> PlanBasis:
    """Score the assessment now (its answers, reviews and the team's current signals)
    and turn the score into the engine's input."""
    evaluation = evaluate(assessment=assessment)
    criteria = {
        c.key: c
        for c in Criterion.objects.filter(rubric=assessment.rubric).select_related(
            "dimension"
        )
    }
    targets = {d.id: d.target for d in evaluation.context.model.dimensions}
    dimensions = tuple(
        engine.DimensionState(
            key=d.id, level=d.level, target=targets[d.id], weight=d.weight, core=d.core
        )
        for d in evaluation.score.dimensions
    )
    states = []
    for dimension in evaluation.score.dimensions:
        for credit in dimension.credits:
            criterion = criteria[credit.criterion]
            given = evaluation.inputs.get(credit.criterion)
            states.append(
                engine.CriterionState(
                    key=credit.criterion,
                    dimension=dimension.id,
                    level=credit.level,
                    effort=criterion.effort,
                    requires=tuple(criterion.requires),
                    credit=credit.credit,
                    claimed=given is not None and given.claim == Claim.MET,
                    evidenced=credit.evidenced,
                    conflict=credit.conflict,
                )
            )
    observed = [
        source["observed_at"]
        for sources in evaluation.facts.signal_sources.values()
        for source in sources
        if source.get("observed_at")
    ]
    return PlanBasis(
        assessment=assessment,
        evaluation=evaluation,
        criteria=criteria,
        plan_input=engine.PlanInput(dimensions=dimensions, criteria=tuple(states)),
        signals_as_of=max(observed) if observed else None,
        signal_states={k: str(v) for k, v in sorted(evaluation.facts.signals.items())},
    )


def _items() -> QuerySet[RoadmapItem]:
    return RoadmapItem.objects.select_related("criterion", "owner").order_by(
        "rank", "pk"
    )


def roadmap_of(*, team: Team) -> Roadmap | None:
    """The team's roadmap with its items (criterion and owner loaded): 2 queries."""
    return (
        Roadmap.objects.filter(team=team)
        .select_related("team", "assessment", "generated_by", "rubric")
        .prefetch_related(Prefetch("items", queryset=_items()))
        .first()
    )


def item_get(*, fetched_by: User, item_id: int) -> RoadmapItem | None:
    return (
        RoadmapItem.objects.filter(
            pk=item_id, roadmap__team__in=visible_team_ids(user=fetched_by)
        )
        .select_related("roadmap__team", "criterion", "owner")
        .first()
    )


@dataclass(frozen=True)
class CommonGap:
    criterion: str
    statement: str
    dimension: str
    level: int
    teams: list[str]


@dataclass(frozen=True)
class SharedBlocker:
    """A prerequisite that holds back items of several teams."""

    criterion: str
    statement: str
    dimension: str
    level: int
    teams: list[str]
    items_blocked: int


@dataclass(frozen=True)
class OrgGaps:
    teams_with_roadmap: int
    common_now: list[CommonGap]
    shared_blockers: list[SharedBlocker]


def org_gaps(*, fetched_by: User, limit: int = 10) -> OrgGaps:
    """Across the visible teams' roadmaps: the criteria most often in Now, and the
    prerequisites that block the most teams (2 queries, whatever the team count)."""
    items = list(
        RoadmapItem.objects.filter(
            roadmap__team__in=visible_team_ids(user=fetched_by),
            in_plan=True,
            status__in=(RoadmapItem.Status.PLANNED, RoadmapItem.Status.IN_PROGRESS),
        )
        .select_related("criterion__dimension", "roadmap__team")
        .only(
            "criterion_key",
            "phase",
            "requires",
            "roadmap__team__name",
            "criterion__statement",
            "criterion__level",
            "criterion__dimension__name",
        )
    )
    open_by_key = {item.criterion_key: item.criterion for item in items}
    now_teams: dict[str, set[str]] = defaultdict(set)
    blocked_teams: dict[str, set[str]] = defaultdict(set)
    blocked_items: Counter[str] = Counter()
    for item in items:
        team = item.roadmap.team.name
        if item.phase == RoadmapItem.Phase.NOW:
            now_teams[item.criterion_key].add(team)
        for prereq in item.requires:
            blocked_teams[prereq].add(team)
            blocked_items[prereq] += 1
    teams = Roadmap.objects.filter(team__in=visible_team_ids(user=fetched_by)).count()

    def ranked(counts: dict[str, set[str]]) -> list[str]:
        return sorted(counts, key=lambda key: (-len(counts[key]), key))[:limit]

    return OrgGaps(
        teams_with_roadmap=teams,
        common_now=[
            CommonGap(
                key,
                open_by_key[key].statement,
                open_by_key[key].dimension.name,
                open_by_key[key].level,
                sorted(now_teams[key]),
            )
            for key in ranked(now_teams)
        ],
        shared_blockers=[
            SharedBlocker(
                key,
                open_by_key[key].statement,
                open_by_key[key].dimension.name,
                open_by_key[key].level,
                sorted(blocked_teams[key]),
                blocked_items[key],
            )
            for key in ranked(
                {k: v for k, v in blocked_teams.items() if k in open_by_key}
            )
        ],
    )


# --- Pages ----------------------------------------------------------------------------


def rubric_criteria(*, roadmap: Roadmap) -> dict[str, Criterion]:
    """The criteria of the roadmap's rubric by key, with their dimension: the words
    for the keys its items name, prerequisites beyond a target included (1 query)."""
    criteria = (
        Criterion.objects.filter(rubric_id=roadmap.rubric_id)
        .select_related("dimension")
        .only("key", "statement", "level", "dimension__key", "dimension__name")
    )
    return {criterion.key: criterion for criterion in criteria}


def roadmap_summaries(*, fetched_by: User) -> QuerySet[Team]:
    """The visible teams by name, each with its roadmap's counts (1 query, whatever
    the team count): `generated_at` and `revision` (None without a roadmap),
    `now_open`, `open_in_plan` and `closed_by_evidence`."""
    item, status = "roadmap__items__", RoadmapItem.Status
    open_ = Q(**{f"{item}status__in": (status.PLANNED, status.IN_PROGRESS)})
    in_plan = Q(**{f"{item}in_plan": True})
    return (
        visible_teams(user=fetched_by)
        .annotate(
            generated_at=F("roadmap__generated_at"),
            revision=F("roadmap__revision"),
            now_open=Count(
                "roadmap__items",
                filter=open_ & in_plan & Q(**{f"{item}phase": RoadmapItem.Phase.NOW}),
            ),
            open_in_plan=Count("roadmap__items", filter=open_ & in_plan),
            closed_by_evidence=Count(
                "roadmap__items",
                filter=Q(
                    **{
                        f"{item}status": status.DONE,
                        f"{item}closed_by": RoadmapItem.ClosedBy.EVIDENCE,
                    }
                ),
            ),
        )
        .order_by("name", "pk")
    )
