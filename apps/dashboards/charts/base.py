"""What every chart shares: the empty figure, the layout, hover formatting and JSON."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from apps.dashboards import palette

NO_DATA = "No data for these filters"
LEVELS = (0, 1, 2, 3, 4)
LEVEL_AXIS = {"range": [0, 4.2], "tickvals": list(LEVELS)}
PERCENT_AXIS = {"range": [0, 100], "ticksuffix": "%", "tickmode": "auto"}

# A few lines instead of plotly's default theme, which adds several kilobytes to
# every figure's JSON; automargin keeps long team names and axis titles uncut.
TEMPLATE = go.layout.Template(
    layout={
        "colorway": list(palette.CATEGORICAL),
        "font": {"family": "system-ui, sans-serif", "size": 13},
        "hoverlabel": {"align": "left"},
        "margin": {"l": 60, "r": 30, "t": 90, "b": 60},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "xaxis": {"automargin": True, "gridcolor": palette.GRID, "zeroline": False},
        "yaxis": {"automargin": True, "gridcolor": palette.GRID, "zeroline": False},
    }
)

# Characters that could end an inline <script> in the page; JSON allows them escaped.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def is_empty(frame: pd.DataFrame | None) -> bool:
    return frame is None or frame.empty


def base_figure(
    fig: go.Figure, *, chart: str, title: str, height: int = 420, **meta: Any
) -> go.Figure:
    """The shared look and the figure's meta (the chart's name and a few counts)."""
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        meta={"chart": chart, **meta},
    )
    return fig


def empty_figure(*, chart: str, title: str) -> go.Figure:
    """A valid figure that says there is nothing to draw, instead of blank axes."""
    fig = base_figure(go.Figure(), chart=chart, title=title, height=300, empty=True)
    fig.add_annotation(
        text=NO_DATA,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"size": 16},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def figure_json(fig: go.Figure) -> str:
    """Plotly's own JSON for the figure (data and layout, never plotly.js itself),
    with <, > and & escaped so that free text such as a team named "</script>" cannot
    end the script element the page embeds it in; JSON.parse reads it unchanged."""
    return fig.to_json().translate(_SCRIPT_SAFE)


def values(series: pd.Series) -> list[Any]:
    """Plain Python values with None for missing ones. Lists rather than numpy arrays
    keep plotly from encoding them as base64 typed arrays in the JSON."""
    return [None if pd.isna(value) else value for value in series.tolist()]


def number(value: Any, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:.{digits}f}"


def percent(share: Any) -> str:
    """0.534 → "53%"; missing → "n/a"."""
    if share is None or pd.isna(share):
        return "n/a"
    return f"{share * 100:.0f}%"


def plural(count: Any, singular: str, many: str | None = None) -> str:
    """1 → "1 team", 3 → "3 teams"."""
    return f"{count} {singular if count == 1 else many or singular + 's'}"


def percentages(shares: pd.Series) -> list[float | None]:
    """Shares 0–1 as percentages to one decimal, for a 0–100 axis."""
    return [None if pd.isna(share) else round(share * 100, 1) for share in shares]


def text(value: Any) -> str:
    """Free text (team names, statements) made safe for plotly's HTML-like labels."""
    return html.escape(str(value), quote=False)


def shorten(statement: Any, width: int = 140, line: int = 60) -> str:
    """A long statement cut at a word boundary, then wrapped for a hover box."""
    short = textwrap.shorten(str(statement), width=width, placeholder=" …")
    return "<br>".join(text(part) for part in textwrap.wrap(short, width=line))


def count_axis(largest: int) -> dict[str, Any]:
    """Whole-number ticks for small counts, which plotly would label 0.5, 1.5, …"""
    return {"rangemode": "tozero", "dtick": 1 if largest <= 8 else None}


def hover(*lines: str) -> str:
    return "<br>".join(lines)


def closed(points: list[Any]) -> list[Any]:
    """A radar polygon repeats its first point so the line closes."""
    return [*points, points[0]] if points else points


def polygon(
    *,
    name: str,
    theta: list[str],
    r: list[Any],
    hovertext: list[str],
    line: dict[str, Any],
    fillcolor: str | None = None,
) -> go.Scatterpolar:
    """A closed radar trace; a missing value leaves a gap rather than a spike to 0."""
    return go.Scatterpolar(
        name=name,
        theta=closed(theta),
        r=closed(r),
        mode="lines+markers",
        line=line,
        fill="toself" if fillcolor else "none",
        fillcolor=fillcolor,
        connectgaps=False,
        hovertext=closed(hovertext),
        hoverinfo="text",
    )


def level_polar(fig: go.Figure) -> go.Figure:
    fig.update_polars(
        radialaxis={"range": [0, 4], "tickvals": list(LEVELS)},
        # Clockwise from the top, the way radar charts are usually read.
        angularaxis={"rotation": 90, "direction": "clockwise"},
    )
    return fig


def sorted_periods(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods such as "2026-Q3" sort as text."""
    frame = frame.assign(period=frame["period"].astype(str))
    return frame.sort_values("period", kind="stable").reset_index(drop=True)


def chart_table(frame: pd.DataFrame | None, columns: Mapping[str, str]) -> pd.DataFrame:
    """The frame as a data table for the page's text alternative: the mapped columns
    in the mapping's order, renamed to their labels. A column missing from the frame
    comes out empty rather than raising."""
    if frame is None:
        frame = pd.DataFrame()
    table = frame.reindex(columns=list(columns)).rename(columns=dict(columns))
    return table.reset_index(drop=True)
