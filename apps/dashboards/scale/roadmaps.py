"""Each team's roadmap from its latest assessment, by the real planning engine."""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import TYPE_CHECKING

from apps.assessments.scoring import Claim
from apps.dashboards.scale.world import _next_quarter, _World
from apps.roadmaps import engine
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.roadmaps.services import plan_digest

if TYPE_CHECKING:  # assessments plans the roadmaps: an import cycle at run time
    from apps.dashboards.scale.assessments import _Quarter


def _plan_input(world: _World, quarter: _Quarter) -> engine.PlanInput:
    """The engine's input from a score, as apps.roadmaps.selectors.plan_basis builds it."""
    dimensions = quarter.score.dimensions
    return engine.PlanInput(
        dimensions=tuple(
            engine.DimensionState(d.id, d.level, d.target, d.weight, d.core)
            for d in dimensions
        ),
        criteria=tuple(
            engine.CriterionState(
                key=c.criterion,
                dimension=d.id,
                level=c.level,
                effort=world.criteria[c.criterion].effort,
                requires=world.criteria[c.criterion].requires,
                credit=c.credit,
                claimed=quarter.inputs[c.criterion].claim == Claim.MET,
                evidenced=c.evidenced,
                conflict=c.conflict,
            )
            for d in dimensions
            for c in d.credits
        ),
    )


def _roadmaps(world: _World, latest: list[_Quarter]) -> None:
    """Each team's roadmap, planned by the engine from its latest assessment."""
    planned = []
    for quarter in latest:
        given = _plan_input(world, quarter)
        planned.append((quarter, given, engine.generate(given)))
    roadmaps = world.writer.create(
        [
            Roadmap(
                team=quarter.assessment.team,
                rubric=world.rubric,
                assessment=quarter.assessment,
                signals_as_of=quarter.signals_as_of,
                signal_states={
                    k: str(v) for k, v in sorted(quarter.facts.signals.items())
                },
                floor=plan.floor,
                generated_at=world.now,
                engine_version=plan.engine_version,
                plan_digest=plan_digest(quarter.assessment, given, plan),
            )
            for quarter, given, plan in planned
        ]
    )
    for roadmap, (quarter, _, plan) in zip(roadmaps, planned, strict=True):
        rng = world.rng(quarter.index, "roadmap")
        for item in plan.items:
            world.writer.add(_item(world, roadmap, item, quarter, rng))


def _item(
    world: _World,
    roadmap: Roadmap,
    item: engine.PlannedItem,
    quarter: _Quarter,
    rng: random.Random,
) -> RoadmapItem:
    """A planned item; the team has started on some of its Now items."""
    started = item.phase == engine.Phase.NOW and rng.random() < 0.3
    return RoadmapItem(
        roadmap=roadmap,
        criterion_key=item.criterion,
        criterion_id=world.criteria[item.criterion].pk,
        dimension_key=item.dimension,
        target_level=item.level,
        kind=item.kind,
        phase=item.phase,
        rank=item.rank,
        priority=item.priority,
        factors=asdict(item.factors),
        requires=list(item.requires),
        unblocks=list(item.unblocks),
        blocked_by_target=list(item.blocked_by_target),
        pulled_in=item.pulled_in,
        status=RoadmapItem.Status.IN_PROGRESS
        if started
        else RoadmapItem.Status.PLANNED,
        owner_id=world.leads[quarter.index] if started else None,
        due_quarter=_next_quarter(quarter.assessment.period) if started else "",
    )
