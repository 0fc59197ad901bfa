"""Turning a team's answers, evidence, rulings and signals into scoring inputs (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from apps.assessments.claims import GivenAnswer, QuestionRule, claim_for, combined_claim
from apps.assessments.scoring import (
    UNANSWERED,
    ArtifactReview,
    AssessmentScore,
    CriterionInput,
    Resolution,
    RubricModel,
    SignalState,
)
from apps.rubrics.evidence import ATTEST, signal_key


@dataclass(frozen=True)
class CriterionFacts:
    key: str
    dimension: str
    level: int
    question_id: int
    evidence: str
    met_when: dict | None = None


@dataclass(frozen=True)
class ScoringContext:
    """A rubric version with the organisation's weights and the team's targets applied."""

    model: RubricModel
    criteria: tuple[CriterionFacts, ...]
    questions: Mapping[int, QuestionRule]


@dataclass(frozen=True)
class TeamEvidence:
    """Everything an assessment holds that bears on its criteria."""

    answers: Mapping[int, Sequence[GivenAnswer]] = field(default_factory=dict)
    rulings: Mapping[int, GivenAnswer] = field(default_factory=dict)  # per question
    artifacts: Mapping[int, ArtifactReview] = field(
        default_factory=dict
    )  # per question
    signals: Mapping[str, SignalState] = field(default_factory=dict)  # per signal key
    # Keys whose evidence is running (a recent successful run), not only declared or
    # wired: the only signals that evidence a level 3–4 criterion (DESIGN §4).
    running_signals: frozenset[str] = frozenset()
    signal_sources: Mapping[str, Sequence[Mapping[str, Any]]] = field(
        default_factory=dict
    )  # per signal key: what each repository showed
    signal_rulings: Mapping[str, Resolution] = field(
        default_factory=dict
    )  # per criterion


def _same_answer(value: Any) -> str:
    """A key equal for equal answers: selections in any order, 5 and 5.0."""
    if isinstance(value, list):
        return repr(sorted(repr(v) for v in value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(float(value))
    return repr(value)


def disagreements(answers: Mapping[int, Sequence[GivenAnswer]]) -> list[int]:
    """Questions whose respondents gave different answers (blank drafts don't count)."""
    return sorted(
        question_id
        for question_id, given in answers.items()
        if len(
            {
                (_same_answer(a.value), a.na_reason)
                for a in given
                if a.na_reason or a.value not in (None, "")
            }
        )
        > 1
    )


def _signal_for(level: int, key: str | None, facts: TeamEvidence) -> SignalState:
    if not key:
        return SignalState.UNKNOWN
    signal = facts.signals.get(key, SignalState.UNKNOWN)
    # At levels 3–4 a declared or wired signal is no evidence of the practice running;
    # it does not contradict a claim either.
    if level >= 3 and signal == SignalState.FRESH and key not in facts.running_signals:
        return SignalState.UNKNOWN
    return signal


def criterion_inputs(
    context: ScoringContext, facts: TeamEvidence
) -> dict[str, CriterionInput]:
    inputs = {}
    for criterion in context.criteria:
        rule = context.questions[criterion.question_id]
        ruling = facts.rulings.get(criterion.question_id)
        given = [ruling] if ruling else facts.answers.get(criterion.question_id, ())
        claim, _ = combined_claim(
            claim_for(rule, answer, level=criterion.level, met_when=criterion.met_when)
            for answer in given
        )
        key = signal_key(criterion.evidence)
        # An `attest` criterion can only be self-reported: evidence attached to its
        # question (for another criterion) does not lift it above half credit.
        artifact = (
            ArtifactReview.NONE
            if criterion.evidence == ATTEST
            else facts.artifacts.get(criterion.question_id, ArtifactReview.NONE)
        )
        inputs[criterion.key] = CriterionInput(
            claim=claim,
            artifact=artifact,
            signal=_signal_for(criterion.level, key, facts),
            resolution=facts.signal_rulings.get(criterion.key, Resolution.NONE),
        )
    return inputs


def score_payload(
    score: AssessmentScore, inputs: Mapping[str, CriterionInput]
) -> dict[str, Any]:
    """The snapshot's JSON: every number shown to users, and what each credit rests on."""
    payload = asdict(score)
    for dimension in payload["dimensions"]:
        for credit in dimension["credits"]:
            # The engine scores a criterion without input as unanswered: say so here too.
            given = inputs.get(credit["criterion"], UNANSWERED)
            credit |= {
                "claim": str(given.claim),
                "artifact": str(given.artifact),
                "signal": str(given.signal),
                "resolution": str(given.resolution),
            }
    return payload
