"""One team's dashboard: its profile against the organisation, its history, the
evidence its repositories show now and what its roadmap says to do first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.accounts.models import Team
from apps.dashboards import memo, selectors
from apps.dashboards.panels import TEAM_PANELS
from apps.dashboards.selectors import Filters, Scope
from apps.dashboards.views.common import Drawing, panel_drawing, panel_view
from apps.dashboards.views.frames import TeamFrames
from apps.repos.selectors import team_signals
from apps.roadmaps import display
from apps.roadmaps import selectors as roadmaps
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.rubrics.evidence import SIGNAL_LABELS


def _team_or_404(request: HttpRequest, team_id: int) -> Team:
    team = (
        selectors.teams_in_scope(
            scope=Scope.of_user(request.user), filters=Filters(team=team_id)
        )
        .select_related("business_unit")
        .first()
    )
    if team is None:
        raise Http404("No such team.")
    return team


def _now_items(roadmap: Roadmap | None) -> list[tuple[RoadmapItem, str]]:
    """The open items in the plan's Now, each with its card's anchor."""
    items = roadmap.items.all() if roadmap else []
    return [
        (item, display.anchor_of(item.criterion_key))
        for item in items
        if item.phase == RoadmapItem.Phase.NOW and item.in_plan and item.is_open
    ]


@login_required
@require_GET
def team_dashboard(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    scope = Scope.of_user(request.user)

    def draw() -> tuple[list[Drawing], int]:
        frames = TeamFrames(scope=scope, team=team)
        drawings = [panel_drawing(p, frames[p.frame]) for p in TEAM_PANELS]
        return drawings, frames.levels["snapshot"].nunique()

    def key() -> str:
        # The org medians are over the teams the reader sees (1 query).
        teams = memo.teams_digest(scope.team_pks())
        return f"team:{team.pk}:{teams}"

    drawings, median_teams = memo.figures(request.user.organization_id, key, draw)
    roadmap = roadmaps.roadmap_of(team=team)
    signals = team_signals(team=team, now=timezone.now())
    context = {
        "team": team,
        "panels": [
            panel_view(p, drawing)
            for p, drawing in zip(TEAM_PANELS, drawings, strict=True)
        ],
        "median_teams": median_teams,
        "signals": [(signals[k], SIGNAL_LABELS.get(k, "")) for k in sorted(signals)],
        "roadmap": roadmap,
        "now_items": _now_items(roadmap),
    }
    return render(request, "dashboards/dashboard_team.html", context)
