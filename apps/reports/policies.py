"""Who may request and read reports: a team's people its team's; those who read the
whole organisation (admins, executives, auditors, …) every report of it."""

from __future__ import annotations

from apps.accounts.models import Role, Team, User
from apps.accounts.selectors import user_roles

TEAM_PEOPLE = (Role.TEAM_LEAD, Role.TEAM_MEMBER)


def can_report_on(user: User, team: Team) -> bool:
    if not user.is_authenticated or user.organization_id != team.organization_id:
        return False
    roles = user_roles(user=user)
    return roles.reads_whole_org or roles.has_team_role(team.pk, *TEAM_PEOPLE)


def can_read(user: User, report) -> bool:
    if not user.is_authenticated or user.organization_id != report.organization_id:
        return False
    roles = user_roles(user=user)
    if roles.reads_whole_org:
        return True
    return report.team_id is not None and roles.has_team_role(
        report.team_id, *TEAM_PEOPLE
    )
