"""The reports a user may read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.accounts.models import BusinessUnit, Team, User
from apps.accounts.selectors import user_roles, visible_team_ids
from apps.registry.selectors import visible_models
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
    return reports.select_related(
        "organization", "team", "model", "business_unit", "requested_by"
    )


def report_get(*, fetched_by: User, report_id: int) -> Report | None:
    return report_list(fetched_by=fetched_by).filter(pk=report_id).first()


@dataclass(frozen=True)
class Scopes:
    """What a user may request one kind of report on: these (id, label) choices, and
    the whole organisation too when `whole_org`."""

    choices: list[tuple[int, str]]
    whole_org: bool = False


def requestable_scopes(*, user: User) -> dict[str, Scopes]:
    """Per kind of report, what the user may request it on; a kind is missing when
    the user may request none of it."""
    if not user.is_authenticated or not user.organization_id:
        return {}
    org = user.organization_id
    roles = user_roles(user=user)
    teams = Team.objects.filter(organization_id=org).select_related("business_unit")
    if not roles.reads_whole_org:
        teams = teams.filter(pk__in=visible_team_ids(user=user))
    found = {
        Report.Kind.TEAM_ASSESSMENT: Scopes(
            [
                (team.pk, f"{team.name} ({team.business_unit.name})")
                for team in teams.order_by("name")
                if policies.can_report_on(user, team)
            ]
        ),
        Report.Kind.GOVERNANCE: Scopes(
            list(visible_models(user=user).order_by("name").values_list("pk", "name")),
            whole_org=_may_request_whole_org(user, Report.Kind.GOVERNANCE),
        ),
    }
    if _may_request_whole_org(user, Report.Kind.LEADERSHIP):
        units = BusinessUnit.objects.filter(organization_id=org).order_by("name")
        found[Report.Kind.LEADERSHIP] = Scopes(
            list(units.values_list("pk", "name")), whole_org=True
        )
    return {
        kind: scopes
        for kind, scopes in found.items()
        if scopes.choices or scopes.whole_org
    }


def _may_request_whole_org(user: User, kind: str) -> bool:
    return policies.can_request(
        user, kind=kind, organization_id=user.organization_id, team_id=None
    )
