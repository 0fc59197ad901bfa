"""The dashboards' data: pandas DataFrames from aggregated queries.

Every frame costs a fixed number of queries whatever the number of teams (subqueries
pick each team's latest snapshot in the database; pandas groups what comes back),
and covers only the teams of its scope (those a user may read, or an organisation's),
narrowed by the filters. The column
names are the chart builders' contracts (charts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from django.conf import settings
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from apps.accounts.models import BusinessUnit, Team, User
from apps.accounts.selectors import visible_team_ids
from apps.assessments.models import ScoreDimension, ScoreSnapshot
from apps.registry.models import Alias, ModelVersion, PromotionRequest
from apps.repos.models import LinkedRepo
from apps.repos.selectors import current_signals
from apps.roadmaps.models import RoadmapItem
from apps.rubrics.models import Dimension

# Signal keys whose holding counts as continuous integration, training, monitoring.
EVIDENCE_FAMILIES = {
    "ci": ("ci_runs_tests", "ci_pass_rate", "ci_run_frequency"),
    "ct": ("continuous_training", "scheduled_run_success"),
    "cm": ("monitoring",),
}


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; None is all of the scope."""

    business_unit: int | None = None
    team: int | None = None
    period: str | None = None  # "2026-Q3": each team's assessment of that quarter


@dataclass(frozen=True, eq=False)
class Scope:
    """The teams a frame may cover: those a user reads on a dashboard, or a whole
    organisation's for a report, which a worker renders without a user."""

    team_ids: QuerySet[Team]  # the teams' pks, used as a subquery

    @classmethod
    def of_user(cls, user: User) -> Scope:
        return cls(visible_team_ids(user=user))

    @classmethod
    def of_organization(cls, organization_id: int) -> Scope:
        return cls(Team.objects.filter(organization_id=organization_id).values("pk"))

    def team_pks(self) -> list[int]:
        """The teams' pks themselves (1 query), for a cache key."""
        return list(self.team_ids.values_list("pk", flat=True))


def teams_in_scope(*, scope: Scope, filters: Filters) -> QuerySet[Team]:
    teams = Team.objects.filter(pk__in=scope.team_ids)
    if filters.business_unit is not None:
        teams = teams.filter(business_unit_id=filters.business_unit)
    if filters.team is not None:
        teams = teams.filter(pk=filters.team)
    return teams


def _latest_snapshot(period: str | None) -> Subquery:
    """Per team (OuterRef pk): its newest snapshot, of `period`'s assessment if given."""
    snapshots = ScoreSnapshot.objects.filter(assessment__team=OuterRef("pk"))
    if period:
        snapshots = snapshots.filter(assessment__period=period)
    return Subquery(
        snapshots.order_by(
            "-assessment__period", "-assessment__revision", "-created_at", "-pk"
        ).values("pk")[:1]
    )


def _latest_snapshot_ids(teams: QuerySet[Team], period: str | None) -> QuerySet:
    return (
        teams.annotate(snapshot=_latest_snapshot(period))
        .filter(snapshot__isnull=False)
        .values("snapshot")
    )


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


# --- Maturity --------------------------------------------------------------------------

MATURITY_COLUMNS = [
    "team_id",
    "team",
    "business_unit",
    "dimension",
    "dimension_name",
    "position",
    "level",
    "score",
    "target",
]


def maturity_frame(*, scope: Scope, filters: Filters) -> pd.DataFrame:
    """One row per team × dimension of each team's latest score (2 queries)."""
    teams = teams_in_scope(scope=scope, filters=filters)
    rows = (
        ScoreDimension.objects.filter(
            snapshot_id__in=_latest_snapshot_ids(teams, filters.period)
        )
        .order_by()  # sorted below, by the team's name
        .values_list(
            "snapshot__assessment__team_id",
            "snapshot__assessment__team__name",
            "snapshot__assessment__team__business_unit__name",
            "dimension",
            "level",
            "score",
            "target",
            "snapshot__rubric_id",
        )
    )
    frame = _frame(rows, [*MATURITY_COLUMNS[:4], "level", "score", "target", "rubric"])
    names = _dimension_names(frame["rubric"].unique().tolist())
    # Mapped through dicts, which pandas vectorises (a lambda runs per row).
    keys = frame["dimension"].unique().tolist()
    named = {key: names.get(key, (key, 99)) for key in keys}
    frame["dimension_name"] = frame["dimension"].map(
        {k: n for k, (n, _) in named.items()}
    )
    frame["position"] = frame["dimension"].map({k: p for k, (_, p) in named.items()})
    frame["target"] = frame["target"].astype("Int64")
    return frame[MATURITY_COLUMNS].sort_values(
        ["team", "team_id", "position"], ignore_index=True
    )


def _dimension_names(rubric_ids: list[int]) -> dict[str, tuple[str, int]]:
    """Dimension key → (name, position), the newest rubric's words winning."""
    names: dict[str, tuple[str, int]] = {}
    for key, name, position in (
        Dimension.objects.filter(rubric_id__in=rubric_ids)
        .order_by("rubric__created_at", "rubric_id")
        .values_list("key", "name", "position")
    ):
        names[key] = (name, position)
    return names


def median_vs_target_frame(maturity: pd.DataFrame) -> pd.DataFrame:
    """Per dimension: the median level across teams and the median target."""
    columns = ["dimension", "dimension_name", "position"]
    if maturity.empty:
        return pd.DataFrame(
            columns=[*columns, "median_level", "median_target", "teams"]
        )
    grouped = maturity.groupby(columns, as_index=False).agg(
        median_level=("level", "median"),
        median_target=("target", "median"),
        teams=("team_id", "nunique"),
    )
    return grouped.sort_values("position", ignore_index=True)


TEAM_SCORE_COLUMNS = ["team_id", "team", "business_unit", "period", "floor", "index"]


def team_scores_frame(*, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Each team's latest floor, index and confidence (1 query)."""
    teams = teams_in_scope(scope=scope, filters=filters)
    rows = (
        ScoreSnapshot.objects.filter(pk__in=_latest_snapshot_ids(teams, filters.period))
        .annotate(conflicts=_conflicts())
        .order_by()  # sorted below, by the team's name
        .values_list(
            "assessment__team_id",
            "assessment__team__name",
            "assessment__team__business_unit__name",
            "assessment__period",
            "floor",
            "index",
            "confidence",
            "conflicts",
        )
    )
    frame = _frame(rows, [*TEAM_SCORE_COLUMNS, "confidence", "conflicts"])
    return frame.sort_values(["team", "team_id"], ignore_index=True)


def _conflicts() -> Coalesce:
    """Per snapshot (OuterRef pk): its conflicts, summed over its dimension rows."""
    total = (
        ScoreDimension.objects.filter(snapshot=OuterRef("pk"))
        .order_by()
        .values("snapshot")
        .annotate(total=Sum("conflicts"))
        .values("total")
    )
    return Coalesce(Subquery(total), 0)


def trend_frame(*, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per quarter, across teams (each team's newest snapshot of the quarter): the
    median index and its quartiles, the median floor and the share at floor 2 or
    more (1 query). The period filter does not narrow a trend."""
    teams = teams_in_scope(
        scope=scope, filters=Filters(filters.business_unit, filters.team)
    )
    rows = (
        ScoreSnapshot.objects.filter(assessment__team__in=teams)
        .order_by(
            "assessment__team_id",
            "assessment__period",
            "-assessment__revision",
            "-created_at",
            "-pk",
        )
        .values_list("assessment__team_id", "assessment__period", "floor", "index")
    )
    frame = _frame(rows, ["team_id", "period", "floor", "index"])
    columns = [
        "period",
        "teams",
        "index_median",
        "index_p25",
        "index_p75",
        "floor_median",
        "floor_share_ge2",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    latest = frame.drop_duplicates(["team_id", "period"], keep="first")
    trend = latest.groupby("period", as_index=False).agg(
        teams=("team_id", "nunique"),
        index_median=("index", "median"),
        index_p25=("index", lambda s: s.quantile(0.25)),
        index_p75=("index", lambda s: s.quantile(0.75)),
        floor_median=("floor", "median"),
        floor_share_ge2=("floor", lambda s: float((s >= 2).mean())),
    )
    return trend[columns].sort_values("period", ignore_index=True)


# --- Evidence --------------------------------------------------------------------------

EVIDENCE_COLUMNS = [
    "business_unit",
    "teams",
    "ci_running",
    "ct_running",
    "cm_running",
    "conflicts",
    "confidence",
]


def evidence_health_frame(
    *, scope: Scope, filters: Filters, scores: pd.DataFrame, now: datetime
) -> pd.DataFrame:
    """Per business unit: the share of teams whose repositories show continuous
    integration, training and monitoring (a fresh holding signal), the conflicts
    between claims and signals in their latest scores, and the mean confidence
    (2 queries, with `scores` from team_scores_frame)."""
    teams = teams_in_scope(scope=scope, filters=filters)
    units = _frame(
        teams.values_list("pk", "business_unit__name"), ["team_id", "business_unit"]
    )
    horizon = now - timedelta(days=settings.REPOS_SIGNAL_FRESHNESS_DAYS)
    keys = [key for family in EVIDENCE_FAMILIES.values() for key in family]
    signals = _frame(
        current_signals(LinkedRepo.objects.filter(team__in=teams, enabled=True))
        .filter(key__in=keys, value=True, observed_at__gte=horizon)
        .values_list("repo__team_id", "key")
        .distinct(),
        ["team_id", "key"],
    )
    if units.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    for family, family_keys in EVIDENCE_FAMILIES.items():
        holding = set(signals.loc[signals["key"].isin(family_keys), "team_id"])
        units[f"{family}_running"] = units["team_id"].isin(holding).astype(float)
    units = units.merge(
        scores[["team_id", "conflicts", "confidence"]], on="team_id", how="left"
    )
    grouped = units.groupby("business_unit", as_index=False).agg(
        teams=("team_id", "nunique"),
        ci_running=("ci_running", "mean"),
        ct_running=("ct_running", "mean"),
        cm_running=("cm_running", "mean"),
        conflicts=("conflicts", "sum"),
        confidence=("confidence", "mean"),
    )
    grouped["conflicts"] = grouped["conflicts"].fillna(0).astype(int)
    return grouped[EVIDENCE_COLUMNS].sort_values("business_unit", ignore_index=True)


# --- Governance ------------------------------------------------------------------------


def open_requests_frame(
    *, scope: Scope, filters: Filters, now: datetime
) -> pd.DataFrame:
    """Promotion requests still in flight, with their age in days (1 query)."""
    teams = teams_in_scope(scope=scope, filters=filters)
    rows = PromotionRequest.objects.filter(
        status__in=PromotionRequest.IN_FLIGHT, version__model__team__in=teams
    ).values_list("pk", "version__model__name", "target", "opened_at")
    frame = _frame(rows, ["request_id", "model", "target", "opened_at"])
    # To the hundredth of a day, as the table shows it: the frame (and so its cached
    # drawing, memo.py) then stays the same for a quarter of an hour, not a request.
    frame["age_days"] = frame["opened_at"].map(
        lambda opened: round((now - opened).total_seconds() / 86_400, 2)
    )
    return frame[["request_id", "model", "target", "age_days"]]


RISK_TIERS = ["low", "medium", "high", "critical"]


def production_frame(*, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per risk tier: models with a `production` alias, and versions whose
    revalidation is overdue (2 queries)."""
    teams = teams_in_scope(scope=scope, filters=filters)
    in_production = dict(
        Alias.objects.filter(name="production", model__team__in=teams)
        .values("model__risk_tier")
        .annotate(n=Count("model", distinct=True))
        .values_list("model__risk_tier", "n")
    )
    overdue = dict(
        ModelVersion.objects.filter(
            model__team__in=teams, revalidation_overdue_since__isnull=False
        )
        .values("model__risk_tier")
        .annotate(n=Count("pk"))
        .values_list("model__risk_tier", "n")
    )
    return pd.DataFrame(
        {
            "risk_tier": RISK_TIERS,
            "models": [in_production.get(t, 0) for t in RISK_TIERS],
            "overdue": [overdue.get(t, 0) for t in RISK_TIERS],
        }
    )


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def break_glass_frame(*, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Break-glass applies per quarter (1 query)."""
    teams = teams_in_scope(scope=scope, filters=filters)
    moments = PromotionRequest.objects.filter(
        break_glass=True, version__model__team__in=teams
    ).values_list(Coalesce("closed_at", "opened_at"), flat=True)
    frame = pd.DataFrame({"period": [quarter_of(m) for m in moments]})
    if frame.empty:
        return pd.DataFrame(columns=["period", "applies"])
    counted = frame.value_counts("period").rename("applies").reset_index()
    return counted.sort_values("period", ignore_index=True)


# --- Roadmaps --------------------------------------------------------------------------


def common_now_frame(
    *, scope: Scope, filters: Filters, limit: int = 10
) -> pd.DataFrame:
    """The roadmap items most often in the teams' Now (1 query)."""
    teams = teams_in_scope(scope=scope, filters=filters)
    rows = (
        RoadmapItem.objects.filter(
            roadmap__team__in=teams,
            phase=RoadmapItem.Phase.NOW,
            in_plan=True,
            status__in=(RoadmapItem.Status.PLANNED, RoadmapItem.Status.IN_PROGRESS),
        )
        .values("criterion_key")
        .annotate(
            statement=F("criterion__statement"),
            dimension_name=F("criterion__dimension__name"),
            teams=Count("roadmap__team", distinct=True),
        )
        .order_by("-teams", "criterion_key")
        .values_list("criterion_key", "statement", "dimension_name", "teams")[:limit]
    )
    return _frame(rows, ["criterion", "statement", "dimension_name", "teams"])


# --- One team --------------------------------------------------------------------------


def dimension_levels_frame(*, scope: Scope) -> pd.DataFrame:
    """Each team's level per dimension in its latest assessment, by snapshot and
    without names: what the org medians need, at a third of the maturity frame's
    cost per row (1 query)."""
    teams = teams_in_scope(scope=scope, filters=Filters())
    rows = (
        ScoreDimension.objects.filter(snapshot_id__in=_latest_snapshot_ids(teams, None))
        .order_by()
        .values_list("snapshot_id", "dimension", "level")
    )
    return _frame(rows, ["snapshot", "dimension", "level"])


def team_radar_frame(
    *, team: Team, maturity: pd.DataFrame, levels: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The team's levels per dimension beside the org median and its target (no
    query). The team's rows come from `maturity`, the medians from `levels` (see
    dimension_levels_frame), or from `maturity` when it holds every team."""
    columns = [
        "dimension",
        "dimension_name",
        "position",
        "level",
        "org_median",
        "target",
    ]
    if maturity.empty:
        return pd.DataFrame(columns=columns)
    across = maturity if levels is None else levels
    medians = across.groupby("dimension")["level"].median().rename("org_median")
    own = maturity[maturity["team_id"] == team.pk]
    frame = own.join(medians, on="dimension")
    return frame[columns].sort_values("position", ignore_index=True)


def team_history_frame(*, team: Team) -> pd.DataFrame:
    """The team's index, floor and confidence per quarter, newest revision (1 query)."""
    rows = (
        ScoreSnapshot.objects.filter(assessment__team=team)
        .order_by("assessment__period", "-assessment__revision", "-created_at", "-pk")
        .values_list("assessment__period", "index", "floor", "confidence")
    )
    frame = _frame(rows, ["period", "index", "floor", "confidence"])
    return frame.drop_duplicates("period", keep="first").reset_index(drop=True)


def business_units(*, user: User) -> QuerySet[BusinessUnit]:
    """The business units of the teams the user reads, for the filter (1 query)."""
    return (
        BusinessUnit.objects.filter(teams__in=visible_team_ids(user=user))
        .distinct()
        .order_by("name")
    )


def periods(*, user: User) -> list[str]:
    """The quarters with a score for a team the user reads, newest first (1 query)."""
    return list(
        ScoreSnapshot.objects.filter(assessment__team__in=visible_team_ids(user=user))
        .order_by("-assessment__period")
        .values_list("assessment__period", flat=True)
        .distinct()
    )
