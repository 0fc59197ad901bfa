"""Which action forms a page offers to whom. The services stay the authority and refuse
anything else; these checks only keep people from being offered a button that can only
fail. They read what the page already loaded, so they cost no queries (beyond the
roles, read once per request)."""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts.models import User
from apps.registry import policies, promotion
from apps.registry.models import EvidenceItem, ModelVersion, PromotionRequest


@dataclass(frozen=True)
class RequestActions:
    decide: bool
    # Why an approver may not decide this request, said on the page.
    not_deciding_because: str
    withdraw: bool
    apply: bool
    break_glass: bool


def _deciding(request: PromotionRequest, user: User) -> tuple[bool, str]:
    if not request.in_flight or not policies.approver_roles(user):
        return False, ""
    if any(d.approver_id == user.pk for d in request.decisions.all()):
        return False, "You have decided on this request."
    # The same separation-of-duties rule promotion_decide enforces.
    excluded = promotion.excluded_approvers(request)
    if user.pk in excluded:
        return False, f"You are {excluded[user.pk]}: someone independent must decide."
    return True, ""


def request_actions(request: PromotionRequest, user: User) -> RequestActions:
    decide, because = _deciding(request, user)
    model = request.version.model
    return RequestActions(
        decide=decide,
        not_deciding_because=because,
        withdraw=request.in_flight
        and not request.retrospective_of_id
        and user.pk == request.requested_by_id,
        apply=request.status == PromotionRequest.Status.APPROVED
        and (
            user.pk == request.requested_by_id or policies.can_contribute(user, model)
        ),
        break_glass=request.in_flight
        and bool(request.policy_snapshot.get("allow_break_glass"))
        and not request.retrospective_of_id
        and policies.can_break_glass(user)
        and user.pk not in promotion.excluded_approvers(request),
    )


def reviewable_evidence(
    items: list[EvidenceItem], version: ModelVersion, user: User
) -> set[int]:
    """Submitted items the user may accept or reject: an approver who neither
    submitted the item nor built the version (as evidence_review requires)."""
    if not policies.can_review_evidence(user) or user.pk in version.authors:
        return set()
    return {
        item.pk
        for item in items
        if item.status == EvidenceItem.Status.SUBMITTED
        and item.submitted_by_id != user.pk
    }
