"""Visibility: who sees which teams, and the per-user role cache."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts import selectors
from apps.accounts.models import ORG_READER_ROLES, Role, User
from tests.accounts.factories import BusinessUnitFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_team(org):
    return TeamFactory(business_unit=BusinessUnitFactory(organization=org))


@pytest.fixture
def foreign_team():
    return TeamFactory()


def _visible(user) -> set[int]:
    return {row["pk"] for row in selectors.visible_team_ids(user=user)}


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.TEAM_LEAD])
def test_visible_team_ids_shows_team_roles_only_their_team(
    make_user, team, other_team, foreign_team, role
):
    user = make_user(role, team=team)

    assert _visible(user) == {team.pk}


def test_visible_team_ids_lists_team_once_for_several_roles_in_it(make_user, team):
    user = make_user(Role.TEAM_LEAD, Role.TEAM_MEMBER, team=team)

    assert list(selectors.visible_team_ids(user=user)) == [{"pk": team.pk}]


@pytest.mark.parametrize("role", sorted(ORG_READER_ROLES))
def test_visible_team_ids_shows_org_readers_every_team_of_their_org(
    make_user, team, other_team, foreign_team, role
):
    user = make_user(role)

    assert _visible(user) == {team.pk, other_team.pk}


@pytest.mark.parametrize("role", [Role.APPROVER, Role.RISK_OFFICER])
def test_visible_team_ids_shows_other_org_roles_no_team(
    make_user, team, other_team, role
):
    user = make_user(role)

    assert _visible(user) == set()


def test_visible_team_ids_never_shows_another_orgs_teams(make_user, foreign_team):
    admin = make_user(Role.ORG_ADMIN)
    member = make_user(Role.TEAM_MEMBER, team=foreign_team)  # a stray foreign role

    assert foreign_team.pk not in _visible(admin) | _visible(member)


def test_visible_team_ids_shows_anonymous_nothing(team):
    assert _visible(AnonymousUser()) == set()


def test_user_roles_reads_memberships_once_per_user_object(
    make_user, team, django_assert_num_queries
):
    user = User.objects.get(pk=make_user(Role.AUDITOR).pk)
    selectors.user_roles(user=user)

    with django_assert_num_queries(0):
        roles = selectors.user_roles(user=user)

    assert roles.org_roles == {Role.AUDITOR}


def test_user_roles_reads_again_for_another_object_of_same_user(
    make_user, django_assert_num_queries
):
    user = make_user(Role.AUDITOR)
    selectors.user_roles(user=user)
    same_user = User.objects.get(pk=user.pk)

    with django_assert_num_queries(1):
        selectors.user_roles(user=same_user)


def test_user_roles_splits_org_and_team_roles(make_user, team):
    user = make_user(Role.APPROVER, Role.TEAM_LEAD, team=team)

    roles = selectors.user_roles(user=user)

    assert roles.org_roles == {Role.APPROVER}
    assert roles.team_roles == {team.pk: {Role.TEAM_LEAD}}


def test_team_get_hides_another_orgs_team(make_user, foreign_team):
    admin = make_user(Role.ORG_ADMIN)

    assert selectors.team_get(fetched_by=admin, team_id=foreign_team.pk) is None


def test_user_list_shows_only_fetchers_organisation(make_user):
    admin = make_user(Role.ORG_ADMIN)
    make_user(organization=TeamFactory().organization)

    assert set(selectors.user_list(fetched_by=admin)) == {admin}
