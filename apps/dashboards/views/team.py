"""One team's dashboard: its profile against the organisation, its history, the
evidence its repositories show now and what its roadmap says to do first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.accounts.models import Team
from apps.dashboards import selectors
from apps.dashboards.panels import TEAM_PANELS
from apps.dashboards.selectors import Filters, Scope
from apps.dashboards.views.common import panel_view
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
    frames = TeamFrames(scope=Scope.of_user(request.user), team=team)
    roadmap = roadmaps.roadmap_of(team=team)
    signals = team_signals(team=team, now=timezone.now())
    context = {
        "team": team,
        "panels": [panel_view(p, frames[p.frame]) for p in TEAM_PANELS],
        "median_teams": frames.levels["snapshot"].nunique(),
        "signals": [(signals[k], SIGNAL_LABELS.get(k, "")) for k in sorted(signals)],
        "roadmap": roadmap,
        "now_items": _now_items(roadmap),
    }
    return render(request, "dashboards/dashboard_team.html", context)
