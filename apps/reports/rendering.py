"""HTML to PDF with WeasyPrint, and the facts a reader checks the file by. Django-free
apart from nothing: it takes HTML and gives bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import weasyprint


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str
    page_count: int


def render_pdf(html: str, *, base_url: str | None = None) -> RenderedPdf:
    """Lay the document out once, then write it: the page count comes from the
    layout the file is written from."""
    document = weasyprint.HTML(string=html, base_url=base_url).render()
    content = document.write_pdf()
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=len(document.pages),
    )
