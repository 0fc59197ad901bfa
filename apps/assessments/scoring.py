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
from operator import attrgetter

ENGINE_VERSION = "1.0.0"
MAX_LEVEL = 4
THRESHOLDS = {1: 0.5, 2: 0.5, 3: 1.0, 4: 1.0}
_by_id = attrgetter("id")


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
    # The criteria in scoring order with their thresholds, built on first use (see
    # _plan_for). Not a real field: no init, never compared, hashed or printed.
    _plan: list | None = field(
        default=None, init=False, compare=False, hash=False, repr=False
    )


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

    @property
    def conflicts(self) -> int:
        """Its criteria claimed and contradicted by a signal, not yet resolved."""
        return sum(credit.conflict for credit in self.credits)


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


# What a criterion's input earns. criterion_credit and the dimension loop both decide
# through _outcome, so there is one rule; the loop reuses Credit objects per outcome.
_NA, _ZERO, _CONFLICT, _HALF, _FULL = range(5)
_OUTCOMES: tuple[tuple[float | None, bool, bool], ...] = (
    (None, False, False),  # not applicable: drops out
    (0.0, False, False),  # not met, or a signal upheld against the claim
    (0.0, False, True),  # claimed, a signal says absent, no ruling yet
    (0.5, False, False),  # claimed without evidence, or with a stale signal only
    (1.0, True, False),  # claimed and evidenced
)
# Module-level names: reading them is cheaper than Enum class attributes in a hot loop.
_MET, _NOT_APPLICABLE = Claim.MET, Claim.NOT_APPLICABLE
_VERIFIED = ArtifactReview.VERIFIED
_FRESH, _ABSENT = SignalState.FRESH, SignalState.ABSENT
_CLAIM_UPHELD, _SIGNAL_UPHELD = Resolution.CLAIM_UPHELD, Resolution.SIGNAL_UPHELD


def _outcome(given: CriterionInput) -> int:
    claim = given.claim
    if claim == _NOT_APPLICABLE:
        return _NA
    if claim != _MET:
        return _ZERO
    signal = given.signal
    if signal == _ABSENT:
        resolution = given.resolution
        if resolution == _SIGNAL_UPHELD:
            return _ZERO
        if resolution != _CLAIM_UPHELD:
            return _CONFLICT
    if given.artifact == _VERIFIED or signal == _FRESH:
        return _FULL
    return _HALF


def criterion_credit(rule: CriterionRule, given: CriterionInput) -> Credit:
    """The credit one criterion earns from its answer, evidence and signal."""
    return Credit(rule.id, rule.level, *_OUTCOMES[_outcome(given)])


def _plan_for(rule: DimensionRule) -> list:
    """[(criterion id, level, τ(level), one Credit per outcome, made on demand)], sorted.

    Built once per DimensionRule and kept on it, so scoring many assessments against one
    rubric sorts once and allocates a Credit per criterion and outcome, not per call.
    """
    plan = rule._plan
    if plan is None:
        plan = [
            (c.id, c.level, THRESHOLDS[c.level], [None] * len(_OUTCOMES))
            for c in sorted(rule.criteria, key=lambda c: (c.level, c.id))
        ]
        object.__setattr__(rule, "_plan", plan)
    return plan


def _score_dimension(
    rule: DimensionRule, inputs: Mapping[str, CriterionInput]
) -> tuple[DimensionScore, float, float]:
    """The dimension's score, its credit and its evidenced credit (for confidence)."""
    get = inputs.get
    credits = []
    sums = [0.0] * (MAX_LEVEL + 2)
    counts = [0] * (MAX_LEVEL + 2)
    lowest_failing = MAX_LEVEL + 1
    earned = evidenced = 0.0
    for key, level, threshold, made in _plan_for(rule):
        outcome = _outcome(get(key, UNANSWERED))
        credit = made[outcome]
        if credit is None:
            credit = made[outcome] = Credit(key, level, *_OUTCOMES[outcome])
        credits.append(credit)
        if outcome == _NA:
            continue
        value = credit.credit
        sums[level] += value
        counts[level] += 1
        earned += value
        if outcome == _FULL:
            evidenced += value
        if value < threshold and level < lowest_failing:
            lowest_failing = level
    level = lowest_failing - 1
    above = level + 1
    progress = (
        sums[above] / counts[above] if above <= MAX_LEVEL and counts[above] else 0.0
    )
    target = rule.target
    score = DimensionScore(
        id=rule.id,
        level=level,
        progress=progress,
        score=level + progress,
        weight=rule.weight,
        core=rule.core,
        target=target,
        gap=None if target is None else max(0, target - level),
        credits=tuple(credits),
    )
    return score, earned, evidenced


def score_dimension(
    rule: DimensionRule, inputs: Mapping[str, CriterionInput]
) -> DimensionScore:
    return _score_dimension(rule, inputs)[0]


def score_assessment(
    rubric: RubricModel, inputs: Mapping[str, CriterionInput]
) -> AssessmentScore:
    """Score every dimension, then the floor, index, confidence and target gap."""
    scored = [
        _score_dimension(d, inputs) for d in sorted(rubric.dimensions, key=_by_id)
    ]
    dimensions = tuple(d for d, _, _ in scored)
    earned = sum(e for _, e, _ in scored)
    evidenced = sum(v for _, _, v in scored)
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
        confidence=evidenced / earned if earned else 0.0,
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


@dataclass(frozen=True, slots=True)
class DimensionLevel:
    id: str
    level: int


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """What a roll-up needs of a stored score: its floor, index and levels."""

    floor: int
    index: float
    dimensions: tuple[DimensionLevel, ...]

    @classmethod
    def from_payload(cls, payload: dict) -> ScoreSummary:
        levels = tuple(
            DimensionLevel(d["id"], d["level"]) for d in payload["dimensions"]
        )
        return cls(payload["floor"], payload["index"], levels)


def rollup(scores: Iterable[AssessmentScore | ScoreSummary]) -> Rollup:
    """Median index, lowest floor and teams per level of each dimension."""
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
