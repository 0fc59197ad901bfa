"""What a leadership report shows: the organisation dashboard's panels and their data,
for a whole organisation or one business unit. Read through the dashboards' frames,
scoped by the organisation rather than by a user: a worker renders reports, and the
command line too, with no one signed in. A fixed number of queries whatever the
number of teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from apps.accounts.models import BusinessUnit, Organization
from apps.core.exceptions import ApplicationError
from apps.dashboards.panels import ORG_PANELS, Panel
from apps.dashboards.selectors import Filters, Scope
from apps.dashboards.views.frames import OrgFrames


@dataclass(frozen=True)
class PanelContent:
    panel: Panel
    frame: pd.DataFrame  # what the chart draws
    table: pd.DataFrame  # the data behind it, every row, as the dashboard labels it


@dataclass(frozen=True)
class LeadershipContent:
    organization: Organization
    business_unit: BusinessUnit | None  # None: the whole organisation
    period: str  # "2026-Q3", or "" for each team's latest assessment
    scores: pd.DataFrame  # each team's floor and index (selectors.team_scores_frame)
    panels: list[PanelContent]

    @property
    def scope_name(self) -> str:
        if self.business_unit is None:
            return self.organization.name
        return self.business_unit.name

    @property
    def teams(self) -> int:
        return len(self.scores)

    @property
    def median_index(self) -> float:
        return float(self.scores["index"].median())

    @property
    def median_floor(self) -> float:
        return float(self.scores["floor"].median())

    @property
    def share_floor_ge2(self) -> float:
        return float((self.scores["floor"] >= 2).mean())


def leadership_content(
    *,
    organization: Organization,
    business_unit: BusinessUnit | None,
    period: str,
    now: datetime,
) -> LeadershipContent:
    """The panels' frames for the scope, or a readable refusal when no team in it has
    a scored assessment (of `period`, when one is given)."""
    filters = Filters(
        business_unit=business_unit.pk if business_unit else None,
        period=period or None,
    )
    frames = OrgFrames(
        scope=Scope.of_organization(organization.pk), filters=filters, now=now
    )
    if frames.scores.empty:
        name = business_unit.name if business_unit else organization.name
        where = f" for {period}" if period else ""
        raise ApplicationError(
            f"No team in {name} has a scored assessment{where}.",
            code="no_data",
            fields={"period": [f"No scored assessment{where}."]} if period else None,
        )
    return LeadershipContent(
        organization=organization,
        business_unit=business_unit,
        period=period,
        scores=frames.scores,
        panels=[
            PanelContent(panel, frames[panel.frame], panel.table(frames[panel.frame]))
            for panel in ORG_PANELS
        ],
    )
