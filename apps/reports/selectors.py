"""The reports a user may read."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.accounts.selectors import user_roles, visible_team_ids
from apps.reports import policies
from apps.reports.models import Report


def report_list(*, fetched_by: User) -> QuerySet[Report]:
    """The reports the user may read, newest first."""
    if not fetched_by.is_authenticated or not fetched_by.organization_id:
        return Report.objects.none()
    reports = Report.objects.filter(organization_id=fetched_by.organization_id)
    roles = user_roles(user=fetched_by)
    if not roles.reads_whole_org:
        readable = Q(team__in=visible_team_ids(user=fetched_by))
        if roles.has_org_role(*policies.GOVERNORS):
            readable |= Q(kind=Report.Kind.GOVERNANCE)
        reports = reports.filter(readable)
    return reports.select_related("team", "model", "business_unit", "requested_by")


def report_get(*, fetched_by: User, report_id: int) -> Report | None:
    return report_list(fetched_by=fetched_by).filter(pk=report_id).first()
