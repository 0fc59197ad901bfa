"""What a model governance report shows: the registry's inventory by risk tier, every
promotion request with its decisions, comments and the evidence of its version,
break-glass applies and their retrospective reviews, overdue revalidations, and the
audit events about the models in scope.

The scope is one model or the whole organisation; the period ("2026-Q3") selects the
requests opened in that quarter, and the audit events of the quarter. The inventory
and overdue revalidations are the registry as it stands when the report is read.
Reading takes the same few queries however many models and requests there are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.models import Organization, Role, User
from apps.audit.canonical import format_timestamp
from apps.audit.models import AuditEvent, Chain
from apps.audit.selectors import with_actor_username
from apps.core.exceptions import ApplicationError
from apps.registry.models import (
    Alias,
    Comment,
    Decision,
    EvidenceItem,
    Finding,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
    RiskTier,
)

PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")
# Most severe first, as a risk committee reads them.
TIER_ORDER = [RiskTier.CRITICAL, RiskTier.HIGH, RiskTier.MEDIUM, RiskTier.LOW]
# The audit events listed in the PDF (the newest); the attached export holds them all.
EVENTS_LISTED = 2000
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
class EventRow:
    seq: int
    ts: str
    action: str
    actor: str
    object: str
    hash: str


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


# --- Reading ------------------------------------------------------------------------


def quarter_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of a quarter such as "2026-Q3", in UTC."""
    match = PERIOD.match(period)
    if match is None:
        raise ApplicationError(
            f"{period!r} is not a quarter: write it as 2026-Q3.",
            fields={"period": ["Write a quarter as 2026-Q3."]},
        )
    year, quarter = int(match[1]), int(match[2])
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + quarter // 4, 3 * quarter % 12 + 1, 1, tzinfo=UTC)
    return start, end


def governance_content(
    *,
    organization: Organization,
    model: RegisteredModel | None,
    period: str,
    chain: Chain,
) -> GovernanceContent:
    """The report's content; audit events are read up to the chain's head as `chain`
    holds it. Refused, readably, for a period without requests or registry activity."""
    bounds = quarter_bounds(period) if period else None
    models = RegisteredModel.objects.filter(organization=organization)
    if model is not None:
        models = models.filter(pk=model.pk)
    model_rows = _models(models)
    in_scope = _request_scope(models, bounds)
    requests = _requests(in_scope)
    events, total = _events(
        chain, models, in_scope, bounds, whole_registry=model is None
    )
    if bounds and not requests and not total:
        where = f" of {model.name}" if model else ""
        raise ApplicationError(
            f"No promotion requests in {period}, and no registry activity{where} then.",
            code="no_data",
            fields={"period": [f"No promotion requests in {period}."]},
        )
    return GovernanceContent(
        organization=organization,
        model=model,
        period=period,
        tiers=_tiers(model_rows),
        requests=[_request_row(request) for request in requests],
        evidence=_evidence(requests, in_scope),
        break_glass=[_break_glass_row(r) for r in requests if r.break_glass],
        overdue=_overdue(model_rows),
        events=events,
        events_total=total,
    )


def _person(user: User | None) -> str:
    if user is None:
        return ""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def _roles(roles: Sequence[str]) -> str:
    return ", ".join(ROLE_LABELS.get(role, role) for role in roles)


# --- Inventory ------------------------------------------------------------------------


def _models(models: QuerySet[RegisteredModel]) -> list[RegisteredModel]:
    """The models with team, owner, aliases and the versions that carry duties (live
    or overdue): three queries."""
    aliases = Alias.objects.select_related("version").only(
        "name", "protected", "model_id", "version__version"
    )
    duties = ModelVersion.objects.filter(
        Q(status=ModelVersion.Status.ACTIVE)
        | Q(revalidation_overdue_since__isnull=False)
    ).only(
        "model_id",
        "version",
        "status",
        "revalidation_due",
        "revalidation_overdue_since",
    )
    return list(
        models.select_related("team", "owner")
        .prefetch_related(
            Prefetch("aliases", queryset=aliases.order_by("name")),
            Prefetch("versions", queryset=duties.order_by("version"), to_attr="duty"),
        )
        .order_by("name", "pk")
    )


def _model_row(model: RegisteredModel) -> ModelRow:
    due = [
        v.revalidation_due
        for v in model.duty
        if v.status == ModelVersion.Status.ACTIVE and v.revalidation_due
    ]
    return ModelRow(
        name=model.name,
        tier=model.get_risk_tier_display(),
        team=model.team.name,
        owner=_person(model.owner),
        status=model.get_status_display(),
        aliases=[
            AliasRow(name=a.name, version=a.version.version, protected=a.protected)
            for a in model.aliases.all()
        ],
        revalidation_due=min(due, default=None),
        overdue=any(v.revalidation_overdue_since for v in model.duty),
    )


def _tiers(models: list[RegisteredModel]) -> list[TierRow]:
    labels = dict(RiskTier.choices)
    return [
        TierRow(
            tier=tier,
            label=labels[tier],
            models=[_model_row(m) for m in models if m.risk_tier == tier],
        )
        for tier in TIER_ORDER
    ]


def _overdue(models: list[RegisteredModel]) -> list[OverdueRow]:
    today = timezone.localdate()
    return [
        OverdueRow(
            model=model.name,
            version=version.version,
            team=model.team.name,
            owner=_person(model.owner),
            due=version.revalidation_due,
            overdue_since=version.revalidation_overdue_since,
            days_overdue=(today - version.revalidation_due).days,
        )
        for model in models
        for version in model.duty
        if version.revalidation_overdue_since and version.revalidation_due
    ]


# --- Requests ---------------------------------------------------------------------------


def _request_scope(
    models: QuerySet[RegisteredModel], bounds: tuple[datetime, datetime] | None
) -> QuerySet[PromotionRequest]:
    """The models' requests opened in the period (all without one)."""
    requests = PromotionRequest.objects.filter(version__model__in=models)
    if bounds:
        requests = requests.filter(opened_at__gte=bounds[0], opened_at__lt=bounds[1])
    return requests


def _requests(requests: QuerySet[PromotionRequest]) -> list[PromotionRequest]:
    """The requests oldest first, with their decisions, comments and any
    retrospective review's decisions: four queries at most."""
    decisions = Decision.objects.select_related("approver").order_by("decided_at", "pk")
    return list(
        requests.select_related(
            "version__model",
            "requested_by",
            "on_behalf_of",
            "applied_by",
            "retrospective",
        )
        .defer(*_HEAVY_VERSION_FIELDS)
        .prefetch_related(
            Prefetch("decisions", queryset=decisions),
            Prefetch(
                "comments",
                queryset=Comment.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch("retrospective__decisions", queryset=decisions),
        )
        .order_by("opened_at", "pk")
    )


# Lineage a report does not print: left unread.
_HEAVY_VERSION_FIELDS = (
    "version__metrics",
    "version__model_card",
    "version__dataset_refs",
    "version__source_uri",
    "version__model__purpose",
)


def _policy(snapshot: dict) -> str:
    needed = snapshot.get("required_approvals", 0)
    text = f"{needed} approval{'s' if needed != 1 else ''}"
    roles = snapshot.get("required_roles") or []
    if roles:
        text += " incl. " + _roles(roles).lower()
    return f"{text} (policy v{snapshot.get('version', '?')})"


def _decision_row(decision: Decision) -> DecisionRow:
    return DecisionRow(
        approver=_person(decision.approver),
        roles=_roles(decision.roles),
        outcome=decision.outcome,
        comment=decision.comment,
        decided_at=decision.decided_at,
    )


def _request_row(request: PromotionRequest) -> RequestRow:
    status = PromotionRequest.Status
    closed = request.closed_at
    # A retrospective review moves nothing: its closing is its decision.
    applied = request.status == status.APPLIED and not request.retrospective_of_id
    decided = request.status == status.REJECTED or (
        request.status == status.APPLIED and request.retrospective_of_id
    )
    return RequestRow(
        pk=request.pk,
        model=request.version.model.name,
        version=request.version.version,
        target=request.target,
        status=request.status,
        requester=_person(request.requested_by),
        on_behalf_of=_person(request.on_behalf_of),
        justification=request.justification,
        opened_at=request.opened_at,
        decided_at=request.approved_at or (closed if decided else None),
        applied_at=closed if applied else None,
        applied_by=_person(request.applied_by),
        policy=_policy(request.policy_snapshot),
        break_glass=request.break_glass,
        retrospective_of=request.retrospective_of_id,
        decisions=[_decision_row(d) for d in request.decisions.all()],
        comments=[
            CommentRow(author=_person(c.author), body=c.body, created_at=c.created_at)
            for c in request.comments.all()
        ],
    )


def _break_glass_row(request: PromotionRequest) -> BreakGlassRow:
    review = getattr(request, "retrospective", None)
    return BreakGlassRow(
        request=request.pk,
        model=request.version.model.name,
        version=request.version.version,
        target=request.target,
        applied_by=_person(request.applied_by),
        applied_at=request.closed_at,
        retrospective=review.pk if review else None,
        review_status=review.status if review else "",
        review_due=review.retrospective_due if review else None,
        review_closed_at=review.closed_at if review else None,
        review_decisions=[_decision_row(d) for d in review.decisions.all()]
        if review
        else [],
    )


# --- Evidence -----------------------------------------------------------------------------


def _evidence(
    requests: list[PromotionRequest], in_scope: QuerySet[PromotionRequest]
) -> list[VersionEvidence]:
    """The evidence of every version a request in the report is about: one query."""
    versions = {request.version_id: request.version for request in requests}
    if not versions:
        return []
    replaced = EvidenceItem.objects.filter(supersedes=OuterRef("pk"))
    items = (
        EvidenceItem.objects.filter(version__in=in_scope.values("version_id"))
        .select_related("submitted_by", "reviewed_by")
        .annotate(replaced=Exists(replaced))
        .order_by("requirement_key", "-created_at", "-pk")
    )
    by_version: dict[int, list[EvidenceRow]] = {pk: [] for pk in versions}
    for item in items:
        by_version[item.version_id].append(_evidence_row(item))
    ordered = sorted(versions.values(), key=lambda v: (v.model.name, v.version))
    return [
        VersionEvidence(
            model=version.model.name,
            version=version.version,
            artifact_sha256=version.artifact_sha256,
            items=by_version[version.pk],
        )
        for version in ordered
    ]


def _evidence_row(item: EvidenceItem) -> EvidenceRow:
    return EvidenceRow(
        requirement=item.requirement_key,
        # The kind, where the requirement's key does not already say it.
        kind="" if item.kind == item.requirement_key else item.get_kind_display(),
        sha256=item.sha256,
        link=item.url or item.file_name,
        status=item.status,
        submitted_by=_person(item.submitted_by),
        reviewed_by=_person(item.reviewed_by),
        reviewed_at=item.reviewed_at,
        review_comment=item.review_comment,
        replaced=item.replaced,
    )


# --- Audit events ---------------------------------------------------------------------------


def _as_text(rows: QuerySet) -> QuerySet:
    """The rows' primary keys as text: AuditEvent.object_id is the hashed text's."""
    return rows.annotate(text_pk=Cast("pk", CharField())).values("text_pk")


def _objects(models: QuerySet[RegisteredModel], *, whole_registry: bool) -> Q:
    """Events about the models, their versions, aliases, evidence, findings, requests
    and the comments on those. On the whole registry, every such object of the chain
    is the organisation's: their kinds suffice."""
    if whole_registry:
        return Q(object_type__in=list(OBJECT_NOUNS))
    versions = ModelVersion.objects.filter(model__in=models)
    subjects = {
        RegisteredModel: models,
        ModelVersion: versions,
        Alias: Alias.objects.filter(model__in=models),
        EvidenceItem: EvidenceItem.objects.filter(version__in=versions),
        Finding: Finding.objects.filter(model__in=models),
        PromotionRequest: PromotionRequest.objects.filter(version__in=versions),
        Comment: Comment.objects.filter(
            Q(version__in=versions) | Q(request__version__in=versions)
        ),
    }
    scope = Q()
    for kind, rows in subjects.items():
        scope |= Q(object_type=kind._meta.label_lower, object_id__in=_as_text(rows))
    return scope


def _events(
    chain: Chain,
    models: QuerySet[RegisteredModel],
    in_scope: QuerySet[PromotionRequest],
    bounds: tuple[datetime, datetime] | None,
    *,
    whole_registry: bool,
) -> tuple[list[EventRow], int]:
    """The newest EVENTS_LISTED events about the scope, oldest first, and how many
    there are: in a period, those of the period plus every event of its requests."""
    scope = _objects(models, whole_registry=whole_registry)
    if bounds:
        in_period = Q(ts__gte=format_timestamp(bounds[0])) & Q(
            ts__lt=format_timestamp(bounds[1])
        )
        label = PromotionRequest._meta.label_lower
        reported = Q(object_type=label, object_id__in=_as_text(in_scope))
        scope = (scope & in_period) | reported
    events = with_actor_username(
        AuditEvent.objects.filter(chain=chain, seq__lte=chain.head_seq).filter(scope)
    ).order_by("-seq")
    rows = list(
        events.values_list(
            "seq", "ts", "action", "actor_username", "object_type", "object_id", "hash"
        )[:EVENTS_LISTED]
    )
    total = len(rows) if len(rows) < EVENTS_LISTED else events.count()
    return [_event_row(row) for row in reversed(rows)], total


# What the events' objects are called in the report.
_OBJECT_NOUNS = {
    RegisteredModel: "model",
    ModelVersion: "version",
    PromotionRequest: "request",
    EvidenceItem: "evidence",
    Comment: "comment",
    Alias: "alias",
    Finding: "finding",
}
OBJECT_NOUNS = {kind._meta.label_lower: noun for kind, noun in _OBJECT_NOUNS.items()}


ACTOR_WIDTH = 20


def event_listing(events: list[EventRow]) -> str:
    actor = min(max((len(e.actor) for e in events), default=5), ACTOR_WIDTH)
    action = max((len(e.action) for e in events), default=6)
    subject = max((len(e.object) for e in events), default=6)

    def line(seq, ts, act, who, what, digest) -> str:
        if len(who) > actor:
            who = who[: actor - 1] + "…"
        return f"{seq:>7}  {ts:<19}  {act:<{action}}  {who:<{actor}}  {what:<{subject}}  {digest}"

    header = line("Seq", "Time (UTC)", "Action", "Actor", "Object", "Hash")
    rows = (line(e.seq, e.ts, e.action, e.actor, e.object, e.hash) for e in events)
    return "\n".join([header, *rows])


def _event_row(row: tuple) -> EventRow:
    seq, ts, action, actor, object_type, object_id, digest = row
    noun = OBJECT_NOUNS.get(object_type, object_type)
    return EventRow(
        seq=seq,
        ts=ts[:19].replace("T", " "),
        action=action,
        actor=actor or "system",
        object=f"{noun} #{object_id}" if object_type else "",
        hash=bytes(digest).hex(),
    )
