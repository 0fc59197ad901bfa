from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel


class Organization(TimeStampedModel):
    """A customer organisation: the boundary of visibility and of one audit chain."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BusinessUnit(TimeStampedModel):
    """A division of an organisation that groups teams for roll-ups."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="business_units"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"],
                name="business_unit_slug_unique_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    """An ML team: the unit that is assessed, owns repositories and models."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="teams"
    )
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="team_slug_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person. Belongs to one organisation (platform superusers may have none)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    EXECUTIVE = "executive", "Executive"
    ASSESSOR = "assessor", "Assessor"
    TEAM_LEAD = "team_lead", "Team lead"
    TEAM_MEMBER = "team_member", "Team member"
    APPROVER = "approver", "Approver"
    RISK_OFFICER = "risk_officer", "Risk officer"
    AUDITOR = "auditor", "Auditor"


TEAM_ROLES = frozenset({Role.TEAM_LEAD, Role.TEAM_MEMBER})
# A fixed order for the database constraint: a set's order changes with the hash seed,
# which would make `makemigrations --check` see a different constraint on every run.
TEAM_ROLE_ORDER = ["team_member", "team_lead"]
ORG_ROLES = frozenset(set(Role) - TEAM_ROLES)
# Roles whose holders read every team of the organisation.
ORG_READER_ROLES = frozenset(
    {Role.ORG_ADMIN, Role.EXECUTIVE, Role.ASSESSOR, Role.AUDITOR}
)


class Membership(TimeStampedModel):
    """A role held by a user, scoped to the organisation or to one team."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="memberships",
        null=True,
        blank=True,
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["organization", "team", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=TEAM_ROLE_ORDER, team__isnull=False)
                    | (~Q(role__in=TEAM_ROLE_ORDER) & Q(team__isnull=True))
                ),
                name="membership_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "team"], name="membership_unique_team_role"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(team__isnull=True),
                name="membership_unique_org_role",
            ),
        ]

    def __str__(self) -> str:
        scope = self.team.name if self.team_id else "organisation"
        return f"{self.user} — {self.get_role_display()} ({scope})"


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 digest is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=16, help_text="First characters, to recognise it."
    )
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
