"""A panel's data table as a file: CSV or XLSX. Text a user typed (a team's name, a
model's) could run as a formula in a spreadsheet, so text cells starting with
= + - @ are neutralised in both, the way apps.core.spreadsheet does for CSV."""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from apps.core.spreadsheet import csv_text, neutralised

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters Excel refuses in a sheet name, which is at most 31 characters long.
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _plain(value: Any) -> Any:
    """Missing values as empty cells, numpy scalars as Python ones."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def table_csv(table: pd.DataFrame) -> str:
    rows = ([_plain(value) for value in row] for row in table.itertuples(index=False))
    return csv_text([str(column) for column in table.columns], rows)


def _xlsx_cell(value: Any) -> Any:
    value = neutralised(_plain(value))
    # openpyxl refuses control characters in a cell; they carry nothing readable.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def table_xlsx(table: pd.DataFrame, *, sheet: str) -> bytes:
    cells = table.astype(object).map(_xlsx_cell)
    out = io.BytesIO()
    cells.to_excel(
        out,
        sheet_name=_SHEET_UNSAFE.sub(" ", sheet)[:31] or "Data",
        index=False,
        engine="openpyxl",
    )
    return out.getvalue()


def filename(key: str, extension: str) -> str:
    return f"tollgate-{key}.{extension}"


def render(
    table: pd.DataFrame, extension: str, *, sheet: str
) -> tuple[str | bytes, str]:
    """The file's content and content type; extension is "csv" or "xlsx"."""
    if extension == "xlsx":
        return table_xlsx(table, sheet=sheet), XLSX_TYPE
    return table_csv(table), CSV_TYPE
