"""CSV for people who open it in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return) is read as a formula by
Excel, LibreOffice and Google Sheets: text a user typed (an item's reason, a team's
name) could then run as one. Such cells get a leading apostrophe, as OWASP's CSV
injection advice says; the apostrophe shows, the formula does not run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text with a header, every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()
