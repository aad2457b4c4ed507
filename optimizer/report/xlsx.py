"""openpyxl primitives for the report: safe cells, formatted tables, the monthly pivot sheet.

Safety rules applied to every cell written here:
- text is always stored as text: a value such as ``=HYPERLINK(...)`` taken from the input is
  written as a string cell (and quote-prefixed so Excel keeps it text on edit), never as a
  formula; characters XML cannot hold are dropped;
- NaN and infinities become blank cells (openpyxl would otherwise write ``nan``, which makes
  Excel offer to repair the file);
- months are real dates shown as ``yyyy-mm``.
"""

from __future__ import annotations

import contextlib
import math
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.case import month_date
from optimizer.report.monthly import PivotBlock
from optimizer.report.sheet_body import Body, Workbook
from optimizer.report.tables import FORMATS, Table

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
SECTION_FONT = Font(bold=True, color="1F3864")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
NOTE_FONT = Font(italic=True, color="595959")
THIN_BOTTOM = Border(bottom=Side(style="thin", color="8EA9DB"))
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
CENTER = Alignment(horizontal="center")
TEXT_TRIGGERS = ("=", "+", "-", "@")

MIN_WIDTH = 8
PAGE_WIDTH_CHARS = 170  # per printed landscape page: wider tables span pages, not shrink


def clean_text(value: object) -> str:
    """``value`` as a string XML can store. File names and arguments a non-UTF-8 locale
    hands over carry their bytes as lone surrogates: decoded back as UTF-8 (invalid bytes
    become U+FFFD)."""
    text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def number(value: object) -> float | int | None:
    """A finite Python number, or None for blanks, NaN and infinities."""
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)  # numpy scalars, Decimal, ...
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    return int(value) if isinstance(value, int) else x


def missing(value: object) -> bool:
    """True for a blank: None, empty text, NaN, pandas' NA/NaT."""
    if value is None or value is pd.NA or value is pd.NaT or value == "":
        return True
    return isinstance(value, float) and math.isnan(value)


def content(value: object, kind: str) -> tuple[object, str] | None:
    """What a cell of ``kind`` (see ``FORMATS``) holds for ``value``: the stored value and its
    style (``text``, ``quoted`` — text a spreadsheet would read as a formula —, or ``kind``),
    or None for a blank. Text stays text."""
    if missing(value):
        return None
    if kind == "month":
        return (month_date(value) if isinstance(value, str) else value), kind
    if kind in ("text", "yesno"):
        text = clean_text(("yes" if bool(value) else "no") if kind == "yesno" else value)
        return text, "quoted" if text.startswith(TEXT_TRIGGERS) else "text"
    x = number(value)
    return None if x is None else (x, kind)


def put(cell: Cell, value: object, kind: str) -> None:
    """Write ``value`` into ``cell`` as ``kind`` (see ``FORMATS``) — text stays text."""
    found = content(value, kind)
    if found is None:
        return
    stored, style = found
    if style in ("text", "quoted"):
        put_text(cell, stored)
        return
    cell.value = stored
    cell.number_format = FORMATS[kind]
    if kind == "month":
        cell.alignment = CENTER


def put_text(cell: Cell, value: object) -> None:
    """Store ``value`` as a text cell, whatever it looks like."""
    text = clean_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(TEXT_TRIGGERS):
        cell.quotePrefix = True


def display_width(value: object, kind: str) -> int:
    """Characters a value needs on screen in its number format."""
    if value is None:
        return 0
    if kind == "month":
        return 7
    if kind in ("text", "yesno"):
        return len(clean_text(value))
    x = number(value)
    if x is None:
        return 0
    decimals = {"t": 1, "usd_per_unit": 2, "pct": 1, "factor": 4, "number": 3}.get(kind, 0)
    digits = len(f"{abs(x):,.{decimals}f}")
    return digits + (1 if x < 0 else 0)


def column_width(values: pd.Series, kind: str) -> int:
    """The widest :func:`display_width` of a column, without visiting every cell: a number's
    width grows with its size (and a minus sign), so the largest and the smallest decide;
    text is measured once per distinct value."""
    if values.empty:
        return 0
    if kind not in ("text", "yesno", "month"):
        numbers = pd.to_numeric(values, errors="coerce")
        numbers = numbers[np.isfinite(numbers)]
        return (
            max((display_width(x, kind) for x in (numbers.max(), numbers.min())), default=0)
            if len(numbers)
            else 0
        )
    return max(display_width(v, kind) for v in values.drop_duplicates())


def style_header(ws: Worksheet, row: int, ncols: int) -> None:
    for col in range(1, ncols + 1):
        cell = ws.cell(row, col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGN


def set_widths(
    ws: Worksheet,
    widths: list[int],
    header_row: int | None,
    headers: list[str] | None = None,
    caps: list[int] | None = None,
) -> None:
    """Column widths from content (capped); the header row tall enough for its headers."""
    lines = 1
    for i, w in enumerate(widths, start=1):
        cap = caps[i - 1] if caps else 40
        width = max(MIN_WIDTH, min(cap, w + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
        if headers:
            words = clean_text(headers[i - 1])
            lines = max(lines, math.ceil(len(words) / max(1, width - 1)))
    if header_row is not None:
        ws.row_dimensions[header_row].height = 15 * min(lines, 4) + 3


def write_table(ws: Worksheet, table: Table) -> None:
    """A long-format table: header row 1, frozen, filtered, formatted, readable widths."""
    ncols = len(table.columns)
    for j, col in enumerate(table.columns, start=1):
        put_text(ws.cell(1, j), col.header)
    style_header(ws, 1, ncols)
    nrows = len(table.frame)
    if nrows:
        add_table_body(ws, table)
    widths = [
        max(min(len(c.header), 14), column_width(table.frame[c.key], c.kind)) for c in table.columns
    ]
    last = get_column_letter(ncols)
    if nrows == 0 and table.note:
        note = ws.cell(2, 1)
        put_text(note, table.note)
        note.font = NOTE_FONT
    if table.omitted:  # beside the header, one column apart: frozen in view, outside filters
        note = ws.cell(1, ncols + 2)
        put_text(note, table.omitted)
        note.font = NOTE_FONT
    ws.auto_filter.ref = f"A1:{last}{nrows + 1}"
    ws.print_area = f"A1:{last}{max(nrows + 1, 2)}"  # a note beside the header stays unprinted
    ws.freeze_panes = f"{get_column_letter(table.freeze_cols + 1)}2"
    set_widths(ws, widths, 1, table.headers, [c.max_width for c in table.columns])
    ws.print_title_rows = "1:1"
    total = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, ncols + 1))
    pages = math.ceil(total / PAGE_WIDTH_CHARS)
    fit_to_width(ws, landscape=total > PAGE_WIDTH_CHARS / 2, pages=pages)
    if pages > 1 and table.freeze_cols:
        ws.print_title_cols = f"A:{get_column_letter(table.freeze_cols)}"


def add_table_body(ws: Worksheet, table: Table) -> None:
    """``table``'s rows as the body of ``ws`` (rows 2 …): the cells :func:`put` would write,
    streamed into the file when its :class:`~optimizer.report.sheet_body.Workbook` is saved."""
    if not isinstance(ws.parent, Workbook):
        raise TypeError("report tables need an optimizer.report.sheet_body.Workbook")
    frame, kinds = table.frame, [c.kind for c in table.columns]
    styles = {"text": _style_id(ws, "x", "text"), "quoted": _style_id(ws, "=x", "text")}
    styles |= {k: _style_id(ws, SAMPLES.get(k, 1), k) for k in kinds if k not in styles}
    letters = [get_column_letter(j) for j in range(1, len(kinds) + 1)]

    def chunks(rows_per_chunk: int = 2000):
        tails = [_cell_tails(frame.iloc[:, j], k, styles) for j, k in enumerate(kinds)]
        rows = []
        for i, row in enumerate(zip(*tails, strict=True), start=2):
            cells = "".join(f'<c r="{c}{i}"{t}' for c, t in zip(letters, row, strict=True) if t)
            rows.append(f'<row r="{i}">{cells}</row>')
            if len(rows) == rows_per_chunk:
                yield "".join(rows).encode()
                rows = []
        yield "".join(rows).encode()

    ws.parent.add_body(ws, Body(2, len(frame) + 1, len(kinds), chunks))


SAMPLES = {"month": "2000-01", "text": "x", "yesno": True}


def _style_id(ws: Worksheet, value: object, kind: str) -> int:
    """The workbook's style index of a cell holding ``value`` as ``kind``."""
    cell = Cell(ws)
    put(cell, value, kind)
    return cell.style_id


def _cell_tails(values: pd.Series, kind: str, styles: dict[str, int]) -> list[str]:
    """Each value's ``<c>`` element after its reference (``""``: a blank), as :func:`put`
    stores it and openpyxl writes it (numbers to 16 significant digits)."""
    if values.dtype.kind == "f" and kind not in SAMPLES:  # the bulk: numbers of one format
        head = f' s="{styles[kind]}"><v>'
        return [f"{head}{x:.16g}</v></c>" if math.isfinite(x) else "" for x in values.tolist()]
    known: dict[tuple, str] = {}
    tails = []
    for value in values.to_numpy(dtype=object).tolist():
        key = (value.__class__, value)  # True == 1, but one is blank as a number
        try:
            tails.append(known[key])
            continue
        except (KeyError, TypeError):
            pass
        tail = _cell_tail(value, kind, styles)
        with contextlib.suppress(TypeError):  # unhashable: not remembered
            known[key] = tail
        tails.append(tail)
    return tails


def _cell_tail(value: object, kind: str, styles: dict[str, int]) -> str:
    found = content(value, kind)
    if found is None:
        return ""
    stored, style = found
    if style in ("text", "quoted"):
        text = str(stored)
        space = ' xml:space="preserve"' if text.strip() and text != text.strip() else ""
        return f' s="{styles[style]}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
    if kind == "month":
        stored = to_excel(stored)
    return f' s="{styles[style]}"><v>{stored:.16g}</v></c>'


def fit_to_width(ws: Worksheet, landscape: bool, pages: int = 1) -> None:
    """Print setup: the sheet ``pages`` pages wide, as long as needed."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = pages
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_monthly(
    ws: Worksheet, blocks: list[PivotBlock], months: tuple[str, ...]
) -> dict[tuple[str, str], int]:
    """Id × month blocks under one shared month header; returns (block, id) → Excel row."""
    ncols = 2 + len(months) + 1
    put_text(ws.cell(1, 1), "Line")
    put_text(ws.cell(1, 2), "Unit")
    for j, m in enumerate(months, start=3):
        put(ws.cell(1, j), m, "month")
    put_text(ws.cell(1, ncols), "Total")
    style_header(ws, 1, ncols)
    rows: dict[tuple[str, str], int] = {}
    widths = [len("Line"), len("Unit")] + [7] * len(months) + [9]
    r = 2
    for block in blocks:
        title = ws.cell(r, 1)
        put_text(title, block.title)
        for j in range(1, ncols + 1):
            ws.cell(r, j).fill = SECTION_FILL
        title.font = SECTION_FONT
        r += 1
        for name, values in block.rows:
            put_text(ws.cell(r, 1), name)
            put_text(ws.cell(r, 2), block.unit)
            for j, v in enumerate(values, start=3):
                put(ws.cell(r, j), v, block.kind)
                widths[j - 1] = max(widths[j - 1], display_width(number(v), block.kind))
            if block.additive:
                put(ws.cell(r, ncols), sum(values), block.kind)
                widths[-1] = max(widths[-1], display_width(sum(values), block.kind))
            widths[0] = max(widths[0], len(clean_text(name)) + 2)
            widths[1] = max(widths[1], len(block.unit))
            rows[(block.title, name)] = r
            r += 1
    ws.freeze_panes = "C2"
    set_widths(ws, widths, 1, caps=[40] * len(widths))
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:B"
    total = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, ncols + 1))
    fit_to_width(ws, landscape=True, pages=math.ceil(total / PAGE_WIDTH_CHARS))
    return rows
