"""Query budgets: every list endpoint costs the same with one row and with five.

Callers are fetched afresh before each request: roles are cached per user object, and
a cached role set would hide the permission query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from apps.accounts import services
from apps.accounts.models import Role, User
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ListEndpoint:
    path: str
    caller_roles: tuple[str, ...]
    make_rows: Callable[..., None]  # (org, caller, n) -> None
    queries: int


def _units(org, caller, n):
    BusinessUnitFactory.create_batch(n, organization=org)


def _teams_with_people(org, caller, n):
    unit = BusinessUnitFactory(organization=org)
    for team in TeamFactory.create_batch(n, business_unit=unit):
        MembershipFactory(
            user=UserFactory(organization=org), role=Role.TEAM_LEAD, team=team
        )


def _people(org, caller, n):
    team = TeamFactory(business_unit=BusinessUnitFactory(organization=org))
    for user in UserFactory.create_batch(n - 1, organization=org):
        MembershipFactory(user=user, role=Role.TEAM_MEMBER, team=team)


def _memberships(org, caller, n):
    for user in UserFactory.create_batch(n - 1, organization=org):
        MembershipFactory(user=user, role=Role.APPROVER)


def _tokens(org, caller, n):
    for i in range(n):
        services.api_token_create(user=caller, name=f"token {i}")


def _events(org, caller, n):
    for i in range(n):
        services.business_unit_create(organization=org, name=f"U{i}", slug=f"u-{i}")


LIST_ENDPOINTS = {
    # 1 count for the page, 2 the units.
    "business-units": ListEndpoint("/api/v1/business-units/", (), _units, 2),
    # 1 count, 2 teams joined to business units, 3 memberships joined to users.
    "teams": ListEndpoint("/api/v1/teams/", (), _teams_with_people, 3),
    # 1 caller's roles, 2 count, 3 users, 4 their memberships joined to teams.
    "users": ListEndpoint("/api/v1/users/", (Role.ORG_ADMIN,), _people, 4),
    # 1 caller's roles, 2 count, 3 memberships joined to user, team and granter.
    "memberships": ListEndpoint(
        "/api/v1/memberships/", (Role.ORG_ADMIN,), _memberships, 3
    ),
    # 1 count, 2 the caller's tokens.
    "tokens": ListEndpoint("/api/v1/tokens/", (), _tokens, 2),
    # 1 caller's roles, 2 one cursor page of events joined to actors (no count).
    "audit-events": ListEndpoint("/api/v1/audit/events/", (Role.AUDITOR,), _events, 2),
}


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize("name", list(LIST_ENDPOINTS))
def test_list_api_runs_constant_queries(
    name, rows, org, make_user, api_client, django_assert_num_queries
):
    endpoint = LIST_ENDPOINTS[name]
    caller = make_user(*endpoint.caller_roles)
    endpoint.make_rows(org, caller, rows)
    client = api_client(User.objects.get(pk=caller.pk))

    with django_assert_num_queries(endpoint.queries):
        response = client.get(endpoint.path)

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
