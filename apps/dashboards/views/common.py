"""What every dashboard page shares: the filter form with its choices, and each panel
ready to render (its figure's JSON, data table, downloads and drill-down links)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.dashboards import memo, selectors
from apps.dashboards.charts import figure_json
from apps.dashboards.forms import DashboardFilterForm
from apps.dashboards.panels import Panel, heatmap_row_links
from apps.dashboards.selectors import Filters, Scope

# A data table longer than this shows its first rows; the downloads have them all.
TABLE_MAX_ROWS = 500


def filter_form(request: HttpRequest) -> DashboardFilterForm:
    """The GET filters bound, with only what the user reads as choices (3 queries)."""
    user = request.user
    teams = (
        selectors.teams_in_scope(scope=Scope.of_user(user), filters=Filters())
        .order_by("name", "pk")
        .values_list("pk", "name", "business_unit__name")
    )
    return DashboardFilterForm(
        request.GET,
        units=list(selectors.business_units(user=user).values_list("pk", "name")),
        teams=[(pk, f"{name} ({unit})") for pk, name, unit in teams],
        periods=selectors.periods(user=user),
    )


def cell(value: Any) -> str:
    """2.0 → "2", 0.6667 → "0.67", missing → "n/a"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{round(value, 2):g}"
    return str(value)


@dataclass(frozen=True)
class DataTable:
    headers: list[str]
    rows: list[tuple[str | None, list[str]]]  # (the first cell's link, the cells)
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)

    @cached_property
    def body(self) -> SafeString:
        """The rows as HTML, the first cell a row header (and link). Built here, not
        in the template: the template engine took about 100 ms for a page's tables
        of up to 500 rows each. Kept: a cached drawing carries it (memo.py)."""
        return mark_safe(  # noqa: S308 - every cell and link is escaped here
            "\n".join(
                f'<tr><th scope="row">{_linked(link, cells[0])}</th>'
                + "".join(f"<td>{escape(value)}</td>" for value in cells[1:])
                + "</tr>"
                for link, cells in self.rows
            )
        )


def _linked(link: str | None, value: str) -> str:
    if link is None:
        return escape(value)
    return f'<a href="{escape(link)}">{escape(value)}</a>'


def data_table(panel: Panel, frame: pd.DataFrame) -> DataTable:
    table = panel.table(frame).head(TABLE_MAX_ROWS)
    links: list[str | None] = [None] * len(table)
    if panel.row_link is not None and panel.row_link.column in frame:
        column = frame[panel.row_link.column].head(TABLE_MAX_ROWS)
        links = panel.row_link.hrefs(column)
    rows = [
        (link, [cell(value) for value in values])
        for link, values in zip(links, table.itertuples(index=False), strict=True)
    ]
    return DataTable([str(c) for c in table.columns], rows, total=len(frame))


# What a panel draws from its frame alone: its figure's JSON, data table and row links.
Drawing = tuple[str, DataTable, Mapping[str, str] | None]


def _drawing(panel: Panel, frame: pd.DataFrame, sort: str) -> Drawing:
    table = data_table(panel, frame)
    table.body  # noqa: B018 - escaped once, here, and cached with the rest
    return (
        figure_json(panel.figure(frame, sort or "name")),
        table,
        heatmap_row_links(frame) if panel.key == "heatmap" else None,
    )


def panel_drawing(panel: Panel, frame: pd.DataFrame, sort: str = "name") -> Drawing:
    """The panel drawn from its frame, from the cache when the frame was drawn before."""
    sort = sort if panel.sortable else ""
    return memo.drawn(
        f"{panel.key}:{sort}", frame, lambda: _drawing(panel, frame, sort)
    )


@dataclass(frozen=True)
class PanelView:
    panel: Panel
    figure: str  # the figure's JSON, safe inside <script type="application/json">
    table: DataTable
    drills: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    row_links: Mapping[str, str] | None = None  # chart row label → page


def panel_view(
    panel: Panel, drawing: Drawing, *, filters: Filters | None = None, query: str = ""
) -> PanelView:
    """A drawn panel ready for the page; downloads and drill-downs only with
    `filters` (the organisation's panels), carrying them on."""
    figure, table, row_links = drawing
    view = PanelView(panel=panel, figure=figure, table=table, row_links=row_links)
    if filters is not None:
        suffix = f"?{query}" if query else ""
        view.drills.extend((d.label, d.href(filters)) for d in panel.drills)
        view.downloads.extend(
            (label, reverse(f"dashboards:panel-{ext}", args=[panel.key]) + suffix)
            for label, ext in (("CSV", "csv"), ("Excel (XLSX)", "xlsx"))
        )
    return view
