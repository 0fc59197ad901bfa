"""Demo history: three or four quarterly assessments per demo team, so trends exist.

Answers follow a per-team maturity that grows a little each quarter, with noise, so
teams differ and improve unevenly. Everything goes through the services, so the audit
trail and the score snapshots are the real thing.
"""

from __future__ import annotations

import random
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.accounts.models import Organization, Role, Team, User
from apps.assessments import questionnaire, services
from apps.assessments.models import Assessment, Evidence
from apps.rubrics.models import Criterion, Question, Rubric, TeamTarget
from apps.rubrics.selectors import rubric_latest_published
from apps.rubrics.services import rubric_import, team_target_set
from apps.rubrics.validation import parse_rubric

DEFAULT_RUBRIC_FILE = (
    Path(settings.BASE_DIR) / "fixtures" / "rubrics" / "mlops-default.yaml"
)
PERIODS = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
# Answers some teams give whatever their maturity, in their latest assessment: the
# churn team says its dependencies are pinned, which its repository contradicts (the
# roadmap demo then pins them, and the rescan closes the item by evidence).
LATEST_CLAIMS = {"customer-churn": {"code_ci.l2.deps-locked": True}}
# What the demo teams aim for: automation (level 3) where it counts, less for people.
CORE_TARGET, OTHER_TARGET = 3, 2


def default_rubric() -> Rubric:
    """The default rubric, imported and published if it is not there yet."""
    rubric = rubric_latest_published(slug=settings.DEFAULT_RUBRIC_SLUG)
    if rubric is not None:
        return rubric
    text = DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8")
    spec = parse_rubric(text, filename=DEFAULT_RUBRIC_FILE.name)
    return rubric_import(spec=spec, publish=True).rubric


def _maturity(rng: random.Random, base: float, quarter: int) -> float:
    return max(0.0, min(4.0, base + 0.3 * quarter + rng.gauss(0, 0.45)))


def _answer(question: Question, levels: list[int], maturity: float, rng: random.Random):
    if question.type == "yes_no":
        return min(levels) <= maturity + rng.uniform(-0.3, 0.5)
    if question.type == "single_choice":
        options = sorted(question.options.all(), key=lambda o: (o.level, o.position))
        reachable = [o for o in options if o.level <= maturity + rng.uniform(-0.4, 0.4)]
        return (reachable or options[:1])[-1].value
    if question.type == "multi_select":
        chosen = [
            o.value for o in question.options.all() if rng.random() < maturity / 4.5
        ]
        return chosen
    if question.type == "number":
        low, high = question.min_value or 0, question.max_value or 100
        share = maturity / 4
        if "day" in question.unit.lower():
            return round(max(low, min(high, 45 - 10 * maturity + rng.uniform(-3, 3))))
        return round(
            max(low, min(high, low + share * (high - low) + rng.uniform(-8, 8)))
        )
    return "Named in the team charter" if maturity >= 1 else ""


def _answers(
    rubric: Rubric, maturity_by_dimension: dict[str, float], rng: random.Random
):
    items = []
    questions = (
        Question.objects.filter(rubric=rubric)
        .select_related("dimension")
        .prefetch_related("options", "criteria")
    )
    for question in questions:
        levels = [c.level for c in question.criteria.all()]
        maturity = maturity_by_dimension[question.dimension.key]
        if rng.random() < 0.04:
            items.append(
                services.AnswerInput(
                    question.pk, None, "business_priority", "Not pursued this year."
                )
            )
            continue
        value = _answer(question, levels, maturity, rng)
        if value in ("", None):
            continue
        items.append(services.AnswerInput(question.pk, value))
    return items


def _with_claims(rubric: Rubric, items: list, claims: dict) -> list:
    """`items` with the answers in `claims` (question key → value) put in."""
    if not claims:
        return items
    by_key = dict(
        Question.objects.filter(rubric=rubric, key__in=claims).values_list("key", "pk")
    )
    replaced = {by_key[key] for key in claims}
    return [i for i in items if i.question not in replaced] + [
        services.AnswerInput(by_key[key], value) for key, value in claims.items()
    ]


def _seed_targets(organization: Organization, rubric: Rubric) -> None:
    """Targets for the teams that have none yet, through the audited service."""
    dimensions = list(rubric.dimensions.all())
    for team in organization.teams.all():
        if TeamTarget.objects.filter(team=team, rubric_slug=rubric.slug).exists():
            continue
        for dimension in dimensions:
            team_target_set(
                team=team,
                rubric_slug=rubric.slug,
                dimension_key=dimension.key,
                level=CORE_TARGET if dimension.core else OTHER_TARGET,
                actor=None,
            )


def _add_evidence(
    assessment: Assessment, lead: User, rng: random.Random, claimed: set[int]
) -> None:
    """Links for some of the level 3–4 practices the team claims (not for the others)."""
    for question in Question.objects.filter(
        rubric=assessment.rubric, criteria__level__gte=3, pk__in=claimed
    ).distinct():
        if rng.random() < 0.3:
            services.evidence_add(
                assessment=assessment,
                question=question,
                added_by=lead,
                url=f"https://git.example.com/{assessment.team.slug}/docs/{question.key}",
                description="Where this runs, with a recent run.",
            )


def _review(assessment: Assessment, assessor: User, rng: random.Random) -> None:
    services.review_start(assessment=assessment, reviewer=assessor)
    for evidence in Evidence.objects.filter(assessment=assessment):
        verified = rng.random() < 0.85
        comment = "" if verified else "The link shows a plan, not a running job."
        services.evidence_review(
            evidence=evidence, reviewer=assessor, verified=verified, comment=comment
        )
    # Claims the demo repositories' scans contradict: mostly the signal is right.
    for conflict in questionnaire.signal_conflicts(assessment=assessment):
        upheld = rng.random() < 0.3
        services.signal_conflict_resolve(
            assessment=assessment,
            criterion=Criterion.objects.get(
                rubric=assessment.rubric, key=conflict.criterion
            ),
            reviewer=assessor,
            claim_upheld=upheld,
            justification="The team showed it runs outside the repository."
            if upheld
            else "The repository shows no such practice.",
        )
    services.review_complete(assessment=assessment, reviewer=assessor)


@transaction.atomic
def seed_team_history(*, team: Team, rubric: Rubric, lead: User, assessor: User) -> int:
    """Create the team's missing past assessments; return how many were created."""
    rng = random.Random(f"tollgate-demo-{team.slug}")  # noqa: S311 (demo data, not secrets)
    base = rng.uniform(0.6, 2.4)
    dimension_offsets = {d.key: rng.uniform(-0.8, 0.8) for d in rubric.dimensions.all()}
    periods = PERIODS[rng.randint(0, 1) :]
    created = 0
    for quarter, period in enumerate(periods):
        if Assessment.objects.filter(team=team, period=period).exists():
            continue
        maturity = {
            key: _maturity(rng, base + offset, quarter)
            for key, offset in dimension_offsets.items()
        }
        assessment = services.assessment_create(
            team=team, period=period, rubric=rubric, created_by=lead
        )
        items = _answers(rubric, maturity, rng)
        if period == periods[-1]:
            items = _with_claims(rubric, items, LATEST_CLAIMS.get(team.slug, {}))
        services.answers_save(assessment=assessment, respondent=lead, items=items)
        claimed = {i.question for i in items if i.value not in (None, False, "", [])}
        _add_evidence(assessment, lead, rng, claimed)
        services.assessment_submit(assessment=assessment, submitted_by=lead)
        if period != periods[-1]:
            _review(assessment, assessor, rng)
        created += 1
    return created


def seed_demo_assessments(*, organization: Organization) -> int:
    """Past assessments for every team of the demo organisation (idempotent)."""
    rubric = default_rubric()
    _seed_targets(organization, rubric)
    assessor = User.objects.filter(
        organization=organization, memberships__role=Role.ASSESSOR
    ).first()
    created = 0
    for team in organization.teams.order_by("name"):
        lead = User.objects.filter(
            memberships__team=team, memberships__role=Role.TEAM_LEAD
        ).first()
        if lead is not None and assessor is not None:
            created += seed_team_history(
                team=team, rubric=rubric, lead=lead, assessor=assessor
            )
    return created
