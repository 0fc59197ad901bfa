"""Pure chart builders: a pandas DataFrame in (the selectors' column contracts, listed
in each builder's module), a plotly Figure out. No Django, no queries, no I/O; equal
frames give equal figures, and an empty frame gives a figure saying so."""

from apps.dashboards.charts.base import NO_DATA, chart_table, figure_json
from apps.dashboards.charts.governance import (
    break_glass_by_quarter,
    common_now_items,
    evidence_health,
    open_requests_by_age,
    production_by_risk_tier,
)
from apps.dashboards.charts.maturity import (
    floor_index_distribution,
    maturity_heatmap,
    maturity_trend,
)
from apps.dashboards.charts.tables import TABLE_COLUMNS
from apps.dashboards.charts.targets import median_vs_target, median_vs_target_radar
from apps.dashboards.charts.team import team_history, team_radar

__all__ = [
    "NO_DATA",
    "TABLE_COLUMNS",
    "break_glass_by_quarter",
    "chart_table",
    "common_now_items",
    "evidence_health",
    "figure_json",
    "floor_index_distribution",
    "maturity_heatmap",
    "maturity_trend",
    "median_vs_target",
    "median_vs_target_radar",
    "open_requests_by_age",
    "production_by_risk_tier",
    "team_history",
    "team_radar",
]
