"""Report pages: the reports the user may read with a request form, one report with
its progress, and the download. Rendering happens in workers, never here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.models import BusinessUnit, Team
from apps.core.exceptions import ApplicationError
from apps.core.views import show_refusal
from apps.registry.models import RegisteredModel
from apps.reports import selectors, services
from apps.reports.forms import FORMS, ReportRequestForm
from apps.reports.models import Report


def _forms(request: HttpRequest) -> dict[str, ReportRequestForm]:
    """A request form per kind the user may request; the one posted is bound."""
    posted = request.POST.get("kind") if request.method == "POST" else None
    return {
        kind: FORMS[kind](request.POST if kind == posted else None, scopes=scopes)
        for kind, scopes in selectors.requestable_scopes(user=request.user).items()
    }


def _scope(form: ReportRequestForm) -> dict:
    """The picked team, model or business unit (the form offered only the user's)."""
    model = {
        "team": Team,
        "model": RegisteredModel,
        "business_unit": BusinessUnit,
    }[form.scope_field]
    if form.scope_id is None:
        return {}
    return {form.scope_field: model.objects.get(pk=form.scope_id)}


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    forms = _forms(request)
    status = 200
    if request.method == "POST":
        form = forms.get(request.POST.get("kind", ""))
        if form is None:
            return HttpResponseBadRequest("Unknown or forbidden kind of report.")
        if form.is_valid():
            try:
                report = services.report_request(
                    kind=form.kind,
                    organization=request.user.organization,
                    requested_by=request.user,
                    period=form.cleaned_data["period"],
                    page_size=form.cleaned_data["page_size"],
                    **_scope(form),
                )
            except ApplicationError as exc:
                status = show_refusal(request, exc, form)
            else:
                return redirect("reports:report-detail", report.pk)
        else:
            status = 400
    context = {
        "forms": forms,
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
