"""The data behind each chart as a table, for the page's text alternative: each
chart's frame columns, in display order, with the labels the table shows."""

from __future__ import annotations

TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "maturity_heatmap": {
        "team": "Team",
        "business_unit": "Business unit",
        "dimension_name": "Dimension",
        "level": "Level",
        "score": "Score",
        "target": "Target",
    },
    "floor_index_distribution": {
        "team": "Team",
        "floor": "Floor level",
        "index": "Maturity index",
    },
    "maturity_trend": {
        "period": "Period",
        "teams": "Teams",
        "index_median": "Median index",
        "index_p25": "Index, 25th percentile",
        "index_p75": "Index, 75th percentile",
        "floor_median": "Median floor",
        "floor_share_ge2": "Share of teams at floor 2 or above (0–1)",
    },
    "median_vs_target": {
        "dimension_name": "Dimension",
        "median_level": "Median level",
        "median_target": "Median target",
        "teams": "Teams",
    },
    "evidence_health": {
        "business_unit": "Business unit",
        "teams": "Teams",
        "ci_running": "CI running (share, 0–1)",
        "ct_running": "CT running (share, 0–1)",
        "cm_running": "CM running (share, 0–1)",
        "conflicts": "Conflicts",
        "confidence": "Mean confidence (0–1)",
    },
    "open_requests_by_age": {
        "request_id": "Request",
        "model": "Model",
        "target": "Target",
        "age_days": "Age (days)",
    },
    "production_by_risk_tier": {
        "risk_tier": "Risk tier",
        "models": "Models in production",
        "overdue": "Overdue revalidations",
    },
    "break_glass_by_quarter": {
        "period": "Quarter",
        "applies": "Break-glass applies",
    },
    "common_now_items": {
        "criterion": "Criterion",
        "statement": "Statement",
        "dimension_name": "Dimension",
        "teams": "Teams with it in Now",
    },
    "team_radar": {
        "dimension_name": "Dimension",
        "level": "Team level",
        "org_median": "Organisation median",
        "target": "Target",
    },
    "team_history": {
        "period": "Period",
        "index": "Maturity index",
        "floor": "Floor level",
        "confidence": "Confidence (0–1)",
    },
}
TABLE_COLUMNS["median_vs_target_radar"] = TABLE_COLUMNS["median_vs_target"]
