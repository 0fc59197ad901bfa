"""Requesting and rendering reports. A request is a row and an audit event, and a task
queued after commit; rendering claims the row, writes the file and records the result,
each step in one transaction with one audit event. Never inside a web request."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import BusinessUnit, Organization, Team, User
from apps.audit.selectors import chain_of
from apps.audit.services import record_event
from apps.core import queue
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.registry.models import RegisteredModel
from apps.reports import policies
from apps.reports.documents import AuditCoverage, Document, builder_for
from apps.reports.models import Report
from apps.reports.rendering import RenderedPdf, render_pdf

logger = logging.getLogger(__name__)


def _audit(report: Report, actor: User | None, action: str, **data: Any) -> None:
    record_event(
        organization=report.organization,
        actor=actor,
        action=action,
        target=report,
        data={"kind": report.kind, **data},
    )


def _scope(
    *,
    kind: str,
    organization: Organization | None,
    team: Team | None,
    model: RegisteredModel | None,
    business_unit: BusinessUnit | None,
) -> tuple[Organization, Team | None]:
    """The organisation and team a report is about, or a refusal naming the field.
    A governance report on a model is about the model's team too."""
    if kind not in Report.Kind.values:
        raise ApplicationError(
            f"Unknown report kind {kind!r}.", fields={"kind": ["Unknown kind."]}
        )
    allowed = {
        Report.Kind.TEAM_ASSESSMENT: {"team"},
        Report.Kind.GOVERNANCE: {"model"},
        Report.Kind.LEADERSHIP: {"business_unit"},
    }[kind]
    given = {"team": team, "model": model, "business_unit": business_unit}
    for name, value in given.items():
        if value is not None and name not in allowed:
            raise ApplicationError(
                f"A {kind} report has no {name} scope.",
                fields={name: ["Not a scope of this kind of report."]},
            )
    if kind == Report.Kind.TEAM_ASSESSMENT and team is None:
        raise ApplicationError(
            "A team assessment report needs a team.", fields={"team": ["Required."]}
        )
    if model is not None:
        team = model.team
    scoped = [value for value in (team, model, business_unit) if value is not None]
    organization = organization or (scoped[0].organization if scoped else None)
    if organization is None:
        raise ApplicationError("A report needs an organisation.")
    if any(value.organization_id != organization.pk for value in scoped):
        raise ApplicationError("The scope is in another organisation.")
    return organization, team


@transaction.atomic
def report_request(
    *,
    kind: str,
    requested_by: User | None,
    organization: Organization | None = None,
    team: Team | None = None,
    model: RegisteredModel | None = None,
    business_unit: BusinessUnit | None = None,
    period: str = "",
    page_size: str = Report.PageSize.A4,
    enqueue: bool = True,
) -> Report:
    """A pending report; its rendering is queued once the request commits. Without
    `requested_by` (an operator's command) no permission applies."""
    organization, team = _scope(
        kind=kind,
        organization=organization,
        team=team,
        model=model,
        business_unit=business_unit,
    )
    if requested_by is not None and not policies.can_request(
        requested_by,
        kind=kind,
        organization_id=organization.pk,
        team_id=team.pk if team else None,
    ):
        raise PermissionDeniedError("You may not request this report.")
    report = Report.objects.create(
        organization=organization,
        kind=kind,
        team=team,
        model=model,
        business_unit=business_unit,
        period=period,
        page_size=page_size,
        requested_by=requested_by,
    )
    _audit(
        report,
        requested_by,
        "report.requested",
        team=team.pk if team else None,
        model=model.pk if model else None,
        business_unit=business_unit.pk if business_unit else None,
        period=period,
    )
    if enqueue:
        _send_on_commit(report.pk)
    return report


def _send_on_commit(report_id: int) -> None:
    """The render task, once committed. With the broker unreachable the report
    stays pending, and the sweep (reports_resend_stale) sends it later."""
    from apps.reports.tasks import render_report

    queue.send_on_commit(render_report, report_id, then="the sweep sends it later")


def _lease_seconds() -> int:
    # Past the task's hard time limit (60 s after the soft one), with slack: a live
    # worker has given up by then.
    return settings.REPORTS_RENDER_TIMEOUT + 90


def _claim(report_id: int) -> Report | None:
    """Pending → rendering, under the row's lock, with a lease; None when another
    worker holds a live lease or it is finished (a task delivered twice renders
    once). A rendering whose lease lapsed (its worker died) is claimed again."""
    now = timezone.now()
    claimable = Q(status=Report.Status.PENDING) | Q(
        status=Report.Status.RENDERING, lease_until__lt=now
    )
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related(
                "organization",
                "team__business_unit",
                "model__team",
                "business_unit",
                "requested_by",
            )
            .filter(claimable, pk=report_id)
            .first()
        )
        if report is None:
            return None
        again = report.status == Report.Status.RENDERING
        report.status, report.progress = Report.Status.RENDERING, 10
        report.lease_until = now + timedelta(seconds=_lease_seconds())
        report.save(update_fields=["status", "progress", "lease_until"])
        _audit(
            report, None, "report.rendering", **({"reclaimed": True} if again else {})
        )
    return report


def _compose(report: Report) -> tuple[str, Document]:
    """The report's document as HTML, read against the chain's head as it is now."""
    chain = chain_of(organization=report.organization)
    document = builder_for(report.kind)(report, partial(_progress, report))
    html = render_to_string(
        document.template,
        {
            **document.context,
            "report": report,
            "organization": report.organization,
            "title": document.title,
            "page_size": report.page_size,
            "generated_at": timezone.now(),
        },
    )
    if document.audit is None and chain is not None:
        coverage = AuditCoverage(1, chain.head_seq, bytes(chain.head_hash).hex())
        document = replace(document, audit=coverage)
    return html, document


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
        html, document = _compose(report)
        pdf = render_pdf(html, attachments=document.attachments)
    except ApplicationError as exc:
        return _fail(report, exc.message)
    except SoftTimeLimitExceeded:
        limit = settings.REPORTS_RENDER_TIMEOUT
        return _fail(report, f"The report took longer than {limit} s to render.")
    except (
        Exception
    ) as exc:  # any renderer failure ends as a failed report, not a crash
        logger.exception("report %s failed to render", report.pk)
        return _fail(report, f"The renderer failed: {type(exc).__name__}.")
    # The file is written before the transaction (no I/O while it holds its locks),
    # and removed if the transaction fails: no row without its file, no stray file.
    report.file.save(f"report-{report.pk}.pdf", ContentFile(pdf.content), save=False)
    try:
        _record_done(report, pdf, document)
    except BaseException:
        report.file.delete(save=False)
        raise
    return report


@transaction.atomic
def _record_done(report: Report, pdf: RenderedPdf, document: Document) -> None:
    report.sha256, report.page_count = pdf.sha256, pdf.page_count
    report.status, report.progress = Report.Status.DONE, 100
    report.generated_at, report.lease_until = timezone.now(), None
    if document.audit is not None:
        report.audit_first_seq = document.audit.first_seq
        report.audit_head_seq = document.audit.head_seq
        report.audit_head_hash = document.audit.head_hash
        report.audit_verified = document.audit.verified
    report.save()
    _audit(
        report,
        None,
        "report.rendered",
        sha256=pdf.sha256,
        pages=pdf.page_count,
        audit_head_seq=report.audit_head_seq,
        audit_verified=report.audit_verified,
        **_checkpoint_facts(document.audit),
    )


def _checkpoint_facts(audit: AuditCoverage | None) -> dict[str, str]:
    if audit is None or not audit.checkpoint_signature:
        return {}
    return {
        "checkpoint_signature": audit.checkpoint_signature,
        "checkpoint_key_fingerprint": audit.checkpoint_key_fingerprint,
    }


def _fail(report: Report, error: str) -> Report:
    with transaction.atomic():
        report.status, report.error, report.progress = Report.Status.FAILED, error, 100
        report.lease_until = None
        report.save(update_fields=["status", "error", "progress", "lease_until"])
        _audit(report, None, "report.failed", error=error)
    return report


# A pending report's message is taken within seconds; this long, it was lost.
QUEUED_TOO_LONG = timedelta(minutes=15)


def reports_resend_stale(*, now: datetime | None = None) -> int:
    """Send again the task of each report pending too long (its message was lost) or
    rendering with a lapsed lease (its worker died): the claim makes a second message
    harmless."""
    now = now or timezone.now()
    stale = Report.objects.filter(
        Q(status=Report.Status.PENDING, requested_at__lt=now - QUEUED_TOO_LONG)
        | Q(status=Report.Status.RENDERING, lease_until__lt=now)
    )
    ids = list(stale.values_list("pk", flat=True))
    for report_id in ids:
        _send_on_commit(report_id)
    return len(ids)


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
