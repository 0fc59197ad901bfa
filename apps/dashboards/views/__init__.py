"""Dashboard pages: server-rendered and thin; frames from the selectors, figures from
the pure chart builders, drawn in the browser by the one plotly.js bundle."""

from apps.dashboards.views.org import org_dashboard, panel_download
from apps.dashboards.views.team import team_dashboard

__all__ = ["org_dashboard", "panel_download", "team_dashboard"]
