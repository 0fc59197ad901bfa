"""Repository page helpers: a team with people in each role, signed-in clients, query
counting. Linking and rescans queue a scan after commit; tests here never commit, so
no scan runs unless a test captures and runs the callbacks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Team, User
from apps.repos.models import LinkedRepo
from tests.accounts.factories import (
    TEST_PASSWORD,
    BusinessUnitFactory,
    OrganizationFactory,
    TeamFactory,
)
from tests.repos.factories import LinkedRepoFactory


@dataclass
class People:
    team: Team
    other_team: Team
    lead: User  # team lead: links and manages the team's repositories
    member: User  # team member: sees them and asks for rescans
    admin: User  # org admin: manages every team's repositories
    approver: User  # org approver: reads every repository, changes none
    outsider: User  # member of the other team

    def repo(self, **fields) -> LinkedRepo:
        return LinkedRepoFactory(team=fields.pop("team", self.team), **fields)


@pytest.fixture
def people(org, team, make_user) -> People:
    other = TeamFactory(
        business_unit=BusinessUnitFactory(organization=org), name="Churn models"
    )
    return People(
        team=team,
        other_team=other,
        lead=make_user("team_lead", team=team),
        member=make_user("team_member", team=team),
        admin=make_user("org_admin"),
        approver=make_user("approver"),
        outsider=make_user("team_member", team=other),
    )


@pytest.fixture
def stranger(make_user) -> User:
    """An org admin of another organisation."""
    return make_user("org_admin", organization=OrganizationFactory())


@pytest.fixture
def client_for():
    """client_for(user) is a test client signed in as that user."""

    def _client(user: User) -> Client:
        client = Client()
        assert client.login(username=user.username, password=TEST_PASSWORD)
        return client

    return _client


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
