"""A team's own charts: its profile against the organisation, and its history."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from apps.dashboards import palette
from apps.dashboards.charts.base import (
    LEVEL_AXIS,
    PERCENT_AXIS,
    base_figure,
    empty_figure,
    hover,
    is_empty,
    level_polar,
    number,
    percent,
    percentages,
    polygon,
    sorted_periods,
    text,
    values,
)

RADAR_TRACES = (
    # column, name, line, fill, digits in the hover
    ("level", "Team", {"color": palette.BLUE, "width": 3}, palette.BLUE_BAND, 0),
    ("org_median", "Org median", {"color": palette.ORANGE}, None, 1),
    ("target", "Target", {"color": palette.BLACK, "dash": "dash"}, None, 0),
)


def team_radar(frame: pd.DataFrame) -> go.Figure:
    """The team's level per dimension against the organisation's median and the
    team's target; dimensions without a target leave a gap in the target polygon."""
    title = "Team profile by dimension"
    if is_empty(frame):
        return empty_figure(chart="team_radar", title=title)
    frame = frame.sort_values(["position", "dimension"], kind="stable")
    names = frame["dimension_name"].tolist()
    fig = go.Figure()
    for column, name, line, fill, digits in RADAR_TRACES:
        if frame[column].isna().all():
            continue
        hovers = [
            hover(f"<b>{text(dimension)}</b>", f"{name}: {number(value, digits)}")
            for dimension, value in zip(names, frame[column], strict=True)
        ]
        r = values(frame[column])
        fig.add_trace(
            polygon(
                name=name, theta=names, r=r, hovertext=hovers, line=line, fillcolor=fill
            )
        )
    base_figure(fig, chart="team_radar", title=title, height=480)
    return level_polar(fig)


def team_history(frame: pd.DataFrame) -> go.Figure:
    """The team's index and floor over periods, with the assessment's confidence on
    a second axis."""
    title = "Team maturity over time"
    if is_empty(frame):
        return empty_figure(chart="team_history", title=title)
    frame = sorted_periods(frame)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for trace in _history_lines(frame):
        fig.add_trace(trace, secondary_y=trace.name == "Confidence")
    base_figure(fig, chart="team_history", title=title)
    fig.update_xaxes(title_text="Period", type="category")
    fig.update_yaxes(title_text="Level (0–4)", **LEVEL_AXIS, secondary_y=False)
    fig.update_yaxes(
        title_text="Confidence", **{**PERCENT_AXIS, "showgrid": False}, secondary_y=True
    )
    return fig


def _history_lines(frame: pd.DataFrame) -> list[go.Scatter]:
    shared = {
        "x": frame["period"].tolist(),
        "mode": "lines+markers",
        "hovertext": _history_hover(frame),
        "hoverinfo": "text",
    }
    return [
        go.Scatter(
            name="Index",
            y=values(frame["index"]),
            line={"color": palette.BLUE, "width": 3},
            **shared,
        ),
        # A step line: the floor is a whole level that holds until the next period.
        go.Scatter(
            name="Floor",
            y=values(frame["floor"]),
            line={"color": palette.VERMILLION, "dash": "dash", "shape": "hv"},
            marker={"symbol": "square"},
            **shared,
        ),
        go.Scatter(
            name="Confidence",
            y=percentages(frame["confidence"]),
            line={"color": palette.SKY_BLUE, "dash": "dot"},
            marker={"symbol": "diamond"},
            **shared,
        ),
    ]


def _history_hover(frame: pd.DataFrame) -> list[str]:
    return [
        hover(
            f"<b>{period}</b>",
            f"Index: {number(index)}",
            f"Floor: {number(floor, 0)}",
            f"Confidence: {percent(confidence)}",
        )
        for period, index, floor, confidence in zip(
            frame["period"],
            frame["index"],
            frame["floor"],
            frame["confidence"],
            strict=True,
        )
    ]
