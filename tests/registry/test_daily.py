"""The daily registry sweep (beat task `registry_daily`): stale approvals expire, overdue
revalidations are flagged once with the owner told by email, and break-glass promotions
whose retrospective missed its deadline are suspended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.registry import promotion
from apps.registry.models import ModelVersion, PromotionRequest
from apps.registry.tasks import registry_daily

pytestmark = pytest.mark.django_db(transaction=True)


def _backdate(queryset, **fields) -> None:
    """Move dates into the past, as if the days had gone by."""
    queryset.update(**fields)


def test_registry_daily_sweeps_all_three(registry):
    registry.lead.email = "lead@example.com"
    registry.lead.save()
    stale = registry.approved()
    _backdate(
        PromotionRequest.objects.filter(pk=stale.pk),
        approved_until=timezone.now() - timedelta(minutes=1),
    )
    live = registry.approved()
    promotion.promotion_apply(request=live, applied_by=registry.lead)
    _backdate(
        ModelVersion.objects.filter(pk=live.version_id),
        revalidation_due=timezone.localdate() - timedelta(days=1),
    )
    glass = promotion.promotion_apply(
        request=registry.request(registry.version(registry.model(tier="high"))),
        applied_by=registry.risk_officers[0],
        break_glass=True,
        reason="Outage",
    )
    _backdate(
        PromotionRequest.objects.filter(retrospective_of=glass),
        retrospective_due=timezone.now() - timedelta(minutes=1),
    )

    assert registry_daily.delay().get() == {
        "expired": 1,
        "revalidation_overdue": 1,
        "suspended": 1,
    }
    assert registry_daily.delay().get() == {
        "expired": 0,
        "revalidation_overdue": 0,
        "suspended": 0,
    }

    stale.refresh_from_db()
    assert stale.status == "expired"
    overdue = ModelVersion.objects.get(pk=live.version_id)
    assert overdue.revalidation_overdue_since is not None
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert "Revalidation overdue" in mail.outbox[0].subject
    assert ModelVersion.objects.get(pk=glass.version_id).status == "suspended"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "promotion_request.expired",
        "model_version.revalidation_overdue",
        "promotion_request.retrospective_missed",
    } <= actions
