"""Accounts API: shapes, bad input answered with 400 in the one error shape."""

from __future__ import annotations

import pytest

from apps.accounts.models import Membership, Role, User
from apps.audit.models import AuditEvent
from tests.accounts.factories import TeamFactory, UserFactory
from tests.accounts.helpers import audit_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(Role.ORG_ADMIN)


@pytest.fixture
def person(make_user):
    return make_user()


def _grant(api_client, admin, **data):
    return api_client(admin).post("/api/v1/memberships/grant/", data, format="json")


def _error(response) -> dict:
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    return response.json()["error"]


def test_me_api_lists_callers_roles(make_user, team, api_client):
    user = make_user(Role.APPROVER, Role.TEAM_LEAD, team=team)

    body = api_client(user).get("/api/v1/me/").json()

    assert body["organization"] == "acme"
    assert body["org_roles"] == ["approver"]
    assert body["team_roles"] == {str(team.pk): ["team_lead"]}


def test_me_api_answers_for_user_without_organisation(api_client):
    platform_admin = UserFactory(organization=None)

    body = api_client(platform_admin).get("/api/v1/me/").json()

    assert (body["organization"], body["org_roles"], body["team_roles"]) == (
        None,
        [],
        {},
    )


def test_team_detail_api_lists_members(make_user, team, api_client):
    lead = make_user(Role.TEAM_LEAD, team=team)

    body = api_client(lead).get(f"/api/v1/teams/{team.pk}/").json()

    assert body["name"] == "Fraud models"
    assert [m["user"]["username"] for m in body["members"]] == [lead.username]


def test_team_list_api_filters_by_business_unit(team, person, api_client, org):
    TeamFactory(business_unit__organization=org)

    response = api_client(person).get(
        "/api/v1/teams/", {"business_unit": team.business_unit_id}
    )

    assert [t["id"] for t in response.json()["results"]] == [team.pk]


def test_team_list_api_refuses_non_numeric_business_unit(person, api_client):
    response = api_client(person).get("/api/v1/teams/", {"business_unit": "retail"})

    assert _error(response)["fields"] == {
        "business_unit": ["A valid integer is required."]
    }


def test_membership_grant_api_creates_membership(admin, person, team, api_client):
    response = _grant(
        api_client, admin, user=person.pk, role=Role.TEAM_LEAD, team=team.pk
    )

    assert response.status_code == 201
    membership = Membership.objects.get(pk=response.json()["id"])
    assert (membership.user, membership.team, membership.granted_by) == (
        person,
        team,
        admin,
    )
    assert len(audit_events("membership.granted")) == 1


def test_membership_grant_api_refuses_unknown_role(admin, person, api_client):
    response = _grant(api_client, admin, user=person.pk, role="overlord")

    assert _error(response)["fields"] == {"role": ['"overlord" is not a valid choice.']}
    assert not Membership.objects.filter(user=person).exists()


def test_membership_grant_api_refuses_team_role_without_team(admin, person, api_client):
    response = _grant(api_client, admin, user=person.pk, role=Role.TEAM_MEMBER)

    assert _error(response)["fields"] == {"team": ["Required for this role."]}
    assert not Membership.objects.filter(user=person).exists()
    assert not AuditEvent.objects.exists()


def test_membership_grant_api_refuses_unknown_user(admin, api_client):
    response = _grant(api_client, admin, user=999_999, role=Role.AUDITOR)

    assert _error(response)["fields"] == {"user": ["Unknown user."]}
    assert not AuditEvent.objects.exists()


def test_membership_grant_api_refuses_user_of_another_org(admin, api_client):
    stranger = UserFactory()

    response = _grant(api_client, admin, user=stranger.pk, role=Role.AUDITOR)

    assert _error(response)["fields"] == {"user": ["Unknown user."]}
    assert not Membership.objects.filter(user=stranger).exists()


def test_membership_grant_api_refuses_team_of_another_org(admin, person, api_client):
    foreign = TeamFactory()

    response = _grant(
        api_client, admin, user=person.pk, role=Role.TEAM_LEAD, team=foreign.pk
    )

    assert _error(response)["fields"] == {"team": ["Unknown team."]}
    assert not Membership.objects.filter(user=person).exists()


def test_membership_grant_api_refuses_duplicate(admin, person, api_client):
    _grant(api_client, admin, user=person.pk, role=Role.AUDITOR)

    response = _grant(api_client, admin, user=person.pk, role=Role.AUDITOR)

    assert _error(response)["fields"] == {"role": ["Already held."]}
    assert Membership.objects.filter(user=person).count() == 1


def test_membership_grant_api_names_missing_fields(admin, api_client):
    response = _grant(api_client, admin)

    assert set(_error(response)["fields"]) == {"user", "role"}


def test_membership_revoke_api_removes_membership(admin, person, team, api_client):
    membership = person.memberships.create(
        organization=person.organization, role=Role.TEAM_MEMBER, team=team
    )

    response = api_client(admin).post(f"/api/v1/memberships/{membership.pk}/revoke/")

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert len(audit_events("membership.revoked")) == 1


def test_user_create_api_adds_person_to_callers_org(admin, api_client):
    response = api_client(admin).post(
        "/api/v1/users/create/",
        {"username": "ann", "email": "ann@example.com", "password": "quiet-harbour-73"},
        format="json",
    )

    assert response.status_code == 201
    assert "password" not in response.json()
    user = User.objects.get(username="ann")
    assert user.organization == admin.organization
    assert user.check_password("quiet-harbour-73")


def test_user_create_api_refuses_weak_password(admin, api_client):
    response = api_client(admin).post(
        "/api/v1/users/create/",
        {"username": "ann", "email": "ann@example.com", "password": "password"},
        format="json",
    )

    error = _error(response)
    assert error["message"] == "The password is too weak."
    assert "This password is too common." in error["fields"]["password"]
    assert not User.objects.filter(username="ann").exists()


def test_user_create_api_refuses_taken_username(admin, person, api_client):
    response = api_client(admin).post(
        "/api/v1/users/create/",
        {
            "username": person.username.upper(),
            "email": "x@example.com",
            "password": "quiet-harbour-73",
        },
        format="json",
    )

    assert _error(response)["fields"] == {"username": ["Already in use."]}
    assert User.objects.filter(username__iexact=person.username).count() == 1


def test_user_create_api_refuses_bad_username_and_email(admin, api_client):
    response = api_client(admin).post(
        "/api/v1/users/create/",
        {"username": "no spaces", "email": "nope", "password": "quiet-harbour-73"},
        format="json",
    )

    assert set(_error(response)["fields"]) == {"username", "email"}
    assert not User.objects.filter(email="nope").exists()


def test_user_create_api_refuses_email_longer_than_column(admin, api_client):
    long_email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".example"

    response = api_client(admin).post(
        "/api/v1/users/create/",
        {"username": "ann", "email": long_email, "password": "quiet-harbour-73"},
        format="json",
    )

    assert set(_error(response)["fields"]) == {"email"}
    assert not User.objects.filter(username="ann").exists()
