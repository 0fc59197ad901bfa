"""The leadership report (being built)."""

from __future__ import annotations

from apps.core.exceptions import ApplicationError
from apps.reports.documents import Document, Progress
from apps.reports.models import Report


def build(report: Report, progress: Progress) -> Document:
    raise ApplicationError("This kind of report cannot be rendered yet.")
