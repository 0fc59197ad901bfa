"""The leadership report: the organisation dashboard's panels, each as its static
chart (the dashboards' own plotly figures, as SVG) above every row of its data."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.dashboards import palette
from apps.dashboards.panels import Panel
from apps.dashboards.views.common import cell
from apps.reports.charts import svg_data_uri
from apps.reports.content import leadership as content_of
from apps.reports.content.leadership import PanelContent
from apps.reports.documents import Document, Progress
from apps.reports.models import Report

# A chart fits on one page with its heading, on A4 and on Letter (the shorter).
MAX_CHART_HEIGHT = 740
# Heights that read well on paper where the dashboard's would waste the page.
PRINT_HEIGHTS = {
    "distribution": 340,
    "requests": 360,
    "production": 340,
    "break-glass": 320,
}
# A heatmap row per team stays legible up to this many; past it the chart draws
# business units, or the teams at either end of the index.
HEATMAP_MAX_ROWS = 30
HEATMAP_ROW_HEIGHT = 18
HEATMAP_FRAME = 230  # title, slanted dimension names and margins, in pixels
# Descriptions that speak of the page's interactions say what paper shows instead.
PRINT_DESCRIPTIONS = {
    "heatmap": "Each team's level per dimension in the assessment the report reads.",
}


@dataclass(frozen=True)
class PrintTable:
    headers: list[str]
    numeric: list[bool]
    rows: list[list[str]]

    def head(self) -> SafeString:
        return mark_safe(  # noqa: S308 - every header is escaped here
            "".join(
                f'<th class="num">{escape(header)}</th>'
                if numeric
                else f"<th>{escape(header)}</th>"
                for header, numeric in zip(self.headers, self.numeric, strict=True)
            )
        )

    def body(self) -> SafeString:
        """The rows as HTML. Built here, not in the template: a leadership report's
        tables run to thousands of rows, and the template engine is slow at that."""
        return mark_safe(  # noqa: S308 - every cell is escaped here
            "\n".join(
                "<tr>"
                + "".join(
                    f"<td{_cell_class(value, numeric)}>{escape(value)}</td>"
                    for value, numeric in zip(row, self.numeric, strict=True)
                )
                + "</tr>"
                for row in self.rows
            )
        )


def _cell_class(value: str, numeric: bool) -> str:
    """Numbers align right; a short word such as "2026-Q3" is never split."""
    if numeric:
        return ' class="num"'
    if len(value) <= 12 and " " not in value:
        return ' class="word"'
    return ""


@dataclass(frozen=True)
class PrintedPanel:
    panel: Panel
    description: str
    chart: str  # the SVG as a data URI; "" when there is nothing to draw
    note: str  # what the chart leaves out, when it cannot draw every team
    table: PrintTable
    wide: bool = False  # the table is printed on landscape pages


def build(report: Report, progress: Progress) -> Document:
    content = content_of.leadership_content(
        organization=report.organization,
        business_unit=report.business_unit,
        period=report.period,
        now=timezone.now(),
    )
    progress(20)
    printed = []
    for done, panel in enumerate(content.panels, start=1):
        printed.append(_printed(panel, content.scores))
        progress(20 + 70 * done // len(content.panels))
    return Document(
        template="reports/leadership.html",
        title=f"Leadership report: {content.scope_name}",
        context={"content": content, "panels": printed},
    )


def _printed(content: PanelContent, scores: pd.DataFrame) -> PrintedPanel:
    panel, frame = content.panel, content.frame
    if frame.empty:  # the page says so in words; a blank chart would waste it
        return PrintedPanel(panel, _description(panel), "", "", _print_table(frame))
    table = content.table
    if panel.key == "heatmap":
        figure, note = _heatmap(panel, frame, scores)
        height = _heatmap_height(figure)
        table = _levels_by_team(frame)
    else:
        figure, note = panel.figure(frame), ""
        height = PRINT_HEIGHTS.get(panel.key, figure.layout.height or 380)
    return PrintedPanel(
        panel=panel,
        description=_description(panel),
        chart=svg_data_uri(figure, height=min(MAX_CHART_HEIGHT, height)),
        note=note,
        table=_print_table(table),
        wide=panel.key == "heatmap",
    )


def _description(panel: Panel) -> str:
    return PRINT_DESCRIPTIONS.get(panel.key, panel.description)


def _print_table(table: pd.DataFrame) -> PrintTable:
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    return PrintTable(
        headers=[str(column) for column in table.columns],
        numeric=numeric,
        rows=[[cell(value) for value in row] for row in table.itertuples(index=False)],
    )


# --- The heatmap on paper ----------------------------------------------------------------


def _heatmap(
    panel: Panel, maturity: pd.DataFrame, scores: pd.DataFrame
) -> tuple[go.Figure, str]:
    figure, note = _heatmap_rows(panel, maturity, scores)
    return _for_paper(figure), note


def _for_paper(heatmap: go.Figure) -> go.Figure:
    """The title above the dimension names rather than among them, no axis title
    there, and a legend of
    the level colours in place of the colour bar: WeasyPrint draws an SVG's
    gradients blank, and the bar is one."""
    if not heatmap.data:  # the figure saying there is no data
        return heatmap
    heatmap.update_layout(
        title={"y": 0.99, "yref": "container", "yanchor": "top"},
        margin={"t": 150},
        legend={"title": {"text": "Level"}},
    )
    heatmap.update_traces(showscale=False, selector={"type": "heatmap"})
    # The slanted dimension names say what the columns are; the axis title sat
    # under the chart's title.
    heatmap.update_xaxes(title_text=None)
    for level, colour in enumerate(palette.LEVEL_COLORS):
        heatmap.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 14, "color": colour},
                name=f"Level {level}",
            )
        )
    return heatmap


def _heatmap_rows(
    panel: Panel, maturity: pd.DataFrame, scores: pd.DataFrame
) -> tuple[go.Figure, str]:
    """The heatmap of every team when they fit; else of the business units (median
    levels), or of the teams with the highest and lowest index when the scope is
    one unit or has too many units. The table below always has every team."""
    teams = maturity["team_id"].nunique()
    if teams <= HEATMAP_MAX_ROWS:
        return panel.figure(maturity), ""
    units = maturity["business_unit"].nunique()
    if 1 < units <= HEATMAP_MAX_ROWS:
        figure = panel.figure(_by_business_unit(maturity))
        figure.update_layout(
            title_text="Median maturity level by business unit and dimension"
        )
        figure.update_yaxes(title_text="Business unit")
        note = (
            f"{teams} teams are too many rows for a page: the chart shows each "
            "business unit's median level per dimension. The table has every team."
        )
        return figure, note
    half = HEATMAP_MAX_ROWS // 2
    figure = panel.figure(_ends_by_index(maturity, scores, half), "index")
    figure.update_layout(
        title_text=f"Maturity level: the {half} highest and {half} lowest teams"
    )
    note = (
        f"{teams} teams are too many rows for a page: the chart shows the {half} "
        f"teams with the highest maturity index and the {half} with the lowest. "
        "The table has every team."
    )
    return figure, note


def _levels_by_team(maturity: pd.DataFrame) -> pd.DataFrame:
    """The heatmap's data as paper reads it: a row per team, a column per dimension
    with "level (target)". The dashboard's table has a row per team and dimension,
    eleven times as many: 270 pages for 1,000 teams."""
    cells = maturity.assign(
        cell=maturity["level"].astype(str)
        + maturity["target"].map(lambda t: "" if pd.isna(t) else f" ({int(t)})")
    )
    wide = cells.pivot_table(
        index=["team", "business_unit"],
        columns=["position", "dimension_name"],
        values="cell",
        aggfunc="first",
    ).sort_index(axis="columns")
    wide.columns = [name for _, name in wide.columns]
    wide = wide.reset_index().rename(
        columns={"team": "Team", "business_unit": "Business unit"}
    )
    return wide.fillna("–")


def _heatmap_height(figure: go.Figure) -> int:
    rows = len(figure.data[0].y) if figure.data else 0
    return HEATMAP_FRAME + HEATMAP_ROW_HEIGHT * max(rows, 6)


def _by_business_unit(maturity: pd.DataFrame) -> pd.DataFrame:
    """The heatmap's frame with a row per business unit in place of a team: the
    median level and target, and the mean score, of its teams per dimension."""
    units = maturity.groupby(
        ["business_unit", "dimension", "dimension_name", "position"], as_index=False
    ).agg(
        level=("level", "median"),
        score=("score", "mean"),
        target=("target", "median"),
    )
    units["team_id"] = units.groupby("business_unit").ngroup()
    units["team"] = units["business_unit"]
    # A median of two targets may fall between levels; the chart writes targets whole.
    units["target"] = units["target"].round().astype("Int64")
    return units


def _ends_by_index(
    maturity: pd.DataFrame, scores: pd.DataFrame, half: int
) -> pd.DataFrame:
    """The heatmap's rows of the `half` teams with the highest maturity index and
    the `half` with the lowest."""
    ranked = scores.sort_values(["index", "team_id"], kind="stable")["team_id"]
    ends = set(ranked.head(half)) | set(ranked.tail(half))
    return maturity[maturity["team_id"].isin(ends)]
