"""The frames a dashboard draws, read through the selectors on first use and once:
the page reads them all, a download only its panel's."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

import pandas as pd

from apps.accounts.models import Team
from apps.dashboards import selectors
from apps.dashboards.selectors import Filters, Scope


class OrgFrames:
    """The organisation's frames for one scope and filters; panels name them."""

    def __init__(self, *, scope: Scope, filters: Filters, now: datetime) -> None:
        self.scope, self.filters, self.now = scope, filters, now

    def __getitem__(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    @cached_property
    def maturity(self) -> pd.DataFrame:
        return selectors.maturity_frame(scope=self.scope, filters=self.filters)

    @cached_property
    def medians(self) -> pd.DataFrame:
        return selectors.median_vs_target_frame(self.maturity)

    @cached_property
    def scores(self) -> pd.DataFrame:
        return selectors.team_scores_frame(scope=self.scope, filters=self.filters)

    @cached_property
    def trend(self) -> pd.DataFrame:
        return selectors.trend_frame(scope=self.scope, filters=self.filters)

    @cached_property
    def evidence(self) -> pd.DataFrame:
        return selectors.evidence_health_frame(
            scope=self.scope, filters=self.filters, scores=self.scores, now=self.now
        )

    @cached_property
    def requests(self) -> pd.DataFrame:
        return selectors.open_requests_frame(
            scope=self.scope, filters=self.filters, now=self.now
        )

    @cached_property
    def production(self) -> pd.DataFrame:
        return selectors.production_frame(scope=self.scope, filters=self.filters)

    @cached_property
    def break_glass(self) -> pd.DataFrame:
        return selectors.break_glass_frame(scope=self.scope, filters=self.filters)

    @cached_property
    def common_now(self) -> pd.DataFrame:
        return selectors.common_now_frame(scope=self.scope, filters=self.filters)


class TeamFrames:
    """One team's frames; the org median is over the scope's teams."""

    def __init__(self, *, scope: Scope, team: Team) -> None:
        self.scope, self.team = scope, team

    def __getitem__(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    @cached_property
    def levels(self) -> pd.DataFrame:
        """Every team's levels, for the medians."""
        return selectors.dimension_levels_frame(scope=self.scope)

    @cached_property
    def radar(self) -> pd.DataFrame:
        own = selectors.maturity_frame(
            scope=self.scope, filters=Filters(team=self.team.pk)
        )
        return selectors.team_radar_frame(
            team=self.team, maturity=own, levels=self.levels
        )

    @cached_property
    def history(self) -> pd.DataFrame:
        return selectors.team_history_frame(team=self.team)
