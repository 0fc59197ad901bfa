"""Reads of rubrics: the published ones, and a rubric back as a RubricSpec."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from apps.rubrics.models import Criterion, Dimension, Question, Rubric
from apps.rubrics.spec import (
    CriterionSpec,
    DimensionSpec,
    LevelSpec,
    OptionSpec,
    QuestionSpec,
    RubricSpec,
)


def rubric_list(*, include_drafts: bool = False) -> QuerySet[Rubric]:
    rubrics = Rubric.objects.all()
    if not include_drafts:
        rubrics = rubrics.exclude(status=Rubric.Status.DRAFT)
    return rubrics.order_by("slug", "-created_at")


def rubric_get(*, slug: str, version: str) -> Rubric | None:
    return Rubric.objects.filter(slug=slug, version=version).first()


def rubric_latest_published(*, slug: str) -> Rubric | None:
    return (
        Rubric.objects.filter(slug=slug, status=Rubric.Status.PUBLISHED)
        .order_by("-published_at")
        .first()
    )


def rubric_tree(*, rubric: Rubric) -> Rubric:
    """The rubric with levels, dimensions, questions, options and criteria loaded (6 queries)."""
    return (
        Rubric.objects.filter(pk=rubric.pk)
        .prefetch_related(
            "levels",
            Prefetch(
                "dimensions",
                queryset=Dimension.objects.order_by("position").prefetch_related(
                    Prefetch(
                        "questions",
                        queryset=Question.objects.order_by("position").prefetch_related(
                            "options"
                        ),
                    ),
                    Prefetch(
                        "criteria", queryset=Criterion.objects.order_by("position")
                    ),
                ),
            ),
        )
        .get()
    )


def _question_spec(question: Question) -> QuestionSpec:
    return QuestionSpec(
        key=question.key,
        type=question.type,
        text=question.text,
        help=question.help,
        unit=question.unit,
        min=question.min_value,
        max=question.max_value,
        options=tuple(
            OptionSpec(o.value, o.label, o.level, o.evidence_required)
            for o in question.options.all()
        ),
    )


def rubric_spec(*, rubric: Rubric) -> RubricSpec:
    """The stored rubric as a RubricSpec, equal to the spec it was imported from."""
    tree = rubric_tree(rubric=rubric)
    dimensions = []
    for d in tree.dimensions.all():
        questions = {q.pk: _question_spec(q) for q in d.questions.all()}
        criteria = tuple(
            CriterionSpec(
                key=c.key,
                level=c.level,
                statement=c.statement,
                evidence=c.evidence,
                requires=tuple(c.requires),
                effort=c.effort,
                guidance=c.guidance,
                anchor=c.anchor,
                question=questions[c.question_id],
                shared_question=next(
                    q.shared for q in d.questions.all() if q.pk == c.question_id
                ),
                met_when=c.met_when,
            )
            for c in d.criteria.all()
        )
        shared = tuple(_question_spec(q) for q in d.questions.all() if q.shared)
        dimensions.append(
            DimensionSpec(
                key=d.key,
                name=d.name,
                description=d.description,
                core=d.core,
                weight=d.weight,
                questions=shared,
                criteria=criteria,
            )
        )
    return RubricSpec(
        slug=tree.slug,
        version=tree.version,
        title=tree.title,
        description=tree.description,
        levels=tuple(
            LevelSpec(lv.level, lv.name, lv.description) for lv in tree.levels.all()
        ),
        dimensions=tuple(dimensions),
    )
