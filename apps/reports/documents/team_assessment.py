"""The team assessment report: a team's levels, answers and evidence, the review's
decisions, its history and roadmap."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from apps.dashboards.charts import median_vs_target, team_history, team_radar
from apps.reports.charts import svg_data_uri
from apps.reports.content import team_assessment as content_of
from apps.reports.documents import Document, Progress
from apps.reports.models import Report

# A radar's dimension names sit outside its circle: on a page, unlike the dashboard's
# wide panel, long ones are cut at the edge unless they wrap.
RADAR_LABEL_WIDTH = 18


def _svg(fig: go.Figure) -> str:
    """At the height the dashboards give the figure: a radar needs its 480 px, the
    bars grow with the number of dimensions."""
    return svg_data_uri(fig, height=fig.layout.height or 380)


def _radar(frame: pd.DataFrame) -> go.Figure:
    """The dashboard's radar, laid out for a page: names wrapped, legend below."""
    if not frame.empty:
        names = frame["dimension_name"].map(
            lambda name: "<br>".join(textwrap.wrap(name, RADAR_LABEL_WIDTH))
        )
        frame = frame.assign(dimension_name=names)
    fig = team_radar(frame)
    fig.update_layout(
        height=440,
        margin={"l": 90, "r": 90, "t": 80, "b": 70},
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.16},
    )
    return fig


def build(report: Report, progress: Progress) -> Document:
    content = content_of.team_assessment_content(team=report.team, period=report.period)
    progress(30)
    charts = {
        "radar_chart": _svg(_radar(content.radar)),
        "targets_chart": _svg(median_vs_target(content.org_targets)),
        "history_chart": _svg(team_history(content.history)),
    }
    progress(60)
    return Document(
        template="reports/team_assessment.html",
        title=f"Team assessment: {report.team.name}",
        context={"content": content, **charts},
    )
