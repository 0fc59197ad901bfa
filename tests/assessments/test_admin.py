"""The admin shows assessments and their history but cannot change them."""

from __future__ import annotations

import pytest

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["assessment", "answer", "evidence", "resolution", "scoresnapshot"]


@pytest.fixture
def admin_client(client, reviewed):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_assessment_rows(admin_client, model):
    assert admin_client.get(f"/admin/assessments/{model}/").status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_admin_cannot_add_assessment_rows(admin_client, model):
    assert admin_client.get(f"/admin/assessments/{model}/add/").status_code == 403


def test_admin_cannot_edit_a_snapshot(admin_client, reviewed):
    snapshot = reviewed.snapshots.first()
    url = f"/admin/assessments/scoresnapshot/{snapshot.pk}/change/"

    response = admin_client.post(url, {"floor": 4})

    snapshot.refresh_from_db()
    assert response.status_code == 403
    assert snapshot.floor != 4
