"""The demo organisation: complete, idempotent, audited, refused in production."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.demo import DEMO_PASSWORD
from apps.accounts.models import (
    BusinessUnit,
    Membership,
    Organization,
    Role,
    Team,
    User,
)
from apps.audit.integrity import chain_verify
from apps.audit.models import AuditEvent, Chain
from tests.accounts.helpers import audit_events

pytestmark = pytest.mark.django_db

MODELS = [Organization, BusinessUnit, Team, User, Membership, AuditEvent, Chain]


def _seed() -> None:
    call_command(
        "seed_demo",
        "--allow-production",
        "--no-history",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_creates_organisation_units_and_teams():
    _seed()

    assert list(Organization.objects.values_list("slug", flat=True)) == ["acme"]
    assert BusinessUnit.objects.count() == 3
    assert Team.objects.count() == 12
    assert all(unit.teams.count() == 4 for unit in BusinessUnit.objects.all())


def test_seed_demo_creates_someone_in_every_role():
    _seed()

    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert not Team.objects.filter(memberships__isnull=True).exists()


def test_seed_demo_users_sign_in_with_demo_password():
    _seed()

    for username in ("admin", "auditor", "lead-ml-platform", "member-forecasting"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_seed_demo_records_one_created_event_per_user():
    _seed()

    created = {e.object_id for e in audit_events("user.created")}

    assert len(audit_events("user.created")) == User.objects.count() == 31
    assert created == {str(pk) for pk in User.objects.values_list("pk", flat=True)}


def test_seed_demo_second_run_creates_nothing():
    _seed()
    before = _counts()

    _seed()

    assert _counts() == before


def test_seed_demo_leaves_verifiable_audit_chain():
    _seed()

    result = chain_verify(chain=Chain.objects.get(organization__slug="acme"))

    assert result.ok, result.finding
    assert result.verified_through == AuditEvent.objects.count()


def test_seed_demo_refuses_when_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", "--no-history")

    assert not Organization.objects.exists()


def test_seed_demo_runs_when_debug_on(settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo", "--no-history")

    assert Organization.objects.filter(slug="acme").exists()
    assert f"password: {DEMO_PASSWORD}" in capsys.readouterr().out
