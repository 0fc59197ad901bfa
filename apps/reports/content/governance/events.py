"""The audit events about the models in scope, and their fixed-width listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from apps.audit.canonical import format_timestamp
from apps.audit.models import AuditEvent, Chain
from apps.audit.selectors import with_actor_username
from apps.registry.models import (
    Alias,
    Comment,
    EvidenceItem,
    Finding,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
)

# --- Audit events ---------------------------------------------------------------------------


# The audit events listed in the PDF (the newest); the attached export holds them all.
EVENTS_LISTED = 2000


@dataclass(frozen=True)
class EventRow:
    seq: int
    ts: str
    action: str
    actor: str
    object: str
    hash: str


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
