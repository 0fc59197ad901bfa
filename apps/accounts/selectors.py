"""Reads about people, teams and roles. Row visibility for every app starts here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from apps.accounts.models import (
    ORG_READER_ROLES,
    ApiToken,
    BusinessUnit,
    Membership,
    Team,
    User,
)


@dataclass(frozen=True)
class RoleSet:
    """The roles a user holds in their organisation, org-wide and per team."""

    org_roles: frozenset[str] = frozenset()
    team_roles: dict[int, frozenset[str]] = field(default_factory=dict)

    def has_org_role(self, *roles: str) -> bool:
        return not self.org_roles.isdisjoint(roles)

    def has_team_role(self, team_id: int, *roles: str) -> bool:
        return not self.team_roles.get(team_id, frozenset()).isdisjoint(roles)

    @property
    def reads_whole_org(self) -> bool:
        return self.has_org_role(*ORG_READER_ROLES)


def user_roles(*, user: User) -> RoleSet:
    """The user's roles, read once per request and cached on the user object."""
    cached = getattr(user, "_tollgate_roles", None)
    if cached is not None:
        return cached
    org_roles: set[str] = set()
    team_roles: dict[int, set[str]] = {}
    if user.is_authenticated and user.organization_id:
        # Unordered: Membership's default order joins two tables for nothing here.
        rows = (
            Membership.objects.filter(user=user, organization_id=user.organization_id)
            .order_by()
            .values_list("role", "team_id")
        )
        for role, team_id in rows:
            if team_id is None:
                org_roles.add(role)
            else:
                team_roles.setdefault(team_id, set()).add(role)
    roles = RoleSet(
        frozenset(org_roles), {k: frozenset(v) for k, v in team_roles.items()}
    )
    user._tollgate_roles = roles
    return roles


def visible_team_ids(*, user: User) -> QuerySet[Team]:
    """Teams whose data the user may read: the whole org for org readers, else their own."""
    if not user.is_authenticated or not user.organization_id:
        return Team.objects.none().values("pk")
    teams = Team.objects.filter(organization_id=user.organization_id)
    if not user_roles(user=user).reads_whole_org:
        # Two roles in one team join two membership rows: list the team once.
        teams = teams.filter(memberships__user=user).distinct()
    return teams.values("pk")


def _org_teams(user: User) -> QuerySet[Team]:
    if not user.is_authenticated or not user.organization_id:
        return Team.objects.none()
    return Team.objects.filter(organization_id=user.organization_id)


def team_list(*, fetched_by: User, business_unit: int | None = None) -> QuerySet[Team]:
    """The organisation's team directory, with business unit and memberships loaded."""
    teams = (
        _org_teams(fetched_by)
        .select_related("business_unit")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by(
                    "role", "user__username"
                ),
            )
        )
    )
    if business_unit is not None:
        teams = teams.filter(business_unit_id=business_unit)
    return teams.order_by("business_unit__name", "name")


def team_get(*, fetched_by: User, team_id: int) -> Team | None:
    """One team of the fetcher's organisation, or None (another org's team included)."""
    return team_list(fetched_by=fetched_by).filter(pk=team_id).first()


def business_unit_list(*, fetched_by: User) -> QuerySet[BusinessUnit]:
    """Business units of the fetcher's organisation."""
    if not fetched_by.is_authenticated or not fetched_by.organization_id:
        return BusinessUnit.objects.none()
    return BusinessUnit.objects.filter(organization_id=fetched_by.organization_id)


def user_list(*, fetched_by: User) -> QuerySet[User]:
    """People of the fetcher's organisation, with their memberships."""
    if not fetched_by.is_authenticated or not fetched_by.organization_id:
        return User.objects.none()
    return (
        User.objects.filter(organization_id=fetched_by.organization_id)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("team"))
        )
        .order_by("username")
    )


def membership_list(
    *, fetched_by: User, team: int | None = None, user: int | None = None
) -> QuerySet[Membership]:
    """Roles held in the fetcher's organisation, optionally for one team or person."""
    if not fetched_by.is_authenticated or not fetched_by.organization_id:
        return Membership.objects.none()
    memberships = Membership.objects.filter(
        organization_id=fetched_by.organization_id
    ).select_related("user", "team", "granted_by")
    if team is not None:
        memberships = memberships.filter(team_id=team)
    if user is not None:
        memberships = memberships.filter(user_id=user)
    return memberships.order_by("user__username", "role")


def membership_get(*, fetched_by: User, membership_id: int) -> Membership | None:
    """One membership of the fetcher's organisation, or None."""
    return membership_list(fetched_by=fetched_by).filter(pk=membership_id).first()


def api_token_list(*, fetched_by: User) -> QuerySet[ApiToken]:
    """The fetcher's own tokens; nobody lists another person's."""
    return ApiToken.objects.filter(user_id=fetched_by.pk).order_by("-created_at")


def api_token_get(*, fetched_by: User, token_id: int) -> ApiToken | None:
    """One of the fetcher's own tokens, or None (another person's included)."""
    return api_token_list(fetched_by=fetched_by).filter(pk=token_id).first()


def user_get(*, fetched_by: User, user_id: int) -> User | None:
    """One person of the fetcher's organisation, or None."""
    return user_list(fetched_by=fetched_by).filter(pk=user_id).first()
