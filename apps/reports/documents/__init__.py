"""What each kind of report says: a builder per kind reads its content and draws its
charts, and gives back the template to render and the files to attach. The services
do the rest (claiming, rendering, storing, auditing), the same for every kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.reports.models import Report

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (an auditor extracts it with `pdfdetach -saveall`)."""

    name: str
    content: bytes
    description: str


@dataclass(frozen=True)
class AuditCoverage:
    """The stretch of the audit chain a report was read against."""

    first_seq: int
    head_seq: int
    head_hash: str
    verified: bool | None = None  # None: the chain was not verified for this report
    # A signed checkpoint of the head, when one was made (governance reports with a
    # signing key): recorded in the rendering's audit event, so the chain anchors it.
    checkpoint_signature: str = ""
    checkpoint_key_fingerprint: str = ""


@dataclass(frozen=True)
class Document:
    template: str
    title: str
    context: dict[str, Any]
    attachments: tuple[Attachment, ...] = ()
    # None: the service records the chain's head as it was when rendering began.
    audit: AuditCoverage | None = None


Builder = Callable[[Report, Progress], Document]


def builder_for(kind: str) -> Builder:
    from apps.reports.documents import governance, leadership, team_assessment

    return {
        Report.Kind.TEAM_ASSESSMENT: team_assessment.build,
        Report.Kind.GOVERNANCE: governance.build,
        Report.Kind.LEADERSHIP: leadership.build,
    }[kind]
