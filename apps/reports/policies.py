"""Who may request and read reports. A team's people: their team's assessment reports
and the governance reports on their team's models. Those who read the whole
organisation (admins, executives, assessors, auditors): every report of it. Risk
officers and approvers, who govern the models: every governance report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.accounts.models import Role, Team, User
from apps.accounts.selectors import user_roles

if TYPE_CHECKING:
    from apps.reports.models import Report

TEAM_PEOPLE = (Role.TEAM_LEAD, Role.TEAM_MEMBER)
GOVERNORS = (Role.RISK_OFFICER, Role.APPROVER)
GOVERNANCE = "governance"
LEADERSHIP = "leadership"


def can_report_on(user: User, team: Team) -> bool:
    """May request a team's assessment report."""
    if not user.is_authenticated or user.organization_id != team.organization_id:
        return False
    roles = user_roles(user=user)
    return roles.reads_whole_org or roles.has_team_role(team.pk, *TEAM_PEOPLE)


def can_request(
    user: User, *, kind: str, organization_id: int, team_id: int | None
) -> bool:
    """May request a report of `kind` on the organisation, narrowed to a team (the
    team assessed, or the team of the model a governance report is about)."""
    if not user.is_authenticated or user.organization_id != organization_id:
        return False
    roles = user_roles(user=user)
    if roles.reads_whole_org:
        return True
    if kind == LEADERSHIP:
        return False
    if kind == GOVERNANCE and roles.has_org_role(*GOVERNORS):
        return True
    return team_id is not None and roles.has_team_role(team_id, *TEAM_PEOPLE)


def can_read(user: User, report: Report) -> bool:
    return can_request(
        user,
        kind=report.kind,
        organization_id=report.organization_id,
        team_id=report.team_id,
    )
