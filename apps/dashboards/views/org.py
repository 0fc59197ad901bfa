"""The organisation's dashboard and its panels' downloads: what the user may read,
narrowed by the GET filters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.dashboards import downloads, memo
from apps.dashboards.panels import ORG_PANELS, panel_get
from apps.dashboards.selectors import Scope
from apps.dashboards.views.common import (
    Drawing,
    filter_form,
    panel_drawing,
    panel_view,
)
from apps.dashboards.views.frames import OrgFrames


@login_required
@require_GET
def org_dashboard(request: HttpRequest) -> HttpResponse:
    form = filter_form(request)
    if not form.is_valid():
        context = {"form": form, "panels": []}
        return render(request, "dashboards/dashboard_org.html", context, status=400)
    filters, query, sort = form.filters(), form.query(), form.sort_by()
    scope = Scope.of_user(request.user)

    def draw() -> list[Drawing]:
        frames = OrgFrames(scope=scope, filters=filters, now=timezone.now())
        return [panel_drawing(p, frames[p.frame], sort) for p in ORG_PANELS]

    def key() -> str:
        # The valid filters and sort, as a query string, and the teams they narrow.
        return f"org:{memo.teams_digest(form.team_ids)}:{query}"

    drawings = memo.figures(request.user.organization_id, key, draw)
    panels = [
        panel_view(p, drawing, filters=filters, query=query)
        for p, drawing in zip(ORG_PANELS, drawings, strict=True)
    ]
    context = {"form": form, "panels": panels, "query": query}
    return render(request, "dashboards/dashboard_org.html", context)


@login_required
@require_GET
def panel_download(request: HttpRequest, panel: str, extension: str) -> HttpResponse:
    """The panel's data table as CSV or XLSX, with the page's filters."""
    found = panel_get(panel)
    if found is None:
        raise Http404("No such panel.")
    form = filter_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            form.errors.as_text(), content_type="text/plain; charset=utf-8"
        )
    frames = OrgFrames(
        scope=Scope.of_user(request.user), filters=form.filters(), now=timezone.now()
    )
    table = found.table(frames[found.frame])
    content, content_type = downloads.render(table, extension, sheet=found.title)
    response = HttpResponse(content, content_type=content_type)
    filename = downloads.filename(found.key, extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
