"""The promotion workflow end to end: a version reaches a protected alias only through
an applied request, and each step is one audit event."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.registry import promotion
from apps.registry.models import Alias, ModelVersion, PromotionRequest

pytestmark = pytest.mark.django_db


def _actions(since: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(pk__gt=since)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_low_tier_version_reaches_production_through_one_applied_request(registry):
    model = registry.model(tier="low")
    version = registry.version(model)
    mark = _last_event_id()

    request = registry.request(version)
    assert request.status == PromotionRequest.Status.OPEN
    assert request.policy_snapshot["required_approvals"] == 1

    request = registry.approve(request, registry.approvers[0])
    assert request.status == PromotionRequest.Status.APPROVED
    assert request.approved_until > request.approved_at

    request = promotion.promotion_apply(request=request, applied_by=registry.lead)
    assert request.status == PromotionRequest.Status.APPLIED
    alias = Alias.objects.get(model=model, name="production")
    assert (alias.version_id, alias.protected, alias.via_request_id) == (
        version.pk,
        True,
        request.pk,
    )
    version.refresh_from_db()
    assert version.status == ModelVersion.Status.ACTIVE
    assert version.revalidation_due is not None
    assert _actions(mark) == [
        "promotion_request.opened",
        "promotion_request.decided",
        "promotion_request.applied",
    ]


def test_applying_supersedes_the_previous_holder_atomically(registry):
    first = registry.approved(tier="low")
    promotion.promotion_apply(request=first, applied_by=registry.lead)
    model = first.version.model
    newer = registry.version(model)
    request = registry.approve(registry.request(newer), registry.approvers[1])
    promotion.promotion_apply(request=request, applied_by=registry.lead)

    assert Alias.objects.get(model=model, name="production").version_id == newer.pk
    statuses = dict(
        ModelVersion.objects.filter(model=model).values_list("pk", "status")
    )
    assert statuses == {first.version_id: "superseded", newer.pk: "active"}


def test_high_tier_needs_a_risk_officer_and_its_evidence(registry):
    request = registry.approved(tier="high")
    assert request.status == PromotionRequest.Status.APPROVED
    decided_roles = {role for d in request.decisions.all() for role in d.roles}
    assert "risk_officer" in decided_roles
