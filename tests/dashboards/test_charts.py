"""The chart builders on hand-built frames: values in order, colours, hover, emptiness."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.colors
import pytest

from apps.dashboards import charts, palette

# --- Frames ----------------------------------------------------------------------------


def heatmap_frame(targets=(3, None, 2, 4, None, None)):
    """Beta (floor 2, index 2.75), Alpha (floor 1, index 2.6), Gamma (floor 0, 1.1);
    dimensions listed out of position order."""
    return pd.DataFrame(
        {
            "team_id": [1, 1, 2, 2, 3, 3],
            "team": ["Beta", "Beta", "Alpha", "Alpha", "Gamma", "Gamma"],
            "business_unit": ["R&D", "R&D", "Ops", "Ops", "Ops", "Ops"],
            "dimension": ["ct", "ci"] * 3,
            "dimension_name": ["Training", "Integration"] * 3,
            "position": [2, 1] * 3,
            "level": [3, 2, 4, 1, 1, 0],
            "score": [3.0, 2.5, 4.0, 1.2, 1.75, 0.45],
            "target": pd.array(list(targets), dtype="Int64"),
        }
    )


def distribution_frame():
    return pd.DataFrame(
        {
            "team_id": [1, 2, 3, 4],
            "team": ["A", "B", "C", "D"],
            "floor": [0, 2, 2, 4],
            "index": [0.1, 0.25, 2.3, 4.0],
        }
    )


def trend_frame():
    return pd.DataFrame(
        {
            "period": ["2026-Q3", "2026-Q1", "2026-Q2"],
            "teams": [12, 10, 11],
            "index_median": [2.0, 1.5, 1.8],
            "index_p25": [1.5, 1.0, 1.2],
            "index_p75": [2.5, np.nan, 2.2],
            "floor_median": [1.0, 1.0, 1.5],
            "floor_share_ge2": [0.5, 0.25, 0.3],
        }
    )


def targets_frame():
    return pd.DataFrame(
        {
            "dimension": ["ct", "ci", "cm"],
            "dimension_name": ["Training", "Integration", "Monitoring"],
            "position": [2, 1, 3],
            "median_level": [2.0, 1.5, 3.0],
            "median_target": [np.nan, 3.0, 3.5],
            "teams": [8, 8, 7],
        }
    )


def evidence_frame():
    return pd.DataFrame(
        {
            "business_unit": ["Retail", "Lending"],
            "teams": [3, 4],
            "ci_running": [0.5, 1.0],
            "ct_running": [0.0, 0.25],
            "cm_running": [1 / 3, 0.5],
            "conflicts": [1, 2],
            "confidence": [0.8, 0.625],
        }
    )


def requests_frame():
    return pd.DataFrame(
        {
            "request_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
            "model": ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"],
            "target": ["production"] * 7 + ["staging"] * 2,
            "age_days": [0.5, 0.99, 1.0, 2.9, 3.0, 14.0, 20.0, 7.0, 13.9],
        }
    )


def risk_frame():
    return pd.DataFrame(
        {
            "risk_tier": ["high", "low", "critical"],
            "models": [4, 10, 1],
            "overdue": [1, 0, 1],
        }
    )


def break_glass_frame():
    return pd.DataFrame(
        {"period": ["2026-Q2", "2025-Q4", "2026-Q1"], "applies": [3, 1, 0]}
    )


def now_items_frame():
    return pd.DataFrame(
        {
            "criterion": ["ci.tests", "ct.schedule", "cm.drift", "ci.lint"],
            "statement": ["Tests run " * 40, "Training is scheduled", "Drift", "Lint"],
            "dimension_name": ["Integration", "Training", "Monitoring", "Integration"],
            "teams": [5, 9, 5, 1],
        }
    )


def team_radar_frame(targets=(2, None, 4)):
    return pd.DataFrame(
        {
            "dimension": ["ct", "ci", "cm"],
            "dimension_name": ["Training", "Integration", "Monitoring"],
            "position": [2, 1, 3],
            "level": [2, 1, 3],
            "org_median": [1.5, 2.0, 2.5],
            "target": pd.array(list(targets), dtype="Int64"),
        }
    )


def team_history_frame():
    return pd.DataFrame(
        {
            "period": ["2026-Q2", "2026-Q1"],
            "index": [2.1, 1.8],
            "floor": [1, 0],
            "confidence": [0.7, 0.55],
        }
    )


BUILDERS = {
    "maturity_heatmap": (charts.maturity_heatmap, heatmap_frame),
    "floor_index_distribution": (charts.floor_index_distribution, distribution_frame),
    "maturity_trend": (charts.maturity_trend, trend_frame),
    "median_vs_target": (charts.median_vs_target, targets_frame),
    "median_vs_target_radar": (charts.median_vs_target_radar, targets_frame),
    "evidence_health": (charts.evidence_health, evidence_frame),
    "open_requests_by_age": (charts.open_requests_by_age, requests_frame),
    "production_by_risk_tier": (charts.production_by_risk_tier, risk_frame),
    "break_glass_by_quarter": (charts.break_glass_by_quarter, break_glass_frame),
    "common_now_items": (charts.common_now_items, now_items_frame),
    "team_radar": (charts.team_radar, team_radar_frame),
    "team_history": (charts.team_history, team_history_frame),
}
POLAR = {"median_vs_target_radar", "team_radar"}
PALETTE = {
    *palette.OKABE_ITO,
    *palette.LEVEL_COLORS,
    palette.BLUE_BAND,
    palette.ORANGE_BAND,
}


def traces(fig):
    return {trace.name: trace for trace in fig.data}


def trace_colours(fig):
    colours = []
    for trace in fig.data:
        for part in ("marker", "line"):
            colour = getattr(getattr(trace, part, None), "color", None)
            colours += colour if isinstance(colour, tuple) else [colour]
        colours.append(getattr(trace, "fillcolor", None))
    return {colour for colour in colours if colour is not None}


# --- Every builder ---------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILDERS)
@pytest.mark.parametrize("empty", [pd.DataFrame(), "no rows"], ids=["bare", "no-rows"])
def test_builder_says_no_data_for_an_empty_frame(name, empty):
    build, sample = BUILDERS[name]
    frame = sample().iloc[0:0] if isinstance(empty, str) else empty

    fig = build(frame)

    assert fig.data == ()
    assert [a.text for a in fig.layout.annotations] == [charts.NO_DATA]
    assert fig.layout.title.text
    assert fig.layout.meta == {"chart": name, "empty": True}
    json.loads(charts.figure_json(fig))


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_is_deterministic(name):
    build, sample = BUILDERS[name]

    assert build(sample()).to_json() == build(sample()).to_json()


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_names_every_trace_and_titles_the_chart(name):
    build, sample = BUILDERS[name]

    fig = build(sample())

    assert fig.data
    assert all(trace.name for trace in fig.data)
    assert all(trace.hovertext or trace.hovertemplate for trace in fig.data)
    assert fig.layout.title.text
    assert fig.layout.meta["chart"] == name
    if name not in POLAR:
        # Panels that share an x axis title only the bottom one.
        assert any(axis.title.text for axis in fig.select_xaxes())
        assert all(axis.title.text for axis in fig.select_yaxes())


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_colours_come_from_the_palette(name):
    build, sample = BUILDERS[name]

    assert trace_colours(build(sample())) <= PALETTE


@pytest.mark.parametrize("name", BUILDERS)
def test_table_columns_name_columns_of_the_frame_contract(name):
    _, sample = BUILDERS[name]

    assert set(charts.TABLE_COLUMNS[name]) <= set(sample().columns)


# --- Palette ---------------------------------------------------------------------------


def test_level_colours_are_plotly_cividis_at_five_points():
    sampled = plotly.colors.sample_colorscale("Cividis", [0, 0.25, 0.5, 0.75, 1])
    as_hex = [
        "#{:02X}{:02X}{:02X}".format(*map(int, plotly.colors.unlabel_rgb(colour)))
        for colour in sampled
    ]

    assert list(palette.LEVEL_COLORS) == as_hex


def test_okabe_ito_has_its_eight_colours_and_no_pure_red_or_green():
    assert len(set(palette.OKABE_ITO)) == 8
    assert set(palette.CATEGORICAL) == set(palette.OKABE_ITO)
    assert not {"#FF0000", "#00FF00", "#008000"} & set(palette.OKABE_ITO)


def test_level_colorscale_gives_each_level_one_flat_band():
    scale = palette.level_colorscale()

    assert scale[0] == [0.0, palette.LEVEL_COLORS[0]]
    assert scale[1] == [0.2, palette.LEVEL_COLORS[0]]
    assert scale[-1] == [1.0, palette.LEVEL_COLORS[4]]
    assert [colour for _, colour in scale[::2]] == list(palette.LEVEL_COLORS)


# --- Heatmap ---------------------------------------------------------------------------


def test_heatmap_orders_dimensions_by_position_and_teams_by_name():
    heat = charts.maturity_heatmap(heatmap_frame()).data[0]

    assert heat.type == "heatmap"
    assert heat.x == ("Integration", "Training")
    assert heat.y == ("Alpha", "Beta", "Gamma")
    assert [list(row) for row in heat.z] == [[1, 4], [2, 3], [0, 1]]


def test_heatmap_sorts_teams_by_floor_highest_first():
    fig = charts.maturity_heatmap(heatmap_frame(), sort="floor")

    assert fig.data[0].y == ("Beta", "Alpha", "Gamma")
    assert [list(row) for row in fig.data[0].z] == [[2, 3], [1, 4], [0, 1]]
    assert fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.meta["sort"] == "floor"


def test_heatmap_sorts_teams_by_index_highest_first():
    frame = heatmap_frame()
    # Alpha's index rises above Beta's while its floor stays lower.
    frame.loc[frame["team"] == "Alpha", "score"] = [4.0, 1.9]

    fig = charts.maturity_heatmap(frame, sort="index")

    assert fig.data[0].y == ("Alpha", "Beta", "Gamma")


def test_heatmap_rejects_an_unknown_sort():
    with pytest.raises(ValueError, match="sort must be one of"):
        charts.maturity_heatmap(heatmap_frame(), sort="size")


def test_heatmap_hover_shows_team_dimension_level_score_progress_and_target():
    heat = charts.maturity_heatmap(heatmap_frame()).data[0]

    # Beta, Training: level 3, score 3.0, target 3.
    assert list(heat.customdata[1][1]) == [3.0, 0.0]
    assert heat.text[1][1] == "3"
    for part in (
        "%{y}",
        "%{x}",
        "Level: %{z}",
        "Score: %{customdata[0]:.2f}",
        "(%{customdata[1]:.0%} of the way",
        "Target: %{text}",
    ):
        assert part in heat.hovertemplate


def test_heatmap_reads_a_missing_target_as_none():
    heat = charts.maturity_heatmap(heatmap_frame()).data[0]

    # Beta, Integration: level 2, score 2.5, no target.
    assert list(heat.customdata[1][0]) == [2.5, 0.5]
    assert heat.text[1][0] == "none"


def test_heatmap_leaves_a_gap_for_a_dimension_the_team_lacks():
    frame = heatmap_frame().drop(index=5)  # Gamma, Integration

    heat = charts.maturity_heatmap(frame).data[0]

    assert np.isnan(heat.z[2][0])
    assert heat.z[2][1] == 1
    assert heat.text[2][0] == ""
    assert heat.hoverongaps is False


def test_heatmap_colours_each_level_with_a_labelled_colour_bar():
    heat = charts.maturity_heatmap(heatmap_frame()).data[0]

    assert {colour for _, colour in heat.colorscale} == set(palette.LEVEL_COLORS)
    assert (heat.zmin, heat.zmax) == (-0.5, 4.5)
    assert heat.colorbar.tickvals == (0, 1, 2, 3, 4)
    assert heat.colorbar.ticktext[2] == "Level 2"
    assert heat.texttemplate == "%{z}"


def test_heatmap_tells_apart_two_teams_with_one_name():
    frame = heatmap_frame()
    frame.loc[frame["team"] == "Gamma", "team"] = "Alpha"

    fig = charts.maturity_heatmap(frame)

    assert fig.data[0].y == ("Alpha #2", "Alpha #3", "Beta")


def test_heatmap_grows_with_the_teams_up_to_a_cap():
    small = charts.maturity_heatmap(heatmap_frame())
    many = pd.DataFrame(
        {
            "team_id": range(1000),
            "team": [f"Team {n:04d}" for n in range(1000)],
            "business_unit": "Ops",
            "dimension": "ci",
            "dimension_name": "Integration",
            "position": 1,
            "level": [n % 5 for n in range(1000)],
            "score": [n % 5 + 0.5 for n in range(1000)],
            "target": pd.array([pd.NA] * 1000, dtype="Int64"),
        }
    )

    big = charts.maturity_heatmap(many)

    assert small.layout.height == 320
    assert big.layout.height == 4000
    assert len(big.data[0].y) == 1000
    assert big.data[0].texttemplate is None


# --- Floor and index distribution ------------------------------------------------------


def test_distribution_counts_teams_at_all_five_floor_levels():
    fig = charts.floor_index_distribution(distribution_frame())
    floors = traces(fig)["Teams by floor level"]

    assert floors.type == "bar"
    assert floors.x == (0, 1, 2, 3, 4)
    assert floors.y == (1, 0, 2, 0, 1)
    assert floors.marker.color == palette.LEVEL_COLORS
    assert floors.hovertext[2] == "Floor level 2: 2 teams (50%)"


def test_distribution_bins_the_index_by_quarters_with_4_in_the_last_bin():
    fig = charts.floor_index_distribution(distribution_frame())
    index = traces(fig)["Teams by maturity index"]

    assert len(index.x) == 16
    assert index.x[0] == 0.125
    assert index.width == 0.25
    # 0.1 → [0, 0.25); 0.25 → [0.25, 0.5); 2.3 → [2.25, 2.5); 4.0 → [3.75, 4].
    assert [n for n, count in enumerate(index.y) if count] == [0, 1, 9, 15]
    assert index.hovertext[9] == "Index 2.25–2.50: 1 team"
    assert fig.layout.xaxis2.title.text == "Maturity index"


# --- Trend -----------------------------------------------------------------------------


def test_trend_draws_periods_in_order_with_a_quartile_band():
    fig = charts.maturity_trend(trend_frame())
    lines = traces(fig)

    assert [t.name for t in fig.data] == [
        "Index p75",
        "Index p25–p75",
        "Median index",
        "Median floor",
        "Teams at floor ≥ 2",
    ]
    assert lines["Median index"].x == ("2026-Q1", "2026-Q2", "2026-Q3")
    assert lines["Median index"].y == (1.5, 1.8, 2.0)
    assert lines["Index p75"].y == (None, 2.2, 2.5)
    assert lines["Index p25–p75"].fill == "tonexty"
    assert lines["Median floor"].line.dash == "dash"
    assert "median index 1.50 (10 teams)" in lines["Median index"].hovertext[0]


def test_trend_shows_the_share_at_floor_2_as_percent_in_its_own_panel():
    fig = charts.maturity_trend(trend_frame())
    share = traces(fig)["Teams at floor ≥ 2"]

    assert share.y == (25.0, 30.0, 50.0)
    assert share.text == ("25%", "30%", "50%")
    assert share.yaxis == "y2"
    assert share.hovertext[2] == "2026-Q3: 50% of 12 teams at floor 2 or above"
    assert fig.layout.yaxis2.range == (0, 100)


# --- Median against target -------------------------------------------------------------


def test_median_vs_target_groups_horizontal_bars_in_position_order():
    fig = charts.median_vs_target(targets_frame())
    bars = traces(fig)

    assert fig.layout.barmode == "group"
    assert bars["Median level"].orientation == "h"
    assert bars["Median level"].y == ("Integration", "Training", "Monitoring")
    assert bars["Median level"].x == (1.5, 2.0, 3.0)
    assert bars["Median target"].x == (3.0, None, 3.5)
    assert "no target set" in bars["Median target"].hovertext[1]
    assert "Teams: 8" in bars["Median level"].hovertext[0]


def test_median_vs_target_radar_closes_both_polygons():
    fig = charts.median_vs_target_radar(targets_frame())
    polar = traces(fig)

    assert {t.type for t in fig.data} == {"scatterpolar"}
    theta = ("Integration", "Training", "Monitoring", "Integration")
    assert polar["Median level"].theta == theta
    assert polar["Median level"].r == (1.5, 2.0, 3.0, 1.5)
    assert polar["Median target"].r == (3.0, None, 3.5, 3.0)
    assert polar["Median target"].line.dash == "dash"


def test_median_vs_target_radar_skips_the_target_when_none_is_set():
    frame = targets_frame().assign(median_target=np.nan)

    fig = charts.median_vs_target_radar(frame)

    assert [t.name for t in fig.data] == ["Median level"]


# --- Evidence health -------------------------------------------------------------------


def test_evidence_health_shows_running_shares_as_percent_per_unit():
    fig = charts.evidence_health(evidence_frame())
    bars = traces(fig)

    assert fig.layout.barmode == "group"
    assert bars["CI running"].x == ("Lending", "Retail")
    assert bars["CI running"].y == (100.0, 50.0)
    assert bars["CT running"].y == (25.0, 0.0)
    assert bars["CM running"].y == (50.0, 33.3)
    assert "CM running: 33% of 3 teams" in bars["CM running"].hovertext[1]
    assert "2 conflicts" in bars["CI running"].hovertext[0]


def test_evidence_health_marks_confidence_with_the_conflicts():
    confidence = traces(charts.evidence_health(evidence_frame()))["Mean confidence"]

    assert confidence.mode == "markers+text"
    assert confidence.y == (62.5, 80.0)
    assert confidence.text == ("2 conflicts", "1 conflict")
    assert confidence.yaxis == "y2"
    assert "Mean confidence: 62%" in confidence.hovertext[0]


# --- Open requests by age --------------------------------------------------------------


def test_open_requests_are_counted_per_age_bucket_and_stacked_by_target():
    fig = charts.open_requests_by_age(requests_frame())
    bars = traces(fig)

    assert fig.layout.barmode == "stack"
    assert list(bars) == ["production", "staging"]
    buckets = ("< 1 day", "1–3 days", "3–7 days", "1–2 weeks", "> 2 weeks")
    assert bars["production"].x == buckets
    # 0.5, 0.99 | 1.0, 2.9 | 3.0 | — | 14.0, 20.0
    assert bars["production"].y == (2, 2, 1, 0, 2)
    # 7.0, 13.9
    assert bars["staging"].y == (0, 0, 0, 2, 0)
    assert bars["staging"].marker.color == palette.categorical(1)


def test_open_requests_hover_names_a_few_models():
    frame = requests_frame().assign(age_days=30.0)

    production = traces(charts.open_requests_by_age(frame))["production"]

    assert production.hovertext[4] == (
        "<b>production</b>, &gt; 2 weeks<br>7 open requests<br>m1, m2, m3 and 4 more"
    )
    assert production.hovertext[0] == "<b>production</b>, &lt; 1 day<br>0 open requests"


def test_open_requests_without_an_age_are_left_out():
    frame = requests_frame().assign(age_days=np.nan)

    fig = charts.open_requests_by_age(frame)

    assert fig.layout.annotations[0].text == charts.NO_DATA


# --- Production by risk tier -----------------------------------------------------------


def test_production_by_risk_tier_lists_every_tier_in_order():
    frame = pd.concat(
        [
            risk_frame(),
            pd.DataFrame(
                [["unrated", 2, 0]], columns=["risk_tier", "models", "overdue"]
            ),
        ]
    )

    fig = charts.production_by_risk_tier(frame)
    bars = traces(fig)

    tiers = ("Low", "Medium", "High", "Critical", "Unrated")
    assert bars["Models in production"].x == tiers
    assert bars["Models in production"].y == (10, 0, 4, 1, 2)
    assert bars["Overdue revalidations"].y == (0, 0, 1, 1, 0)
    assert bars["Overdue revalidations"].marker.color == palette.VERMILLION
    assert bars["Overdue revalidations"].hovertext[2] == (
        "<b>High</b> risk<br>4 models in production<br>1 overdue for revalidation (25%)"
    )


# --- Break-glass -----------------------------------------------------------------------


def test_break_glass_counts_applies_per_quarter_in_order():
    bar = charts.break_glass_by_quarter(break_glass_frame()).data[0]

    assert bar.name == "Break-glass applies"
    assert bar.x == ("2025-Q4", "2026-Q1", "2026-Q2")
    assert bar.y == (1, 0, 3)
    assert bar.hovertext[2] == "2026-Q2: 3 break-glass applies"


# --- Common Now items ------------------------------------------------------------------


def test_common_now_items_puts_the_most_common_on_top():
    fig = charts.common_now_items(now_items_frame(), limit=3)
    bar = fig.data[0]

    assert bar.orientation == "h"
    # Ties on the count read alphabetically; the fourth is past the limit.
    assert bar.y == ("ct.schedule", "ci.tests", "cm.drift")
    assert bar.x == (9, 5, 5)
    assert fig.layout.yaxis.autorange == "reversed"
    assert "In Now for 9 teams" in bar.hovertext[0]


def test_common_now_items_truncates_and_escapes_the_statement():
    frame = now_items_frame()
    frame.loc[0, "statement"] = "<b>Tests</b> " + "run on every push " * 20

    hovertext = charts.common_now_items(frame).data[0].hovertext[1]

    assert "&lt;b&gt;Tests&lt;/b&gt;" in hovertext
    assert hovertext.count("every push") < 20
    assert " …" in hovertext


def test_common_now_items_with_no_room_says_no_data():
    fig = charts.common_now_items(now_items_frame(), limit=0)

    assert fig.layout.annotations[0].text == charts.NO_DATA


# --- Team charts -----------------------------------------------------------------------


def test_team_radar_draws_three_closed_polygons_with_a_dashed_target():
    fig = charts.team_radar(team_radar_frame())
    polar = traces(fig)

    assert list(polar) == ["Team", "Org median", "Target"]
    theta = ("Integration", "Training", "Monitoring", "Integration")
    assert all(t.theta == theta for t in fig.data)
    assert polar["Team"].r == (1, 2, 3, 1)
    assert polar["Org median"].r == (2.0, 1.5, 2.5, 2.0)
    # No target for Integration: a gap, closed onto the same gap.
    assert polar["Target"].r == (None, 2, 4, None)
    assert polar["Target"].line.dash == "dash"
    assert polar["Org median"].hovertext[0] == "<b>Integration</b><br>Org median: 2.0"


def test_team_radar_skips_the_target_when_none_is_set():
    fig = charts.team_radar(team_radar_frame(targets=(None, None, None)))

    assert [t.name for t in fig.data] == ["Team", "Org median"]


def test_team_history_draws_index_and_floor_with_confidence_on_a_second_axis():
    fig = charts.team_history(team_history_frame())
    lines = traces(fig)

    assert lines["Index"].x == ("2026-Q1", "2026-Q2")
    assert lines["Index"].y == (1.8, 2.1)
    assert lines["Floor"].y == (0, 1)
    assert lines["Confidence"].y == (55.0, 70.0)
    assert lines["Confidence"].yaxis == "y2"
    assert fig.layout.yaxis2.title.text == "Confidence"
    assert lines["Index"].hovertext[0] == (
        "<b>2026-Q1</b><br>Index: 1.80<br>Floor: 0<br>Confidence: 55%"
    )


# --- JSON and tables -------------------------------------------------------------------


def test_figure_json_is_plotly_json_safe_to_inline_in_a_script():
    frame = heatmap_frame()
    frame["team"] = frame["team"].replace("Beta", "</script><script>x()")
    fig = charts.maturity_heatmap(frame)

    payload = charts.figure_json(fig)

    assert "</script>" not in payload
    assert json.loads(payload) == json.loads(fig.to_json())
    trace = json.loads(payload)["data"][0]
    # The cells' numbers travel as typed arrays, which plotly.js decodes; the labels
    # the page reads (the row links) stay plain lists.
    assert trace["z"]["dtype"] == "f4"
    assert trace["customdata"]["shape"] == "3, 2, 2"
    assert isinstance(trace["y"], list)
    assert "cdn.plot.ly" not in payload
    assert len(payload) < 20_000  # the figure only: no plotly.js, no heavy theme


def test_chart_table_renames_the_mapped_columns_in_order():
    table = charts.chart_table(
        evidence_frame(), charts.TABLE_COLUMNS["evidence_health"]
    )

    assert list(table.columns)[:3] == [
        "Business unit",
        "Teams",
        "CI running (share, 0–1)",
    ]
    assert table["Business unit"].tolist() == ["Retail", "Lending"]


def test_chart_table_of_an_empty_frame_keeps_the_labels():
    table = charts.chart_table(pd.DataFrame(), {"team": "Team", "level": "Level"})

    assert list(table.columns) == ["Team", "Level"]
    assert table.empty
