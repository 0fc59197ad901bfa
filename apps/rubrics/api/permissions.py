"""Role checks for the rubric endpoints that are not plain organisation roles."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from apps.accounts.models import Role
from apps.accounts.selectors import user_roles


class ReadsTeamTargets(BasePermission):
    """Organisation-wide readers, and the leads of the team named in the URL."""

    message = "Only the team's leads and organisation-wide readers see its targets."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.organization_id):
            return False
        roles = user_roles(user=user)
        return roles.reads_whole_org or roles.has_team_role(
            view.kwargs["team_id"], Role.TEAM_LEAD
        )
