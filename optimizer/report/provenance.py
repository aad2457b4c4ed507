"""The Provenance sheet of every workbook the tool writes (the allocation report and the
scenario comparison): what was run, on which input, with which versions, as item / value rows.
"""

from __future__ import annotations

import math
from importlib.metadata import PackageNotFoundError, version

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.xlsx import fit_to_width, put, put_text, set_widths, style_header

Item = tuple[str, object, str]  # (item, value, kind: a key of report.tables.FORMATS)


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def kind_of(value: object) -> str:
    """The format of a value given without one: whole numbers as ``int``, other numbers to
    two decimals, anything else as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "text"
    whole = isinstance(value, int) or (math.isfinite(value) and value.is_integer())
    return "int" if whole else "seconds"


def write_provenance(ws: Worksheet, items: list[Item]) -> None:
    """One row per item; numbers keep their format but sit left like the text beside them."""
    put_text(ws.cell(1, 1), "Item")
    put_text(ws.cell(1, 2), "Value")
    style_header(ws, 1, 2)
    widths = [12, 12]
    for r, (item, value, kind) in enumerate(items, start=2):
        put_text(ws.cell(r, 1), item)
        if kind != "text" and not isinstance(value, bool):
            put(ws.cell(r, 2), value, kind)
            ws.cell(r, 2).alignment = Alignment(horizontal="left")
        elif value is not None:
            put_text(ws.cell(r, 2), value)
        widths = [max(widths[0], len(item)), max(widths[1], len(str(value or "")))]
    ws.freeze_panes = "A2"
    set_widths(ws, widths, 1, caps=[45, 100])
    fit_to_width(ws, landscape=False)
