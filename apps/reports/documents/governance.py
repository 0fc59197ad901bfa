"""The model governance report: the registry's content for a model or the whole
organisation, and an audit appendix that lets a reader re-verify the trail offline.

At generation the organisation's chain is verified; the report embeds its events up
to the head that was verified (`audit-events.jsonl`, in the `audit_export` format),
the stand-alone script that re-verifies them, and, when a signing key is set, a
signed checkpoint of that head and the verification's result.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from apps.audit.checkpoints import SignedCheckpoint, checkpoint_for
from apps.audit.export import export_lines, offline_verifier_source
from apps.audit.integrity import Verification, chain_verify
from apps.audit.models import Chain
from apps.audit.selectors import audit_event_export, chain_of
from apps.core.exceptions import ApplicationError
from apps.reports.content import governance as content_of
from apps.reports.documents import Attachment, AuditCoverage, Document, Progress
from apps.reports.models import Report

EXPORT_NAME = "audit-events.jsonl"
VERIFIER_NAME = "verify_audit_export.py"
CHECKPOINT_NAME = "checkpoint.json"


@dataclass(frozen=True)
class AuditAppendix:
    organization: str  # its slug, as audit_export takes it
    verification: Verification  # its chain, head and finding
    embedded: bool  # the export is attached
    embed_max: int
    checkpoint: SignedCheckpoint | None


def build(report: Report, progress: Progress) -> Document:
    chain = chain_of(organization=report.organization)
    if chain is None:
        raise ApplicationError("The organisation has no audit trail yet.")
    content = content_of.governance_content(
        organization=report.organization,
        model=report.model,
        period=report.period,
        chain=chain,
    )
    progress(30)
    # Verified after the content is read: the head can only have moved on, so every
    # event the report lists is within the verified range.
    verification = chain_verify(chain=chain)
    progress(50)
    appendix = _appendix(report, verification)
    attachments = _attachments(chain, appendix)
    progress(60)
    checkpoint = appendix.checkpoint
    period = f", {report.period}" if report.period else ""
    return Document(
        template="reports/governance.html",
        title=f"Model governance: {content.scope_label}{period}",
        context={"content": content, "audit": appendix},
        attachments=attachments,
        audit=AuditCoverage(
            first_seq=1,
            head_seq=verification.head_seq,
            head_hash=verification.head_hash,
            verified=verification.ok,
            checkpoint_signature=checkpoint.signature if checkpoint else "",
            checkpoint_key_fingerprint=checkpoint.key_fingerprint if checkpoint else "",
        ),
    )


def _appendix(report: Report, verification: Verification) -> AuditAppendix:
    embed_max = settings.REPORTS_EMBED_EVENTS_MAX
    slug = report.organization.slug
    return AuditAppendix(
        organization=slug,
        verification=verification,
        embedded=verification.head_seq <= embed_max,
        embed_max=embed_max,
        checkpoint=checkpoint_for(
            verification=verification, organization=slug, generated_at=timezone.now()
        ),
    )


def _attachments(chain: Chain, appendix: AuditAppendix) -> tuple[Attachment, ...]:
    head = appendix.verification.head_seq
    files = []
    if appendix.embedded:
        lines = export_lines(audit_event_export(chain=chain), through_seq=head)
        files.append(
            Attachment(
                name=EXPORT_NAME,
                content="".join(lines).encode(),
                description=f"Audit chain {chain.key}, events 1-{head}.",
            )
        )
    files.append(
        Attachment(
            name=VERIFIER_NAME,
            content=offline_verifier_source(),
            description="Re-verifies the audit export offline (Python 3, stdlib only).",
        )
    )
    if appendix.checkpoint is not None:
        files.append(
            Attachment(
                name=CHECKPOINT_NAME,
                content=appendix.checkpoint.to_json().encode(),
                description=f"Signed checkpoint of {chain.key} at seq {head}.",
            )
        )
    return tuple(files)
