"""Account services: every write audited in its own transaction, scope rules enforced."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password

from apps.accounts import services
from apps.accounts.models import Membership, Role, User
from apps.audit.models import AuditEvent
from apps.core.exceptions import ApplicationError
from tests.accounts.factories import OrganizationFactory, TeamFactory, UserFactory
from tests.accounts.helpers import audit_events, event_data

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "an-unusual-passphrase-42"


# --- membership_grant / membership_revoke -------------------------------------------


def test_membership_grant_records_one_audit_event(make_user, team):
    user, admin = make_user(), make_user(Role.ORG_ADMIN)

    membership = services.membership_grant(
        user=user, role=Role.TEAM_LEAD, team=team, granted_by=admin
    )

    (event,) = audit_events("membership.granted")
    assert AuditEvent.objects.count() == 1
    assert (event.actor_id, event.object_id) == (admin.pk, str(membership.pk))
    assert event_data(event) == {"user": user.pk, "role": "team_lead", "team": team.pk}


def test_membership_grant_writes_nothing_when_audit_fails(make_user, team):
    user = make_user()

    with (
        mock.patch.object(services, "record_event", side_effect=RuntimeError("down")),
        pytest.raises(RuntimeError, match="down"),
    ):
        services.membership_grant(user=user, role=Role.TEAM_MEMBER, team=team)

    assert not Membership.objects.filter(user=user).exists()


def test_membership_grant_refuses_team_role_without_team(make_user):
    user = make_user()

    with pytest.raises(ApplicationError, match="held in a team") as exc:
        services.membership_grant(user=user, role=Role.TEAM_MEMBER)

    assert exc.value.fields == {"team": ["Required for this role."]}
    assert not Membership.objects.exists()
    assert not AuditEvent.objects.exists()


def test_membership_grant_refuses_org_role_with_team(make_user, team):
    user = make_user()

    with pytest.raises(ApplicationError, match="organisation-wide") as exc:
        services.membership_grant(user=user, role=Role.AUDITOR, team=team)

    assert exc.value.fields == {"team": ["Must be empty for this role."]}
    assert not Membership.objects.exists()


def test_membership_grant_refuses_team_of_another_org(make_user):
    user = make_user()
    foreign_team = TeamFactory()

    with pytest.raises(ApplicationError, match="another organisation"):
        services.membership_grant(user=user, role=Role.TEAM_LEAD, team=foreign_team)

    assert not Membership.objects.exists()
    assert not AuditEvent.objects.exists()


def test_membership_grant_refuses_unknown_role(make_user):
    user = make_user()

    with pytest.raises(ApplicationError, match="Unknown role"):
        services.membership_grant(user=user, role="overlord")

    assert not Membership.objects.exists()


def test_membership_grant_refuses_user_without_organisation():
    user = UserFactory(organization=None)

    with pytest.raises(ApplicationError, match="no organisation"):
        services.membership_grant(user=user, role=Role.AUDITOR)

    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("role", "in_team"), [(Role.AUDITOR, False), (Role.TEAM_MEMBER, True)]
)
def test_membership_grant_refuses_duplicate(make_user, team, role, in_team):
    user = make_user()
    scope = team if in_team else None
    services.membership_grant(user=user, role=role, team=scope)

    with pytest.raises(ApplicationError, match="already holds"):
        services.membership_grant(user=user, role=role, team=scope)

    assert Membership.objects.filter(user=user).count() == 1
    assert len(audit_events("membership.granted")) == 1


def test_membership_revoke_records_one_audit_event(make_user, team):
    user, admin = make_user(), make_user(Role.ORG_ADMIN)
    membership = services.membership_grant(user=user, role=Role.TEAM_LEAD, team=team)
    membership_id = membership.pk

    services.membership_revoke(membership=membership, revoked_by=admin)

    (event,) = audit_events("membership.revoked")
    assert not Membership.objects.filter(pk=membership_id).exists()
    assert (event.actor_id, event.object_id) == (admin.pk, str(membership_id))
    assert event_data(event) == {"user": user.pk, "role": "team_lead", "team": team.pk}


def test_membership_revoke_keeps_membership_when_audit_fails(make_user):
    membership = services.membership_grant(user=make_user(), role=Role.AUDITOR)

    with (
        mock.patch.object(services, "record_event", side_effect=RuntimeError("down")),
        pytest.raises(RuntimeError),
    ):
        services.membership_revoke(membership=membership)

    assert Membership.objects.filter(pk=membership.pk).exists()


# --- user_create -----------------------------------------------------------------------


def test_user_create_records_event_without_password(org):
    user = services.user_create(
        organization=org,
        username="ann",
        email="ann@example.com",
        password=STRONG_PASSWORD,
    )

    (event,) = audit_events("user.created")
    assert user.check_password(STRONG_PASSWORD)
    assert event_data(event) == {"username": "ann", "email": "ann@example.com"}
    assert STRONG_PASSWORD not in event.canonical


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901234"])
def test_user_create_refuses_weak_password(org, password):
    with pytest.raises(ApplicationError, match="too weak") as exc:
        services.user_create(
            organization=org, username="ann", email="a@example.com", password=password
        )

    assert exc.value.fields["password"]
    assert not User.objects.filter(username="ann").exists()
    assert not AuditEvent.objects.exists()


def test_user_create_refuses_password_similar_to_username(org):
    with pytest.raises(ApplicationError, match="too weak"):
        services.user_create(
            organization=org,
            username="marguerite",
            email="m@example.com",
            password="marguerite1",
        )

    assert not User.objects.filter(username="marguerite").exists()


def test_user_create_refuses_taken_username_in_any_case(org):
    UserFactory(username="ann")

    with pytest.raises(ApplicationError, match="taken") as exc:
        services.user_create(
            organization=org,
            username="ANN",
            email="a@example.com",
            password=STRONG_PASSWORD,
        )

    assert exc.value.fields == {"username": ["Already in use."]}
    assert User.objects.filter(username__iexact="ann").count() == 1


def test_user_create_stores_given_password_hash(org):
    encoded = make_password(STRONG_PASSWORD)

    user = services.user_create(
        organization=org, username="ann", email="a@example.com", password_hash=encoded
    )

    user.refresh_from_db()
    assert user.password == encoded
    assert user.check_password(STRONG_PASSWORD)
    assert len(audit_events("user.created")) == 1


def test_user_create_refuses_plain_text_as_password_hash(org):
    with pytest.raises(ApplicationError, match="Not an encoded password hash"):
        services.user_create(
            organization=org,
            username="ann",
            email="a@example.com",
            password_hash=STRONG_PASSWORD,
        )

    assert not User.objects.filter(username="ann").exists()


# --- sign-in events ----------------------------------------------------------------------


def test_login_success_records_event_in_users_chain(client, make_user):
    user = make_user()

    client.post(
        "/accounts/login/",
        {"username": user.username, "password": "correct horse battery staple"},
    )

    (event,) = audit_events("auth.login_succeeded")
    assert event.chain.organization_id == user.organization_id
    assert (event.actor_id, event.object_id) == (user.pk, str(user.pk))


def test_login_failure_records_event_in_users_chain(client, make_user):
    user = make_user()

    client.post("/accounts/login/", {"username": user.username, "password": "wrong"})

    (event,) = audit_events("auth.login_failed")
    assert event.chain.organization_id == user.organization_id
    assert (event.actor_id, event.actor_type) == (None, "anonymous")
    assert event.object_id == str(user.pk)
    assert "wrong" not in event.canonical


def test_login_failure_for_unknown_name_records_only_fingerprint(client):
    typed = "hunter2-typed-into-username"

    client.post("/accounts/login/", {"username": typed, "password": "x"})

    (event,) = audit_events("auth.login_failed")
    assert event.chain.key == "platform"
    assert set(event_data(event)) == {"username_fingerprint"}
    assert typed not in event.canonical


def test_logout_records_event(client, make_user):
    user = make_user()
    client.force_login(user)

    client.post("/accounts/logout/")

    (event,) = audit_events("auth.logged_out")
    assert event.actor_id == user.pk


def test_organization_create_opens_chain_with_its_event():
    organization = services.organization_create(name="Initech", slug="initech")

    (event,) = audit_events("organization.created")
    assert event.chain.organization_id == organization.pk
    assert event.seq == 1


def test_organization_create_refuses_taken_slug():
    OrganizationFactory(slug="initech")

    with pytest.raises(ApplicationError, match="taken"):
        services.organization_create(name="Initech 2", slug="initech")

    assert not AuditEvent.objects.exists()
