"""Quarterly assessments: answers, evidence, rulings and score snapshots."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from apps.accounts.models import Role
from apps.assessments.claims import GivenAnswer
from apps.assessments.evaluation import (
    TeamEvidence,
    criterion_inputs,
    disagreements,
    score_payload,
)
from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Resolution,
    ScoreSnapshot,
)
from apps.assessments.scoring import (
    ENGINE_VERSION,
    ArtifactReview,
    AssessmentScore,
    CriterionInput,
    RubricModel,
    score_assessment,
)
from apps.assessments.scoring import Resolution as Ruling
from apps.assessments.services import score_dimension_rows
from apps.dashboards.scale.people import _Profile, _profile
from apps.dashboards.scale.repos import _maturity, _signal_view
from apps.dashboards.scale.roadmaps import _roadmaps
from apps.dashboards.scale.world import (
    ASSESSMENTS_PER_ROUND,
    _chunks,
    _quarter_end,
    _Question,
    _World,
)

NA_SHARE, NA_REASON, NA_NOTE = 0.04, "business_priority", "Not pursued this year."
EVIDENCE_SHARE, VERIFIED_SHARE, UPHELD_SHARE = 0.3, 0.85, 0.3
REJECTED_LINK = "The link shows a plan, not a running job."
SIGNAL_WON = "The repository shows no such practice."
CLAIM_WON = "The team showed it runs outside the repository."


@dataclass
class _Quarter:
    """One team's assessment for one quarter, scored, before it is stored."""

    index: int
    q: int
    assessment: Assessment
    answers: dict[int, tuple[Any, str]]  # question → (value, N/A reason)
    evidence: dict[int, str]  # question → Evidence.Status
    rulings: dict[str, str]  # criterion key → outcome
    facts: TeamEvidence
    inputs: dict[str, CriterionInput]
    score: AssessmentScore | None
    signals_as_of: datetime | None


def _assessments(world: _World) -> None:
    """Every team's quarterly assessments, their rows and snapshots; then a roadmap
    from each team's latest one."""
    bar = world.progress("assessments", world.options.teams)
    size = max(1, ASSESSMENTS_PER_ROUND // len(world.periods))
    for chunk in _chunks(world.options.teams, size):
        quarters = []
        for index in chunk:
            profile = _profile(world, index)
            model = world.model_for(profile.targets)
            quarters += [
                _quarter(world, index, profile, model, q)
                for q in range(len(world.periods))
            ]
        world.writer.create([quarter.assessment for quarter in quarters])
        for quarter in quarters:
            _assessment_rows(world, quarter)
        _snapshots(world, quarters)
        _roadmaps(world, [q for q in quarters if q.q == len(world.periods) - 1])
        world.writer.flush()
        bar.update(len(chunk))
    bar.close()


def _quarter(
    world: _World, index: int, profile: _Profile, model: RubricModel, q: int
) -> _Quarter:
    rng = world.rng(index, q)
    maturity = _maturity(profile, q, rng)
    view = _signal_view(world, index, profile, maturity, q)
    answers = _answers(world.questions, maturity, rng)
    assessment = _assessment(world, index, q, rng)
    reviewed = assessment.status == Assessment.Status.REVIEWED
    evidence = _evidence_picks(world, answers, reviewed, rng)
    facts = TeamEvidence(
        answers={pk: [GivenAnswer(v, na)] for pk, (v, na) in answers.items()},
        artifacts=_artifacts(evidence),
        signals=view.states,
        running_signals=view.running,
        signal_sources=view.sources,
    )
    quarter = _Quarter(
        index, q, assessment, answers, evidence, {}, facts, {}, None, view.observed_at
    )
    _score(world, model, quarter, rng)
    return quarter


def _score(
    world: _World, model: RubricModel, quarter: _Quarter, rng: random.Random
) -> None:
    """Score with the real engine. A review completes only once every conflict is
    ruled on, so a reviewed one is ruled on and scored again (the signal mostly
    wins, as in the demo)."""
    quarter.inputs = criterion_inputs(world.context, quarter.facts)
    quarter.score = score_assessment(model, quarter.inputs)
    reviewed = quarter.assessment.status == Assessment.Status.REVIEWED
    if not (reviewed and quarter.score.conflicts):
        return
    quarter.rulings = {
        key: Ruling.CLAIM_UPHELD
        if rng.random() < UPHELD_SHARE
        else Ruling.SIGNAL_UPHELD
        for key in quarter.score.conflicts
    }
    quarter.facts = replace(
        quarter.facts, signal_rulings={k: Ruling(v) for k, v in quarter.rulings.items()}
    )
    quarter.inputs = criterion_inputs(world.context, quarter.facts)
    quarter.score = score_assessment(model, quarter.inputs)


def _answer(question: _Question, maturity: float, rng: random.Random) -> Any:
    """What a team at `maturity` answers (the demo's rule, on plain values)."""
    if question.type == "yes_no":
        return question.first_level <= maturity + rng.uniform(-0.3, 0.5)
    if question.type == "single_choice":
        bar = maturity + rng.uniform(-0.4, 0.4)
        reachable = [value for value, level in question.options if level <= bar]
        return (reachable or [question.options[0][0]])[-1]
    if question.type == "multi_select":
        return [value for value, _ in question.options if rng.random() < maturity / 4.5]
    if question.type == "number":
        low, high = question.low or 0, question.high or 100
        if "day" in question.unit:
            value = 45 - 10 * maturity + rng.uniform(-3, 3)
        else:
            value = low + maturity / 4 * (high - low) + rng.uniform(-8, 8)
        return round(max(low, min(high, value)))
    return "Named in the team charter" if maturity >= 1 else ""


def _answers(
    questions: list[_Question], maturity: dict[str, float], rng: random.Random
) -> dict[int, tuple[Any, str]]:
    answers: dict[int, tuple[Any, str]] = {}
    for question in questions:
        if rng.random() < NA_SHARE:
            answers[question.pk] = (None, NA_REASON)
            continue
        value = _answer(question, maturity[question.dimension], rng)
        if value not in ("", None):
            answers[question.pk] = (value, "")
    return answers


def _assessment(world: _World, index: int, q: int, rng: random.Random) -> Assessment:
    """Submitted near the quarter's end; reviewed weeks later, except most of the
    latest quarter's, which still wait for an assessor."""
    latest = q == len(world.periods) - 1
    submitted = min(
        _quarter_end(world.periods[q]) - timedelta(days=rng.uniform(0, 20)),
        world.now - timedelta(hours=1),
    )
    reviewed = rng.random() < (0.45 if latest else 0.95)
    lead, assessors = world.leads[index], world.people[Role.ASSESSOR]
    review_delay = min(
        timedelta(days=rng.uniform(2, 25)), (world.now - submitted) * 0.9
    )
    return Assessment(
        team=world.teams[index],
        rubric=world.rubric,
        period=world.periods[q],
        status=Assessment.Status.REVIEWED if reviewed else Assessment.Status.SUBMITTED,
        created_by_id=lead,
        submitted_at=submitted,
        submitted_by_id=lead,
        reviewer_id=assessors[index % len(assessors)] if reviewed else None,
        reviewed_at=submitted + review_delay if reviewed else None,
    )


def _evidence_picks(
    world: _World, answers: dict, reviewed: bool, rng: random.Random
) -> dict[int, str]:
    """Links for some of the level 3–4 practices the team claims; a review verifies
    most of them."""
    picks = {}
    for pk in world.provable:
        value = answers.get(pk, (None, ""))[0]
        if value in (None, False, "", []) or rng.random() >= EVIDENCE_SHARE:
            continue
        if not reviewed:
            picks[pk] = Evidence.Status.SUBMITTED
        elif rng.random() < VERIFIED_SHARE:
            picks[pk] = Evidence.Status.VERIFIED
        else:
            picks[pk] = Evidence.Status.REJECTED
    return picks


def _artifacts(evidence: dict[int, str]) -> dict[int, ArtifactReview]:
    reviews = {
        Evidence.Status.VERIFIED: ArtifactReview.VERIFIED,
        Evidence.Status.REJECTED: ArtifactReview.REJECTED,
    }
    return {pk: reviews[s] for pk, s in evidence.items() if s in reviews}


def _assessment_rows(world: _World, quarter: _Quarter) -> None:
    """Its answers (the team lead's), evidence links and conflict rulings."""
    assessment, add = quarter.assessment, world.writer.add
    lead, reviewer = assessment.created_by_id, assessment.reviewer_id
    for pk, (value, na_reason) in quarter.answers.items():
        add(
            Answer(
                assessment=assessment,
                question_id=pk,
                respondent_id=lead,
                value=value,
                na_reason=na_reason,
                notes=NA_NOTE if na_reason else "",
            )
        )
    for pk, status in quarter.evidence.items():
        add(_evidence(assessment, world.question_keys[pk], pk, status))
    for key, outcome in quarter.rulings.items():
        signal_won = outcome == Ruling.SIGNAL_UPHELD
        add(
            Resolution(
                assessment=assessment,
                criterion_id=world.criteria[key].pk,
                kind=Resolution.Kind.SIGNAL,
                outcome=outcome,
                justification=SIGNAL_WON if signal_won else CLAIM_WON,
                resolved_by_id=reviewer,
            )
        )


def _evidence(assessment: Assessment, key: str, pk: int, status: str) -> Evidence:
    rejected = status == Evidence.Status.REJECTED
    return Evidence(
        assessment=assessment,
        question_id=pk,
        url=f"https://git.example.com/{assessment.team.slug}/docs/{key}",
        description="Where this runs, with a recent run.",
        added_by_id=assessment.created_by_id,
        status=status,
        reviewed_by_id=assessment.reviewer_id,
        reviewed_at=assessment.reviewed_at,
        review_comment=REJECTED_LINK if rejected else "",
    )


def _snapshots(world: _World, quarters: list[_Quarter]) -> None:
    """One snapshot per assessment, shaped as the submit or review service stores
    it, and its per-dimension rows."""
    snapshots = world.writer.create([_snapshot(world, q) for q in quarters])
    for snapshot, quarter in zip(snapshots, quarters, strict=True):
        for row in score_dimension_rows(snapshot, quarter.score):
            world.writer.add(row)


def _snapshot(world: _World, quarter: _Quarter) -> ScoreSnapshot:
    score, assessment = quarter.score, quarter.assessment
    payload = score_payload(score, quarter.inputs)
    payload["disagreements"] = disagreements(quarter.facts.answers)
    payload["signal_sources"] = dict(quarter.facts.signal_sources)
    reviewed = assessment.status == Assessment.Status.REVIEWED
    return ScoreSnapshot(
        assessment=assessment,
        kind=ScoreSnapshot.Kind.REVIEWED if reviewed else ScoreSnapshot.Kind.SUBMITTED,
        rubric=world.rubric,
        engine_version=ENGINE_VERSION,
        floor=score.floor,
        index=score.index,
        confidence=score.confidence,
        target_gap=score.target_gap,
        payload=payload,
        created_by_id=assessment.reviewer_id if reviewed else assessment.created_by_id,
    )
