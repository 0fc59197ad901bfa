"""Writes of rubrics: import (validated as a whole), publish, retire, org settings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml
from django.db import transaction
from django.utils import timezone

from apps.audit.services import record_event
from apps.core.exceptions import ApplicationError
from apps.rubrics.models import (
    Criterion,
    Dimension,
    DimensionSetting,
    Level,
    Option,
    Question,
    Rubric,
    TeamTarget,
)
from apps.rubrics.selectors import rubric_latest_published
from apps.rubrics.spec import QuestionSpec, RubricSpec

if TYPE_CHECKING:
    from apps.accounts.models import Organization, Team, User

MAX_LEVEL = 4


@dataclass(frozen=True)
class ImportResult:
    rubric: Rubric
    created: bool
    published: bool


def _write_question(
    rubric: Rubric,
    dimension: Dimension,
    spec: QuestionSpec,
    *,
    shared: bool,
    position: int,
) -> Question:
    question = Question.objects.create(
        rubric=rubric,
        dimension=dimension,
        key=spec.key,
        type=spec.type,
        text=spec.text,
        help=spec.help,
        unit=spec.unit,
        min_value=spec.min,
        max_value=spec.max,
        shared=shared,
        position=position,
    )
    Option.objects.bulk_create(
        Option(
            question=question,
            value=o.value,
            label=o.label,
            level=o.level,
            evidence_required=o.evidence_required,
            position=i,
        )
        for i, o in enumerate(spec.options)
    )
    return question


def _write_content(rubric: Rubric, spec: RubricSpec) -> None:
    Level.objects.bulk_create(
        Level(rubric=rubric, level=lv.level, name=lv.name, description=lv.description)
        for lv in spec.levels
    )
    for d_position, d in enumerate(spec.dimensions):
        dimension = Dimension.objects.create(
            rubric=rubric,
            key=d.key,
            name=d.name,
            description=d.description,
            core=d.core,
            weight=d.weight,
            position=d_position,
        )
        questions = {
            q.key: _write_question(rubric, dimension, q, shared=True, position=i)
            for i, q in enumerate(d.questions)
        }
        for c_position, c in enumerate(d.criteria):
            question = questions.get(c.question.key) if c.shared_question else None
            if question is None:
                question = _write_question(
                    rubric,
                    dimension,
                    c.question,
                    shared=False,
                    position=len(questions) + c_position,
                )
            Criterion.objects.create(
                rubric=rubric,
                dimension=dimension,
                key=c.key,
                level=c.level,
                statement=c.statement,
                evidence=c.evidence,
                requires=list(c.requires),
                effort=c.effort,
                guidance=c.guidance,
                anchor=c.anchor,
                question=question,
                met_when=c.met_when,
                position=c_position,
            )


@transaction.atomic
def rubric_import(
    *, spec: RubricSpec, publish: bool = False, actor=None
) -> ImportResult:
    """Store a validated rubric version. Re-importing identical content changes nothing.

    A published version never changes: different content under its version is refused.
    A draft of the same version is replaced.
    """
    fingerprint = spec.fingerprint()
    existing = (
        Rubric.objects.select_for_update()
        .filter(slug=spec.slug, version=spec.version)
        .first()
    )
    if existing is not None and existing.content_sha256 == fingerprint:
        published = publish and existing.status == Rubric.Status.DRAFT
        if published:
            rubric_publish(rubric=existing, actor=actor)
        return ImportResult(existing, created=False, published=published)
    if existing is not None and existing.status != Rubric.Status.DRAFT:
        raise ApplicationError(
            f"{spec.slug} {spec.version} is {existing.status} and cannot change; "
            "give the new content a new version.",
            code="rubric_immutable",
            fields={"version": ["A published version is immutable."]},
        )
    if existing is not None:
        # Criterion.question is PROTECT: the criteria go first, then the rest cascades.
        existing.criteria.all().delete()
        existing.delete()
    rubric = Rubric.objects.create(
        slug=spec.slug,
        version=spec.version,
        title=spec.title,
        description=spec.description,
        content_sha256=fingerprint,
    )
    _write_content(rubric, spec)
    record_event(
        organization=None,
        actor=actor,
        action="rubric.imported",
        target=rubric,
        data={
            "slug": spec.slug,
            "version": spec.version,
            "sha256": fingerprint,
            "criteria": len(spec.criteria_by_key),
        },
    )
    if publish:
        rubric_publish(rubric=rubric, actor=actor)
    return ImportResult(rubric, created=True, published=publish)


@transaction.atomic
def rubric_publish(*, rubric: Rubric, actor=None) -> Rubric:
    if rubric.status != Rubric.Status.DRAFT:
        raise ApplicationError(
            f"{rubric} is {rubric.status}; only drafts can be published."
        )
    rubric.status = Rubric.Status.PUBLISHED
    rubric.published_at = timezone.now()
    rubric.save(update_fields=["status", "published_at", "updated_at"])
    record_event(
        organization=None,
        actor=actor,
        action="rubric.published",
        target=rubric,
        data={
            "slug": rubric.slug,
            "version": rubric.version,
            "sha256": rubric.content_sha256,
        },
    )
    return rubric


def rubric_to_yaml(spec: RubricSpec) -> str:
    """The rubric file for a spec; importing it yields the same rubric."""
    return yaml.safe_dump(
        spec.to_dict(), sort_keys=False, allow_unicode=True, width=100
    )


def published_dimension(*, rubric_slug: str, dimension_key: str) -> Dimension:
    """The dimension in the latest published version of the rubric, or a field error."""
    rubric = rubric_latest_published(slug=rubric_slug)
    if rubric is None:
        message = f"No published rubric {rubric_slug!r}."
        raise ApplicationError(
            message, code="unknown_rubric", fields={"rubric": [message]}
        )
    dimension = rubric.dimensions.filter(key=dimension_key).first()
    if dimension is None:
        message = f"{rubric} has no dimension {dimension_key!r}."
        raise ApplicationError(
            message, code="unknown_dimension", fields={"dimension": [message]}
        )
    return dimension


def _locked(model, **lookup):
    return model.objects.select_for_update().filter(**lookup).first()


@transaction.atomic
def dimension_setting_set(
    *,
    organization: Organization,
    rubric_slug: str,
    dimension_key: str,
    weight: float,
    core: bool,
    actor: User | None,
) -> DimensionSetting:
    """Override a dimension's weight and core flag for the organisation (audited).

    Setting the values it already has changes nothing and records nothing.
    """
    published_dimension(rubric_slug=rubric_slug, dimension_key=dimension_key)
    if isinstance(weight, bool) or not math.isfinite(weight) or weight <= 0:
        message = "The weight must be a number above 0."
        raise ApplicationError(message, fields={"weight": [message]})
    key = {"rubric_slug": rubric_slug, "dimension_key": dimension_key}
    setting = _locked(DimensionSetting, organization=organization, **key)
    previous = (
        None if setting is None else {"weight": setting.weight, "core": setting.core}
    )
    if previous == {"weight": weight, "core": core}:
        return setting
    setting = setting or DimensionSetting(organization=organization, **key)
    setting.weight, setting.core = weight, core
    setting.save()
    record_event(
        organization=organization,
        actor=actor,
        action="rubric.dimension_setting_set",
        target=setting,
        data={
            "rubric": rubric_slug,
            "dimension": dimension_key,
            "weight": weight,
            "core": core,
            "previous": previous,
        },
    )
    return setting


@transaction.atomic
def dimension_setting_clear(
    *,
    organization: Organization,
    rubric_slug: str,
    dimension_key: str,
    actor: User | None,
) -> bool:
    """Drop the organisation's override, so the rubric's own values apply again.

    Returns whether there was one; only then is an event recorded.
    """
    key = {"rubric_slug": rubric_slug, "dimension_key": dimension_key}
    setting = _locked(DimensionSetting, organization=organization, **key)
    if setting is None:
        return False
    record_event(
        organization=organization,
        actor=actor,
        action="rubric.dimension_setting_cleared",
        target=setting,
        data={
            "rubric": rubric_slug,
            "dimension": dimension_key,
            "previous": {"weight": setting.weight, "core": setting.core},
        },
    )
    setting.delete()
    return True


@transaction.atomic
def team_target_set(
    *,
    team: Team,
    rubric_slug: str,
    dimension_key: str,
    level: int,
    actor: User | None,
) -> TeamTarget:
    """Set the level a team aims for in a dimension (audited in its organisation's chain).

    Setting the level it already has changes nothing and records nothing.
    """
    published_dimension(rubric_slug=rubric_slug, dimension_key=dimension_key)
    if isinstance(level, bool) or level not in range(MAX_LEVEL + 1):
        message = f"The target level must be a whole number from 0 to {MAX_LEVEL}."
        raise ApplicationError(message, fields={"level": [message]})
    key = {"rubric_slug": rubric_slug, "dimension_key": dimension_key}
    target = _locked(TeamTarget, team=team, **key)
    previous = None if target is None else target.level
    if previous == level:
        return target
    target = target or TeamTarget(team=team, **key)
    target.level = level
    target.save()
    record_event(
        organization=team.organization,
        actor=actor,
        action="rubric.team_target_set",
        target=target,
        data={
            "team": team.pk,
            "rubric": rubric_slug,
            "dimension": dimension_key,
            "level": level,
            "previous": previous,
        },
    )
    return target


@transaction.atomic
def team_target_clear(
    *, team: Team, rubric_slug: str, dimension_key: str, actor: User | None
) -> bool:
    """Remove a team's target for a dimension; returns whether there was one."""
    key = {"rubric_slug": rubric_slug, "dimension_key": dimension_key}
    target = _locked(TeamTarget, team=team, **key)
    if target is None:
        return False
    record_event(
        organization=team.organization,
        actor=actor,
        action="rubric.team_target_cleared",
        target=target,
        data={
            "team": team.pk,
            "rubric": rubric_slug,
            "dimension": dimension_key,
            "previous": target.level,
        },
    )
    target.delete()
    return True
