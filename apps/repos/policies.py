"""Who may do what with linked repositories."""

from __future__ import annotations

from apps.accounts.models import Role, Team, User
from apps.accounts.selectors import user_roles


def can_manage_repos(user: User, team: Team) -> bool:
    """Link repositories to the team, change or disable them: its lead, or an admin."""
    if user.organization_id != team.organization_id:
        return False
    roles = user_roles(user=user)
    return roles.has_team_role(team.pk, Role.TEAM_LEAD) or roles.has_org_role(
        Role.ORG_ADMIN
    )


def can_link_local_path(user: User) -> bool:
    """A folder on the server is an admin's decision, even under an allowed root."""
    return user_roles(user=user).has_org_role(Role.ORG_ADMIN)


def can_scan(user: User, team: Team) -> bool:
    """Ask for a rescan: anyone on the team, or an admin."""
    if user.organization_id != team.organization_id:
        return False
    roles = user_roles(user=user)
    return roles.has_team_role(
        team.pk, Role.TEAM_LEAD, Role.TEAM_MEMBER
    ) or roles.has_org_role(Role.ORG_ADMIN)
