"""Applying a request whose approvals went stale reopens it, and the reopen sticks:
the refusal must not roll back the status change it reports."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.registry import promotion
from apps.registry.models import Alias, PromotionRequest
from tests.registry.pages.conftest import messages_of

pytestmark = pytest.mark.django_db


def _approved_with_an_aging_approval(registry, now) -> PromotionRequest:
    """Medium tier: two approvals, each valid 14 days; the first is 10 days old."""
    version = registry.version(registry.model(tier="medium"))
    registry.evidence(version, "model_card")
    request = registry.request(version)
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=10)):
        request = registry.approve(request, registry.approvers[0])
    return registry.approve(request, registry.approvers[1])


def test_apply_with_a_stale_approval_reopens_the_request(registry):
    now = timezone.now()
    request = _approved_with_an_aging_approval(registry, now)

    with (
        mock.patch("django.utils.timezone.now", return_value=now + timedelta(days=5)),
        pytest.raises(ApplicationError, match="no longer meets its policy"),
    ):
        promotion.promotion_apply(request=request, applied_by=registry.lead)

    request.refresh_from_db()
    assert (request.status, request.approved_until) == ("open", None)
    assert not Alias.objects.exists()


def test_the_request_page_shows_the_reopened_request_after_a_stale_apply(
    registry, client_for
):
    now = timezone.now()
    request = _approved_with_an_aging_approval(registry, now)

    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(days=5)):
        response = client_for(registry.lead).post(
            f"/registry/requests/{request.pk}/apply/"
        )

    assert response.status_code == 400
    assert messages_of(response)[0].startswith(
        "The request no longer meets its policy: 1 of 2 approvals."
    )
    assert '<span class="status status-open" id="request-status">Open</span>' in (
        response.content.decode()
    )
