"""DORA performance bands as versioned data, applied to stored raw values on read.

DORA re-derives its bands every year from cluster analysis of survey data, so a band
is never stored: the raw value is, and `band(metric, value, table=…)` maps it with
the table the reader asks for. Adding a year is adding an entry to `BANDS`.

Each metric lists its bands best first, each with the bound a value must meet:
"higher" metrics need value ≥ bound, "lower" metrics value ≤ bound. A value in a
gap between two of the report's ranges falls to the worse band below the gap; a
value past every bound gets `otherwise`. Units match `metrics.py`: deployments per
week, hours, and a fraction (0.15, not 15).
"""

from __future__ import annotations

from typing import Any

DEFAULT_TABLE = "dora-2021"
_WEEKS_PER_MONTH = 52 / 12
_HOURS_PER_MONTH = 730.0  # 365 × 24 / 12

BANDS: dict[str, dict[str, Any]] = {
    "dora-2021": {
        "source": "Accelerate State of DevOps 2021, as reproduced in "
        "shared/research/signal-anchors.md §4.",
        "metrics": {
            "deployment_frequency": {
                "unit": "successful deployments per week",
                "better": "higher",
                # "On demand (multiple deploys per day)": daily on average is the
                # measurable stand-in. High is weekly to monthly, medium monthly to
                # once every six months.
                "bands": [
                    ("elite", 7.0),
                    ("high", 1 / _WEEKS_PER_MONTH),
                    ("medium", 1 / 26),
                ],
                "otherwise": "low",
            },
            "lead_time_hours": {
                "unit": "hours",
                "better": "lower",
                # < 1 hour; 1 day – 1 week; 1 – 6 months; > 6 months.
                "bands": [
                    ("elite", 1.0),
                    ("high", 168.0),
                    ("medium", 6 * _HOURS_PER_MONTH),
                ],
                "otherwise": "low",
            },
            "change_failure_rate": {
                "unit": "fraction of finished deployments",
                "better": "lower",
                # 0–15%; high, medium and low all read 16–30% in the report, so
                # medium cannot be told apart and anything above 30% is low.
                "bands": [("elite", 0.15), ("high", 0.30)],
                "otherwise": "low",
            },
        },
    },
    "dora-2024": {
        "source": "Accelerate State of DevOps 2024 (medium confidence: taken from "
        "summaries of the report; verify against the report before relying on it).",
        "metrics": {
            "deployment_frequency": {
                "unit": "successful deployments per week",
                "better": "higher",
                # On demand; daily – weekly; weekly – monthly; monthly – 6-monthly.
                "bands": [
                    ("elite", 7.0),
                    ("high", 1.0),
                    ("medium", 1 / _WEEKS_PER_MONTH),
                ],
                "otherwise": "low",
            },
            "lead_time_hours": {
                "unit": "hours",
                "better": "lower",
                # < 1 day; 1 day – 1 week; 1 week – 1 month; 1 – 6 months.
                "bands": [
                    ("elite", 24.0),
                    ("high", 168.0),
                    ("medium", _HOURS_PER_MONTH),
                ],
                "otherwise": "low",
            },
            "change_failure_rate": {
                "unit": "fraction of finished deployments",
                "better": "lower",
                # The clusters' typical rates are 5% / 20% / 10% / 40%: medium sits
                # below high, so it cannot be a threshold band and is left out.
                "bands": [("elite", 0.05), ("high", 0.20)],
                "otherwise": "low",
            },
        },
    },
}


def band(metric: str, value: float | None, table: str = DEFAULT_TABLE) -> str | None:
    """The band of `value` for `metric` under `table`; None when the value is None."""
    try:
        spec = BANDS[table]["metrics"][metric]
    except KeyError:
        raise ValueError(f"No band for {metric!r} in table {table!r}.") from None
    if value is None:
        return None
    higher = spec["better"] == "higher"
    for name, bound in spec["bands"]:
        if (value >= bound) if higher else (value <= bound):
            return name
    return spec["otherwise"]
