"""Organisation-wide maturity charts: the team × dimension heatmap, the floor and index
distributions and the trend over periods."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from apps.dashboards import palette
from apps.dashboards.charts.base import (
    LEVEL_AXIS,
    LEVELS,
    PERCENT_AXIS,
    base_figure,
    count_axis,
    empty_figure,
    is_empty,
    number,
    percent,
    percentages,
    plural,
    sorted_periods,
    values,
)

HeatmapSort = Literal["name", "floor", "index"]
HEATMAP_SORTS = ("name", "floor", "index")
# Rows stay readable up to a few dozen teams; past the cap plotly thins the labels.
ROW_HEIGHT = 24
HEATMAP_MAX_HEIGHT = 4000
# Writing the level in each cell helps colour-blind readers, until cells get too small.
CELL_TEXT_MAX_TEAMS = 60
INDEX_BIN = 0.25
HEATMAP_HOVER = (
    "<b>%{y}</b><br>"
    "Dimension: %{x}<br>"
    "Level: %{z}<br>"
    "Score: %{customdata[0]:.2f} (%{customdata[1]:.0%} of the way to the next level)<br>"
    "Target: %{text}"
    "<extra></extra>"
)


# --- Heatmap ---------------------------------------------------------------------------


def maturity_heatmap(frame: pd.DataFrame, sort: HeatmapSort = "name") -> go.Figure:
    """Teams (rows) × dimensions (columns, in position order), coloured by level."""
    if sort not in HEATMAP_SORTS:
        raise ValueError(f"sort must be one of {HEATMAP_SORTS}, not {sort!r}")
    title = "Maturity level by team and dimension"
    if is_empty(frame):
        return empty_figure(chart="maturity_heatmap", title=title)
    teams = _team_order(frame, sort)
    # Given as a dict, the trace is validated once rather than copied and validated
    # again: a third of the time for 1,000 teams.
    fig = go.Figure(data=[_heatmap_trace(frame, teams, _dimension_order(frame))])
    height = min(HEATMAP_MAX_HEIGHT, max(320, 160 + ROW_HEIGHT * len(teams)))
    base_figure(fig, chart="maturity_heatmap", title=title, height=height, sort=sort)
    # Dimension names are long: slanted, so that eleven of them stay readable.
    fig.update_xaxes(title_text="Dimension", side="top", tickangle=-30, automargin=True)
    # The first team in the order is drawn at the top.
    fig.update_yaxes(title_text="Team", autorange="reversed", type="category")
    return fig


def _heatmap_trace(
    frame: pd.DataFrame, teams: pd.DataFrame, dimensions: pd.DataFrame
) -> dict[str, Any]:
    levels, details, targets = _heatmap_cells(
        frame, teams["team_id"], dimensions["dimension"]
    )
    return {
        "type": "heatmap",
        "name": "Level",
        "x": dimensions["dimension_name"].tolist(),
        "y": teams["label"].tolist(),
        "z": levels,
        "zmin": -0.5,
        "zmax": 4.5,
        "colorscale": palette.level_colorscale(),
        "colorbar": {
            "title": {"text": "Level"},
            "tickvals": list(LEVELS),
            "ticktext": [f"Level {level}" for level in LEVELS],
        },
        # Numbers per cell, formatted by the hover template: numpy arrays reach the
        # page as typed arrays, which plotly neither validates nor copies cell by
        # cell; strings for 1,000 teams × 11 dimensions cost 0.3 s per page.
        "customdata": details,
        "text": targets,
        "hovertemplate": HEATMAP_HOVER,
        "hoverongaps": False,
        "texttemplate": "%{z}" if len(teams) <= CELL_TEXT_MAX_TEAMS else None,
        "xgap": 1,
        "ygap": 1,
    }


def _heatmap_cells(
    frame: pd.DataFrame, team_ids: pd.Series, dimensions: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per team (rows, in order) × dimension (columns): the level (NaN where the team
    has none), [score, progress toward the next level] and the target as text."""
    cells = frame.set_index(["team_id", "dimension"])
    grid = pd.MultiIndex.from_product([team_ids, dimensions])
    cells = cells[~cells.index.duplicated()].reindex(grid)
    shape = (len(team_ids), len(dimensions))
    level = cells["level"].to_numpy(dtype="float32", na_value=np.nan)
    score = cells["score"].to_numpy(dtype="float32", na_value=np.nan)
    target = cells["target"].astype("Int64")
    targets = np.where(
        target.isna(), np.where(np.isnan(level), "", "none"), target.astype(str)
    )
    details = np.stack([score, score - level], axis=-1)
    return (
        level.reshape(shape),
        details.reshape((*shape, 2)),
        targets.astype(object).reshape(shape),
    )


def _team_order(frame: pd.DataFrame, sort: str) -> pd.DataFrame:
    teams = frame.groupby("team_id", sort=True).agg(
        team=("team", "first"),
        business_unit=("business_unit", "first"),
        floor=("level", "min"),
        index=("score", "mean"),
    )
    teams = teams.reset_index().assign(name_key=lambda t: t["team"].str.casefold())
    by = {"name": [], "floor": ["floor"], "index": ["index"]}[sort]
    teams = teams.sort_values(
        [*by, "name_key", "team_id"],
        ascending=[False] * len(by) + [True, True],
        kind="stable",
    )
    # Two teams with one name would share a heatmap row; the id tells them apart.
    duplicated = teams["team"].duplicated(keep=False)
    labels = teams["team"].where(
        ~duplicated, teams["team"] + " #" + teams["team_id"].astype(str)
    )
    return teams.assign(label=labels).reset_index(drop=True)


def _dimension_order(frame: pd.DataFrame) -> pd.DataFrame:
    dims = frame.groupby("dimension", sort=True).agg(
        dimension_name=("dimension_name", "first"), position=("position", "min")
    )
    dims = dims.reset_index().sort_values(["position", "dimension"], kind="stable")
    return dims.reset_index(drop=True)


# --- Floor and index distribution ------------------------------------------------------


def floor_index_distribution(frame: pd.DataFrame) -> go.Figure:
    """How many teams sit at each floor level, next to a histogram of the index."""
    title = "Distribution of team floors and maturity index"
    if is_empty(frame):
        return empty_figure(chart="floor_index_distribution", title=title)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Teams by floor level", "Teams by maturity index"),
        horizontal_spacing=0.12,
    )
    fig.add_trace(_floor_bars(frame["floor"]), row=1, col=1)
    fig.add_trace(_index_bins(frame["index"]), row=1, col=2)
    base_figure(fig, chart="floor_index_distribution", title=title, teams=len(frame))
    fig.update_xaxes(title_text="Floor level", tickvals=list(LEVELS), row=1, col=1)
    fig.update_xaxes(title_text="Maturity index", range=[0, 4], dtick=0.5, row=1, col=2)
    fig.update_yaxes(title_text="Teams", **count_axis(len(frame)))
    fig.update_layout(bargap=0.05, showlegend=False)
    return fig


def _floor_bars(floors: pd.Series) -> go.Bar:
    counts = floors.dropna().astype(int).value_counts().reindex(LEVELS, fill_value=0)
    counts = [int(count) for count in counts]
    total = sum(counts) or 1
    return go.Bar(
        name="Teams by floor level",
        x=list(LEVELS),
        y=counts,
        marker={"color": list(palette.LEVEL_COLORS)},
        text=counts,
        textposition="outside",
        hovertext=[
            f"Floor level {level}: {plural(count, 'team')} ({percent(count / total)})"
            for level, count in zip(LEVELS, counts, strict=True)
        ],
        hoverinfo="text",
    )


def _index_bins(index: pd.Series) -> go.Bar:
    """Counted here rather than by go.Histogram so that an index of exactly 4 lands in
    the last bin and the counts are in the figure for the hover and the tests."""
    edges = np.arange(0, 4 + INDEX_BIN, INDEX_BIN)
    positions = np.floor(index.dropna().to_numpy(dtype=float) / INDEX_BIN)
    positions = np.clip(positions, 0, len(edges) - 2).astype(int)
    counts = np.bincount(positions, minlength=len(edges) - 1).tolist()
    return go.Bar(
        name="Teams by maturity index",
        x=[float(edge + INDEX_BIN / 2) for edge in edges[:-1]],
        y=counts,
        width=INDEX_BIN,
        marker={"color": palette.BLUE, "line": {"color": "white", "width": 1}},
        hovertext=[
            f"Index {low:.2f}–{low + INDEX_BIN:.2f}: {plural(count, 'team')}"
            for low, count in zip(edges[:-1], counts, strict=True)
        ],
        hoverinfo="text",
    )


# --- Trend -----------------------------------------------------------------------------


def maturity_trend(frame: pd.DataFrame) -> go.Figure:
    """Median index with its interquartile band and the median floor over periods,
    above the share of teams whose floor is at least 2."""
    title = "Maturity over time"
    if is_empty(frame):
        return empty_figure(chart="maturity_trend", title=title)
    frame = sorted_periods(frame)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.65, 0.35],
        vertical_spacing=0.08,
        subplot_titles=("Index and floor", "Teams at floor level 2 or above"),
    )
    for trace in _trend_lines(frame):
        fig.add_trace(trace, row=1, col=1)
    fig.add_trace(_floor_share(frame), row=2, col=1)
    base_figure(fig, chart="maturity_trend", title=title, height=560)
    fig.update_yaxes(title_text="Level (0–4)", **LEVEL_AXIS, row=1, col=1)
    fig.update_yaxes(title_text="Share of teams", **PERCENT_AXIS, row=2, col=1)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text="Period", row=2, col=1)
    return fig


def _trend_lines(frame: pd.DataFrame) -> list[go.Scatter]:
    line = {"mode": "lines+markers", "hoverinfo": "text", "x": frame["period"].tolist()}
    return [
        *_quartile_band(frame),
        go.Scatter(
            name="Median index",
            y=values(frame["index_median"]),
            line={"color": palette.BLUE, "width": 3},
            hovertext=_median_hover(frame, "index_median", "median index", 2),
            **line,
        ),
        go.Scatter(
            name="Median floor",
            y=values(frame["floor_median"]),
            line={"color": palette.VERMILLION, "width": 2, "dash": "dash"},
            marker={"symbol": "square"},
            hovertext=_median_hover(frame, "floor_median", "median floor", 1),
            **line,
        ),
    ]


def _quartile_band(frame: pd.DataFrame) -> list[go.Scatter]:
    """Two traces: the p75 edge, then p25 filled up to it."""
    hovers = [
        f"{period}: index p25 {number(p25)}, p75 {number(p75)}"
        for period, p25, p75 in zip(
            frame["period"], frame["index_p25"], frame["index_p75"], strict=True
        )
    ]
    edge = {
        "x": frame["period"].tolist(),
        "mode": "lines",
        "line": {"width": 0, "color": palette.BLUE},
        "legendgroup": "iqr",
        "hovertext": hovers,
        "hoverinfo": "text",
    }
    return [
        go.Scatter(
            name="Index p75", y=values(frame["index_p75"]), showlegend=False, **edge
        ),
        go.Scatter(
            name="Index p25–p75",
            y=values(frame["index_p25"]),
            fill="tonexty",
            fillcolor=palette.BLUE_BAND,
            **edge,
        ),
    ]


def _median_hover(
    frame: pd.DataFrame, column: str, label: str, digits: int
) -> list[str]:
    return [
        f"{period}: {label} {number(value, digits)} ({plural(teams, 'team')})"
        for period, value, teams in zip(
            frame["period"], frame[column], frame["teams"], strict=True
        )
    ]


def _floor_share(frame: pd.DataFrame) -> go.Bar:
    shares = frame["floor_share_ge2"]
    return go.Bar(
        name="Teams at floor ≥ 2",
        x=frame["period"].tolist(),
        y=percentages(shares),
        marker={"color": palette.BLUISH_GREEN},
        text=[percent(share) for share in shares],
        textposition="outside",
        hovertext=[
            f"{period}: {percent(share)} of {plural(count, 'team')} at floor 2 or above"
            for period, share, count in zip(
                frame["period"], shares, frame["teams"], strict=True
            )
        ],
        hoverinfo="text",
    )
