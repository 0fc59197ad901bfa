"""The dashboards' frames: the right numbers, only readable teams, and a fixed number
of queries whatever the number of teams."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Role
from apps.dashboards import selectors
from apps.dashboards.selectors import Filters, Scope
from tests.accounts.factories import TeamFactory
from tests.dashboards.conftest import BASIC, MATURE
from tests.registry.conftest import registry  # noqa: F401 - a fixture
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db


def test_maturity_is_each_teams_latest_level_per_dimension(two_teams, executive):
    frame = selectors.maturity_frame(scope=Scope.of_user(executive), filters=Filters())
    assert list(frame.columns) == selectors.MATURITY_COLUMNS
    levels = {(r.team, r.dimension): r.level for r in frame.itertuples()}
    assert levels == {
        ("Credit", "data"): 1,
        ("Credit", "ops"): 0,
        ("Shop", "data"): 2,
        ("Shop", "ops"): 0,
    }
    assert set(frame["dimension_name"]) == {"Data", "Operations"}
    assert set(frame["business_unit"]) == {"Retail", "Risk"}


def test_a_period_filter_shows_that_quarters_scores(two_teams, executive):
    frame = selectors.maturity_frame(
        scope=Scope.of_user(executive), filters=Filters(period="2026-Q2")
    )
    assert set(frame["team"]) == {"Shop"}
    assert frame.set_index("dimension").loc["data", "level"] == 1


def test_filters_narrow_and_visibility_hides_other_teams(two_teams, units, make_user):
    shop, _credit = two_teams
    member = make_user(Role.TEAM_MEMBER, team=shop)
    frame = selectors.team_scores_frame(scope=Scope.of_user(member), filters=Filters())
    assert list(frame["team"]) == ["Shop"]
    executive = make_user(Role.EXECUTIVE)
    by_unit = Filters(business_unit=units[1].pk)
    assert list(
        selectors.team_scores_frame(scope=Scope.of_user(executive), filters=by_unit)[
            "team"
        ]
    ) == ["Credit"]


def test_median_vs_target_per_dimension(two_teams, executive):
    maturity = selectors.maturity_frame(
        scope=Scope.of_user(executive), filters=Filters()
    )
    summary = selectors.median_vs_target_frame(maturity).set_index("dimension")
    assert summary.loc["data", "median_level"] == 1.5
    assert summary.loc["ops", "teams"] == 2


def test_the_team_radar_from_the_levels_alone_matches_the_full_frame(
    two_teams, units, scored, executive
):
    shop, _credit = two_teams
    scored(TeamFactory(business_unit=units[0], name="Third"), "2026-Q3", BASIC)
    scope = Scope.of_user(executive)
    full = selectors.maturity_frame(scope=scope, filters=Filters())
    own = selectors.maturity_frame(scope=scope, filters=Filters(team=shop.pk))
    levels = selectors.dimension_levels_frame(scope=scope)

    radar = selectors.team_radar_frame(team=shop, maturity=own, levels=levels)

    assert levels["snapshot"].nunique() == 3
    assert radar.equals(selectors.team_radar_frame(team=shop, maturity=full))
    # Shop is mature, the other two basic: the median is not Shop's own level.
    assert (radar["org_median"] < radar["level"]).any()


def test_the_trend_takes_each_teams_quarter_once(two_teams, executive):
    trend = selectors.trend_frame(scope=Scope.of_user(executive), filters=Filters())
    assert list(trend["period"]) == ["2026-Q2", "2026-Q3"]
    assert list(trend["teams"]) == [1, 2]
    assert trend.iloc[1]["floor_share_ge2"] == 0.0


def test_evidence_health_counts_fresh_holding_signals(two_teams, executive):
    shop, credit = two_teams
    scanned(LinkedRepoFactory(team=shop), {"ci_runs_tests": (True, "wired")})
    scanned(
        LinkedRepoFactory(team=credit),
        {"monitoring": (True, "running")},
        observed_at=timezone.now() - timedelta(days=400),  # stale: does not count
    )
    scores = selectors.team_scores_frame(
        scope=Scope.of_user(executive), filters=Filters()
    )
    frame = selectors.evidence_health_frame(
        scope=Scope.of_user(executive),
        filters=Filters(),
        scores=scores,
        now=timezone.now(),
    ).set_index("business_unit")
    assert frame.loc["Retail", "ci_running"] == 1.0
    assert frame.loc["Risk", "cm_running"] == 0.0
    assert frame.loc["Risk", "teams"] == 1


def test_a_fixed_number_of_queries_whatever_the_team_count(units, scored, executive):
    def count() -> int:
        # As on a new request: the roles cached on the user are read again.
        executive.__dict__.pop("_tollgate_roles", None)
        with CaptureQueriesContext(connection) as ctx:
            filters, now = Filters(), timezone.now()
            maturity = selectors.maturity_frame(
                scope=Scope.of_user(executive), filters=filters
            )
            selectors.median_vs_target_frame(maturity)
            scores = selectors.team_scores_frame(
                scope=Scope.of_user(executive), filters=filters
            )
            selectors.trend_frame(scope=Scope.of_user(executive), filters=filters)
            selectors.evidence_health_frame(
                scope=Scope.of_user(executive), filters=filters, scores=scores, now=now
            )
            selectors.open_requests_frame(
                scope=Scope.of_user(executive), filters=filters, now=now
            )
            selectors.production_frame(scope=Scope.of_user(executive), filters=filters)
            selectors.break_glass_frame(scope=Scope.of_user(executive), filters=filters)
            selectors.common_now_frame(scope=Scope.of_user(executive), filters=filters)
        return len(ctx.captured_queries)

    def add_teams(n: int) -> None:
        for i in range(n):
            team = TeamFactory(business_unit=units[i % 2])
            scored(team, "2026-Q3", MATURE if i % 3 else BASIC)
            LinkedRepoFactory(team=team)

    add_teams(3)
    few = count()
    add_teams(47)
    assert count() == few


def test_open_requests_are_aged_to_the_hundredth_of_a_day(registry, executive):  # noqa: F811
    # The figures' cache (memo.py) keys ageing figures on this hundredth of a day.
    request = registry.request(registry.version(registry.model()))
    later = request.opened_at + timedelta(days=1, hours=3, minutes=7)  # 1.1299… days

    frame = selectors.open_requests_frame(
        scope=Scope.of_user(executive), filters=Filters(), now=later
    )

    assert frame.to_dict("records") == [
        {
            "request_id": request.pk,
            "model": request.version.model.name,
            "target": "production",
            "age_days": 1.13,
        }
    ]
