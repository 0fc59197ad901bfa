"""Who may read and change a team's roadmap."""

from __future__ import annotations

from apps.accounts.models import Role, Team, User
from apps.accounts.selectors import user_roles


def can_view_roadmap(user: User, team: Team) -> bool:
    """The team's people, and those who read every team (admins, executives, …)."""
    if not user.is_authenticated or user.organization_id != team.organization_id:
        return False
    roles = user_roles(user=user)
    return roles.reads_whole_org or roles.has_team_role(
        team.pk, Role.TEAM_LEAD, Role.TEAM_MEMBER
    )


def can_plan(user: User, team: Team) -> bool:
    """Regenerate the roadmap and set items' status, owner and due quarter: the
    team's people, or an admin."""
    if not user.is_authenticated or user.organization_id != team.organization_id:
        return False
    roles = user_roles(user=user)
    return roles.has_team_role(
        team.pk, Role.TEAM_LEAD, Role.TEAM_MEMBER
    ) or roles.has_org_role(Role.ORG_ADMIN)
