"""The organisation's median level per dimension against the median target, as bars
and as a radar."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from apps.dashboards import palette
from apps.dashboards.charts.base import (
    LEVEL_AXIS,
    base_figure,
    empty_figure,
    hover,
    is_empty,
    level_polar,
    number,
    polygon,
    text,
    values,
)

RADAR_TRACES = (
    # column, name, line, fill
    ("median_level", "Median level", {"color": palette.BLUE}, palette.BLUE_BAND),
    ("median_target", "Median target", {"color": palette.ORANGE, "dash": "dash"}, None),
)


def median_vs_target(frame: pd.DataFrame) -> go.Figure:
    """Per dimension, the teams' median level beside their median target."""
    title = "Median level against target, by dimension"
    if is_empty(frame):
        return empty_figure(chart="median_vs_target", title=title)
    frame = _by_position(frame)
    names = frame["dimension_name"].tolist()
    fig = go.Figure()
    for column, label, colour in (
        ("median_level", "Median level", palette.BLUE),
        ("median_target", "Median target", palette.ORANGE),
    ):
        fig.add_trace(
            go.Bar(
                name=label,
                orientation="h",
                y=names,
                x=values(frame[column]),
                marker={"color": colour},
                hovertext=_target_hover(frame, column, label),
                hoverinfo="text",
            )
        )
    height = max(320, 140 + 48 * len(frame))
    base_figure(fig, chart="median_vs_target", title=title, height=height)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Level (0–4)", **LEVEL_AXIS)
    fig.update_yaxes(title_text="Dimension", autorange="reversed", type="category")
    return fig


def median_vs_target_radar(frame: pd.DataFrame) -> go.Figure:
    """The same numbers as median_vs_target, as two closed radar polygons; the
    target's is dashed, and left out when no dimension has a target."""
    title = "Median level against target, by dimension"
    if is_empty(frame):
        return empty_figure(chart="median_vs_target_radar", title=title)
    frame = _by_position(frame)
    names = frame["dimension_name"].tolist()
    fig = go.Figure()
    for column, label, line, fill in RADAR_TRACES:
        if frame[column].isna().all():
            continue
        hovers = _target_hover(frame, column, label)
        r = values(frame[column])
        fig.add_trace(
            polygon(
                name=label,
                theta=names,
                r=r,
                hovertext=hovers,
                line=line,
                fillcolor=fill,
            )
        )
    base_figure(fig, chart="median_vs_target_radar", title=title, height=480)
    return level_polar(fig)


def _by_position(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["position", "dimension"], kind="stable").reset_index(
        drop=True
    )


def _target_hover(frame: pd.DataFrame, column: str, label: str) -> list[str]:
    return [
        hover(
            f"<b>{text(name)}</b>",
            f"{label}: {number(value, 1) if pd.notna(value) else 'no target set'}",
            f"Teams: {teams}",
        )
        for name, value, teams in zip(
            frame["dimension_name"], frame[column], frame["teams"], strict=True
        )
    ]
