"""The admin edits organisations, business units, teams and users directly, and each
addition, change and deletion writes one audit event in the same transaction; API
tokens it only shows and revokes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.accounts import services as accounts
from apps.accounts.models import ApiToken, Team
from apps.audit.models import AuditEvent
from apps.audit.selectors import figures_version
from tests.accounts.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(org) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, organization=org))
    return client


def events(org, action: str) -> list[dict]:
    found = AuditEvent.objects.filter(chain__organization=org, action=action)
    return [json.loads(e.canonical) for e in found.order_by("seq")]


def team_form(team: Team, **changes) -> dict:
    return {
        "organization": team.organization_id,
        "business_unit": team.business_unit_id,
        "name": team.name,
        "slug": team.slug,
        "description": team.description,
        **changes,
    }


def test_a_team_renamed_in_the_admin_is_audited_and_moves_the_figures(admin, org):
    team = TeamFactory(business_unit__organization=org, name="Fraud")
    before = figures_version(organization_id=org.pk)

    response = admin.post(
        f"/admin/accounts/team/{team.pk}/change/", team_form(team, name="Fraud & AML")
    )

    assert response.status_code == 302
    (event,) = events(org, "team.updated")
    assert event["object"] == {"type": "accounts.team", "id": str(team.pk)}
    assert event["data"]["via"] == "admin"
    assert "Name" in json.dumps(event["data"]["change"])
    assert "Fraud & AML" not in event["data"]["change"]  # field names, not values
    assert figures_version(organization_id=org.pk) not in (None, before)


def test_a_team_added_in_the_admin_is_audited(admin, org):
    unit = TeamFactory(business_unit__organization=org).business_unit

    response = admin.post(
        "/admin/accounts/team/add/",
        {
            "organization": org.pk,
            "business_unit": unit.pk,
            "name": "New",
            "slug": "new",
        },
    )

    assert response.status_code == 302
    (event,) = events(org, "team.created")
    assert event["object"]["id"] == str(Team.objects.get(slug="new").pk)


# Outside the test's own transaction, as in production: the view must open one.
@pytest.mark.django_db(transaction=True)
def test_teams_deleted_in_bulk_are_each_audited(admin, org):
    teams = TeamFactory.create_batch(2, business_unit__organization=org)

    response = admin.post(
        "/admin/accounts/team/",
        {
            "action": "delete_selected",
            "_selected_action": [t.pk for t in teams],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not Team.objects.filter(pk__in=[t.pk for t in teams]).exists()
    assert {e["data"]["name"] for e in events(org, "team.deleted")} == {
        t.name for t in teams
    }


@pytest.mark.django_db(transaction=True)
def test_a_password_set_in_the_admin_is_audited_without_the_password(admin, org):
    user = UserFactory(organization=org)
    secret = "correct horse battery staple 42"

    response = admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": secret, "password2": secret, "set_usable_password": "true"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(secret)
    (event,) = events(org, "user.updated")
    canonical = json.dumps(event)
    assert secret not in canonical
    assert user.password not in canonical


def test_an_organisation_changed_in_the_admin_is_audited_on_its_own_chain(admin, org):
    response = admin.post(
        f"/admin/accounts/organization/{org.pk}/change/",
        {"name": "Acme Holdings", "slug": org.slug},
    )

    assert response.status_code == 302
    (event,) = events(org, "organization.updated")
    assert event["chain"] == f"org:{org.pk}"


def test_api_tokens_are_only_shown_and_revoked_in_the_admin(admin, org):
    token, _secret = accounts.api_token_create(
        user=UserFactory(organization=org), name="ci"
    )
    url = f"/admin/accounts/apitoken/{token.pk}/"

    assert admin.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert admin.get(url + "change/").status_code == 200  # the view only
    admin.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert len(events(org, "api_token.revoked")) == 1
