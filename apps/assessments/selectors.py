"""Reads of assessments: visibility, scoring context, questionnaires, snapshots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from apps.accounts.models import Team, User
from apps.accounts.selectors import visible_team_ids
from apps.assessments.claims import GivenAnswer, QuestionRule
from apps.assessments.evaluation import (
    CriterionFacts,
    ScoringContext,
    TeamEvidence,
    criterion_inputs,
    disagreements,
)
from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Resolution,
    ScoreSnapshot,
)
from apps.assessments.scoring import (
    ArtifactReview,
    AssessmentScore,
    CriterionInput,
    CriterionRule,
    DimensionRule,
    RubricModel,
    ScoreSummary,
    score_assessment,
)
from apps.assessments.scoring import Resolution as SignalRuling
from apps.assessments.signals import signal_states
from apps.core.exceptions import ApplicationError
from apps.rubrics.models import (
    Criterion,
    Dimension,
    DimensionSetting,
    Question,
    Rubric,
    TeamTarget,
)


def _latest_snapshot(field: str) -> Subquery:
    return Subquery(
        ScoreSnapshot.objects.filter(assessment=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values(field)[:1]
    )


def assessment_list(
    *,
    fetched_by: User,
    team: int | None = None,
    period: str | None = None,
    status: str | None = None,
) -> QuerySet[Assessment]:
    """Assessments of the teams the user may read, with their latest scores annotated."""
    assessments = (
        Assessment.objects.filter(team__in=visible_team_ids(user=fetched_by))
        .select_related("team", "team__business_unit", "rubric")
        .annotate(
            latest_floor=_latest_snapshot("floor"),
            latest_index=_latest_snapshot("index"),
            latest_confidence=_latest_snapshot("confidence"),
        )
        .order_by("-period", "team__name", "-revision")
    )
    if team is not None:
        assessments = assessments.filter(team_id=team)
    if period:
        assessments = assessments.filter(period=period)
    if status:
        assessments = assessments.filter(status=status)
    return assessments


def assessment_get(*, fetched_by: User, assessment_id: int) -> Assessment | None:
    return assessment_list(fetched_by=fetched_by).filter(pk=assessment_id).first()


def scoring_context(*, rubric: Rubric, team: Team) -> ScoringContext:
    """The rubric as the engine sees it, with org weights/core and team targets (4 queries)."""
    settings = {
        s.dimension_key: s
        for s in DimensionSetting.objects.filter(
            organization_id=team.organization_id, rubric_slug=rubric.slug
        )
    }
    targets = dict(
        TeamTarget.objects.filter(team=team, rubric_slug=rubric.slug).values_list(
            "dimension_key", "level"
        )
    )
    criteria = list(
        Criterion.objects.filter(rubric=rubric)
        .select_related("dimension")
        .only("key", "level", "evidence", "met_when", "question_id", "dimension__key")
    )
    questions = Question.objects.filter(rubric=rubric).prefetch_related("options")
    by_dimension: dict[str, list[CriterionRule]] = defaultdict(list)
    for c in criteria:
        by_dimension[c.dimension.key].append(CriterionRule(c.key, c.level))
    dimensions = []
    for d in Dimension.objects.filter(rubric=rubric).order_by("position"):
        override = settings.get(d.key)
        dimensions.append(
            DimensionRule(
                id=d.key,
                criteria=tuple(by_dimension[d.key]),
                weight=override.weight if override else d.weight,
                core=override.core if override else d.core,
                target=targets.get(d.key),
            )
        )
    return ScoringContext(
        model=RubricModel(tuple(dimensions)),
        criteria=tuple(
            CriterionFacts(
                c.key, c.dimension.key, c.level, c.question_id, c.evidence, c.met_when
            )
            for c in criteria
        ),
        questions={q.pk: question_rule(q) for q in questions},
    )


def question_rule(question: Question) -> QuestionRule:
    """What claims need of a question; its options must be prefetched."""
    options = {o.value: o.level for o in question.options.all()}
    return QuestionRule(question.type, options, question.min_value, question.max_value)


def _artifact_states(assessment: Assessment) -> dict[int, ArtifactReview]:
    states: dict[int, ArtifactReview] = {}
    for question_id, status in Evidence.objects.filter(
        assessment=assessment
    ).values_list("question_id", "status"):
        if status == Evidence.Status.VERIFIED:
            states[question_id] = ArtifactReview.VERIFIED
        elif status == Evidence.Status.REJECTED:
            states.setdefault(question_id, ArtifactReview.REJECTED)
    return states


def team_evidence(*, assessment: Assessment) -> TeamEvidence:
    """Answers, rulings, reviewed evidence and signals of an assessment (4 queries + signals)."""
    answers: dict[int, list[GivenAnswer]] = defaultdict(list)
    for question_id, value, na_reason in Answer.objects.filter(
        assessment=assessment
    ).values_list("question_id", "value", "na_reason"):
        answers[question_id].append(GivenAnswer(value, na_reason))
    rulings, signal_rulings = {}, {}
    for r in Resolution.objects.filter(assessment=assessment).select_related(
        "criterion"
    ):
        if r.kind == Resolution.Kind.DISAGREEMENT:
            rulings[r.question_id] = GivenAnswer(r.chosen_value, r.chosen_na_reason)
        else:
            signal_rulings[r.criterion.key] = SignalRuling(r.outcome)
    signals = signal_states(team=assessment.team)
    return TeamEvidence(
        answers=dict(answers),
        rulings=rulings,
        artifacts=_artifact_states(assessment),
        signals=signals.states,
        running_signals=signals.running,
        signal_sources=signals.sources,
        signal_rulings=signal_rulings,
    )


@dataclass(frozen=True)
class Evaluation:
    """An assessment scored now: its evidence, the engine's inputs and the score."""

    facts: TeamEvidence
    inputs: dict[str, CriterionInput]
    score: AssessmentScore
    context: ScoringContext

    @property
    def open_disagreements(self) -> list[int]:
        """Questions whose respondents disagree and that no assessor has ruled on."""
        disagreeing = disagreeing_questions(self.facts.answers)
        return [q for q in disagreeing if q not in self.facts.rulings]


def evaluate(*, assessment: Assessment) -> Evaluation:
    """Score an assessment with its answers, reviews and the team's current signals."""
    context = scoring_context(rubric=assessment.rubric, team=assessment.team)
    facts = team_evidence(assessment=assessment)
    inputs = criterion_inputs(context, facts)
    return Evaluation(facts, inputs, score_assessment(context.model, inputs), context)


def snapshot_latest(*, assessment: Assessment) -> ScoreSnapshot | None:
    return assessment.snapshots.order_by("-created_at", "-pk").first()


def previous_assessment(*, assessment: Assessment) -> Assessment | None:
    """The team's most recent earlier-period assessment that has scores."""
    return (
        Assessment.objects.filter(
            team_id=assessment.team_id, period__lt=assessment.period
        )
        .filter(snapshots__isnull=False)
        .order_by("-period", "-revision")
        .first()
    )


def questionnaire_dimension(*, rubric: Rubric, dimension_key: str) -> Dimension | None:
    """One dimension with its questions, options and criteria (4 queries)."""
    return (
        Dimension.objects.filter(rubric=rubric, key=dimension_key)
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("position").prefetch_related(
                    "options",
                    Prefetch("criteria", queryset=Criterion.objects.order_by("level")),
                ),
            )
        )
        .first()
    )


def assessment_get_unscoped(*, assessment_id: int) -> Assessment | None:
    """Any assessment by id, for management commands and tasks (no user to scope by)."""
    return (
        Assessment.objects.select_related("team", "rubric")
        .filter(pk=assessment_id)
        .first()
    )


@dataclass(frozen=True)
class AnswerGroup:
    """Every respondent's answer to one question, and whether they disagree."""

    question: Question
    answers: list[Answer]
    disagreement: bool
    resolved: bool


@dataclass(frozen=True)
class AssessmentDetail:
    assessment: Assessment
    answer_groups: list[AnswerGroup]
    evidence: list[Evidence]
    resolutions: list[Resolution]

    @property
    def disagreements(self) -> list[AnswerGroup]:
        return [g for g in self.answer_groups if g.disagreement]


def disagreeing_questions(answers: Mapping[int, Sequence[GivenAnswer]]) -> list[int]:
    """Questions whose respondents disagree; an empty draft answer disagrees with none."""
    return disagreements(answers)


def _answer_groups(
    answers: list[Answer], resolutions: list[Resolution]
) -> list[AnswerGroup]:
    """Group the answers by question (no queries)."""
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_question[answer.question_id].append(answer)
    ruled = {
        r.question_id for r in resolutions if r.kind == Resolution.Kind.DISAGREEMENT
    }
    disagreeing = set(
        disagreeing_questions(
            {
                question_id: [GivenAnswer(a.value, a.na_reason) for a in given]
                for question_id, given in by_question.items()
            }
        )
    )
    return [
        AnswerGroup(
            question=given[0].question,
            answers=given,
            disagreement=question_id in disagreeing,
            resolved=question_id in ruled,
        )
        for question_id, given in by_question.items()
    ]


# What the detail shows of each answer's question and respondent: the rest of their
# rows (a question's texts, a user's password hash) is a third of the answers' cost.
_ANSWER_FIELDS = (
    *("id", "assessment_id", "question_id", "respondent_id"),
    *("value", "na_reason", "notes", "updated_at"),
    *("question__id", "question__key"),
    *("respondent__id", "respondent__username"),
    *("respondent__first_name", "respondent__last_name"),
)


def assessment_detail(
    *, fetched_by: User, assessment_id: int
) -> AssessmentDetail | None:
    """A visible assessment with answers, evidence and rulings (5 queries with roles).

    Plain queries rather than prefetch_related: on an assessment of 90 answers the
    prefetch machinery cost more than the queries it ran."""
    assessment = (
        assessment_list(fetched_by=fetched_by)
        .filter(pk=assessment_id)
        .select_related("created_by", "submitted_by", "reviewer", "next_revision")
        .first()
    )
    if assessment is None:
        return None
    answers = list(
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "respondent")
        .only(*_ANSWER_FIELDS)
        .order_by(
            "question__dimension__position",
            "question__position",
            "respondent__username",
        )
    )
    evidence = list(
        Evidence.objects.filter(assessment=assessment)
        .select_related("added_by", "reviewed_by")
        .order_by("question_id", "created_at", "pk")
    )
    resolutions = list(
        Resolution.objects.filter(assessment=assessment)
        .select_related("criterion", "resolved_by")
        .order_by("created_at", "pk")
    )
    return AssessmentDetail(
        assessment, _answer_groups(answers, resolutions), evidence, resolutions
    )


def snapshot_get(
    *, assessment: Assessment, snapshot_id: int | None = None
) -> ScoreSnapshot | None:
    """One snapshot of the assessment: the given one, or the latest."""
    snapshots = ScoreSnapshot.objects.filter(assessment=assessment).select_related(
        "rubric"
    )
    if snapshot_id is not None:
        snapshots = snapshots.filter(pk=snapshot_id)
    snapshot = snapshots.order_by("-created_at", "-pk").first()
    if snapshot is not None:
        snapshot.assessment = assessment
    return snapshot


def evidence_get(*, assessment: Assessment, evidence_id: int) -> Evidence | None:
    """Evidence of the (already visibility-checked) assessment."""
    evidence = (
        Evidence.objects.filter(assessment=assessment, pk=evidence_id)
        .select_related("added_by", "reviewed_by")
        .first()
    )
    if evidence is not None:
        evidence.assessment = assessment
    return evidence


def question_get(*, rubric: Rubric, question_id: int) -> Question | None:
    return (
        Question.objects.filter(rubric=rubric, pk=question_id)
        .select_related("dimension")
        .first()
    )


def answer_get(*, assessment: Assessment, answer_id: int) -> Answer | None:
    return Answer.objects.filter(assessment=assessment, pk=answer_id).first()


def criterion_get(*, rubric: Rubric, key: str) -> Criterion | None:
    return Criterion.objects.filter(rubric=rubric, key=key).first()


def _change(before: float | None, after: float | None) -> dict[str, float | None]:
    delta = None if before is None or after is None else round(after - before, 4)
    return {"a": before, "b": after, "delta": delta}


def _dimension_changes(a: ScoreSnapshot, b: ScoreSnapshot) -> list[dict]:
    before = {d["id"]: d for d in a.payload.get("dimensions", [])}
    after = {d["id"]: d for d in b.payload.get("dimensions", [])}
    return [
        {
            "id": key,
            "level": _change(
                before.get(key, {}).get("level"), after.get(key, {}).get("level")
            ),
            "score": _change(
                before.get(key, {}).get("score"), after.get(key, {}).get("score")
            ),
        }
        for key in sorted(before.keys() | after.keys())
    ]


def assessment_comparison(*, a: Assessment, b: Assessment) -> dict:
    """The latest scores of a and b side by side, with deltas b − a.

    Per dimension level and score, then floor, index and confidence. A dimension only
    one side has gets null on the other. Both need scores under the same rubric slug.
    """
    snapshots = {"a": snapshot_get(assessment=a), "b": snapshot_get(assessment=b)}
    missing = {side: ["Has no scores yet."] for side, s in snapshots.items() if not s}
    if missing:
        raise ApplicationError(
            "Both assessments need scores.", code="no_scores", fields=missing
        )
    first, second = snapshots["a"], snapshots["b"]
    if first.rubric.slug != second.rubric.slug:
        raise ApplicationError(
            f"{first.rubric.slug} and {second.rubric.slug} are different rubrics.",
            code="different_rubrics",
            fields={"b": ["Scored with another rubric than a."]},
        )
    return {**snapshots, **snapshot_changes(before=first, after=second)}


def snapshot_changes(*, before: ScoreSnapshot, after: ScoreSnapshot) -> dict:
    """Per dimension level and score, then floor, index and confidence: a, b, b − a."""
    return {
        "dimensions": _dimension_changes(before, after),
        "floor": _change(before.floor, after.floor),
        "index": _change(before.index, after.index),
        "confidence": _change(before.confidence, after.confidence),
    }


def latest_team_scores(
    *, fetched_by: User, period: str | None = None, business_unit: int | None = None
) -> list[ScoreSummary]:
    """The latest stored score of each visible team (2 queries, whatever the count)."""
    snapshots = ScoreSnapshot.objects.filter(assessment__team=OuterRef("pk"))
    if period:
        snapshots = snapshots.filter(assessment__period=period)
    teams = Team.objects.filter(pk__in=visible_team_ids(user=fetched_by))
    if business_unit is not None:
        teams = teams.filter(business_unit_id=business_unit)
    latest = teams.annotate(
        snapshot=Subquery(
            snapshots.order_by(
                "-assessment__period", "-assessment__revision", "-created_at", "-pk"
            ).values("pk")[:1]
        )
    ).values_list("snapshot", flat=True)
    payloads = ScoreSnapshot.objects.filter(pk__in=[pk for pk in latest if pk])
    return [
        ScoreSummary.from_payload(p) for p in payloads.values_list("payload", flat=True)
    ]
