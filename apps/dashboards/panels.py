"""What each dashboard panel is: its key (in URLs and element ids), title, chart
builder, the frame it draws, its data table's columns and the lists it drills down
to. Pure: no queries; the views fetch the frames and hand them in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from django.urls import reverse

from apps.dashboards import charts
from apps.dashboards.selectors import Filters


@dataclass(frozen=True)
class Drill:
    """A link from a panel to the list behind it."""

    label: str
    url_name: str
    query: tuple[tuple[str, str], ...] = ()
    # Passes the dashboard's team filter on, for lists that take one.
    takes_team: bool = False

    def href(self, filters: Filters) -> str:
        query = list(self.query)
        if self.takes_team and filters.team is not None:
            query.append(("team", str(filters.team)))
        url = reverse(self.url_name)
        return f"{url}?{urlencode(query)}" if query else url


# An id no row has, reversed once and then replaced by each row's id.
_ID_PLACEHOLDER = 918273645


@dataclass(frozen=True)
class RowLink:
    """Each table row links to a page: `url_name` with the row's `column` value."""

    column: str
    url_name: str

    def hrefs(self, values: Iterable[Any]) -> list[str | None]:
        """Each value's page (None for a missing value). One reverse() for them all:
        a call costs tens of microseconds, and the heatmap links 1,000 teams."""
        url = reverse(self.url_name, args=[_ID_PLACEHOLDER])
        before, _, after = url.partition(str(_ID_PLACEHOLDER))
        return [
            None if value is None or pd.isna(value) else f"{before}{int(value)}{after}"
            for value in values
        ]


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    builder: str  # the chart builder's name in apps.dashboards.charts
    frame: str  # the frame it draws, by name (see views.frames.OrgFrames)
    description: str = ""
    drills: tuple[Drill, ...] = ()
    row_link: RowLink | None = None
    sortable: bool = False  # takes the heatmap's sort
    wide: bool = False  # spans the page's width

    @property
    def columns(self) -> Mapping[str, str]:
        return charts.TABLE_COLUMNS[self.builder]

    def figure(self, frame: pd.DataFrame, sort: str = "name") -> go.Figure:
        build = getattr(charts, self.builder)
        return build(frame, sort) if self.sortable else build(frame)

    def table(self, frame: pd.DataFrame) -> pd.DataFrame:
        return charts.chart_table(frame, self.columns)


TEAM_LINK = RowLink("team_id", "dashboards:team-dashboard")
ASSESSMENTS = Drill("Assessments", "assessments:list")

ORG_PANELS: tuple[Panel, ...] = (
    Panel(
        key="heatmap",
        title="Maturity by team and dimension",
        builder="maturity_heatmap",
        frame="maturity",
        description="Each team's level per dimension in its latest assessment. "
        "Select a row, or a team in the data, to open the team's page.",
        drills=(ASSESSMENTS,),
        row_link=TEAM_LINK,
        sortable=True,
        wide=True,
    ),
    Panel(
        key="distribution",
        title="Floor and index",
        builder="floor_index_distribution",
        frame="scores",
        description="How many teams sit at each floor (their lowest core level) "
        "and maturity index.",
        drills=(ASSESSMENTS,),
        row_link=TEAM_LINK,
    ),
    Panel(
        key="trend",
        title="Trend over quarters",
        builder="maturity_trend",
        frame="trend",
        description="The median index with its middle half, the median floor and "
        "the share of teams at floor 2 or above, per quarter (the period filter "
        "does not narrow it).",
        drills=(ASSESSMENTS,),
    ),
    Panel(
        key="targets",
        title="Organisation median vs target",
        builder="median_vs_target",
        frame="medians",
        description="Per dimension, the median level across teams and the median "
        "of their targets.",
        drills=(Drill("Roadmaps", "roadmaps:roadmap-list"),),
    ),
    Panel(
        key="evidence",
        title="Evidence health by business unit",
        builder="evidence_health",
        frame="evidence",
        description="The share of teams whose repositories show continuous "
        "integration, training and monitoring, the conflicts between claims and "
        "signals, and the mean confidence.",
        drills=(Drill("Repositories", "repos:repo-list"),),
    ),
    Panel(
        key="requests",
        title="Open promotion requests by age",
        builder="open_requests_by_age",
        frame="requests",
        description="Promotion requests still open or approved but not applied, "
        "by how long they have waited.",
        drills=(
            Drill("Open requests", "registry:request-list", (("status", "open"),)),
            Drill(
                "Approved, not applied",
                "registry:request-list",
                (("status", "approved"),),
            ),
        ),
        row_link=RowLink("request_id", "registry:request-detail"),
    ),
    Panel(
        key="production",
        title="Models in production by risk tier",
        builder="production_by_risk_tier",
        frame="production",
        description="Models with a production alias, and versions whose "
        "revalidation is overdue.",
        drills=(
            Drill(
                "Models in production",
                "registry:model-list",
                (("alias", "production"),),
                takes_team=True,
            ),
            Drill(
                "Overdue revalidations",
                "registry:model-list",
                (("revalidation", "overdue"),),
                takes_team=True,
            ),
        ),
    ),
    Panel(
        key="break-glass",
        title="Break-glass applies by quarter",
        builder="break_glass_by_quarter",
        frame="break_glass",
        description="Promotions applied before their approvals, per quarter.",
        drills=(Drill("Promotion requests", "registry:request-list"),),
    ),
    Panel(
        key="roadmap",
        title="Most common Now items",
        builder="common_now_items",
        frame="common_now",
        description="The roadmap items most teams have to do first: shared "
        "guidance or tooling helps them all.",
        drills=(Drill("Roadmaps", "roadmaps:roadmap-list"),),
    ),
)

TEAM_PANELS: tuple[Panel, ...] = (
    Panel(
        key="team-radar",
        title="Profile against the organisation",
        builder="team_radar",
        frame="radar",
        description="The team's level per dimension, the median of the teams you "
        "may read, and the team's target.",
    ),
    Panel(
        key="team-history",
        title="History",
        builder="team_history",
        frame="history",
        description="The team's index and floor per quarter, with the "
        "assessment's confidence.",
    ),
)

_BY_KEY = {panel.key: panel for panel in ORG_PANELS}


def panel_get(key: str) -> Panel | None:
    """One of the organisation dashboard's panels (the ones with downloads)."""
    return _BY_KEY.get(key)


def heatmap_row_links(maturity: pd.DataFrame) -> dict[str, str]:
    """The heatmap's row label → the team's page. Labels as the chart writes them:
    the team's name, with " #<id>" when two teams share it."""
    teams = maturity[["team_id", "team"]].drop_duplicates("team_id")
    duplicated = teams["team"].duplicated(keep=False)
    labels = [
        f"{name} #{team_id}" if twin else name
        for team_id, name, twin in zip(
            teams["team_id"], teams["team"], duplicated, strict=True
        )
    ]
    return dict(zip(labels, TEAM_LINK.hrefs(teams["team_id"]), strict=True))
