"""HTML pages: sign-in, team directory, team page and personal API tokens."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.accounts.demo import DEMO_PASSWORD, seed_demo
from apps.accounts.models import ApiToken, Role
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(make_user):
    return make_user()


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def _teams(org, count: int) -> None:
    """`count` teams over two business units, each with a lead and a member."""
    units = BusinessUnitFactory.create_batch(2, organization=org)
    for i in range(count):
        team = TeamFactory(business_unit=units[i % 2])
        for role in (Role.TEAM_LEAD, Role.TEAM_MEMBER):
            MembershipFactory(user=UserFactory(organization=org), role=role, team=team)


def _sections(html: str) -> list[tuple[str, str]]:
    """(heading, body) of each card on the directory page: one per business unit."""
    return re.findall(r"<h2>(.*?)</h2>(.*?)</section>", html, re.S)


def test_login_page_renders_form(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert b"Sign in to Tollgate" in response.content
    assert b'name="password"' in response.content


def test_directory_redirects_anonymous_to_login(client):
    response = client.get(reverse("accounts:directory"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_demo_user_signs_in_and_sees_directory_by_business_unit(client):
    seed_demo()

    response = client.post(
        reverse("accounts:login"),
        {"username": "member-fraud-detection", "password": DEMO_PASSWORD},
        follow=True,
    )

    sections = dict(_sections(response.content.decode()))
    assert response.wsgi_request.user.username == "member-fraud-detection"
    assert list(sections) == ["Group Platforms", "Insurance", "Retail Banking"]
    assert "Fraud Detection" in sections["Retail Banking"]
    assert "Claims Triage" in sections["Insurance"]
    assert "Fraud Detection" not in sections["Insurance"]


def test_login_page_shows_error_for_wrong_password(client, person):
    response = client.post(
        reverse("accounts:login"), {"username": person.username, "password": "nope"}
    )

    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("teams", [2, 6])
def test_directory_runs_constant_queries(
    teams, org, signed_in, django_assert_num_queries
):
    _teams(org, teams)

    # 1 session, 2 user, 3 teams joined to business units, 4 their memberships joined
    # to users, 5 the user's organisation (page heading and top bar).
    with django_assert_num_queries(5):
        response = signed_in.get(reverse("accounts:directory"))

    assert response.content.count(b'href="/teams/') == teams


@pytest.mark.parametrize("teams", [2, 6])
def test_team_page_runs_constant_queries(
    teams, org, team, signed_in, django_assert_num_queries
):
    _teams(org, teams)
    for role in (Role.TEAM_LEAD, Role.TEAM_MEMBER):
        MembershipFactory(user=UserFactory(organization=org), role=role, team=team)

    # 1 session, 2 user, 3 the team joined to its business unit, 4 its memberships
    # joined to users, 5 the user's organisation (top bar).
    with django_assert_num_queries(5):
        response = signed_in.get(reverse("accounts:team-detail", args=[team.pk]))

    assert b"Fraud models" in response.content


def test_team_page_hides_another_orgs_team(signed_in):
    foreign = TeamFactory()

    response = signed_in.get(reverse("accounts:team-detail", args=[foreign.pk]))

    assert response.status_code == 404


def test_tokens_page_shows_new_secret_once(signed_in, person):
    created = signed_in.post(reverse("accounts:api-tokens"), {"name": "laptop"})
    secret = created.context["created"]["secret"]

    reloaded = signed_in.get(reverse("accounts:api-tokens"))

    assert secret.encode() in created.content
    assert secret.encode() not in reloaded.content
    assert b"laptop" in reloaded.content
    assert ApiToken.objects.filter(user=person, name="laptop").count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_tokens_page_forbids_caching(signed_in, method):
    response = getattr(signed_in, method)(
        reverse("accounts:api-tokens"), {"name": "laptop"}
    )

    assert response["Cache-Control"] == "no-store"


def test_tokens_page_shows_expiry_error(signed_in):
    response = signed_in.post(
        reverse("accounts:api-tokens"),
        {"name": "laptop", "expires_at": "2001-01-01T00:00"},
    )

    assert b"Must be in the future." in response.content
    assert not ApiToken.objects.exists()


def test_token_revoke_page_revokes_own_token(signed_in, person):
    signed_in.post(reverse("accounts:api-tokens"), {"name": "laptop"})
    token = ApiToken.objects.get(user=person)

    signed_in.post(reverse("accounts:api-token-revoke", args=[token.pk]))

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_revoke_page_hides_another_users_token(signed_in, make_user, client):
    other = make_user()
    client.force_login(other)
    client.post(reverse("accounts:api-tokens"), {"name": "theirs"})
    token = ApiToken.objects.get(user=other)
    client.force_login(UserFactory(organization=other.organization))

    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_logout_refuses_get(signed_in):
    response = signed_in.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert "_auth_user_id" in signed_in.session


def test_logout_signs_out_on_post(signed_in):
    response = signed_in.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session
