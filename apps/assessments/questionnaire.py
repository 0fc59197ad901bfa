"""Read models for the questionnaire pages: one dimension's questions with answers.

Query budget per page is constant: the dimension with its questions, options and
criteria (4), the answers to those questions (1), their evidence (1) and the progress
counts (2), whatever the number of questions or respondents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from apps.accounts.models import Role, Team, User
from apps.accounts.selectors import user_roles
from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Resolution,
    ScoreSnapshot,
)
from apps.assessments.selectors import questionnaire_dimension
from apps.rubrics.evidence import signal_key
from apps.rubrics.models import Criterion, Dimension, Question


@dataclass
class QuestionView:
    question: Question
    mine: Answer | None = None
    others: list[Answer] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def disagreement(self) -> bool:
        given = [
            a for a in [self.mine, *self.others] if a is not None and _is_answered(a)
        ]
        return len({(repr(a.value), a.na_reason) for a in given}) > 1


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def _is_answered(answer: Answer) -> bool:
    # An empty multi-select ("none of these") is an answer: it says the criteria fail.
    return bool(answer.na_reason) or answer.value not in (None, "")


_ANSWERED = Q(na_reason__gt="") | (Q(value__isnull=False) & ~Q(value=""))


def assessment_progress(*, assessment: Assessment) -> Progress:
    """Questions answered by at least one respondent, out of all the rubric's questions."""
    total = Question.objects.filter(rubric_id=assessment.rubric_id).count()
    answered = (
        Answer.objects.filter(assessment=assessment)
        .filter(_ANSWERED)
        .values("question_id")
        .distinct()
        .count()
    )
    return Progress(answered, total)


def dimension_list(*, assessment: Assessment) -> list[Dimension]:
    return list(
        Dimension.objects.filter(rubric_id=assessment.rubric_id).order_by("position")
    )


def unanswered_by_dimension(
    *, assessment: Assessment
) -> dict[Dimension, list[Question]]:
    """What nobody has answered yet, per dimension (2 queries)."""
    answered = (
        Answer.objects.filter(assessment=assessment)
        .filter(_ANSWERED)
        .values("question_id")
    )
    missing: dict[Dimension, list[Question]] = defaultdict(list)
    for question in (
        Question.objects.filter(rubric_id=assessment.rubric_id)
        .exclude(pk__in=answered)
        .select_related("dimension")
        .order_by("dimension__position", "position")
    ):
        missing[question.dimension].append(question)
    return dict(missing)


def questionnaire_page(
    *, assessment: Assessment, dimension_key: str, respondent: User
) -> tuple[Dimension, list[QuestionView]] | None:
    dimension = questionnaire_dimension(
        rubric=assessment.rubric, dimension_key=dimension_key
    )
    if dimension is None:
        return None
    views = {q.pk: QuestionView(q) for q in dimension.questions.all()}
    for answer in Answer.objects.filter(
        assessment=assessment, question_id__in=views
    ).select_related("respondent"):
        view = views[answer.question_id]
        if answer.respondent_id == respondent.pk:
            view.mine = answer
        else:
            view.others.append(answer)
    for item in Evidence.objects.filter(assessment=assessment, question_id__in=views):
        views[item.question_id].evidence.append(item)
    return dimension, list(views.values())


def form_value(question: Question, answer: Answer | None) -> Any:
    """The answer as the form shows it (yes/no radios carry strings)."""
    if answer is None or answer.value is None:
        return None
    if question.type == "yes_no":
        return "yes" if answer.value else "no"
    return answer.value


@dataclass
class ReviewItem:
    """A question the assessor looks at: its answers and its evidence."""

    question: Question
    answers: list[Answer] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def disagreement(self) -> bool:
        given = [a for a in self.answers if _is_answered(a)]
        return len({(repr(a.value), a.na_reason) for a in given}) > 1


def review_items(*, assessment: Assessment) -> list[ReviewItem]:
    """Questions with evidence or with disagreeing respondents (4 queries)."""
    items: dict[int, ReviewItem] = {}
    answers: dict[int, list[Answer]] = defaultdict(list)
    for answer in Answer.objects.filter(assessment=assessment).select_related(
        "respondent"
    ):
        answers[answer.question_id].append(answer)
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(assessment=assessment).select_related(
        "added_by", "reviewed_by"
    ):
        evidence[item.question_id].append(item)
    for question in (
        Question.objects.filter(rubric_id=assessment.rubric_id)
        .select_related("dimension")
        .prefetch_related("options")
        .order_by("dimension__position", "position")
    ):
        item = ReviewItem(
            question, answers.get(question.pk, []), evidence.get(question.pk, [])
        )
        if item.evidence or item.disagreement:
            items[question.pk] = item
    return list(items.values())


def startable_teams(*, user: User):
    """Teams the user may start an assessment for: as their lead, or all as org admin."""
    if not user.is_authenticated or not user.organization_id:
        return Team.objects.none()
    teams = Team.objects.filter(organization_id=user.organization_id)
    if not user_roles(user=user).has_org_role(Role.ORG_ADMIN):
        teams = teams.filter(memberships__user=user, memberships__role=Role.TEAM_LEAD)
    return teams.order_by("name")


@dataclass(frozen=True)
class ConflictView:
    criterion: str
    statement: str
    ruling: str  # "" while open
    signal: str = ""  # the signal key that contradicts the answer
    # Where it was looked for: {repo, commit, observed_at, value, evidence}.
    sources: tuple = ()


def signal_conflicts(
    *, assessment: Assessment, snapshot: ScoreSnapshot | None = None
) -> list[ConflictView]:
    """Answers a signal contradicted at the last scoring (or at `snapshot`), with any
    ruling and where the signal was looked for (up to 3 queries; none without
    conflicts when the snapshot is given)."""
    if snapshot is None:
        snapshot = (
            ScoreSnapshot.objects.filter(assessment=assessment)
            .order_by("-created_at", "-pk")
            .first()
        )
    keys = list(snapshot.payload.get("conflicts", [])) if snapshot else []
    if not keys:
        return []
    rulings = dict(
        Resolution.objects.filter(
            assessment=assessment, kind=Resolution.Kind.SIGNAL
        ).values_list("criterion__key", "outcome")
    )
    criteria = {
        key: (statement, signal_key(evidence) or "")
        for key, statement, evidence in Criterion.objects.filter(
            rubric_id=assessment.rubric_id, key__in=keys
        ).values_list("key", "statement", "evidence")
    }
    sources = snapshot.payload.get("signal_sources", {}) if snapshot else {}
    views = []
    for key in keys:
        statement, signal = criteria.get(key, (key, ""))
        views.append(
            ConflictView(
                key,
                statement,
                rulings.get(key, ""),
                signal=signal,
                sources=tuple(sources.get(signal, ())),
            )
        )
    return views
