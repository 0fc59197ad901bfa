"""Report pages: the reports the user may read with a request form, one report with
its progress, and the download. Rendering happens in workers, never here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.models import Team
from apps.accounts.selectors import team_list
from apps.core.exceptions import ApplicationError
from apps.core.views import show_refusal
from apps.reports import selectors, services
from apps.reports.forms import ReportRequestForm
from apps.reports.models import Report
from apps.reports.policies import can_report_on


def _teams(request: HttpRequest) -> list[Team]:
    teams = team_list(fetched_by=request.user).select_related("business_unit")
    return [team for team in teams if can_report_on(request.user, team)]


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    teams = {team.pk: team for team in _teams(request)}
    choices = [(pk, f"{t.name} ({t.business_unit.name})") for pk, t in teams.items()]
    form = ReportRequestForm(request.POST or None, teams=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.report_request(
                    kind=Report.Kind.TEAM_ASSESSMENT,
                    team=teams[form.cleaned_data["team"]],
                    requested_by=request.user,
                    period=form.cleaned_data["period"],
                    page_size=form.cleaned_data["page_size"],
                )
            except ApplicationError as exc:
                status = show_refusal(request, exc, form)
            else:
                return redirect("reports:report-detail", report.pk)
        else:
            status = 400
    context = {
        "form": form,
        "reports": selectors.report_list(fetched_by=request.user)[:100],
    }
    return render(request, "reports/report_list.html", context, status=status)


def _report_or_404(request: HttpRequest, report_id: int) -> Report:
    report = selectors.report_get(fetched_by=request.user, report_id=report_id)
    if report is None:
        raise Http404("No such report.")
    return report


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    return render(request, "reports/report_detail.html", {"report": report})


@login_required
@require_GET
def report_status(request: HttpRequest, report_id: int) -> JsonResponse:
    """What the page's progress bar polls."""
    report = _report_or_404(request, report_id)
    return JsonResponse(
        {
            "status": report.status,
            "progress": report.progress,
            "error": report.error,
            "done": report.status == Report.Status.DONE,
        }
    )


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    try:
        content = services.report_download(report=report, downloaded_by=request.user)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="tollgate-report-{report.pk}.pdf"'
    )
    return response
