"""Evidence and governance charts: evidence health per business unit, open approval
requests, production models by risk tier, break-glass use and the common Now items."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from apps.dashboards import palette
from apps.dashboards.charts.base import (
    PERCENT_AXIS,
    base_figure,
    count_axis,
    empty_figure,
    hover,
    is_empty,
    percent,
    percentages,
    plural,
    shorten,
    sorted_periods,
    text,
)

EVIDENCE_SHARES = (
    ("ci_running", "CI running", palette.BLUE),
    ("ct_running", "CT running", palette.ORANGE),
    ("cm_running", "CM running", palette.BLUISH_GREEN),
)
# Left-closed day ranges: 1 day old is "1–3 days", exactly 14 days is "> 2 weeks".
AGE_BUCKETS = ("< 1 day", "1–3 days", "3–7 days", "1–2 weeks", "> 2 weeks")
AGE_EDGES = (float("-inf"), 1, 3, 7, 14, float("inf"))
AGE_HOVER_MODELS = 3
RISK_TIERS = ("low", "medium", "high", "critical")


# --- Evidence health -------------------------------------------------------------------


def evidence_health(frame: pd.DataFrame) -> go.Figure:
    """Per business unit, the share of teams with CI, CT and CM running, above the
    mean confidence of their assessments labelled with the number of conflicts."""
    title = "Evidence health by business unit"
    if is_empty(frame):
        return empty_figure(chart="evidence_health", title=title)
    frame = frame.sort_values("business_unit", kind="stable").reset_index(drop=True)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.65, 0.35],
        vertical_spacing=0.1,
        subplot_titles=("Teams with running pipelines", "Mean confidence"),
    )
    for bar in _share_bars(frame):
        fig.add_trace(bar, row=1, col=1)
    fig.add_trace(_confidence_markers(frame), row=2, col=1)
    base_figure(fig, chart="evidence_health", title=title, height=560)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="Share of teams", **PERCENT_AXIS, row=1, col=1)
    fig.update_yaxes(
        title_text="Confidence", **{**PERCENT_AXIS, "range": [0, 119]}, row=2, col=1
    )
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text="Business unit", row=2, col=1)
    return fig


def _share_bars(frame: pd.DataFrame) -> list[go.Bar]:
    return [
        go.Bar(
            name=label,
            x=frame["business_unit"].tolist(),
            y=percentages(frame[column]),
            marker={"color": colour},
            hovertext=_evidence_hover(frame, column, label),
            hoverinfo="text",
        )
        for column, label, colour in EVIDENCE_SHARES
    ]


def _conflicts(count: int) -> str:
    return plural(count, "conflict")


def _evidence_hover(frame: pd.DataFrame, column: str, label: str) -> list[str]:
    return [
        hover(
            f"<b>{text(unit)}</b>",
            f"{label}: {percent(share)} of {plural(teams, 'team')}",
            _conflicts(conflicts),
        )
        for unit, share, teams, conflicts in zip(
            frame["business_unit"],
            frame[column],
            frame["teams"],
            frame["conflicts"],
            strict=True,
        )
    ]


def _confidence_markers(frame: pd.DataFrame) -> go.Scatter:
    return go.Scatter(
        name="Mean confidence",
        x=frame["business_unit"].tolist(),
        y=percentages(frame["confidence"]),
        mode="markers+text",
        marker={"color": palette.BLACK, "size": 11, "symbol": "diamond"},
        text=[_conflicts(count) for count in frame["conflicts"]],
        textposition="top center",
        hovertext=[
            hover(
                f"<b>{text(unit)}</b>",
                f"Mean confidence: {percent(confidence)}",
                f"{_conflicts(conflicts)} across {plural(teams, 'team')}",
            )
            for unit, confidence, conflicts, teams in zip(
                frame["business_unit"],
                frame["confidence"],
                frame["conflicts"],
                frame["teams"],
                strict=True,
            )
        ],
        hoverinfo="text",
    )


# --- Open requests by age --------------------------------------------------------------


def open_requests_by_age(frame: pd.DataFrame) -> go.Figure:
    """Open approval requests counted by age bucket, stacked by target stage."""
    title = "Open approval requests by age"
    frame = None if is_empty(frame) else frame.dropna(subset=["age_days"])
    if is_empty(frame):
        return empty_figure(chart="open_requests_by_age", title=title)
    frame = frame.assign(
        bucket=pd.cut(
            frame["age_days"], bins=list(AGE_EDGES), labels=AGE_BUCKETS, right=False
        ),
        target=frame["target"].astype(str),
    ).sort_values(["target", "age_days", "request_id"], kind="stable")
    fig = go.Figure()
    for order, (target, requests) in enumerate(frame.groupby("target", sort=True)):
        fig.add_trace(_age_bars(target, requests, palette.categorical(order)))
    base_figure(fig, chart="open_requests_by_age", title=title, requests=len(frame))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Age of the request", type="category")
    fig.update_yaxes(title_text="Open requests", **count_axis(len(frame)))
    return fig


def _requests(count: int) -> str:
    return plural(count, "open request")


def _age_bars(target: str, requests: pd.DataFrame, colour: str) -> go.Bar:
    grouped = requests.groupby("bucket", observed=False)["model"]
    counts = grouped.size().reindex(AGE_BUCKETS, fill_value=0)
    models = grouped.agg(list).reindex(AGE_BUCKETS)
    hovers = []
    for bucket, count in counts.items():
        names = models[bucket] if isinstance(models[bucket], list) else []
        shown = ", ".join(text(name) for name in names[:AGE_HOVER_MODELS])
        hidden = len(names) - AGE_HOVER_MODELS
        more = f" and {hidden} more" if hidden > 0 else ""
        lines = [f"<b>{text(target)}</b>, {text(bucket)}", _requests(count)]
        hovers.append(hover(*lines, f"{shown}{more}") if names else hover(*lines))
    return go.Bar(
        name=str(target),
        x=list(AGE_BUCKETS),
        y=[int(count) for count in counts],
        marker={"color": colour},
        hovertext=hovers,
        hoverinfo="text",
    )


# --- Production models by risk tier ----------------------------------------------------


def production_by_risk_tier(frame: pd.DataFrame) -> go.Figure:
    """Models in production per risk tier (low to critical), beside how many of them
    are overdue for revalidation."""
    title = "Production models by risk tier"
    if is_empty(frame):
        return empty_figure(chart="production_by_risk_tier", title=title)
    by_tier = _tier_totals(frame)
    fig = go.Figure(data=_tier_bars(by_tier))
    base_figure(fig, chart="production_by_risk_tier", title=title)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Risk tier", type="category")
    fig.update_yaxes(title_text="Models", **count_axis(int(by_tier["models"].max())))
    return fig


def _tier_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Every known tier in risk order, zero when absent; unknown tiers after them."""
    by_tier = frame.groupby(frame["risk_tier"].astype(str))[["models", "overdue"]].sum()
    extra = sorted(set(by_tier.index) - set(RISK_TIERS))
    return by_tier.reindex([*RISK_TIERS, *extra], fill_value=0)


def _tier_bars(by_tier: pd.DataFrame) -> list[go.Bar]:
    tiers = [tier.capitalize() for tier in by_tier.index]
    hovers = _tier_hover(tiers, by_tier)
    return [
        go.Bar(
            name=label,
            x=tiers,
            y=[int(count) for count in by_tier[column]],
            marker={"color": colour},
            text=[int(count) for count in by_tier[column]],
            textposition="outside",
            hovertext=hovers,
            hoverinfo="text",
        )
        for column, label, colour in (
            ("models", "Models in production", palette.BLUE),
            ("overdue", "Overdue revalidations", palette.VERMILLION),
        )
    ]


def _tier_hover(tiers: list[str], by_tier: pd.DataFrame) -> list[str]:
    hovers = []
    for tier, models, overdue in zip(
        tiers, by_tier["models"], by_tier["overdue"], strict=True
    ):
        share = f" ({percent(overdue / models)})" if models else ""
        hovers.append(
            hover(
                f"<b>{tier}</b> risk",
                f"{plural(models, 'model')} in production",
                f"{overdue} overdue for revalidation{share}",
            )
        )
    return hovers


# --- Break-glass applies ---------------------------------------------------------------


def break_glass_by_quarter(frame: pd.DataFrame) -> go.Figure:
    """How often break-glass was used to apply a change, per period."""
    title = "Break-glass applies by quarter"
    if is_empty(frame):
        return empty_figure(chart="break_glass_by_quarter", title=title)
    frame = sorted_periods(frame)
    counts = [int(count) for count in frame["applies"]]
    fig = go.Figure(
        go.Bar(
            name="Break-glass applies",
            x=frame["period"].tolist(),
            y=counts,
            marker={"color": palette.REDDISH_PURPLE},
            text=counts,
            textposition="outside",
            hovertext=[
                f"{period}: {plural(count, 'break-glass apply', 'break-glass applies')}"
                for period, count in zip(frame["period"], counts, strict=True)
            ],
            hoverinfo="text",
        )
    )
    base_figure(fig, chart="break_glass_by_quarter", title=title)
    fig.update_xaxes(title_text="Quarter", type="category")
    fig.update_yaxes(title_text="Applies", **count_axis(max(counts)))
    return fig


# --- Common Now items ------------------------------------------------------------------


def common_now_items(frame: pd.DataFrame, limit: int = 10) -> go.Figure:
    """The roadmap criteria most teams have in Now, the most common on top."""
    title = "Most common Now items across teams"
    if is_empty(frame) or limit < 1:
        return empty_figure(chart="common_now_items", title=title)
    frame = frame.sort_values(
        ["teams", "criterion"], ascending=[False, True], kind="stable"
    ).head(limit)
    counts = [int(count) for count in frame["teams"]]
    fig = go.Figure(
        go.Bar(
            name="Teams with the item in Now",
            orientation="h",
            y=frame["criterion"].astype(str).tolist(),
            x=counts,
            marker={"color": palette.BLUE},
            text=counts,
            textposition="outside",
            hovertext=_now_hover(frame),
            hoverinfo="text",
        )
    )
    height = max(320, 140 + 36 * len(frame))
    base_figure(fig, chart="common_now_items", title=title, height=height, limit=limit)
    fig.update_xaxes(title_text="Teams", **count_axis(max(counts)))
    fig.update_yaxes(title_text="Criterion", autorange="reversed", type="category")
    return fig


def _now_hover(frame: pd.DataFrame) -> list[str]:
    return [
        hover(
            f"<b>{text(criterion)}</b> ({text(dimension)})",
            shorten(statement),
            f"In Now for {plural(teams, 'team')}",
        )
        for criterion, dimension, statement, teams in zip(
            frame["criterion"],
            frame["dimension_name"],
            frame["statement"],
            frame["teams"],
            strict=True,
        )
    ]
