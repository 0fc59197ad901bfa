"""Requesting and rendering reports. A request is a row and an audit event, and a task
queued after commit; rendering claims the row, writes the file and records the result,
each step in one transaction with one audit event. Never inside a web request."""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.audit.services import record_event
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.dashboards.charts import team_history
from apps.reports import policies, selectors
from apps.reports.charts import svg_data_uri
from apps.reports.models import Report
from apps.reports.rendering import render_pdf

logger = logging.getLogger(__name__)


def _audit(report: Report, actor: User | None, action: str, **data: Any) -> None:
    record_event(
        organization=report.organization,
        actor=actor,
        action=action,
        target=report,
        data={"kind": report.kind, **data},
    )


@transaction.atomic
def report_request(
    *,
    kind: str,
    team: Team,
    requested_by: User | None,
    period: str = "",
    page_size: str = Report.PageSize.A4,
    enqueue: bool = True,
) -> Report:
    """A pending report; its rendering is queued once the request commits. Without
    `requested_by` (an operator's command) no permission applies."""
    if requested_by is not None and not policies.can_report_on(requested_by, team):
        raise PermissionDeniedError("You may not request reports on this team.")
    if kind not in Report.Kind.values:
        raise ApplicationError(
            f"Unknown report kind {kind!r}.", fields={"kind": ["Unknown kind."]}
        )
    report = Report.objects.create(
        organization=team.organization,
        kind=kind,
        team=team,
        period=period,
        page_size=page_size,
        requested_by=requested_by,
    )
    _audit(report, requested_by, "report.requested", team=team.pk, period=period)
    if enqueue:
        from apps.reports.tasks import render_report

        transaction.on_commit(lambda: render_report.delay(report.pk))
    return report


def _claim(report_id: int) -> Report | None:
    """Pending → rendering, under the row's lock; None when another worker has it or
    it is finished (a task delivered twice renders once)."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("organization", "team__business_unit", "requested_by")
            .filter(pk=report_id, status=Report.Status.PENDING)
            .first()
        )
        if report is None:
            return None
        report.status, report.progress = Report.Status.RENDERING, 10
        report.save(update_fields=["status", "progress"])
        _audit(report, None, "report.rendering")
    return report


def _html(report: Report) -> str:
    content = selectors.team_assessment_content(team=report.team, period=report.period)
    _progress(report, 30)
    history = svg_data_uri(team_history(content.history))
    _progress(report, 60)
    return render_to_string(
        "reports/team_assessment.html",
        {
            "report": report,
            "content": content,
            "history_chart": history,
            "organization": report.organization,
            "title": f"Team assessment: {report.team.name}",
            "page_size": report.page_size,
            "generated_at": timezone.now(),
        },
    )


def _progress(report: Report, percent: int) -> None:
    """Bookkeeping for the page's progress bar, not a state change: no audit event."""
    Report.objects.filter(pk=report.pk).update(progress=percent)


def report_render(*, report_id: int) -> Report | None:
    """Render a claimed report to its file; a failure is recorded on the report with a
    readable error, and no file is kept. None when there was nothing to claim."""
    report = _claim(report_id)
    if report is None:
        return None
    try:
        pdf = render_pdf(_html(report))
    except ApplicationError as exc:
        return _fail(report, exc.message)
    except (
        Exception
    ) as exc:  # any renderer failure ends as a failed report, not a crash
        logger.exception("report %s failed to render", report.pk)
        return _fail(report, f"The renderer failed: {type(exc).__name__}.")
    with transaction.atomic():
        report.file.save(
            f"report-{report.pk}.pdf", ContentFile(pdf.content), save=False
        )
        report.sha256, report.page_count = pdf.sha256, pdf.page_count
        report.status, report.progress = Report.Status.DONE, 100
        report.generated_at = timezone.now()
        report.save()
        _audit(report, None, "report.rendered", sha256=pdf.sha256, pages=pdf.page_count)
    return report


def _fail(report: Report, error: str) -> Report:
    with transaction.atomic():
        report.status, report.error, report.progress = Report.Status.FAILED, error, 100
        report.save(update_fields=["status", "error", "progress"])
        _audit(report, None, "report.failed", error=error)
    return report


def report_download(*, report: Report, downloaded_by: User) -> bytes:
    """The finished report's bytes; each download is an audit event. The file is
    read before the event's transaction, which then holds its locks only to write."""
    if not policies.can_read(downloaded_by, report):
        raise PermissionDeniedError("You may not read this report.")
    if report.status != Report.Status.DONE:
        raise ApplicationError("The report is not ready.", code="not_ready")
    with report.file.open("rb") as pdf:
        content = pdf.read()
    with transaction.atomic():
        _audit(report, downloaded_by, "report.downloaded", sha256=report.sha256)
    return content
