"""The scoring engine: pure functions over a rubric and a team's answers (no ORM).

DESIGN.md §3, per dimension d:

- credit(c) = 1.0 if met and evidenced (a fresh signal or a reviewer-verified artifact);
  0.5 if claimed without evidence, or evidenced by a stale signal; 0 if not met, or claimed
  but contradicted by a signal (a conflict, until a reviewer resolves it).
- τ(level) = 0.5 for levels 1–2, 1.0 for levels 3–4: automation has to be proven.
- L(d) = the highest ℓ such that every applicable criterion at every level ≤ ℓ meets τ;
  N/A criteria drop out and an empty level counts as met.
- p(d) = mean credit of the criteria at L(d)+1; S(d) = L(d) + p(d), in [0, 4].
- floor F = min L over core dimensions; index M = Σ w·S / Σ w; confidence K = share of
  credit backed by evidence; gap = max(0, target − L).

Signals enter through `CriterionInput.signal`, so the repository scanners plug in without
changing anything here.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

ENGINE_VERSION = "1.0.0"
MAX_LEVEL = 4
THRESHOLDS = {1: 0.5, 2: 0.5, 3: 1.0, 4: 1.0}


class Claim(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"


class ArtifactReview(StrEnum):
    NONE = "none"
    VERIFIED = "verified"
    REJECTED = "rejected"


class SignalState(StrEnum):
    UNKNOWN = "unknown"  # no signal for this criterion, or none collected yet
    FRESH = "fresh"  # the signal holds and was observed within the freshness window
    STALE = "stale"  # the signal held, but not recently
    ABSENT = "absent"  # the signal was looked for and is not there


class Resolution(StrEnum):
    NONE = "none"
    CLAIM_UPHELD = "claim_upheld"  # a reviewer sided with the team against the signal
    SIGNAL_UPHELD = "signal_upheld"  # a reviewer sided with the signal


@dataclass(frozen=True, slots=True)
class CriterionRule:
    id: str
    level: int


@dataclass(frozen=True, slots=True)
class DimensionRule:
    id: str
    criteria: tuple[CriterionRule, ...]
    weight: float = 1.0
    core: bool = True
    target: int | None = None


@dataclass(frozen=True, slots=True)
class RubricModel:
    """What scoring needs of a rubric version plus the organisation's settings."""

    dimensions: tuple[DimensionRule, ...]


@dataclass(frozen=True, slots=True)
class CriterionInput:
    claim: Claim = Claim.UNANSWERED
    artifact: ArtifactReview = ArtifactReview.NONE
    signal: SignalState = SignalState.UNKNOWN
    resolution: Resolution = Resolution.NONE


UNANSWERED = CriterionInput()


@dataclass(frozen=True, slots=True)
class Credit:
    criterion: str
    level: int
    credit: float | None  # None: not applicable
    evidenced: bool = False
    conflict: bool = False  # claimed, contradicted by a signal, not yet resolved


@dataclass(frozen=True, slots=True)
class DimensionScore:
    id: str
    level: int
    progress: float
    score: float
    weight: float
    core: bool
    target: int | None
    gap: int | None
    credits: tuple[Credit, ...]


@dataclass(frozen=True, slots=True)
class AssessmentScore:
    dimensions: tuple[DimensionScore, ...]
    floor: int
    index: float
    confidence: float
    target_gap: float
    conflicts: tuple[str, ...]
    engine_version: str = ENGINE_VERSION

    def dimension(self, dimension_id: str) -> DimensionScore:
        return next(d for d in self.dimensions if d.id == dimension_id)


def criterion_credit(rule: CriterionRule, given: CriterionInput) -> Credit:
    """The credit one criterion earns from its answer, evidence and signal."""
    if given.claim == Claim.NOT_APPLICABLE:
        return Credit(rule.id, rule.level, None)
    if given.claim != Claim.MET:
        return Credit(rule.id, rule.level, 0.0)
    if (
        given.signal == SignalState.ABSENT
        and given.resolution != Resolution.CLAIM_UPHELD
    ):
        open_conflict = given.resolution != Resolution.SIGNAL_UPHELD
        return Credit(rule.id, rule.level, 0.0, conflict=open_conflict)
    if given.artifact == ArtifactReview.VERIFIED or given.signal == SignalState.FRESH:
        return Credit(rule.id, rule.level, 1.0, evidenced=True)
    return Credit(rule.id, rule.level, 0.5)


def _gated_level(credits: Iterable[Credit]) -> int:
    lowest_failing = MAX_LEVEL + 1
    for c in credits:
        if c.credit is not None and c.credit < THRESHOLDS[c.level]:
            lowest_failing = min(lowest_failing, c.level)
    return lowest_failing - 1


def _progress(credits: tuple[Credit, ...], level: int) -> float:
    if level >= MAX_LEVEL:
        return 0.0
    above = [c.credit for c in credits if c.level == level + 1 and c.credit is not None]
    return sum(above) / len(above) if above else 0.0


def score_dimension(
    rule: DimensionRule, inputs: Mapping[str, CriterionInput]
) -> DimensionScore:
    credits = tuple(
        criterion_credit(c, inputs.get(c.id, UNANSWERED))
        for c in sorted(rule.criteria, key=lambda c: (c.level, c.id))
    )
    level = _gated_level(credits)
    progress = _progress(credits, level)
    gap = None if rule.target is None else max(0, rule.target - level)
    return DimensionScore(
        id=rule.id,
        level=level,
        progress=progress,
        score=level + progress,
        weight=rule.weight,
        core=rule.core,
        target=rule.target,
        gap=gap,
        credits=credits,
    )


def _confidence(dimensions: tuple[DimensionScore, ...]) -> float:
    earned = evidenced = 0.0
    for dimension in dimensions:
        for c in dimension.credits:
            if c.credit:
                earned += c.credit
                evidenced += c.credit if c.evidenced else 0.0
    return evidenced / earned if earned else 0.0


def score_assessment(
    rubric: RubricModel, inputs: Mapping[str, CriterionInput]
) -> AssessmentScore:
    """Score every dimension, then the floor, index, confidence and target gap."""
    dimensions = tuple(
        score_dimension(d, inputs)
        for d in sorted(rubric.dimensions, key=lambda d: d.id)
    )
    core = [d.level for d in dimensions if d.core] or [d.level for d in dimensions]
    total_weight = sum(d.weight for d in dimensions)
    index = (
        sum(d.weight * d.score for d in dimensions) / total_weight
        if total_weight
        else 0.0
    )
    return AssessmentScore(
        dimensions=dimensions,
        floor=min(core, default=0),
        index=index,
        confidence=_confidence(dimensions),
        target_gap=sum(d.weight * (d.gap or 0) for d in dimensions),
        conflicts=tuple(
            c.criterion for d in dimensions for c in d.credits if c.conflict
        ),
    )


@dataclass(frozen=True, slots=True)
class Rollup:
    """Teams' latest scores summarised: what an organisation or business unit looks like."""

    teams: int
    median_index: float | None
    min_floor: int | None
    level_distribution: dict[str, dict[int, int]] = field(default_factory=dict)


def rollup(scores: Iterable[AssessmentScore]) -> Rollup:
    scores = list(scores)
    distribution: dict[str, dict[int, int]] = {}
    for score in scores:
        for d in score.dimensions:
            counts = distribution.setdefault(
                d.id, dict.fromkeys(range(MAX_LEVEL + 1), 0)
            )
            counts[d.level] += 1
    return Rollup(
        teams=len(scores),
        median_index=statistics.median(s.index for s in scores) if scores else None,
        min_floor=min((s.floor for s in scores), default=None),
        level_distribution=distribution,
    )
