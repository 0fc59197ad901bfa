"""A team's answers to every criterion of its rubric with what backs them, and the
review's decisions, for the team assessment report. Each kind of row (criteria,
answers, evidence, rulings) is read once for the whole assessment; what the
repositories showed comes from the score snapshot, which kept it at scoring time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apps.accounts.models import User
from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Resolution,
    ScoreDimension,
    ScoreSnapshot,
)
from apps.assessments.templatetags.assessment_tags import answer_text
from apps.rubrics.evidence import SIGNAL_LABELS, evidence_in_words, signal_key
from apps.rubrics.models import Criterion, Question

CREDIT_WORDS = {None: "N/A", 0.0: "none", 0.5: "half", 1.0: "full"}
CLAIM_WORDS = {
    "met": "met",
    "not_met": "not met",
    "not_applicable": "not applicable",
    "unanswered": "unanswered",
}
# What a signal's state (scoring.SignalState) says about the team's answer.
SIGNAL_WORDS = {
    "fresh": "holds, observed within the freshness window",
    "stale": "held, but not observed recently",
    "absent": "looked for and not found",
    "unknown": "no evidence either way",
}
RULING_WORDS = {
    "claim_upheld": "the reviewer upheld the team's answer",
    "signal_upheld": "the reviewer upheld the signal",
}


@dataclass(frozen=True)
class Observation:
    """What one repository showed of a signal when the assessment was scored."""

    repo: str
    commit: str
    observed_at: str  # the day, as stored in the snapshot (ISO)
    holds: bool


@dataclass(frozen=True)
class CriterionAnswer:
    """One criterion of the rubric with the team's answer and what backs it."""

    key: str
    level: int
    statement: str
    question: str
    needs: str  # the evidence that gives full credit, in words
    answers: list[str]  # "Yes (alice)", one per respondent
    notes: list[str]
    disagreement: bool
    ruling: str  # the assessor's choice where respondents disagree
    evidence: list[str]  # links and files attached to the question, with reviews
    claim: str
    credit: str
    signal: str  # the signal key, or ""
    signal_state: str
    observations: list[Observation]
    conflict: bool  # claimed, contradicted by the signal, no ruling
    signal_ruling: str


@dataclass(frozen=True)
class DimensionAnswers:
    name: str
    level: int | None
    target: int | None
    criteria: list[CriterionAnswer]


@dataclass(frozen=True)
class Decision:
    """One step of the review, who took it and what they wrote."""

    at: datetime
    by: str
    decision: str
    about: str = ""
    comment: str = ""


# --- Answers and evidence -------------------------------------------------------------


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else "–"


def _by_question(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.question_id].append(row)
    return grouped


def _in_words(question: Question, value: Any, na_reason: str) -> str:
    words = answer_text(Answer(value=value, na_reason=na_reason), question)
    if question.unit and question.type == Question.Type.NUMBER and value is not None:
        words = f"{words} {question.unit}"
    return words


def _evidence_line(item: Evidence) -> str:
    what = item.url or f"{item.file_name} (sha256 {item.sha256[:12]}…)"
    line = f"{what}: {item.description}" if item.description else what
    if item.option_value:
        line = f"[{item.option_value}] {line}"
    review = item.get_status_display().lower()
    if item.reviewed_by_id:
        review += f" by {_name(item.reviewed_by)} on {item.reviewed_at:%Y-%m-%d}"
    if item.review_comment:
        review += f": {item.review_comment}"
    return f"{line} ({review})"


def _observations(sources: Iterable[dict]) -> list[Observation]:
    return [
        Observation(
            repo=source.get("repo", ""),
            commit=(source.get("commit") or "")[:12],
            observed_at=(source.get("observed_at") or "")[:10],
            holds=bool(source.get("value")),
        )
        for source in sources
    ]


@dataclass(frozen=True)
class AssessmentRows:
    """An assessment's rows, each kind read once, and its snapshot's payload."""

    answers: dict[int, list[Answer]]  # by question
    evidence: list[Evidence]
    rulings: list[Resolution]
    payload: dict[str, Any]

    @classmethod
    def of(cls, assessment: Assessment, snapshot: ScoreSnapshot) -> AssessmentRows:
        """3 queries."""
        return cls(
            answers=_by_question(
                Answer.objects.filter(assessment=assessment)
                .select_related("respondent")
                .order_by("respondent__username", "pk")
            ),
            evidence=list(
                Evidence.objects.filter(assessment=assessment)
                .select_related("question", "reviewed_by")
                .order_by("created_at", "pk")
            ),
            rulings=list(
                Resolution.objects.filter(assessment=assessment)
                .select_related("question", "criterion", "resolved_by")
                .order_by("updated_at", "pk")
            ),
            payload=snapshot.payload,
        )


@dataclass(frozen=True)
class _CriterionFacts:
    """What bears on the criteria, indexed the way each criterion looks it up."""

    answers: dict[int, list[Answer]]  # by question
    evidence: dict[int, list[Evidence]]  # by question
    ruled_questions: dict[int, Resolution]  # disagreements, by question
    ruled_criteria: dict[int, Resolution]  # signal conflicts, by criterion
    credits: dict[str, dict[str, Any]]  # the snapshot's credit, by criterion key
    sources: dict[str, list[dict]]  # by signal key
    disagreeing: set[int]  # questions

    @classmethod
    def of(cls, rows: AssessmentRows) -> _CriterionFacts:
        kinds = Resolution.Kind
        return cls(
            answers=rows.answers,
            evidence=_by_question(rows.evidence),
            ruled_questions={
                r.question_id: r for r in rows.rulings if r.kind == kinds.DISAGREEMENT
            },
            ruled_criteria={
                r.criterion_id: r for r in rows.rulings if r.kind == kinds.SIGNAL
            },
            credits={
                credit["criterion"]: credit
                for dimension in rows.payload.get("dimensions", [])
                for credit in dimension.get("credits", [])
            },
            sources=rows.payload.get("signal_sources", {}),
            disagreeing=set(rows.payload.get("disagreements", [])),
        )


def criteria_answers(
    rows: AssessmentRows, rubric_id: int, scored: dict[str, ScoreDimension]
) -> list[DimensionAnswers]:
    """Every criterion of the rubric by dimension and level (2 queries)."""
    criteria = (
        Criterion.objects.filter(rubric_id=rubric_id)
        .select_related("dimension", "question")
        .prefetch_related("question__options")
        .order_by("dimension__position", "level", "position")
    )
    indexed = _CriterionFacts.of(rows)
    grouped: dict[str, DimensionAnswers] = {}
    for criterion in criteria:
        dimension = criterion.dimension
        if dimension.key not in grouped:
            score = scored.get(dimension.key)
            grouped[dimension.key] = DimensionAnswers(
                name=dimension.name,
                level=score.level if score else None,
                target=score.target if score else None,
                criteria=[],
            )
        grouped[dimension.key].criteria.append(_criterion_answer(criterion, indexed))
    return list(grouped.values())


def _criterion_answer(criterion: Criterion, facts: _CriterionFacts) -> CriterionAnswer:
    question = criterion.question
    given = facts.answers.get(question.pk, [])
    credit = facts.credits.get(criterion.key, {})
    signal = signal_key(criterion.evidence) or ""
    return CriterionAnswer(
        key=criterion.key,
        level=criterion.level,
        statement=criterion.statement,
        question=question.text,
        needs=evidence_in_words(criterion.evidence, criterion.level),
        answers=[
            f"{_in_words(question, a.value, a.na_reason)} ({_name(a.respondent)})"
            for a in given
        ],
        notes=[f"{_name(a.respondent)}: {a.notes}" for a in given if a.notes],
        disagreement=question.pk in facts.disagreeing,
        ruling=_disagreement_ruling(question, facts.ruled_questions.get(question.pk)),
        evidence=[_evidence_line(e) for e in facts.evidence.get(question.pk, [])],
        claim=CLAIM_WORDS.get(credit.get("claim", ""), "–"),
        credit=CREDIT_WORDS.get(credit.get("credit"), "–") if credit else "–",
        signal=signal,
        signal_state=_signal_state(
            signal, credit.get("signal", "unknown"), signal in facts.sources
        ),
        observations=_observations(facts.sources.get(signal, ())) if signal else [],
        conflict=bool(credit.get("conflict")),
        signal_ruling=_signal_ruling(facts.ruled_criteria.get(criterion.pk)),
    )


def _signal_state(signal: str, state: str, reported: bool) -> str:
    if not signal:
        return ""
    words = SIGNAL_WORDS.get(state, state)
    if not reported:
        words = "no linked repository reported it at scoring time"
    return f"{SIGNAL_LABELS.get(signal, signal)}: {words}"


def _disagreement_ruling(question: Question, ruling: Resolution | None) -> str:
    if ruling is None:
        return ""
    chosen = _in_words(question, ruling.chosen_value, ruling.chosen_na_reason)
    return f"{chosen}, ruled by {_name(ruling.resolved_by)}: {ruling.justification}"


def _signal_ruling(ruling: Resolution | None) -> str:
    if ruling is None or ruling.outcome not in RULING_WORDS:
        return ""
    return (
        f"{RULING_WORDS[ruling.outcome]} "
        f"({_name(ruling.resolved_by)}: {ruling.justification})"
    )


# --- Reviewer decisions -----------------------------------------------------------------


def review_decisions(assessment: Assessment, rows: AssessmentRows) -> list[Decision]:
    """The review's steps in the order they were taken (no query): the revision this
    one reopened, the hand-in, each evidence review and ruling, the completion."""
    steps: list[Decision] = []
    earlier = assessment.previous_revision
    if earlier is not None and earlier.reviewed_at:
        steps += [
            Decision(
                earlier.reviewed_at,
                _name(earlier.reviewer),
                f"Review of revision {earlier.revision} completed",
            ),
            Decision(
                assessment.created_at,
                _name(assessment.created_by),
                f"Reopened as revision {assessment.revision}",
            ),
        ]
    if assessment.submitted_at:
        steps.append(
            Decision(
                assessment.submitted_at,
                _name(assessment.submitted_by),
                "Submitted for review",
            )
        )
    steps += _evidence_reviews(rows.evidence)
    steps += _rulings(rows.rulings)
    if assessment.reviewed_at:
        steps.append(
            Decision(
                assessment.reviewed_at,
                _name(assessment.reviewer),
                "Review completed: scores locked",
            )
        )
    return sorted(steps, key=lambda step: step.at)


def _evidence_reviews(evidence: list[Evidence]) -> list[Decision]:
    return [
        Decision(
            item.reviewed_at,
            _name(item.reviewed_by),
            f"Evidence {item.get_status_display().lower()}",
            f"{item.question.key}: {item.url or item.file_name}",
            item.review_comment,
        )
        for item in evidence
        if item.reviewed_at
    ]


def _rulings(rulings: list[Resolution]) -> list[Decision]:
    return [
        Decision(
            ruling.updated_at,
            _name(ruling.resolved_by),
            f"{ruling.get_kind_display()}: {ruling.get_outcome_display().lower()}",
            ruling.criterion.key if ruling.criterion else ruling.question.key,
            ruling.justification,
        )
        for ruling in rulings
    ]
