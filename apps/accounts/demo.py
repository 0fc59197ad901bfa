"""The demo organisation: three business units, twelve teams, someone in every role."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from apps.accounts import services
from apps.accounts.models import (
    BusinessUnit,
    Membership,
    Organization,
    Role,
    Team,
    User,
)

DEMO_ORG = ("Acme Analytics", "acme")
DEMO_PASSWORD = "tollgate-demo"  # noqa: S105 (printed demo credential, DEBUG only)

BUSINESS_UNITS = {
    ("Retail Banking", "retail"): [
        "Credit Risk Scoring",
        "Fraud Detection",
        "Customer Churn",
        "Next Best Offer",
    ],
    ("Insurance", "insurance"): [
        "Claims Triage",
        "Pricing Models",
        "Underwriting Assist",
        "Document Intelligence",
    ],
    ("Group Platforms", "platforms"): [
        "ML Platform",
        "Search Ranking",
        "Forecasting",
        "Customer Support NLP",
    ],
}

ORG_PEOPLE = [
    ("admin", "Ada", "Admin", [Role.ORG_ADMIN]),
    ("exec", "Erin", "Executive", [Role.EXECUTIVE]),
    ("assessor", "Asha", "Assessor", [Role.ASSESSOR]),
    ("approver", "Arjun", "Approver", [Role.APPROVER]),
    ("approver2", "Amelia", "Approver", [Role.APPROVER]),
    ("risk", "Rosa", "Risk", [Role.RISK_OFFICER]),
    ("auditor", "Omar", "Auditor", [Role.AUDITOR]),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: str


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _user(
    org: Organization,
    username: str,
    first: str,
    last: str,
    password_hash: Callable[[], str],
) -> User:
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    return services.user_create(
        organization=org,
        username=username,
        email=f"{username}@acme.example",
        password_hash=password_hash(),
        first_name=first,
        last_name=last,
    )


def _grant(user: User, role: str, team: Team | None = None) -> None:
    if not Membership.objects.filter(user=user, role=role, team=team).exists():
        services.membership_grant(user=user, role=role, team=team)


def _teams(org: Organization) -> list[Team]:
    teams = []
    for (unit_name, unit_slug), team_names in BUSINESS_UNITS.items():
        unit = BusinessUnit.objects.filter(organization=org, slug=unit_slug).first()
        if unit is None:
            unit = services.business_unit_create(
                organization=org, name=unit_name, slug=unit_slug
            )
        for name in team_names:
            team = Team.objects.filter(organization=org, slug=_slug(name)).first()
            teams.append(
                team
                or services.team_create(business_unit=unit, name=name, slug=_slug(name))
            )
    return teams


def _demo_password_hash() -> str:
    validate_password(DEMO_PASSWORD)
    return make_password(DEMO_PASSWORD)


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create what is missing of the demo organisation; running it twice changes nothing."""
    name, slug = DEMO_ORG
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        org = services.organization_create(name=name, slug=slug)
    # One slow hash for everyone, made only if someone is missing: the demo people
    # share one public password anyway, and a repeat run should cost nothing.
    password_hash = functools.cache(_demo_password_hash)
    logins = []
    for username, first, last, roles in ORG_PEOPLE:
        user = _user(org, username, first, last, password_hash)
        for role in roles:
            _grant(user, role)
        logins.append(DemoLogin(username, ", ".join(r.label for r in roles)))
    for team in _teams(org):
        lead = _user(org, f"lead-{team.slug}", "Lead", team.name, password_hash)
        member = _user(org, f"member-{team.slug}", "Member", team.name, password_hash)
        _grant(lead, Role.TEAM_LEAD, team)
        _grant(member, Role.TEAM_MEMBER, team)
        logins.append(DemoLogin(lead.username, f"Team lead, {team.name}"))
        logins.append(DemoLogin(member.username, f"Team member, {team.name}"))
    return logins
