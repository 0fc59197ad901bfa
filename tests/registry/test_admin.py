"""The admin shows the registry but cannot change it: that is the workflow's job."""

from __future__ import annotations

import pytest

from apps.registry import promotion
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "registeredmodel",
    "modelversion",
    "alias",
    "promotionpolicy",
    "evidenceitem",
    "promotionrequest",
    "decision",
    "finding",
    "mlflowconnection",
]


@pytest.fixture
def admin_client(client, registry):
    request = registry.approved(tier="high")
    promotion.promotion_apply(request=request, applied_by=registry.lead)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_registry_rows(admin_client, model):
    assert admin_client.get(f"/admin/registry/{model}/").status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_admin_cannot_add_registry_rows(admin_client, model):
    assert admin_client.get(f"/admin/registry/{model}/add/").status_code == 403


def test_admin_cannot_move_an_alias(admin_client, registry):
    from apps.registry.models import Alias

    alias = Alias.objects.get()
    response = admin_client.post(
        f"/admin/registry/alias/{alias.pk}/change/", {"name": "staging"}
    )
    alias.refresh_from_db()
    assert response.status_code == 403
    assert alias.name == "production"
