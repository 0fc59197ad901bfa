"""The promotion requests opened in the period, with their decisions and comments,
the break-glass applies among them with their retrospective reviews, and the evidence of
the versions they are about."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from apps.registry.models import (
    Comment,
    Decision,
    EvidenceItem,
    PromotionRequest,
    RegisteredModel,
)

from .rows import (
    BreakGlassRow,
    CommentRow,
    DecisionRow,
    EvidenceRow,
    RequestRow,
    VersionEvidence,
    _person,
    _roles,
)

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
