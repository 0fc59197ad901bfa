"""DORA bands: versioned tables applied to raw values on read."""

from __future__ import annotations

import pytest

from apps.repos.collectors import BANDS, band


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("deployment_frequency", 14.0, "elite"),
        ("deployment_frequency", 7.0, "elite"),
        ("deployment_frequency", 2.0, "high"),  # between daily and weekly: the gap
        ("deployment_frequency", 0.25, "high"),  # about monthly
        ("deployment_frequency", 0.1, "medium"),
        ("deployment_frequency", 0.01, "low"),
        ("lead_time_hours", 0.5, "elite"),
        ("lead_time_hours", 12.0, "high"),  # 1 hour – 1 day: the gap
        ("lead_time_hours", 168.0, "high"),
        ("lead_time_hours", 500.0, "medium"),
        ("lead_time_hours", 6000.0, "low"),
        ("change_failure_rate", 0.0, "elite"),
        ("change_failure_rate", 0.15, "elite"),
        ("change_failure_rate", 0.2, "high"),
        ("change_failure_rate", 0.5, "low"),
    ],
)
def test_band_under_dora_2021(metric, value, expected):
    assert band(metric, value, table="dora-2021") == expected


def test_the_same_value_can_band_differently_by_table_version():
    assert band("lead_time_hours", 12.0, table="dora-2021") == "high"
    assert band("lead_time_hours", 12.0, table="dora-2024") == "elite"
    assert band("change_failure_rate", 0.1, table="dora-2021") == "elite"
    assert band("change_failure_rate", 0.1, table="dora-2024") == "high"
    assert band("deployment_frequency", 0.5, table="dora-2024") == "medium"


def test_band_defaults_to_dora_2021_and_passes_none_through():
    assert band("lead_time_hours", 0.5) == "elite"
    assert band("change_failure_rate", None) is None


@pytest.mark.parametrize(
    ("metric", "table"), [("uptime", "dora-2021"), ("lead_time_hours", "dora-1999")]
)
def test_band_refuses_unknown_metrics_and_tables(metric, table):
    with pytest.raises(ValueError, match="No band"):
        band(metric, 1.0, table=table)


def test_every_table_lists_bands_best_first():
    for table in BANDS.values():
        for spec in table["metrics"].values():
            bounds = [bound for _, bound in spec["bands"]]
            expected = sorted(bounds, reverse=spec["better"] == "higher")
            assert bounds == expected
