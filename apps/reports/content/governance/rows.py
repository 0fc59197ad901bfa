"""The governance report's rows: plain, frozen values, so the template reads no
relation and runs no query; and the people and roles in them, as the report names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from apps.accounts.models import Organization, Role, User
from apps.registry.models import PromotionRequest, RegisteredModel

from .events import EventRow, event_listing

ROLE_LABELS = dict(Role.choices)


# --- Rows (plain values: the template reads no relation) ------------------------------


@dataclass(frozen=True)
class AliasRow:
    name: str
    version: int
    protected: bool


@dataclass(frozen=True)
class ModelRow:
    name: str
    tier: str
    team: str
    owner: str
    status: str
    aliases: list[AliasRow]
    revalidation_due: date | None  # the earliest among its live versions
    overdue: bool


@dataclass(frozen=True)
class TierRow:
    tier: str
    label: str
    models: list[ModelRow]

    @property
    def overdue(self) -> int:
        return sum(1 for model in self.models if model.overdue)


@dataclass(frozen=True)
class DecisionRow:
    approver: str
    roles: str  # the roles they decided under
    outcome: str  # "approve" | "reject"
    comment: str
    decided_at: datetime


@dataclass(frozen=True)
class CommentRow:
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class RequestRow:
    pk: int
    model: str
    version: int
    target: str
    status: str
    requester: str
    on_behalf_of: str
    justification: str
    opened_at: datetime
    decided_at: datetime | None
    applied_at: datetime | None
    applied_by: str
    policy: str  # "2 approvals incl. risk officer (policy v1)"
    break_glass: bool
    retrospective_of: int | None
    decisions: list[DecisionRow]
    comments: list[CommentRow]

    @property
    def label(self) -> str:
        """The status in words: a retrospective review that was applied ratified the
        break-glass promotion it reviewed."""
        if self.retrospective_of and self.status == PromotionRequest.Status.APPLIED:
            return "ratified"
        return self.status


@dataclass(frozen=True)
class EvidenceRow:
    requirement: str
    kind: str
    sha256: str
    link: str  # the URL, or the uploaded file's name
    status: str
    submitted_by: str
    reviewed_by: str
    reviewed_at: datetime | None
    review_comment: str
    replaced: bool


@dataclass(frozen=True)
class VersionEvidence:
    model: str
    version: int
    artifact_sha256: str
    items: list[EvidenceRow]


@dataclass(frozen=True)
class BreakGlassRow:
    request: int
    model: str
    version: int
    target: str
    applied_by: str
    applied_at: datetime | None
    retrospective: int | None
    review_status: str
    review_due: datetime | None
    review_closed_at: datetime | None
    review_decisions: list[DecisionRow]


@dataclass(frozen=True)
class OverdueRow:
    model: str
    version: int
    team: str
    owner: str
    due: date
    overdue_since: datetime
    days_overdue: int


@dataclass(frozen=True)
class GovernanceContent:
    organization: Organization
    model: RegisteredModel | None
    period: str
    tiers: list[TierRow]
    requests: list[RequestRow]
    evidence: list[VersionEvidence]
    break_glass: list[BreakGlassRow]
    overdue: list[OverdueRow]
    events: list[EventRow]
    events_total: int  # about the scope; `events` lists the newest EVENTS_LISTED

    @property
    def events_listing(self) -> str:
        """The events as fixed-width lines under a header, as a log reads: a
        preformatted block lays out several times faster than a table's cells."""
        return event_listing(self.events)

    @property
    def subject(self) -> ModelRow | None:
        """The model's row, when the report is about one model."""
        rows = [row for tier in self.tiers for row in tier.models]
        return rows[0] if self.model is not None and rows else None

    @property
    def scope_label(self) -> str:
        return self.model.name if self.model else self.organization.name

    @property
    def model_count(self) -> int:
        return sum(len(tier.models) for tier in self.tiers)

    def requests_with(self, *labels: str) -> int:
        return sum(1 for request in self.requests if request.label in labels)

    @property
    def summary(self) -> list[tuple[str, int]]:
        status = PromotionRequest.Status
        return [
            ("Models", self.model_count),
            ("Promotion requests", len(self.requests)),
            ("Applied", self.requests_with(status.APPLIED)),
            ("Rejected", self.requests_with(status.REJECTED)),
            ("In flight", self.requests_with(status.OPEN, status.APPROVED)),
            ("Break-glass applies", len(self.break_glass)),
            ("Overdue revalidations", len(self.overdue)),
        ]


# --- People and roles, as the rows name them --------------------------------------


def _person(user: User | None) -> str:
    if user is None:
        return ""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def _roles(roles: Sequence[str]) -> str:
    return ", ".join(ROLE_LABELS.get(role, role) for role in roles)
