"""HTML to PDF with WeasyPrint, and the facts a reader checks the file by. Django-free:
it takes HTML and the files to embed, and gives bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import weasyprint

if TYPE_CHECKING:
    from apps.reports.documents import Attachment


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str
    page_count: int


def render_pdf(
    html: str, *, attachments: Sequence[Attachment] = (), base_url: str | None = None
) -> RenderedPdf:
    """Lay the document out once, then write it: the page count comes from the
    layout the file is written from."""
    document = weasyprint.HTML(string=html, base_url=base_url).render()
    content = document.write_pdf(
        attachments=[
            weasyprint.Attachment(
                string=item.content, name=item.name, description=item.description
            )
            for item in attachments
        ]
    )
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=len(document.pages),
    )
