"""Roadmap generation: pure functions over scores, the prerequisite graph and targets.

DESIGN.md §7 and research/rubric-anchors.md §8.6. No ORM here: the service hands in
plain values and stores what comes out.

1. Candidates: per dimension, the criteria at levels above its current level L, up to
   its target T (no target: the next level only), whose credit is below the level's
   threshold τ. A claim at level 3–4 without evidence is a cheap "prove it" item; a
   claim a signal contradicts is a "resolve" item.
2. Prerequisites: a criterion needs what it `requires` (across dimensions) and, since
   levels are gated, the unmet criteria of the level just below in its dimension.
   Unmet prerequisites within their dimension's target join the plan; one beyond its
   target blocks the item instead (the plan never goes past a target).
3. Priority = weight × urgency × (1 + items it unblocks) / effort, with
   urgency = 2 when the item raises the floor (a core dimension at the floor, next
   level), × 1.5 when the dimension is below its target. The factors are kept.
4. Phases: Now holds up to five ready items (every prerequisite met), highest first;
   Next the rest of the ready items and those only Now items block; Later the rest.
   Within each phase the order is topological, ties broken by priority then key, so
   no item comes before one of its prerequisites and the output is deterministic.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

ENGINE_VERSION = "1.0.0"
THRESHOLDS = {1: 0.5, 2: 0.5, 3: 1.0, 4: 1.0}
EFFORT_WEIGHTS = {"S": 1, "M": 2, "L": 4}
PROVE_EFFORT = "S"  # connecting evidence to a practice that exists is cheap
NOW_MAX = 5
FLOOR_URGENCY = 2.0
BELOW_TARGET_URGENCY = 1.5


class Phase(StrEnum):
    NOW = "now"
    NEXT = "next"
    LATER = "later"


class Kind(StrEnum):
    BUILD = "build"  # the practice is missing: put it in place
    PROVE = "prove"  # claimed at level 3–4, not evidenced: connect the evidence
    RESOLVE = "resolve"  # claimed, but a signal says otherwise


@dataclass(frozen=True)
class CriterionState:
    """One criterion of the rubric, with what the team's latest score says of it."""

    key: str
    dimension: str
    level: int
    effort: str  # S / M / L
    requires: tuple[str, ...] = ()
    credit: float | None = 0.0  # None: not applicable
    claimed: bool = False
    evidenced: bool = False
    conflict: bool = False

    @property
    def met(self) -> bool:
        return self.credit is None or self.credit >= THRESHOLDS[self.level]


@dataclass(frozen=True)
class DimensionState:
    key: str
    level: int
    target: int | None
    weight: float = 1.0
    core: bool = True

    @property
    def horizon(self) -> int:
        """The highest level the plan may reach: the target, else the next level."""
        return self.target if self.target is not None else min(self.level + 1, 4)


@dataclass(frozen=True)
class PlanInput:
    dimensions: tuple[DimensionState, ...]
    criteria: tuple[CriterionState, ...]

    @property
    def floor(self) -> int:
        core = [d.level for d in self.dimensions if d.core]
        return min(core) if core else 0


@dataclass(frozen=True)
class Factors:
    weight: float
    urgency: float
    raises_floor: bool
    below_target: bool
    unblocks: int
    effort: int

    @property
    def priority(self) -> float:
        return round(self.weight * self.urgency * (1 + self.unblocks) / self.effort, 4)


@dataclass(frozen=True)
class PlannedItem:
    criterion: str
    dimension: str
    level: int
    kind: Kind
    phase: Phase
    rank: int  # 1 = first in the plan
    factors: Factors
    requires: tuple[str, ...]  # its unmet prerequisites in the plan
    unblocks: tuple[str, ...]  # plan items waiting on it directly
    blocked_by_target: tuple[str, ...] = ()  # prerequisites beyond their target
    pulled_in: bool = False  # only a prerequisite of another item

    @property
    def priority(self) -> float:
        return self.factors.priority

    @property
    def ready(self) -> bool:
        return not self.requires and not self.blocked_by_target


@dataclass(frozen=True)
class Plan:
    items: tuple[PlannedItem, ...]
    floor: int
    engine_version: str = ENGINE_VERSION
    # Dimensions with no target: planned one level ahead only.
    untargeted: tuple[str, ...] = field(default=())

    def phase(self, phase: Phase) -> list[PlannedItem]:
        return [item for item in self.items if item.phase == phase]


def generate(given: PlanInput) -> Plan:
    """The team's plan: candidates, prerequisites, priorities, phases, order."""
    criteria = {c.key: c for c in given.criteria}
    dimensions = {d.key: d for d in given.dimensions}
    within = _within_targets(given.criteria, dimensions)
    needs = _prerequisites(given.criteria, criteria, within)
    chosen = _candidates(given.criteria, dimensions, within)
    pulled = _pull_in(chosen, needs, within)
    members = set(chosen) | pulled
    edges = {key: sorted(needs[key] & members) for key in members}
    beyond = {
        key: tuple(
            sorted(r for r in criteria[key].requires if _beyond(r, criteria, within))
        )
        for key in members
    }
    dependents: dict[str, list[str]] = defaultdict(list)
    for key, prereqs in edges.items():
        for prereq in prereqs:
            dependents[prereq].append(key)
    floor = given.floor
    factors = {
        key: _factors(
            criteria[key],
            dimensions[criteria[key].dimension],
            floor,
            len(dependents[key]),
        )
        for key in members
    }
    phases = _phases(members, edges, beyond, factors)
    order = _ordered(members, edges, factors, phases)
    items = tuple(
        PlannedItem(
            criterion=key,
            dimension=criteria[key].dimension,
            level=criteria[key].level,
            kind=_kind(criteria[key]),
            phase=phases[key],
            rank=rank,
            factors=factors[key],
            requires=tuple(edges[key]),
            unblocks=tuple(sorted(dependents[key])),
            blocked_by_target=beyond[key],
            pulled_in=key in pulled,
        )
        for rank, key in enumerate(order, start=1)
    )
    untargeted = tuple(sorted(d.key for d in given.dimensions if d.target is None))
    return Plan(items=items, floor=floor, untargeted=untargeted)


def _within_targets(
    criteria: Iterable[CriterionState], dimensions: Mapping[str, DimensionState]
) -> set[str]:
    """Criteria the plan may include: up to their dimension's horizon."""
    return {
        c.key
        for c in criteria
        if c.dimension in dimensions and c.level <= dimensions[c.dimension].horizon
    }


def _beyond(key: str, criteria: Mapping[str, CriterionState], within: set[str]) -> bool:
    """A prerequisite that is unmet and lies past its dimension's target."""
    prereq = criteria.get(key)
    return prereq is not None and not prereq.met and key not in within


def _prerequisites(
    criteria: Sequence[CriterionState],
    by_key: Mapping[str, CriterionState],
    within: set[str],
) -> dict[str, set[str]]:
    """Each criterion's unmet prerequisites that the plan may hold: what it requires,
    and (levels being gated) the unmet criteria one level down in its dimension."""
    by_level: dict[tuple[str, int], list[str]] = defaultdict(list)
    for c in criteria:
        if not c.met:
            by_level[(c.dimension, c.level)].append(c.key)
    needs: dict[str, set[str]] = {}
    for c in criteria:
        explicit = {
            r for r in c.requires if r in by_key and not by_key[r].met and r in within
        }
        gated = set(by_level.get((c.dimension, c.level - 1), ()))
        needs[c.key] = (explicit | gated) - {c.key}
    return needs


def _candidates(
    criteria: Iterable[CriterionState],
    dimensions: Mapping[str, DimensionState],
    within: set[str],
) -> list[str]:
    return [
        c.key
        for c in criteria
        if c.key in within and not c.met and c.level > dimensions[c.dimension].level
    ]


def _pull_in(
    chosen: Iterable[str], needs: Mapping[str, set[str]], within: set[str]
) -> set[str]:
    """Unmet prerequisites of the candidates, transitively, that are not candidates."""
    chosen = set(chosen)
    pulled: set[str] = set()
    stack = [p for key in chosen for p in needs[key]]
    while stack:
        key = stack.pop()
        if key in chosen or key in pulled or key not in within:
            continue
        pulled.add(key)
        stack.extend(needs[key])
    return pulled


def _kind(criterion: CriterionState) -> Kind:
    if criterion.conflict:
        return Kind.RESOLVE
    if criterion.claimed and criterion.level >= 3 and not criterion.evidenced:
        return Kind.PROVE
    return Kind.BUILD


def _factors(
    criterion: CriterionState, dimension: DimensionState, floor: int, unblocks: int
) -> Factors:
    raises_floor = (
        dimension.core
        and dimension.level == floor
        and criterion.level == dimension.level + 1
    )
    below_target = dimension.target is not None and dimension.level < dimension.target
    urgency = (FLOOR_URGENCY if raises_floor else 1.0) * (
        BELOW_TARGET_URGENCY if below_target else 1.0
    )
    effort = PROVE_EFFORT if _kind(criterion) == Kind.PROVE else criterion.effort
    return Factors(
        weight=dimension.weight,
        urgency=urgency,
        raises_floor=raises_floor,
        below_target=below_target,
        unblocks=unblocks,
        effort=EFFORT_WEIGHTS[effort],
    )


def _rank_key(key: str, factors: Mapping[str, Factors]) -> tuple[float, str]:
    return (-factors[key].priority, key)


def _phases(
    members: set[str],
    edges: Mapping[str, list[str]],
    beyond: Mapping[str, tuple[str, ...]],
    factors: Mapping[str, Factors],
) -> dict[str, Phase]:
    ready = sorted(
        (k for k in members if not edges[k] and not beyond[k]),
        key=lambda k: _rank_key(k, factors),
    )
    now = set(ready[:NOW_MAX])
    phases = {}
    for key in members:
        if key in now:
            phases[key] = Phase.NOW
        elif not beyond[key] and set(edges[key]) <= now:
            phases[key] = Phase.NEXT  # ready, or waiting only on Now
        else:
            phases[key] = Phase.LATER
    return phases


def _ordered(
    members: set[str],
    edges: Mapping[str, list[str]],
    factors: Mapping[str, Factors],
    phases: Mapping[str, Phase],
) -> list[str]:
    """Kahn's algorithm, always taking the earliest phase, then the highest priority,
    then the key: a prerequisite always comes first (a phase never waits on a later
    one), and equal inputs give equal orders."""
    position = {Phase.NOW: 0, Phase.NEXT: 1, Phase.LATER: 2}
    waiting = {key: len(edges[key]) for key in members}
    dependents: dict[str, list[str]] = defaultdict(list)
    for key in members:
        for prereq in edges[key]:
            dependents[prereq].append(key)

    def entry(key: str) -> tuple[int, float, str]:
        return (position[phases[key]], *_rank_key(key, factors))

    heap = [entry(key) for key in members if waiting[key] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        *_, key = heapq.heappop(heap)
        order.append(key)
        for dependent in dependents[key]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(heap, entry(dependent))
    if len(order) != len(members):  # the rubric's validation refuses cycles
        raise ValueError("prerequisite cycle among roadmap items")
    return order
