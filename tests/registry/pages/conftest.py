"""Page-test helpers: signed-in clients, query counting, media in a tmp dir."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from tests.accounts.factories import TEST_PASSWORD, OrganizationFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files go to a per-test directory, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for():
    """client_for(user) is a test client signed in as that user."""

    def _client(user: User) -> Client:
        client = Client()
        assert client.login(username=user.username, password=TEST_PASSWORD)
        return client

    return _client


@pytest.fixture
def stranger(make_user) -> User:
    """An approver and risk officer of another organisation."""
    return make_user("approver", "risk_officer", organization=OrganizationFactory())


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
