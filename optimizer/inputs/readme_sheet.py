"""The template's ``README`` sheet: generated from :mod:`optimizer.inputs.schema` (every sheet,
column and setting with its kind, unit, default and allowed values), the model's timing and
accounting conventions, and the public sources the case's notes cite."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.inputs import schema, schema_doc
from optimizer.inputs.default_citations import CITATIONS
from optimizer.inputs.rawbook import RawBook, clean_text, month_key
from optimizer.inputs.template_style import (
    HEADER_FILL,
    HEADER_FONT,
    WRAP_TOP,
    cell_text,
    fit_to_width,
    put,
)

_TITLE_FONT = Font(bold=True, size=16, color="1F4E78")
_SECTION_FONT = Font(bold=True, size=13, color="1F4E78")


class _Readme:
    """Appends rows to the README sheet: titles, paragraphs and small tables."""

    WIDTHS = (26, 30, 16, 16, 22, 34, 70)

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 1
        for j, width in enumerate(self.WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(j)].width = width

    def title(self, text: str, font: Font = _SECTION_FONT) -> None:
        if self.row > 1:
            self.row += 1
        put(self.ws, self.row, 1, text).font = font
        self.ws.row_dimensions[self.row].height = 22
        self.row += 1

    def paragraph(self, text: str, bold_lead: str = "") -> None:
        """A line of text across the sheet, merged and wrapped; optional bold lead cell."""
        first = 1
        if bold_lead:
            lead = put(self.ws, self.row, 1, bold_lead)
            lead.font, lead.alignment = Font(bold=True), WRAP_TOP
            first = 2
        cell = put(self.ws, self.row, first, text)
        cell.alignment = WRAP_TOP
        last = len(self.WIDTHS)
        self.ws.merge_cells(
            start_row=self.row, start_column=first, end_row=self.row, end_column=last
        )
        self._fit(self.row, [(text, sum(self.WIDTHS[first - 1 :]))])
        self.row += 1

    def table(self, headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
        """A table; with fewer columns than the sheet, the last one spans to the right."""
        headers = list(headers)
        last = len(self.WIDTHS)
        widths = [*self.WIDTHS[: len(headers) - 1], sum(self.WIDTHS[len(headers) - 1 :])]
        for values, is_header in [(headers, True), *((list(r), False) for r in rows)]:
            for j, v in enumerate(values, start=1):
                cell = put(self.ws, self.row, j, v)
                if is_header:
                    cell.fill, cell.font = HEADER_FILL, HEADER_FONT
                else:
                    cell.alignment = WRAP_TOP
            if len(headers) < last:
                self.ws.merge_cells(
                    start_row=self.row, start_column=len(headers), end_row=self.row, end_column=last
                )
            if not is_header:
                self._fit(self.row, [(str(v), w) for v, w in zip(values, widths, strict=False)])
            self.row += 1

    def _fit(self, row: int, texts: list[tuple[str, float]]) -> None:
        """Row height for wrapped text (Excel does not auto-fit merged or generated rows)."""
        lines = max((math.ceil(len(t) / max(w * 1.1, 1)) or 1 for t, w in texts), default=1)
        self.ws.row_dimensions[row].height = max(15, 15 * lines)


def _setting_values(raw: RawBook) -> dict[str, Any]:
    sheet = raw.sheets.get("Settings")
    if sheet is None:
        return {}
    headers = [clean_text(h) for h in sheet.headers]
    if "setting" not in headers or "value" not in headers:
        return {}
    s, v = headers.index("setting"), headers.index("value")
    return {clean_text(r[s]): r[v] for r in sheet.rows if max(s, v) < len(r)}


def _cited(raw: RawBook) -> list[tuple[str, str]]:
    """The public sources named in the workbook's note cells."""
    notes = " ".join(
        clean_text(value)
        for sheet in raw.sheets.values()
        for j, header in enumerate(sheet.headers)
        if clean_text(header) == "note"
        for row in sheet.rows
        if j < len(row)
        for value in [row[j]]
    )
    return [(name, what) for name, what in CITATIONS if name in notes]


@dataclass(frozen=True)
class Review:
    """An input cell to review (``sheet``, Excel ``row`` and 1-based ``column``): a value
    the tool assumed (``roll`` carries the last month into new months), with why."""

    sheet: str
    row: int
    column: int
    text: str


REVIEW_FILL = PatternFill("solid", fgColor="F8CBAD")
"""Highlight of a cell to review (orange), on its sheet."""


def write_readme(ws: Worksheet, raw: RawBook, review: Sequence[Review] = ()) -> None:
    doc = _Readme(ws)
    settings = _setting_values(raw)
    case = clean_text(settings.get("case_name")) or "case"
    doc.title("Alaskan antimony ore allocation — input workbook", _TITLE_FONT)
    doc.paragraph(
        f"Case '{case}': {clean_text(settings.get('horizon_months'))} months from "
        f"{clean_text(month_key(settings.get('start_month')) or settings.get('start_month'))}."
        " Written by 'ore-optimizer template'. Edit the shaded cells (ids in blue, values in "
        "yellow); keep sheet names and row-1 headers as they are. Hover over a header for its "
        "unit and meaning; dropdowns offer the allowed values."
    )
    doc.paragraph(
        "Check the workbook with 'ore-optimizer validate FILE.xlsx' (every problem "
        "with sheet, row, column and the rule), solve it with 'ore-optimizer solve "
        "FILE.xlsx', compare its what-ifs with 'ore-optimizer scenarios FILE.xlsx'."
    )
    doc.paragraph(
        "Monthly sheets are wide: one row per entity, one column per month. Type "
        "month headers as text YYYY-MM (a real date also works). Every month of the "
        "horizon needs a column; columns outside the horizon are ignored."
    )

    if review:
        doc.title(f"Assumptions to review ({len(review)} cells, highlighted orange)")
        doc.paragraph(
            "'ore-optimizer roll' filled these cells of the new months by carrying the last "
            "month's value forward. Check each against current knowledge before solving."
        )
        doc.table(
            ("sheet", "cell", "assumption"),
            ((r.sheet, f"{get_column_letter(r.column)}{r.row}", r.text) for r in review),
        )

    doc.title("Sheets")
    doc.table(
        ("sheet", "required", "what it holds"),
        (
            (s.name, "yes" if s.required else "no (absent: none / defaults)", s.description)
            for s in schema.SHEETS
        ),
    )

    doc.title("Columns")
    doc.table(
        ("sheet", "column", "kind", "unit", "blank cell means", "allowed values", "description"),
        schema_doc.column_rows(),
    )

    doc.title("Settings (sheet Settings: one row per setting)")
    doc.table(
        (
            "setting",
            "value in this workbook",
            "kind",
            "unit",
            "default",
            "allowed values",
            "description",
        ),
        (
            (
                c.name,
                cell_text(settings.get(c.name)),
                c.kind,
                c.unit,
                schema_doc.blank_text(c),
                c.rule(),
                c.description,
            )
            for c in schema.SETTINGS
        ),
    )

    doc.title("Kinds of values")
    doc.table(("kind", "meaning"), schema_doc.kinds())

    doc.title("Timing and accounting conventions")
    for topic, text in schema_doc.CONVENTIONS:
        doc.paragraph(text, bold_lead=topic)

    cited = _cited(raw)
    if cited:
        doc.title("Sources of the numbers")
        doc.paragraph(
            "Every number of this case is either cited in a note cell by one of the "
            "names below or labelled 'Assumption:'. The case is illustrative, built "
            "from public reporting; it is not USAC guidance."
        )
        doc.table(("cited as", "what it supports"), cited)
    ws.freeze_panes = "A2"
    ws.sheet_view.showGridLines = False
    ws.page_setup.orientation = "landscape"
    fit_to_width(ws)
