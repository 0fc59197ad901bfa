"""A large synthetic organisation, to try the leadership dashboards at scale.

`seed_scale` writes one new organisation: business units, teams and their people,
team targets, a scanned repository for most teams, quarterly assessments (answers,
evidence, rulings, score snapshots), a roadmap per team, and a model registry with
versions, production aliases and promotion requests.

Nothing is scored by hand. Answers follow a per-team maturity that grows each quarter
with noise (as apps/assessments/demo.py does) and go through the real claims and
scoring engine; roadmaps come from the real planning engine. Rows are bulk-inserted,
bypassing the services and their one audit event per change, in one transaction; one
`scale.seeded` event in the organisation's chain records the whole seed, so the chain
stays valid. Every random draw comes from a generator seeded by (seed, team, quarter),
so the same seed gives the same organisation however the work is batched.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, reset_queries, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import (
    BusinessUnit,
    Membership,
    Organization,
    Role,
    Team,
    User,
)
from apps.accounts.services import organization_create
from apps.assessments.claims import GivenAnswer
from apps.assessments.demo import default_rubric
from apps.assessments.evaluation import (
    ScoringContext,
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
    ScoreDimension,
    ScoreSnapshot,
)
from apps.assessments.scoring import (
    ENGINE_VERSION,
    ArtifactReview,
    AssessmentScore,
    Claim,
    CriterionInput,
    RubricModel,
    SignalState,
    score_assessment,
)
from apps.assessments.scoring import Resolution as Ruling
from apps.assessments.selectors import scoring_context
from apps.assessments.signals import state_of
from apps.audit.services import record_event
from apps.registry import gates
from apps.registry.models import (
    Alias,
    Decision,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
)
from apps.registry.services import policy_defaults_install, policy_snapshot
from apps.repos.models import LinkedRepo, Provider, Scan, Signal
from apps.repos.scanner import COLLECTOR_VERSION
from apps.repos.selectors import TeamSignal
from apps.roadmaps import engine
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.roadmaps.services import plan_digest
from apps.rubrics.evidence import (
    RUNTIME_SIGNAL_KEYS,
    RUNTIME_SIGNALS,
    STATIC_SIGNAL_KEYS,
    signal_key,
)
from apps.rubrics.models import Criterion, Question, Rubric, TeamTarget

BATCH = 2000
# Assessments built per round: a snapshot's payload is ~20 kB, so rounds stay small.
ASSESSMENTS_PER_ROUND = 400
TEAMS_PER_ROUND = 200
LIMITS = {"teams": (1, 20_000), "quarters": (1, 40), "models_per_team": (0, 50)}

# fmt: off
BUSINESS_UNITS = [
    "Retail Banking", "Insurance", "Payments", "Wealth", "Corporate Banking",
    "Group Platforms", "Risk", "Marketing", "Operations", "Customer Service",
    "Cards", "Mortgages", "Commercial Lending", "Treasury", "Fraud & Security",
    "HR Analytics", "Supply Chain", "Pricing", "Claims", "Digital Channels",
]
TOPICS = [
    "Credit Scoring", "Fraud Detection", "Churn", "Next Best Offer", "Claims Triage",
    "Pricing", "Underwriting", "Document AI", "Forecasting", "Search Ranking",
    "Support NLP", "Recommendations", "Collections", "AML Screening", "Marketing Mix",
    "Demand Planning", "Anomaly Detection", "Computer Vision", "Speech Analytics",
    "Risk Models", "Customer Lifetime Value", "Propensity", "Routing", "Capacity",
]
MODEL_KINDS = ["scorer", "classifier", "ranker", "forecaster", "extractor", "detector"]
# fmt: on
ORG_PEOPLE = [
    ("admin", Role.ORG_ADMIN),
    ("exec", Role.EXECUTIVE),
    ("auditor", Role.AUDITOR),
    ("assessor", Role.ASSESSOR),
    ("assessor2", Role.ASSESSOR),
    ("approver", Role.APPROVER),
    ("approver2", Role.APPROVER),
    ("approver3", Role.APPROVER),
    ("risk", Role.RISK_OFFICER),
    ("risk2", Role.RISK_OFFICER),
]
TEAM_PEOPLE = [("lead", Role.TEAM_LEAD), ("member", Role.TEAM_MEMBER)]
TEAM_PEOPLE += [("member2", Role.TEAM_MEMBER)]

SIGNAL_KEYS = STATIC_SIGNAL_KEYS + RUNTIME_SIGNAL_KEYS
# Static signals a recent successful run can prove (DESIGN §4); runtime ones always do.
RUNNABLE = {"ci_runs_tests", "scheduled_workflow", "training_pipeline"}
RUNNABLE |= {"continuous_training", "data_validation", "monitoring"}
SIGNAL_PATHS = {
    "ci_config": ".github/workflows/ci.yml",
    "ci_runs_tests": ".github/workflows/ci.yml:12",
    "tests_present": "tests/",
    "scheduled_workflow": ".github/workflows/retrain.yml",
    "continuous_training": ".github/workflows/retrain.yml:4",
    "monitoring": "monitoring/drift.py",
    "dependency_pinning": "requirements.lock",
    "containerised": "Dockerfile",
    "model_card": "MODEL_CARD.md",
}
NA_SHARE, NA_REASON, NA_NOTE = 0.04, "business_priority", "Not pursued this year."
EVIDENCE_SHARE, VERIFIED_SHARE, UPHELD_SHARE = 0.3, 0.85, 0.3
REJECTED_LINK = "The link shows a plan, not a running job."
SIGNAL_WON = "The repository shows no such practice."
CLAIM_WON = "The team showed it runs outside the repository."
TIERS, TIER_WEIGHTS = ("low", "medium", "high", "critical"), (35, 35, 20, 10)
EMPTY_DIGEST = gates.evidence_digest([])


class ScaleError(Exception):
    """The seed was refused; nothing was written."""


class ProgressBar(Protocol):
    def update(self, n: int = 1) -> Any: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[str, int], ProgressBar]


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(description: str, total: int) -> ProgressBar:
    return _Silent()


@dataclass(frozen=True)
class ScaleOptions:
    teams: int = 1000
    quarters: int = 8
    models_per_team: int = 5
    org_slug: str = "scale"
    seed: int = 0


@dataclass(frozen=True)
class ScaleResult:
    organization: str
    periods: list[str]
    counts: dict[str, int]
    seconds: float
    password: str


def options_problems(options: ScaleOptions) -> list[str]:
    """What is wrong with the options, one sentence each (empty when they are fine)."""
    problems = []
    for name, (low, high) in LIMITS.items():
        value = getattr(options, name)
        if not low <= value <= high:
            flag = name.replace("_", "-")
            problems.append(f"--{flag} must be from {low} to {high}, not {value}.")
    try:
        validate_slug(options.org_slug)
    except ValidationError:
        problems.append(
            f"--org-slug {options.org_slug!r} is not a slug (letters, digits, - and _)."
        )
    if len(options.org_slug) > 60:
        problems.append("--org-slug is longer than 60 characters.")
    return problems


def quarters_before(today: date, count: int) -> list[str]:
    """`count` quarters, oldest first, ending with the last full one before `today`."""
    last = today.year * 4 + (today.month - 1) // 3 - 1
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(last - count + 1, last + 1)]


def _quarter_end(period: str) -> datetime:
    year, quarter = int(period[:4]), int(period[-1])
    first_after = date(year + quarter // 4, quarter * 3 % 12 + 1, 1)
    return datetime.combine(first_after, datetime.min.time(), UTC) - timedelta(hours=6)


def _next_quarter(period: str) -> str:
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year + quarter // 4}-Q{quarter % 4 + 1}"


def _chunks(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def _clamp(value: float) -> float:
    return max(0.0, min(4.0, value))


# --- Shared state ---------------------------------------------------------------------


class _Writer:
    """Bulk inserts, BATCH rows at a time per model, counted by model."""

    def __init__(self) -> None:
        self.pending: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.counts: Counter[str] = Counter()

    def create(self, rows: Sequence[models.Model]) -> Sequence[models.Model]:
        """Insert now: their primary keys are needed next."""
        if rows:
            model = type(rows[0])
            model.objects.bulk_create(rows, batch_size=BATCH)
            self.counts[str(model._meta.verbose_name_plural)] += len(rows)
        return rows

    def add(self, row: models.Model) -> None:
        """Insert later, with the next BATCH rows of its model."""
        rows = self.pending[type(row)]
        rows.append(row)
        if len(rows) >= BATCH:
            self.create(self.pending.pop(type(row)))

    def flush(self) -> None:
        for model in list(self.pending):
            self.create(self.pending.pop(model))
        # With DEBUG on, Django keeps every statement; these inserts are megabytes.
        reset_queries()


@dataclass(frozen=True)
class _Question:
    pk: int
    key: str
    dimension: str
    type: str
    unit: str
    low: float | None
    high: float | None
    options: tuple[tuple[str, int], ...]  # (value, level), by level then position
    first_level: int  # the lowest level among its criteria


@dataclass(frozen=True)
class _CriterionMeta:
    pk: int
    effort: str
    requires: tuple[str, ...]


@dataclass
class _World:
    """What the phases share: options, clock, organisation, people and rubric."""

    options: ScaleOptions
    now: datetime
    periods: list[str]
    progress: ProgressFactory
    writer: _Writer = field(default_factory=_Writer)
    organization: Organization | None = None
    teams: list[Team] = field(default_factory=list)
    leads: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    people: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    rubric: Rubric | None = None
    dimensions: list[tuple[str, bool]] = field(default_factory=list)  # (key, core)
    questions: list[_Question] = field(default_factory=list)
    question_keys: dict[int, str] = field(default_factory=dict)
    provable: list[int] = field(default_factory=list)  # questions with level 3–4
    criteria: dict[str, _CriterionMeta] = field(default_factory=dict)
    signal_levels: dict[str, float] = field(default_factory=dict)
    context: ScoringContext | None = None
    rules: dict[tuple[str, int], Any] = field(default_factory=dict)

    def rng(self, *parts: object) -> random.Random:
        key = ":".join(map(str, ("tollgate-scale", self.options.seed, *parts)))
        return random.Random(key)  # noqa: S311 (synthetic data, not secrets)

    def hex(self, *parts: object, length: int = 64) -> str:
        key = ":".join(map(str, (self.options.seed, *parts)))
        return hashlib.sha256(key.encode()).hexdigest()[:length]

    def model_for(self, targets: dict[str, int]) -> RubricModel:
        """The rubric with the team's targets; one rule per (dimension, target), so
        the engine's per-rule plan is built once, not per team."""
        rules = []
        for rule in self.context.model.dimensions:
            key = (rule.id, targets[rule.id])
            if key not in self.rules:
                self.rules[key] = replace(rule, target=targets[rule.id])
            rules.append(self.rules[key])
        return RubricModel(tuple(rules))


# --- Entry point ----------------------------------------------------------------------


def seed_scale(
    *, options: ScaleOptions, progress: ProgressFactory = no_progress
) -> ScaleResult:
    """Create the synthetic organisation in one transaction: all of it or nothing.
    Refuses a slug in use (it never touches another organisation)."""
    started = time.monotonic()
    problems = options_problems(options)
    if problems:
        raise ScaleError(" ".join(problems))
    password = secrets.token_urlsafe(12)
    periods = quarters_before(timezone.localdate(), options.quarters)
    world = _World(options, timezone.now(), periods, progress)
    with transaction.atomic():
        _refuse_taken(options.org_slug)
        _load_rubric(world)
        _people(world, make_password(password))
        _repositories(world)
        _assessments(world)
        _registry(world)
        _finish(world)
    counts = dict(sorted(world.writer.counts.items()))
    seconds = time.monotonic() - started
    return ScaleResult(options.org_slug, periods, counts, seconds, password)


def _refuse_taken(slug: str) -> None:
    if Organization.objects.filter(slug=slug).exists():
        raise ScaleError(
            f"An organisation with the slug {slug!r} already exists; choose another "
            "--org-slug. seed_scale never changes an existing organisation."
        )
    if User.objects.filter(username__istartswith=f"{slug}.").exists():
        raise ScaleError(
            f"Usernames starting with '{slug}.' are taken; choose another --org-slug."
        )


def _finish(world: _World) -> None:
    """Backdate what dashboards age by, then record the seed in the audit chain."""
    org = world.organization
    # auto_now_add stamped these rows now; their own timeline says when they began.
    PromotionRequest.objects.filter(version__model__organization=org).update(
        created_at=F("opened_at")
    )
    Assessment.objects.filter(team__organization=org).update(
        created_at=F("submitted_at")
    )
    ModelVersion.objects.filter(model__organization=org).exclude(
        submitted_at=None
    ).update(created_at=F("submitted_at"))
    Scan.objects.filter(repo__organization=org).update(created_at=F("started_at"))
    options = world.options
    record_event(
        organization=org,
        actor=None,
        action="scale.seeded",
        target=org,
        data={
            "seed": options.seed,
            "teams": options.teams,
            "quarters": world.periods,
            "models_per_team": options.models_per_team,
            "rows": dict(sorted(world.writer.counts.items())),
        },
    )


# --- Rubric ---------------------------------------------------------------------------


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


# --- Repositories and signals ---------------------------------------------------------


@dataclass(frozen=True)
class _SignalView:
    """What the team's repository showed at one time, as scoring reads it."""

    states: dict[str, SignalState]
    running: frozenset[str]
    sources: dict[str, list[dict]]
    facts: list[tuple[str, bool, str]]  # (key, value, strength), as stored
    observed_at: datetime | None = None
    commit: str = ""


NO_SIGNALS = _SignalView({}, frozenset(), {}, [])


def _maturity(profile: _Profile, quarter: int, rng: random.Random) -> dict[str, float]:
    level = profile.base + profile.growth * quarter
    return {
        key: _clamp(level + offset + rng.gauss(0, 0.35))
        for key, offset in profile.offsets.items()
    }


def _strength(key: str, held: bool, maturity: float) -> str:
    if not held:
        return ""
    if key in RUNTIME_SIGNALS or (key in RUNNABLE and maturity >= 2.8):
        return Signal.Strength.RUNNING
    return Signal.Strength.WIRED if maturity >= 1.8 else Signal.Strength.DECLARED


def _signal_view(
    world: _World, index: int, profile: _Profile, maturity: dict[str, float], q: int
) -> _SignalView:
    """The repository's signals as of quarter `q`: its last scan for the latest
    quarter (the rows stored), an observation at the quarter's end before that."""
    if not profile.linked:
        return NO_SIGNALS
    mean = statistics.fmean(maturity.values())
    observed, stale = _observed(world, profile, q)
    commit = world.hex(index, q, "commit", length=40)
    facts = _signal_facts(world, profile, mean)
    return _SignalView(
        states={
            key: state_of(TeamSignal(key, held, strength, observed, stale))
            for key, held, strength in facts
        },
        running=frozenset(
            key for key, held, strength in facts if strength == Signal.Strength.RUNNING
        ),
        sources={
            key: [_source(world, index, commit, observed, key, held)]
            for key, held, _ in facts
        },
        facts=facts,
        observed_at=observed,
        commit=commit,
    )


def _observed(world: _World, profile: _Profile, q: int) -> tuple[datetime, bool]:
    """When the signals seen in quarter `q` were observed, and whether that is
    before the freshness window (only the last scan can be: scores are taken when
    the quarter ends)."""
    if q < len(world.periods) - 1:
        return _quarter_end(world.periods[q]) - timedelta(days=3), False
    freshness = timedelta(days=settings.REPOS_SIGNAL_FRESHNESS_DAYS)
    return world.now - profile.scan_age, profile.scan_age > freshness


def _signal_facts(
    world: _World, profile: _Profile, mean: float
) -> list[tuple[str, bool, str]]:
    """(key, holds, strength) per signal: a signal tends to hold once the team is
    about as mature as the lowest criterion it evidences."""
    facts = []
    for key in SIGNAL_KEYS:
        level = mean + profile.noise[key]
        held = level >= world.signal_levels[key] - 0.5
        facts.append((key, held, _strength(key, held, mean + profile.noise[key] / 2)))
    return facts


def _source(
    world: _World, index: int, commit: str, observed: datetime, key: str, held: bool
) -> dict:
    return {
        "repo": _repo_name(world.teams[index]),
        "commit": commit,
        "observed_at": observed.isoformat(),
        "value": held,
        "evidence": [SIGNAL_PATHS.get(key, f"ci/{key}")] if held else [],
    }


def _repo_name(team: Team) -> str:
    return f"{team.slug}-ml"


def _latest_view(world: _World, index: int, profile: _Profile) -> _SignalView:
    q = len(world.periods) - 1
    maturity = _maturity(profile, q, world.rng(index, q))
    return _signal_view(world, index, profile, maturity, q)


def _repositories(world: _World) -> None:
    """A linked repository for most teams, its last scan and that scan's signals.
    The paths are data only: nothing is cloned or scanned."""
    bar = world.progress("repositories", world.options.teams)
    for chunk in _chunks(world.options.teams, TEAMS_PER_ROUND):
        views = {}
        for index in chunk:
            profile = _profile(world, index)
            if profile.linked:
                views[index] = _latest_view(world, index, profile)
        repos = world.writer.create([_repo(world, index) for index in views])
        scans = world.writer.create(
            [
                _scan(repo, view)
                for repo, view in zip(repos, views.values(), strict=True)
            ]
        )
        for scan, view in zip(scans, views.values(), strict=True):
            for key, held, strength in view.facts:
                world.writer.add(_signal(scan, view, key, held, strength))
        world.writer.flush()
        bar.update(len(chunk))
    bar.close()


def _repo(world: _World, index: int) -> LinkedRepo:
    team = world.teams[index]
    return LinkedRepo(
        organization=world.organization,
        team=team,
        name=_repo_name(team),
        provider=Provider.GIT,
        local_path=f"/srv/tollgate-scale/{world.options.org_slug}/{team.slug}",
        default_branch="main",
        created_by_id=world.leads[index],
    )


def _scan(repo: LinkedRepo, view: _SignalView) -> Scan:
    return Scan(
        repo=repo,
        status=Scan.Status.SUCCEEDED,
        trigger=Scan.Trigger.SCHEDULE,
        started_at=view.observed_at - timedelta(minutes=2),
        finished_at=view.observed_at,
        attempts=1,
        commit=view.commit,
        collector_version=COLLECTOR_VERSION,
        step="done",
        percent=100,
    )


def _signal(
    scan: Scan, view: _SignalView, key: str, held: bool, strength: str
) -> Signal:
    runtime = key in RUNTIME_SIGNALS
    measure = {"pass_rate": 0.97 if held else 0.61} if key == "ci_pass_rate" else {}
    return Signal(
        repo_id=scan.repo_id,
        scan=scan,
        key=key,
        value=held,
        strength=strength,
        evidence=view.sources[key][0]["evidence"],
        measure=measure,
        commit=view.commit,
        source=Signal.Source.WEBHOOK if runtime else Signal.Source.SCAN,
        observed_at=view.observed_at,
    )


# --- Assessments ----------------------------------------------------------------------


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
        for d in quarter.score.dimensions:
            world.writer.add(
                ScoreDimension(
                    snapshot=snapshot,
                    dimension=d.id,
                    level=d.level,
                    progress=d.progress,
                    score=d.score,
                    target=d.target,
                    weight=d.weight,
                    core=d.core,
                )
            )


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


# --- Roadmaps -------------------------------------------------------------------------


def _plan_input(world: _World, quarter: _Quarter) -> engine.PlanInput:
    """The engine's input from a score, as apps.roadmaps.selectors.plan_basis builds it."""
    dimensions = quarter.score.dimensions
    return engine.PlanInput(
        dimensions=tuple(
            engine.DimensionState(d.id, d.level, d.target, d.weight, d.core)
            for d in dimensions
        ),
        criteria=tuple(
            engine.CriterionState(
                key=c.criterion,
                dimension=d.id,
                level=c.level,
                effort=world.criteria[c.criterion].effort,
                requires=world.criteria[c.criterion].requires,
                credit=c.credit,
                claimed=quarter.inputs[c.criterion].claim == Claim.MET,
                evidenced=c.evidenced,
                conflict=c.conflict,
            )
            for d in dimensions
            for c in d.credits
        ),
    )


def _roadmaps(world: _World, latest: list[_Quarter]) -> None:
    """Each team's roadmap, planned by the engine from its latest assessment."""
    planned = []
    for quarter in latest:
        given = _plan_input(world, quarter)
        planned.append((quarter, given, engine.generate(given)))
    roadmaps = world.writer.create(
        [
            Roadmap(
                team=quarter.assessment.team,
                rubric=world.rubric,
                assessment=quarter.assessment,
                signals_as_of=quarter.signals_as_of,
                signal_states={
                    k: str(v) for k, v in sorted(quarter.facts.signals.items())
                },
                floor=plan.floor,
                generated_at=world.now,
                engine_version=plan.engine_version,
                plan_digest=plan_digest(quarter.assessment, given, plan),
            )
            for quarter, given, plan in planned
        ]
    )
    for roadmap, (quarter, _, plan) in zip(roadmaps, planned, strict=True):
        rng = world.rng(quarter.index, "roadmap")
        for item in plan.items:
            world.writer.add(_item(world, roadmap, item, quarter, rng))


def _item(
    world: _World,
    roadmap: Roadmap,
    item: engine.PlannedItem,
    quarter: _Quarter,
    rng: random.Random,
) -> RoadmapItem:
    """A planned item; the team has started on some of its Now items."""
    started = item.phase == engine.Phase.NOW and rng.random() < 0.3
    return RoadmapItem(
        roadmap=roadmap,
        criterion_key=item.criterion,
        criterion_id=world.criteria[item.criterion].pk,
        dimension_key=item.dimension,
        target_level=item.level,
        kind=item.kind,
        phase=item.phase,
        rank=item.rank,
        priority=item.priority,
        factors=asdict(item.factors),
        requires=list(item.requires),
        unblocks=list(item.unblocks),
        blocked_by_target=list(item.blocked_by_target),
        pulled_in=item.pulled_in,
        status=RoadmapItem.Status.IN_PROGRESS
        if started
        else RoadmapItem.Status.PLANNED,
        owner_id=world.leads[quarter.index] if started else None,
        due_quarter=_next_quarter(quarter.assessment.period) if started else "",
    )


# --- Registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class _ModelPlan:
    """One model's story: its versions, which holds `production`, what is pending."""

    tier: str
    versions: int
    holder: int | None  # the version `production` points at
    draft_last: bool  # the newest version is still a draft
    overdue: bool  # the holder's revalidation is overdue
    in_flight: str | None  # "open" or "approved": a request for the newest version
    break_glass: bool  # the holder went live by break-glass
    applied_at: datetime | None


def _model_plan(world: _World, rng: random.Random) -> _ModelPlan:
    tier = rng.choices(TIERS, weights=TIER_WEIGHTS)[0]
    versions = rng.choices((1, 2, 3), weights=(35, 40, 25))[0]
    holder = None
    if rng.random() < 0.7:
        holder = versions if versions == 1 or rng.random() < 0.55 else versions - 1
    draft_last = holder != versions and rng.random() < 0.1
    break_glass = holder is not None and tier in TIERS[2:] and rng.random() < 0.05
    applied_at = None
    if break_glass and rng.random() < 0.3:
        applied_at = world.now - timedelta(hours=rng.uniform(0.5, 20))
    elif holder is not None:
        applied_at = world.now - timedelta(days=rng.uniform(3, 200))
    # Overdue: live for a while and not revalidated in time.
    old = applied_at is not None and applied_at < world.now - timedelta(days=30)
    overdue = old and rng.random() < 0.15
    in_flight = None
    # No promotion opens while a revalidation is overdue (the service refuses it).
    if holder != versions and not draft_last and not overdue and rng.random() < 0.13:
        in_flight = "approved" if rng.random() < 0.3 else "open"
    return _ModelPlan(
        tier, versions, holder, draft_last, overdue, in_flight, break_glass, applied_at
    )


@dataclass
class _ModelRows:
    """A model being written: its plan, generator and rows so far."""

    index: int  # its team's
    plan: _ModelPlan
    rng: random.Random
    model: RegisteredModel
    policy: dict  # the snapshot of its tier's production policy
    versions: list[ModelVersion] = field(default_factory=list)
    requests: list[tuple[PromotionRequest, str]] = field(default_factory=list)


def _registry(world: _World) -> None:
    """The default promotion policies (through their service), then per team its
    models, versions, production aliases and promotion requests."""
    installed = policy_defaults_install(organization=world.organization)
    world.writer.counts["promotion policies"] += len(installed)
    policies = {
        p.risk_tier: policy_snapshot(p) for p in installed if p.target == "production"
    }
    per_team = world.options.models_per_team
    bar = world.progress("registry", world.options.teams)
    for chunk in _chunks(world.options.teams, TEAMS_PER_ROUND):
        rows = []
        for index in chunk:
            rng = world.rng(index, "registry")
            for j in range(per_team):
                plan = _model_plan(world, rng)
                model = _model(world, index, j, plan)
                rows.append(_ModelRows(index, plan, rng, model, policies[plan.tier]))
        world.writer.create([r.model for r in rows])
        _versions(world, rows)
        _requests(world, rows)
        world.writer.flush()
        bar.update(len(chunk))
    bar.close()


def _model(world: _World, index: int, j: int, plan: _ModelPlan) -> RegisteredModel:
    team = world.teams[index]
    kind = MODEL_KINDS[j % len(MODEL_KINDS)]
    return RegisteredModel(
        organization=world.organization,
        team=team,
        name=f"{team.slug}-{kind}-{j + 1}",
        purpose=f"{team.name}: {kind} for day-to-day decisions.",
        owner_id=world.leads[index],
        risk_tier=plan.tier,
        next_version=plan.versions + 1,
    )


def _submitted_times(world: _World, rows: _ModelRows) -> list[datetime]:
    """When each version was submitted: the holder shortly before it went live, the
    others a month or two apart around it."""
    plan, rng = rows.plan, rows.rng
    gap = timedelta(days=rng.uniform(20, 60))
    if plan.holder is None:
        newest = world.now - timedelta(days=rng.uniform(5, 120))
        return [newest - gap * (plan.versions - n) for n in range(1, plan.versions + 1)]
    held = plan.applied_at - timedelta(days=rng.uniform(1, 10))
    after = plan.applied_at + (world.now - plan.applied_at) * rng.uniform(0.2, 0.9)
    return [
        held - gap * (plan.holder - n) if n <= plan.holder else after
        for n in range(1, plan.versions + 1)
    ]


def _version_status(plan: _ModelPlan, n: int) -> str:
    Status = ModelVersion.Status
    if plan.holder is None or n > plan.holder:
        draft = plan.draft_last and n == plan.versions
        return Status.DRAFT if draft else Status.SUBMITTED
    return Status.ACTIVE if n == plan.holder else Status.SUPERSEDED


def _versions(world: _World, rows: list[_ModelRows]) -> None:
    for r in rows:
        for n, submitted in enumerate(_submitted_times(world, r), start=1):
            r.versions.append(_version(world, r, n, submitted))
    world.writer.create([v for r in rows for v in r.versions])


def _version(
    world: _World, rows: _ModelRows, n: int, submitted: datetime
) -> ModelVersion:
    model, plan, rng = rows.model, rows.plan, rows.rng
    status = _version_status(plan, n)
    lead = world.leads[rows.index]
    frozen = status != ModelVersion.Status.DRAFT
    version = ModelVersion(
        model=model,
        version=n,
        status=status,
        source_uri=f"s3://{world.options.org_slug}-models/{model.name}/{n}/",
        artifact_sha256=world.hex(model.name, n, "artifact"),
        code_commit=world.hex(model.name, n, "commit", length=40),
        repository=f"https://git.example.com/{model.team.slug}/{model.name}",
        run_ref=f"mlflow:runs/{world.hex(model.name, n, 'run', length=32)}",
        dataset_refs=[f"s3://lake/{model.team.slug}/training@{submitted:%Y-%m-%d}"],
        metrics={"auc": round(0.7 + 0.015 * n + rng.uniform(0, 0.12), 3)},
        model_card={"intended_use": model.purpose, "risk_tier": plan.tier},
        authors=[world.members[rows.index]],
        created_by_id=lead,
        submitted_at=submitted if frozen else None,
        submitted_by_id=lead if frozen else None,
    )
    if n == plan.holder:
        _revalidation(world, version, rows)
    return version


def _revalidation(world: _World, version: ModelVersion, rows: _ModelRows) -> None:
    """Due within the policy's interval, or overdue (flagged the morning after, as
    the daily sweep does)."""
    plan, rng, today = rows.plan, rows.rng, world.now.date()
    interval = rows.policy["revalidation_interval_days"] or 365
    if plan.overdue:
        due = today - timedelta(days=rng.randint(1, 60))
        flagged = datetime.combine(due + timedelta(days=1), datetime.min.time(), UTC)
        version.revalidation_overdue_since = flagged + timedelta(hours=6)
    else:
        due = today + timedelta(days=rng.randint(1, interval))
    version.revalidation_due = due


def _requests(world: _World, rows: list[_ModelRows]) -> None:
    """The applied request behind each production alias, requests in flight for
    newer versions, and break-glass retrospectives; then decisions and aliases."""
    for r in rows:
        if r.plan.holder is not None:
            r.requests.append(_applied(world, r))
        if r.plan.in_flight:
            r.requests.append(_in_flight(world, r))
    world.writer.create([req for r in rows for req, _ in r.requests])
    retrospectives = [
        (r, _retrospective(world, r, req))
        for r in rows
        for req, _ in r.requests
        if req.break_glass
    ]
    world.writer.create([req for _, (req, _) in retrospectives])
    for r, pair in retrospectives:
        r.requests.append(pair)
    for turn, r in enumerate(rows):
        for request, decided in r.requests:
            _decisions(world, request, decided, turn)
        if r.plan.holder is not None:
            _alias(world, r)


def _request(
    world: _World, rows: _ModelRows, n: int, opened: datetime
) -> PromotionRequest:
    version = rows.versions[n - 1]
    metric, value = next(iter(version.metrics.items()))
    return PromotionRequest(
        version=version,
        target="production",
        requested_by_id=world.leads[rows.index],
        justification=f"v{n} to production: {metric} {value} on the out-of-time "
        "sample, lineage complete.",
        policy_id=rows.policy["policy_id"],
        policy_snapshot=rows.policy,
        evidence_digest_at_open=EMPTY_DIGEST,
        opened_at=opened,
    )


def _applied(world: _World, rows: _ModelRows) -> tuple[PromotionRequest, str]:
    """The request that moved `production` to the holder: approved then applied by
    the team, or applied by a risk officer breaking the glass."""
    plan, rng = rows.plan, rows.rng
    applied = plan.applied_at
    request = _request(world, rows, plan.holder, applied)
    request.status, request.closed_at = PromotionRequest.Status.APPLIED, applied
    if plan.break_glass:
        request.opened_at = applied - timedelta(hours=rng.uniform(0.2, 6))
        request.break_glass = True
        request.applied_by_id = world.people[Role.RISK_OFFICER][0]
        return request, ""
    request.opened_at = applied - timedelta(days=rng.uniform(1, 6))
    request.approved_at = applied - (applied - request.opened_at) * rng.uniform(0, 0.5)
    ttl = timedelta(days=rows.policy["approval_ttl_days"])
    request.approved_until = request.approved_at + ttl
    request.applied_by_id = world.leads[rows.index]
    return request, "quorum"


def _in_flight(world: _World, rows: _ModelRows) -> tuple[PromotionRequest, str]:
    """A request for the newest version, opened in the last eight weeks: approved
    (not yet expired) or still open with some of its approvals."""
    plan, rng, now = rows.plan, rows.rng, world.now
    submitted = rows.versions[-1].submitted_at
    since = max(submitted, now - timedelta(days=56))
    opened = since + (now - since) * rng.uniform(0.05, 1)
    request = _request(world, rows, plan.versions, opened)
    if plan.in_flight == "open":
        return request, "partial"
    ttl = timedelta(days=rows.policy["approval_ttl_days"])
    request.status = PromotionRequest.Status.APPROVED
    request.approved_at = max(opened, now - ttl * 0.8) + timedelta(minutes=5)
    request.approved_until = request.approved_at + ttl
    return request, "quorum"


def _retrospective(
    world: _World, rows: _ModelRows, glass: PromotionRequest
) -> tuple[PromotionRequest, str]:
    """The review a break-glass apply opens: still open within its deadline,
    ratified by a quorum (without the officer who broke the glass) after it."""
    hours = glass.policy_snapshot["retrospective_hours"]
    request = _request(world, rows, rows.plan.holder, glass.closed_at)
    request.justification = (
        f"Retrospective review of break-glass apply #{glass.pk}: an attack pattern "
        "the champion model missed."
    )
    request.retrospective_of = glass
    request.retrospective_due = glass.closed_at + timedelta(hours=hours)
    if request.retrospective_due > world.now:
        return request, ""
    request.status = PromotionRequest.Status.APPLIED
    request.closed_at = glass.closed_at + timedelta(
        hours=hours * rows.rng.uniform(0.2, 0.9)
    )
    return request, "quorum"


def _deciders(
    world: _World, snapshot: dict, turn: int, exclude: int | None
) -> list[tuple[int, str]]:
    """(user id, role) of enough distinct approvers for the policy, a risk officer
    first when it needs one."""
    approvers = [(pk, Role.APPROVER) for pk in world.people[Role.APPROVER]]
    officers = [
        (pk, Role.RISK_OFFICER)
        for pk in world.people[Role.RISK_OFFICER]
        if pk != exclude
    ]
    turn %= len(approvers)
    ordered = approvers[turn:] + approvers[:turn]
    if Role.RISK_OFFICER in snapshot["required_roles"]:
        ordered = [officers[turn % len(officers)], *ordered]
    return ordered[: snapshot["required_approvals"]]


def _decisions(
    world: _World, request: PromotionRequest, decided: str, turn: int
) -> None:
    """Approvals spread up to approval (or now), recent enough to count under the
    policy's time-to-live: its quorum, or fewer for a request still open."""
    if not decided:
        return
    glass = request.retrospective_of if request.retrospective_of_id else None
    breaker = glass.applied_by_id if glass else None
    deciders = _deciders(world, request.policy_snapshot, turn, breaker)
    if decided == "partial":
        deciders = deciders[: turn % len(deciders)]
    end = request.approved_at or request.closed_at or world.now
    ttl = timedelta(days=request.policy_snapshot["approval_ttl_days"])
    start = max(request.opened_at, end - ttl / 2)
    step = (end - start) / (len(deciders) + 1)
    for i, (pk, role) in enumerate(deciders, start=1):
        world.writer.add(
            Decision(
                request=request,
                approver_id=pk,
                outcome=Decision.Outcome.APPROVE,
                roles=[str(role)],
                evidence_digest=EMPTY_DIGEST,
                decided_at=start + step * i,
            )
        )


def _alias(world: _World, rows: _ModelRows) -> None:
    request = next(
        req
        for req, _ in rows.requests
        if req.status == PromotionRequest.Status.APPLIED
        and req.retrospective_of_id is None
    )
    world.writer.add(
        Alias(
            model=rows.model,
            name="production",
            version=rows.versions[rows.plan.holder - 1],
            protected=True,
            set_by_id=request.applied_by_id,
            set_at=request.closed_at,
            via_request=request,
        )
    )
