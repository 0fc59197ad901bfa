"""The seed's options, constants, small helpers and the shared state (_World)."""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, reset_queries

from apps.accounts.models import (
    Organization,
    Role,
    Team,
)
from apps.assessments.evaluation import ScoringContext
from apps.assessments.scoring import RubricModel
from apps.rubrics.evidence import (
    RUNTIME_SIGNAL_KEYS,
    STATIC_SIGNAL_KEYS,
)
from apps.rubrics.models import Rubric

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
