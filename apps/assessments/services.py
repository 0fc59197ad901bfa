"""Writes of assessments: create, answer, submit, review, reopen. Each one is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.assessments import selectors
from apps.assessments.claims import answer_error
from apps.assessments.evaluation import score_payload
from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    NotApplicableReason,
    Resolution,
    ScoreDimension,
    ScoreSnapshot,
)
from apps.assessments.scoring import ENGINE_VERSION, AssessmentScore
from apps.assessments.selectors import question_rule
from apps.audit.services import record_event
from apps.core.events import announce_team_evidence_changed
from apps.core.exceptions import ApplicationError
from apps.core.uploads import content_type_for, sha256_of, upload_problem
from apps.rubrics.models import Question, Rubric

Status = Assessment.Status


@dataclass(frozen=True)
class AnswerInput:
    question: int
    value: Any = None
    na_reason: str = ""
    notes: str = ""


def _audit(
    assessment: Assessment, actor: User | None, action: str, **data: Any
) -> None:
    record_event(
        organization=assessment.team.organization,
        actor=actor,
        action=f"assessment.{action}",
        target=assessment,
        data={"team": assessment.team_id, "period": assessment.period, **data},
    )


def _lock(assessment: Assessment, *expected: str) -> Assessment:
    """Re-read the assessment under a row lock and check its status."""
    # of=("self",): lock the assessment only, not the team, organisation and rubric
    # rows joined for reading, which every other assessment of the rubric shares.
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("team__organization", "rubric")
        .get(pk=assessment.pk)
    )
    if locked.status not in expected:
        allowed = " or ".join(expected)
        raise ApplicationError(
            f"The assessment is {locked.get_status_display().lower()}; this needs it {allowed}.",
            code="invalid_status",
        )
    return locked


@transaction.atomic
def assessment_create(
    *, team: Team, period: str, rubric: Rubric, created_by: User
) -> Assessment:
    if rubric.status != Rubric.Status.PUBLISHED:
        raise ApplicationError(
            "Assessments use published rubrics only.",
            fields={"rubric": ["Not published."]},
        )
    already = ApplicationError(
        f"{team} already has an assessment for {period}.",
        fields={"period": ["Already assessed."]},
    )
    if Assessment.objects.filter(team=team, period=period).exists():
        raise already
    assessment = Assessment(
        team=team, period=period, rubric=rubric, created_by=created_by
    )
    try:
        assessment.full_clean()
    except ValidationError as exc:
        if Assessment.objects.filter(team=team, period=period).exists():
            raise already from exc  # created concurrently since the check above
        raise
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError as exc:
        # A concurrent request created it after the check above (a double click).
        raise already from exc
    _audit(assessment, created_by, "created", rubric=f"{rubric.slug} {rubric.version}")
    return assessment


def _answer_errors(question: Question | None, item: AnswerInput) -> dict[str, str]:
    """Problems of one answer, by field name."""
    if question is None:
        return {"question": "Not a question of this assessment's rubric."}
    errors = {}
    if item.na_reason and item.na_reason not in NotApplicableReason.values:
        errors["na_reason"] = "Pick one of the listed reasons."
    problem = answer_error(question_rule(question), item.value)
    if problem:
        errors["value"] = problem
    if item.na_reason and item.value is not None:
        errors["value"] = "An N/A answer has no value."
    return errors


def _validate_answers(
    rubric: Rubric, items: Sequence[AnswerInput], *, prefix: str = "answers"
) -> dict[int, Question]:
    """The items' questions by id; raise naming `answers[i].field` if any is not valid.

    With prefix="" the fields are named bare (`value`), for a single answer.
    """
    questions = {
        q.pk: q
        for q in Question.objects.filter(
            rubric=rubric, pk__in=[i.question for i in items]
        ).prefetch_related("options")
    }
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, item in enumerate(items):
        problems = _answer_errors(questions.get(item.question), item)
        if item.question in seen:
            # A second row would break the one-answer-per-respondent constraint.
            problems["question"] = "Answered twice in this request."
        seen.add(item.question)
        for name, message in problems.items():
            errors[f"{prefix}[{index}].{name}" if prefix else name] = [message]
    if errors:
        raise ApplicationError(
            "Some answers are not valid; nothing was saved.", fields=errors
        )
    return questions


@transaction.atomic
def answers_save(
    *, assessment: Assessment, respondent: User, items: Sequence[AnswerInput]
) -> list[Answer]:
    """Upsert the respondent's answers, all or none. Unchanged answers write nothing."""
    assessment = _lock(assessment, Status.DRAFT)
    questions = _validate_answers(assessment.rubric, items)
    existing = {
        a.question_id: a
        for a in Answer.objects.filter(
            assessment=assessment, respondent=respondent, question_id__in=questions
        )
    }
    saved, changed = [], []
    for item in items:
        answer = existing.get(item.question) or Answer(
            assessment=assessment, question_id=item.question, respondent=respondent
        )
        new = (item.value, item.na_reason, item.notes)
        if answer.pk and (answer.value, answer.na_reason, answer.notes) == new:
            saved.append(answer)
            continue
        answer.value, answer.na_reason, answer.notes = new
        answer.save()
        saved.append(answer)
        changed.append(questions[item.question].key)
    if changed:
        _audit(assessment, respondent, "answers_saved", questions=sorted(changed))
    return saved


def score_dimension_rows(
    snapshot: ScoreSnapshot, score: AssessmentScore
) -> list[ScoreDimension]:
    """A snapshot's per-dimension rows, from the score it stores (unsaved): the
    services and seed_scale write them alike."""
    return [
        ScoreDimension(
            snapshot=snapshot,
            dimension=d.id,
            level=d.level,
            progress=d.progress,
            score=d.score,
            target=d.target,
            weight=d.weight,
            core=d.core,
            conflicts=d.conflicts,
        )
        for d in score.dimensions
    ]


def _snapshot(
    assessment: Assessment,
    kind: str,
    actor: User | None,
    evaluation: selectors.Evaluation | None = None,
) -> ScoreSnapshot:
    evaluation = evaluation or selectors.evaluate(assessment=assessment)
    score = evaluation.score
    payload = score_payload(score, evaluation.inputs)
    payload["disagreements"] = selectors.disagreeing_questions(evaluation.facts.answers)
    # Where each signal was looked for at scoring time: a conflict's evidence.
    payload["signal_sources"] = dict(evaluation.facts.signal_sources)
    announce_team_evidence_changed(assessment.team_id)
    snapshot = ScoreSnapshot.objects.create(
        assessment=assessment,
        kind=kind,
        rubric=assessment.rubric,
        engine_version=ENGINE_VERSION,
        floor=score.floor,
        index=score.index,
        confidence=score.confidence,
        target_gap=score.target_gap,
        payload=payload,
        created_by=actor,
    )
    ScoreDimension.objects.bulk_create(score_dimension_rows(snapshot, score))
    return snapshot


def _scores_data(snapshot: ScoreSnapshot) -> dict[str, Any]:
    return {
        "snapshot": snapshot.pk,
        "floor": snapshot.floor,
        "index": round(snapshot.index, 4),
        "confidence": round(snapshot.confidence, 4),
    }


@transaction.atomic
def assessment_submit(*, assessment: Assessment, submitted_by: User) -> ScoreSnapshot:
    """Hand the answers in: the assessment stops changing and gets its first scores."""
    assessment = _lock(assessment, Status.DRAFT)
    if not Answer.objects.filter(assessment=assessment).exists():
        raise ApplicationError(
            "Answer at least one question before submitting.", code="empty"
        )
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = submitted_by
    assessment.save(
        update_fields=["status", "submitted_at", "submitted_by", "updated_at"]
    )
    snapshot = _snapshot(assessment, ScoreSnapshot.Kind.SUBMITTED, submitted_by)
    _audit(assessment, submitted_by, "submitted", **_scores_data(snapshot))
    return snapshot


def _respondent_ids(assessment: Assessment) -> set[int]:
    return set(
        Answer.objects.filter(assessment=assessment).values_list(
            "respondent_id", flat=True
        )
    )


@transaction.atomic
def review_start(*, assessment: Assessment, reviewer: User) -> Assessment:
    """An assessor takes the review. Nobody reviews answers they gave themselves."""
    assessment = _lock(assessment, Status.SUBMITTED)
    if (
        reviewer.pk in _respondent_ids(assessment)
        or reviewer.pk == assessment.submitted_by_id
    ):
        raise ApplicationError(
            "You answered or submitted this assessment, so someone else must review it.",
            code="separation_of_duties",
        )
    assessment.status = Status.IN_REVIEW
    assessment.reviewer = reviewer
    assessment.save(update_fields=["status", "reviewer", "updated_at"])
    _audit(assessment, reviewer, "review_started")
    return assessment


def _lock_for_reviewer(assessment: Assessment, reviewer: User) -> Assessment:
    assessment = _lock(assessment, Status.IN_REVIEW)
    if assessment.reviewer_id != reviewer.pk:
        raise ApplicationError(
            "Only the assessor who started the review can act on it.",
            code="not_reviewer",
        )
    return assessment


@transaction.atomic
def evidence_review(
    *, evidence: Evidence, reviewer: User, verified: bool, comment: str = ""
) -> Evidence:
    """Verify evidence (its criteria get full credit) or reject it with a comment."""
    assessment = _lock_for_reviewer(evidence.assessment, reviewer)
    if not verified and not comment.strip():
        raise ApplicationError(
            "Say why the evidence is rejected.",
            fields={"comment": ["Required when rejecting."]},
        )
    evidence.status = Evidence.Status.VERIFIED if verified else Evidence.Status.REJECTED
    evidence.reviewed_by, evidence.reviewed_at = reviewer, timezone.now()
    evidence.review_comment = comment.strip()
    evidence.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "updated_at",
        ]
    )
    action = "evidence_verified" if verified else "evidence_rejected"
    _audit(
        assessment,
        reviewer,
        action,
        evidence=evidence.pk,
        question=evidence.question_id,
        comment=evidence.review_comment,
    )
    return evidence


@transaction.atomic
def disagreement_resolve(
    *,
    assessment: Assessment,
    question: Question,
    reviewer: User,
    value: Any,
    na_reason: str,
    justification: str,
) -> Resolution:
    """Rule which answer counts where respondents disagree."""
    assessment = _lock_for_reviewer(assessment, reviewer)
    if not justification.strip():
        raise ApplicationError(
            "Justify the ruling.", fields={"justification": ["Required."]}
        )
    _validate_answers(
        assessment.rubric, [AnswerInput(question.pk, value, na_reason)], prefix=""
    )
    answers = selectors.team_evidence(assessment=assessment).answers
    if question.pk not in selectors.disagreeing_questions(answers):
        raise ApplicationError(
            "The respondents agree on this question; there is nothing to rule on.",
            code="no_disagreement",
            fields={"question": ["No disagreement."]},
        )
    ruling, _ = Resolution.objects.update_or_create(
        assessment=assessment,
        question=question,
        kind=Resolution.Kind.DISAGREEMENT,
        defaults={
            "outcome": Resolution.Outcome.VALUE_CHOSEN,
            "chosen_value": value,
            "chosen_na_reason": na_reason,
            "justification": justification.strip(),
            "resolved_by": reviewer,
        },
    )
    _audit(
        assessment,
        reviewer,
        "disagreement_resolved",
        question=question.key,
        value=value,
        na_reason=na_reason,
        justification=justification.strip(),
    )
    return ruling


@transaction.atomic
def review_complete(*, assessment: Assessment, reviewer: User) -> ScoreSnapshot:
    """Lock the assessment and store its reviewed scores.

    Conflicts are shown to the assessor and never resolved silently: every open
    disagreement and every answer a signal contradicts needs a ruling first.
    """
    assessment = _lock_for_reviewer(assessment, reviewer)
    evaluation = selectors.evaluate(assessment=assessment)
    disagreements = evaluation.open_disagreements
    conflicts = list(evaluation.score.conflicts)
    if disagreements or conflicts:
        keys = dict(
            Question.objects.filter(pk__in=disagreements).values_list("pk", "key")
        )
        raise ApplicationError(
            "Rule on every disagreement and conflict before completing the review.",
            code="open_rulings",
            fields={
                "disagreements": [keys[q] for q in disagreements],
                "conflicts": conflicts,
            },
        )
    assessment.status = Status.REVIEWED
    assessment.reviewed_at = timezone.now()
    assessment.save(update_fields=["status", "reviewed_at", "updated_at"])
    snapshot = _snapshot(assessment, ScoreSnapshot.Kind.REVIEWED, reviewer, evaluation)
    _audit(assessment, reviewer, "reviewed", **_scores_data(snapshot))
    return snapshot


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, reopened_by: User) -> Assessment:
    """Start the next revision from a reviewed assessment, which stays as it was."""
    previous = _lock(assessment, Status.REVIEWED)
    if hasattr(previous, "next_revision"):
        raise ApplicationError(
            "This revision was already reopened.", code="already_reopened"
        )
    revision = Assessment.objects.create(
        team=previous.team,
        rubric=previous.rubric,
        period=previous.period,
        revision=previous.revision + 1,
        previous_revision=previous,
        created_by=reopened_by,
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=revision,
            question_id=a.question_id,
            respondent_id=a.respondent_id,
            value=a.value,
            na_reason=a.na_reason,
            notes=a.notes,
        )
        for a in previous.answers.all()
    )
    Evidence.objects.bulk_create(
        Evidence(
            assessment=revision,
            **{
                f.name: getattr(e, f.name)
                for f in Evidence._meta.concrete_fields
                if f.name not in ("id", "assessment", "created_at", "updated_at")
            },
        )
        for e in previous.evidence.all()
    )
    _audit(
        revision,
        reopened_by,
        "reopened",
        previous=previous.pk,
        revision=revision.revision,
    )
    return revision


@transaction.atomic
def snapshot_recompute(
    *, assessment: Assessment, requested_by: User | None
) -> ScoreSnapshot:
    """Score a submitted or reviewed assessment again (e.g. after new signals): a new row."""
    assessment = _lock(assessment, Status.SUBMITTED, Status.IN_REVIEW, Status.REVIEWED)
    snapshot = _snapshot(assessment, ScoreSnapshot.Kind.RECOMPUTED, requested_by)
    _audit(assessment, requested_by, "rescored", **_scores_data(snapshot))
    return snapshot


@transaction.atomic
def evidence_add(
    *,
    assessment: Assessment,
    question: Question,
    added_by: User,
    url: str = "",
    upload=None,
    option_value: str = "",
    description: str = "",
) -> Evidence:
    """Attach a link or a file (allowlisted type, ≤ 10 MB, stored with its SHA-256)."""
    assessment = _lock(assessment, Status.DRAFT)
    if question.rubric_id != assessment.rubric_id:
        raise ApplicationError(
            "Not a question of this assessment.",
            fields={"question": ["Unknown question."]},
        )
    if bool(url) == (upload is not None):
        raise ApplicationError(
            "Give either a link or a file.",
            fields={"url": ["A link or a file, not both."]},
        )
    if option_value and not question.options.filter(value=option_value).exists():
        raise ApplicationError(
            "Unknown option.",
            fields={"option_value": ["Not an option of the question."]},
        )
    evidence = Evidence(
        assessment=assessment,
        question=question,
        option_value=option_value,
        url=url,
        description=description,
        added_by=added_by,
    )
    if upload is not None:
        problem = upload_problem(upload)
        if problem:
            raise ApplicationError(problem, fields={"file": [problem]})
        evidence.sha256 = sha256_of(upload)
        evidence.size = upload.size
        evidence.file_name = PurePath(upload.name).name[:200]
        evidence.content_type = content_type_for(upload.name)
    # Validate before the file is written, so a refused row leaves no file behind.
    evidence.full_clean(exclude=["file"])
    if upload is not None:
        evidence.file.save(
            f"{evidence.sha256}{PurePath(upload.name).suffix.lower()}",
            upload,
            save=False,
        )
    evidence.save()
    _audit(
        assessment,
        added_by,
        "evidence_added",
        evidence=evidence.pk,
        question=question.key,
        url=url,
        file=evidence.file_name,
        sha256=evidence.sha256,
    )
    return evidence


@transaction.atomic
def signal_conflict_resolve(
    *,
    assessment: Assessment,
    criterion,
    reviewer: User,
    claim_upheld: bool,
    justification: str,
) -> Resolution:
    """Rule on an answer a signal contradicts: uphold the team's claim or the signal."""
    assessment = _lock_for_reviewer(assessment, reviewer)
    if not justification.strip():
        raise ApplicationError(
            "Justify the ruling.", fields={"justification": ["Required."]}
        )
    if criterion.rubric_id != assessment.rubric_id:
        raise ApplicationError(
            "Not a criterion of this assessment.",
            fields={"criterion": ["Unknown criterion."]},
        )
    contested = (
        criterion.key in selectors.evaluate(assessment=assessment).score.conflicts
    )
    ruled = assessment.resolutions.filter(criterion=criterion).exists()
    if not (contested or ruled):
        raise ApplicationError(
            "No signal contradicts this answer; there is nothing to rule on.",
            code="no_conflict",
            fields={"criterion": ["No conflict."]},
        )
    outcome = (
        Resolution.Outcome.CLAIM_UPHELD
        if claim_upheld
        else Resolution.Outcome.SIGNAL_UPHELD
    )
    ruling, _ = Resolution.objects.update_or_create(
        assessment=assessment,
        criterion=criterion,
        kind=Resolution.Kind.SIGNAL,
        defaults={
            "outcome": outcome,
            "justification": justification.strip(),
            "resolved_by": reviewer,
        },
    )
    _audit(
        assessment,
        reviewer,
        "conflict_resolved",
        criterion=criterion.key,
        outcome=str(outcome),
        justification=justification.strip(),
    )
    return ruling
