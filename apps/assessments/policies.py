"""Who may do what to an assessment (role checks; row visibility is in selectors)."""

from __future__ import annotations

from apps.accounts.models import Role, Team, User
from apps.accounts.selectors import user_roles
from apps.assessments.models import Assessment
from apps.core.exceptions import PermissionDeniedError


def can_start(user: User, team: Team) -> bool:
    roles = user_roles(user=user)
    return roles.has_team_role(team.pk, Role.TEAM_LEAD) or roles.has_org_role(
        Role.ORG_ADMIN
    )


def can_answer(user: User, assessment: Assessment) -> bool:
    roles = user_roles(user=user)
    return roles.has_team_role(assessment.team_id, Role.TEAM_LEAD, Role.TEAM_MEMBER)


def can_submit(user: User, assessment: Assessment) -> bool:
    return user_roles(user=user).has_team_role(assessment.team_id, Role.TEAM_LEAD)


def can_review(user: User, assessment: Assessment) -> bool:
    return user_roles(user=user).has_org_role(Role.ASSESSOR)


def can_reopen(user: User, assessment: Assessment) -> bool:
    roles = user_roles(user=user)
    return roles.has_org_role(Role.ASSESSOR) or roles.has_team_role(
        assessment.team_id, Role.TEAM_LEAD
    )


def require(allowed: bool, what: str) -> None:
    """Raise the API's 403 when a policy says no."""
    if not allowed:
        raise PermissionDeniedError(f"Your roles do not allow you to {what}.")
