"""Reads of rubrics: the published ones, a rubric back as a RubricSpec, org settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from apps.rubrics.models import (
    Criterion,
    Dimension,
    DimensionSetting,
    Question,
    Rubric,
    TeamTarget,
)
from apps.rubrics.spec import (
    CriterionSpec,
    DimensionSpec,
    LevelSpec,
    OptionSpec,
    QuestionSpec,
    RubricSpec,
)

if TYPE_CHECKING:
    from apps.accounts.models import Organization, Team, User


def rubric_list(
    *, include_drafts: bool = False, fetched_by: User | None = None
) -> QuerySet[Rubric]:
    """Published and retired rubrics; drafts too if asked, or for a staff fetcher."""
    rubrics = Rubric.objects.all()
    if not (include_drafts or (fetched_by is not None and fetched_by.is_staff)):
        rubrics = rubrics.exclude(status=Rubric.Status.DRAFT)
    return rubrics.order_by("slug", "-created_at")


def rubric_get(
    *, slug: str, version: str, fetched_by: User | None = None
) -> Rubric | None:
    """One version; with `fetched_by`, only if that person may see it (drafts: staff)."""
    rubrics = (
        Rubric.objects.all()
        if fetched_by is None
        else rubric_list(fetched_by=fetched_by)
    )
    return rubrics.filter(slug=slug, version=version).first()


def rubric_latest_published(*, slug: str) -> Rubric | None:
    return (
        Rubric.objects.filter(slug=slug, status=Rubric.Status.PUBLISHED)
        .order_by("-published_at")
        .first()
    )


def _with_tree(rubrics: QuerySet[Rubric]) -> QuerySet[Rubric]:
    # 5 queries after the rubric's own: levels, dimensions, questions, options, and
    # criteria joined to their question (so a criterion names its question for free).
    return rubrics.prefetch_related(
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
                    "criteria",
                    queryset=Criterion.objects.select_related("question").order_by(
                        "position"
                    ),
                ),
            ),
        ),
    )


def rubric_tree(*, rubric: Rubric) -> Rubric:
    """The rubric with levels, dimensions, questions, options and criteria loaded (6 queries)."""
    return _with_tree(Rubric.objects.filter(pk=rubric.pk)).get()


def rubric_tree_get(*, slug: str, version: str, fetched_by: User) -> Rubric | None:
    """rubric_get and rubric_tree in one go (6 queries, whatever the rubric's size)."""
    rubrics = rubric_list(fetched_by=fetched_by).filter(slug=slug, version=version)
    return _with_tree(rubrics).first()


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
                shared_question=c.question.shared,
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


@dataclass(frozen=True)
class DimensionWeight:
    """A dimension's weight and core flag for an organisation, and the rubric's own."""

    key: str
    name: str
    weight: float
    core: bool
    default_weight: float
    default_core: bool
    overridden: bool


@dataclass(frozen=True)
class DimensionTarget:
    key: str
    name: str
    level: int | None  # None: the team has set no target


@dataclass(frozen=True)
class RubricDimensions:
    """Per-dimension values for the latest published version of a rubric."""

    rubric: Rubric
    dimensions: list


def dimension_setting_list(
    *, organization: Organization, rubric_slug: str | None = None
) -> QuerySet[DimensionSetting]:
    settings = DimensionSetting.objects.filter(organization=organization)
    if rubric_slug is not None:
        settings = settings.filter(rubric_slug=rubric_slug)
    return settings.order_by("rubric_slug", "dimension_key")


def team_target_list(
    *, team: Team, rubric_slug: str | None = None
) -> QuerySet[TeamTarget]:
    targets = TeamTarget.objects.filter(team=team)
    if rubric_slug is not None:
        targets = targets.filter(rubric_slug=rubric_slug)
    return targets.order_by("rubric_slug", "dimension_key")


def dimension_weights(
    *, organization: Organization, rubric_slug: str
) -> RubricDimensions | None:
    """Each dimension of the latest published version with the organisation's
    overrides applied (3 queries); None when no version is published."""
    rubric = rubric_latest_published(slug=rubric_slug)
    if rubric is None:
        return None
    overrides = {
        s.dimension_key: s
        for s in dimension_setting_list(
            organization=organization, rubric_slug=rubric_slug
        )
    }
    rows = []
    for d in rubric.dimensions.order_by("position"):
        setting = overrides.get(d.key)
        rows.append(
            DimensionWeight(
                key=d.key,
                name=d.name,
                weight=setting.weight if setting else d.weight,
                core=setting.core if setting else d.core,
                default_weight=d.weight,
                default_core=d.core,
                overridden=setting is not None,
            )
        )
    return RubricDimensions(rubric=rubric, dimensions=rows)


def team_targets(*, team: Team, rubric_slug: str) -> RubricDimensions | None:
    """Each dimension of the latest published version with the team's target level
    (3 queries); None when no version is published."""
    rubric = rubric_latest_published(slug=rubric_slug)
    if rubric is None:
        return None
    levels = dict(
        team_target_list(team=team, rubric_slug=rubric_slug).values_list(
            "dimension_key", "level"
        )
    )
    rows = [
        DimensionTarget(key=d.key, name=d.name, level=levels.get(d.key))
        for d in rubric.dimensions.order_by("position")
    ]
    return RubricDimensions(rubric=rubric, dimensions=rows)
