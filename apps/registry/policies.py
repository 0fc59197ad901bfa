"""Who may do what in the registry (role checks; row visibility is in selectors).

Org admins manage policies and connections but get no say in promotions: deciding
takes an approver or risk-officer role, and nobody decides on their own work.
"""

from __future__ import annotations

from apps.accounts.models import Role, User
from apps.accounts.selectors import user_roles
from apps.registry.models import APPROVER_ROLES, RegisteredModel


def can_register(user: User, team_id: int) -> bool:
    roles = user_roles(user=user)
    return roles.has_team_role(
        team_id, Role.TEAM_LEAD, Role.TEAM_MEMBER
    ) or roles.has_org_role(Role.ORG_ADMIN)


def can_contribute(user: User, model: RegisteredModel) -> bool:
    """Create versions, attach evidence, set unprotected aliases, open requests."""
    return user_roles(user=user).has_team_role(
        model.team_id, Role.TEAM_LEAD, Role.TEAM_MEMBER
    )


def can_manage_model(user: User, model: RegisteredModel) -> bool:
    """Edit the model's description, owner and tier."""
    roles = user_roles(user=user)
    return roles.has_team_role(model.team_id, Role.TEAM_LEAD) or roles.has_org_role(
        Role.ORG_ADMIN
    )


def approver_roles(user: User) -> list[str]:
    """The deciding roles the user holds right now, in a stable order."""
    roles = user_roles(user=user)
    return [role for role in APPROVER_ROLES if roles.has_org_role(role)]


def can_review_evidence(user: User) -> bool:
    return bool(approver_roles(user))


def can_break_glass(user: User) -> bool:
    return user_roles(user=user).has_org_role(Role.RISK_OFFICER)


def can_set_policy(user: User) -> bool:
    return user_roles(user=user).has_org_role(Role.ORG_ADMIN)
