"""Role checks for API views. Row visibility lives in selectors, not here."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from apps.accounts.models import Role
from apps.accounts.selectors import user_roles


def has_org_role(*roles: str) -> type[BasePermission]:
    """A permission class admitting users who hold one of `roles` organisation-wide."""

    class HasOrgRole(BasePermission):
        message = "This needs one of the roles: " + ", ".join(roles) + "."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(
                user
                and user.is_authenticated
                and user_roles(user=user).has_org_role(*roles)
            )

    HasOrgRole.__name__ = "HasOrgRole_" + "_".join(roles)
    return HasOrgRole


class InOrganization(BasePermission):
    """Signed in and a member of an organisation."""

    message = "You belong to no organisation."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.organization_id)


class SessionOnly(BasePermission):
    """Refuses token-authenticated calls: a token may not mint more tokens."""

    message = "Tokens can only be created from a signed-in session."

    def has_permission(self, request, view) -> bool:
        return getattr(request, "api_token", None) is None


IsOrgAdmin = has_org_role(Role.ORG_ADMIN)
IsAuditReader = has_org_role(Role.AUDITOR, Role.ORG_ADMIN)
