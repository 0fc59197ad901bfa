"""The rubric as the seed reads it, and the teams with their people and targets."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from apps.accounts.models import (
    BusinessUnit,
    Membership,
    Organization,
    Team,
    User,
)
from apps.accounts.services import organization_create
from apps.assessments.demo import default_rubric
from apps.assessments.selectors import scoring_context
from apps.dashboards.scale.world import (
    BUSINESS_UNITS,
    ORG_PEOPLE,
    SIGNAL_KEYS,
    TEAM_PEOPLE,
    TEAMS_PER_ROUND,
    TOPICS,
    _chunks,
    _CriterionMeta,
    _Question,
    _World,
)
from apps.rubrics.evidence import signal_key
from apps.rubrics.models import Criterion, Question, TeamTarget


def _load_rubric(world: _World) -> None:
    """The default rubric (imported if missing), as plain values for the hot loops."""
    rubric = world.rubric = default_rubric()
    world.dimensions = list(
        rubric.dimensions.order_by("position").values_list("key", "core")
    )
    questions = (
        Question.objects.filter(rubric=rubric)
        .select_related("dimension")
        .prefetch_related("options", "criteria")
        .order_by("dimension__position", "position")
    )
    world.questions = [_question(q) for q in questions]
    world.question_keys = {q.pk: q.key for q in world.questions}
    world.provable = [
        q.pk for q in questions if any(c.level >= 3 for c in q.criteria.all())
    ]
    criteria = list(Criterion.objects.filter(rubric=rubric))
    world.criteria = {
        c.key: _CriterionMeta(c.pk, c.effort, tuple(c.requires)) for c in criteria
    }
    world.signal_levels = _signal_levels(criteria)


def _question(question: Question) -> _Question:
    options = sorted(question.options.all(), key=lambda o: (o.level or 0, o.position))
    return _Question(
        pk=question.pk,
        key=question.key,
        dimension=question.dimension.key,
        type=question.type,
        unit=question.unit.lower(),
        low=question.min_value,
        high=question.max_value,
        options=tuple((o.value, o.level or 0) for o in options),
        first_level=min((c.level for c in question.criteria.all()), default=1),
    )


def _signal_levels(criteria: list[Criterion]) -> dict[str, float]:
    """The level at which each signal typically appears: the lowest level of a
    criterion it evidences (2 for signals no criterion names)."""
    levels = {key: 2.0 for key in SIGNAL_KEYS}
    named: dict[str, int] = {}
    for criterion in criteria:
        key = signal_key(criterion.evidence)
        if key in levels:
            named[key] = min(named.get(key, 4), criterion.level)
    return levels | {key: float(level) for key, level in named.items()}


# --- Teams and people -----------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """A team's character: how mature, how fast it improves, what it aims for."""

    base: float
    growth: float
    offsets: dict[str, float]
    targets: dict[str, int]
    noise: dict[str, float]  # per signal key
    linked: bool  # has a repository
    scan_age: timedelta  # since its last scan


def _profile(world: _World, index: int) -> _Profile:
    rng = world.rng(index)
    return _Profile(
        base=rng.uniform(1.0, 2.8),
        growth=rng.uniform(0.05, 0.25),
        offsets={key: rng.uniform(-0.5, 0.5) for key, _ in world.dimensions},
        targets={key: _target(rng, core) for key, core in world.dimensions},
        noise={key: rng.gauss(0, 0.6) for key in SIGNAL_KEYS},
        linked=rng.random() < 0.9,
        # Most repositories were scanned lately; some not within the freshness window.
        scan_age=timedelta(
            days=rng.uniform(1, 20) if rng.random() < 0.88 else rng.uniform(35, 90)
        ),
    )


def _target(rng: random.Random, core: bool) -> int:
    """Automation (3) where it counts, less elsewhere; some teams aim higher or lower."""
    level = 3 if core else 2
    if rng.random() < 0.2:
        level += rng.choice((-1, 1))
    return max(1, min(4, level))


def _people(world: _World, password_hash: str) -> None:
    """The organisation (through its service, which opens its audit chain), business
    units, teams, their people and roles, and team targets."""
    slug = world.options.org_slug
    org = world.organization = organization_create(
        name=f"Scale test ({slug})", slug=slug
    )
    world.writer.counts["organizations"] += 1
    count = min(len(BUSINESS_UNITS), world.options.teams)
    units = world.writer.create(
        [
            BusinessUnit(organization=org, name=name, slug=f"bu-{i + 1:02d}")
            for i, name in enumerate(BUSINESS_UNITS[:count])
        ]
    )
    _org_people(world, password_hash)
    bar = world.progress("people", world.options.teams)
    for chunk in _chunks(world.options.teams, TEAMS_PER_ROUND):
        teams = world.writer.create([_team(org, units, i) for i in chunk])
        world.teams += teams
        _team_people(world, teams, password_hash)
        for index, team in zip(chunk, teams, strict=True):
            _targets(world, index, team)
        world.writer.flush()
        bar.update(len(chunk))
    bar.close()
    world.context = scoring_context(rubric=world.rubric, team=world.teams[0])


def _org_people(world: _World, password_hash: str) -> None:
    """Someone in every organisation-wide role; three approvers and two risk
    officers, enough for any policy's quorum (and a retrospective's)."""
    org = world.organization
    users = world.writer.create(
        [_user(org, username, password_hash) for username, _ in ORG_PEOPLE]
    )
    for user, (_, role) in zip(users, ORG_PEOPLE, strict=True):
        world.writer.add(Membership(user=user, organization=org, role=role))
        world.people[role].append(user.pk)


def _targets(world: _World, index: int, team: Team) -> None:
    for key, level in _profile(world, index).targets.items():
        world.writer.add(
            TeamTarget(
                team=team, rubric_slug=world.rubric.slug, dimension_key=key, level=level
            )
        )


def _team(org: Organization, units: Sequence[BusinessUnit], index: int) -> Team:
    return Team(
        organization=org,
        business_unit=units[index % len(units)],
        name=f"{TOPICS[index % len(TOPICS)]} {index + 1}",
        slug=f"team-{index + 1:05d}",
    )


def _user(org: Organization, name: str, password_hash: str, team: str = "") -> User:
    username = f"{org.slug}.{team}.{name}" if team else f"{org.slug}.{name}"
    return User(
        organization=org,
        username=username,
        email=f"{username}@{org.slug}.example",
        first_name=name.capitalize(),
        last_name=team or org.slug,
        password=password_hash,
    )


def _team_people(world: _World, teams: Sequence[Team], password_hash: str) -> None:
    org = world.organization
    users = world.writer.create(
        [
            _user(org, name, password_hash, team.slug)
            for team in teams
            for name, _ in TEAM_PEOPLE
        ]
    )
    per_team = len(TEAM_PEOPLE)
    for i, team in enumerate(teams):
        people = users[i * per_team : (i + 1) * per_team]
        world.leads.append(people[0].pk)
        world.members.append(people[1].pk)
        for user, (_, role) in zip(people, TEAM_PEOPLE, strict=True):
            world.writer.add(
                Membership(user=user, organization=org, team=team, role=role)
            )
