"""Cell writing and styles shared by the template's input sheets and its README sheet."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.inputs.rawbook import clean_text

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write one cell; text stays text (a leading '=' or '#N/A' never becomes a formula or
    an error value)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def fit_to_width(ws: Worksheet) -> None:
    """Print the sheet one page wide, as many pages tall as it needs."""
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def cell_text(value: Any) -> str:
    """A value as text the width of a column is sized for (numbers with thousands separators)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:,g}"
    return clean_text(value)
