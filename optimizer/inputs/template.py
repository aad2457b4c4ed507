"""Write a case as an editable, self-documenting input workbook (``ore-optimizer template``).

The workbook opens with a ``README`` sheet (:mod:`optimizer.inputs.readme_sheet`). Each input
sheet follows with header comments (unit and meaning), dropdowns for yes/no, choice and id
columns, range checks on numbers, a frozen header row and number formats.

Month headers and month cells are written as *text* ``YYYY-MM``, so re-saving in Excel or
LibreOffice keeps them meaning the same month; every text cell is written as text, never as
a formula. The file is written with :func:`optimizer.files.save_atomic`, so an interrupted
run never leaves half a workbook and a failed write keeps the old file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.errors import UsageError
from optimizer.files import save_atomic
from optimizer.inputs import schema, schema_doc
from optimizer.inputs.rawbook import RawBook, RawSheet, clean_text, month_key
from optimizer.inputs.readme_sheet import REVIEW_FILL, Review, write_readme
from optimizer.inputs.template_style import (
    HEADER_FILL,
    HEADER_FONT,
    WRAP_TOP,
    cell_text,
    fit_to_width,
    put,
)

README = "README"
#: Rows below the data that still get dropdowns and checks, so added rows are helped too.
SPARE_ROWS = 200
_AUTHOR = "ore-optimizer"

_ID_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_TOP = Alignment(vertical="top")
_CENTER_TOP = Alignment(horizontal="center", vertical="top")
_TEXT_FORMAT = "@"
_NOTE_WIDTH = 75


def write_template(raw: RawBook, path: Path, review: Sequence[Review] = ()) -> Path:
    """Write ``raw`` to ``path`` as a documented, editable ``.xlsx`` workbook; return the path
    written. ``review``: cells to highlight and list on the README sheet as assumptions to
    review (``roll`` carries values into new months).

    An existing file at ``path`` is replaced atomically; a folder is refused. When ``path`` is
    open in a spreadsheet program the workbook goes to a timestamped sibling instead.
    """
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give the template a file name ending in .xlsx")
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = README
    write_readme(readme, raw, review)
    for sheet in raw.sheets.values():
        ws = wb.create_sheet(sheet.name)
        _write_input_sheet(wb, raw, ws, sheet)
        for r in review:
            if r.sheet == sheet.name:
                ws.cell(r.row, r.column).fill = REVIEW_FILL
    return save_atomic(wb.save, path)


# --- cells ------------------------------------------------------------------------------


def _number_format(col: schema.Column | None) -> str | None:
    if col is None:
        return None
    if col.kind == "month":
        return _TEXT_FORMAT
    if col.kind == "percent":
        return "0.0##"
    if col.kind == "integer":
        return "0"
    if col.kind == "number":
        return "#,##0.00" if "holding" in col.name else "#,##0"
    return None


def _header_comment(col: schema.Column, month: str | None) -> Comment:
    lines = [
        f"One column per month, header text YYYY-MM (a date also works). {col.description}"
        if month
        else col.description
    ]
    if col.unit:
        lines.append(f"Unit: {col.unit}")
    lines.append(f"Allowed: {col.rule()}")
    lines.append(f"Blank: {schema_doc.blank_text(col)}")
    if col.optional_column:
        lines.append("This column may be left out.")
    text = "\n".join(lines)
    return Comment(text, _AUTHOR, width=320, height=max(90, 16 * (len(text) // 40 + 2)))


# --- input sheets -------------------------------------------------------------------------


def _column_specs(
    sheet: RawSheet, spec: schema.Sheet | None
) -> list[tuple[schema.Column | None, str | None]]:
    """For each header: its schema column (None if unknown) and its month label (if any)."""
    out: list[tuple[schema.Column | None, str | None]] = []
    for header in sheet.headers:
        name = clean_text(header)
        month = month_key(header)
        if spec is None:
            out.append((None, None))
        elif name in spec.column_names:
            out.append((spec.column(name), None))
        elif spec.monthly and month is not None:
            out.append((spec.month_values, month))
        else:
            out.append((None, None))
    return out


def _write_input_sheet(wb: Workbook, raw: RawBook, ws: Worksheet, sheet: RawSheet) -> None:
    """One input sheet: styled headers with comments, the cells as typed (a date, which can
    only mean a month in this schema, as text ``YYYY-MM``), checks, widths, frozen panes."""
    spec = schema.SHEETS_BY_NAME.get(sheet.name)
    specs = _column_specs(sheet, spec)
    n_fixed = len(spec.columns) if spec is not None and spec.monthly else 1
    last_row = len(sheet.rows) + 1 + SPARE_ROWS
    first_month = next((m for _c, m in specs if m is not None), None)
    for j, (header, (col, month)) in enumerate(zip(sheet.headers, specs, strict=True), 1):
        cell = put(ws, 1, j, month if month else header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.number_format = _TEXT_FORMAT
        if col is not None and (month is None or month == first_month):
            cell.comment = _header_comment(col, month)
    for i, values in enumerate(sheet.rows, start=2):
        for j, value in enumerate(values, start=1):
            cell = put(ws, i, j, month_key(value) if _is_date(value) else value)
            col = specs[j - 1][0] if j <= len(specs) else None
            cell.fill = (
                _ID_FILL
                if j <= n_fixed and col is not None and col.kind in ("id", "ref")
                else _INPUT_FILL
            )
            cell.alignment = _alignment(col)
            fmt = _number_format(col)
            if fmt:
                cell.number_format = fmt
    for j, (col, _month) in enumerate(specs, start=1):
        if col is not None and col.kind == "month":
            for i in range(2, last_row + 1):
                ws.cell(row=i, column=j).number_format = _TEXT_FORMAT
    _add_validations(wb, raw, ws, sheet, specs, last_row)
    _set_widths(ws, sheet, specs)
    ws.freeze_panes = ws.cell(row=2, column=n_fixed + 1)
    ws.row_dimensions[1].height = 20
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    if spec is not None and spec.monthly:
        ws.print_title_cols = f"A:{get_column_letter(n_fixed)}"
    else:
        fit_to_width(ws)


def _alignment(col: schema.Column | None) -> Alignment:
    """Notes wrap; month text is centred so it stands apart from right-aligned numbers."""
    if col is not None and col.name == "note":
        return WRAP_TOP
    if col is not None and col.kind in ("month", "yesno", "choice"):
        return _CENTER_TOP
    return _TOP


def _is_date(value: Any) -> bool:
    return not isinstance(value, str) and month_key(value) is not None


def _set_widths(
    ws: Worksheet, sheet: RawSheet, specs: list[tuple[schema.Column | None, str | None]]
) -> None:
    """Columns wide enough for their header and values; notes wrap in a wide column, with
    row heights set for them (spreadsheets do not re-fit rows of a generated file)."""
    for j, (col, month) in enumerate(specs, start=1):
        letter = get_column_letter(j)
        if col is not None and col.name == "note":
            ws.column_dimensions[letter].width = _NOTE_WIDTH
            for i, row in enumerate(sheet.rows, start=2):
                text = clean_text(row[j - 1]) if j <= len(row) else ""
                lines = math.ceil(len(text) / (1.2 * _NOTE_WIDTH))
                ws.row_dimensions[i].height = 15 * max(1, lines)
            continue
        if month is not None:
            ws.column_dimensions[letter].width = 10
            continue
        longest = max((len(cell_text(r[j - 1])) for r in sheet.rows if j <= len(r)), default=0)
        header = len(clean_text(sheet.headers[j - 1]))
        ws.column_dimensions[letter].width = min(max(longest + 3, header + 3, 9), 40)


def _add_validations(
    wb: Workbook,
    raw: RawBook,
    ws: Worksheet,
    sheet: RawSheet,
    specs: list[tuple[schema.Column | None, str | None]],
    last_row: int,
) -> None:
    """Dropdowns and range checks; one DataValidation per distinct rule on this sheet."""
    rules: dict[tuple[Any, ...], DataValidation] = {}

    def add(key: tuple[Any, ...], make: Callable[[], DataValidation], cells: str) -> None:
        if key not in rules:
            rules[key] = make()
            ws.add_data_validation(rules[key])
        rules[key].add(cells)

    for j, (col, _month) in enumerate(specs, start=1):
        if col is None:
            continue
        letter = get_column_letter(j)
        cells = f"{letter}2:{letter}{last_row}"
        rule = _validation_for(wb, raw, sheet, col)
        if rule is not None:
            add(rule[0], rule[1], cells)
    if sheet.name == "Settings":
        _setting_value_lists(ws, sheet, add)


_Rule = tuple[tuple[Any, ...], Callable[[], DataValidation]]
_AddRule = Callable[[tuple[Any, ...], Callable[[], DataValidation], str], None]


#: Ref columns that also accept a word that is no id: their dropdown is a suggestion only.
_SPECIAL_IDS = {
    ("Contracts", "smelter"): schema.ANY_SMELTER,
    ("Prices", "smelter"): schema.BENCHMARK,
}


def _validation_for(
    wb: Workbook, raw: RawBook, sheet: RawSheet, col: schema.Column
) -> _Rule | None:
    """(key, factory) of the data validation for ``col``'s cells, or None."""
    message = col.rule()
    if col.kind == "yesno":
        return ("list", "yes,no"), lambda: _list('"yes,no"', col.name, message)
    if col.kind == "choice":
        values = ",".join(col.choices)
        return ("list", values), lambda: _list(f'"{values}"', col.name, message)
    if sheet.name == "Settings" and col.name == "setting":
        names = ",".join(schema.SETTINGS_BY_NAME)
        return ("list", names), lambda: _list(
            f'"{names}"', "setting", "a setting name (see README)"
        )
    if sheet.name == "Scenarios" and col.name == "sheet":
        names = ",".join(s.name for s in schema.SHEETS if s.name != "Scenarios")
        return ("list", names), lambda: _list(f'"{names}"', "sheet", "an input sheet name")
    if col.kind == "ref" and len(col.refs) == 1:
        name = _id_range_name(wb, raw, col.refs[0])
        if name is None:
            return None
        special = _SPECIAL_IDS.get((sheet.name, col.name))
        extra = f" (or '{special}')" if special else ""
        return (
            ("list", name, extra),
            lambda: _list(name, col.name, message + extra, strict=not extra),
        )
    if col.kind in ("ref", "idlist"):
        return ("prompt", col.name), lambda: _prompt(col.name, message)
    if col.kind == "percent" or (col.kind in ("number", "integer") and col.minimum is not None):
        return (col.kind, col.minimum, col.maximum), lambda: _range_check(col, message)
    return None


def _setting_value_lists(ws: Worksheet, sheet: RawSheet, add: _AddRule) -> None:
    """On Settings, a dropdown in the value cell of each choice setting."""
    headers = [clean_text(h) for h in sheet.headers]
    if "setting" not in headers or "value" not in headers:
        return
    s, v = headers.index("setting"), headers.index("value")
    for values, row in zip(sheet.rows, sheet.row_numbers, strict=True):
        setting = schema.SETTINGS_BY_NAME.get(clean_text(values[s]) if s < len(values) else "")
        if setting is None:
            continue
        ref = f"{get_column_letter(v + 1)}{row}"
        if setting.kind == "choice":
            choices = ",".join(setting.choices)
            add(
                ("list", choices),
                lambda c=choices, st=setting: _list(f'"{c}"', st.name, st.rule()),
                ref,
            )
        fmt = _number_format(setting)
        if fmt:
            ws[ref].number_format = fmt


def _list(formula: str, title: str, message: str, strict: bool = True) -> DataValidation:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.errorStyle = "stop" if strict else "warning"
    dv.errorTitle, dv.error = f"Invalid {title}"[:32], f"Expected {message}."[:255]
    dv.promptTitle, dv.prompt = title[:32], message[:255]
    dv.showErrorMessage = dv.showInputMessage = True
    return dv


def _prompt(title: str, message: str) -> DataValidation:
    dv = DataValidation(allow_blank=True)
    dv.promptTitle, dv.prompt = title[:32], message[:255]
    dv.showInputMessage = True
    return dv


def _range_check(col: schema.Column, message: str) -> DataValidation:
    low = 0.0 if col.kind == "percent" and col.minimum is None else col.minimum
    high = 100.0 if col.kind == "percent" and col.maximum is None else col.maximum
    kind = "whole" if col.kind == "integer" else "decimal"
    if high is None:
        dv = DataValidation(
            type=kind, operator="greaterThanOrEqual", formula1=f"{low:g}", allow_blank=True
        )
    else:
        dv = DataValidation(
            type=kind,
            operator="between",
            formula1=f"{low:g}",
            formula2=f"{high:g}",
            allow_blank=True,
        )
    dv.errorStyle = "stop"
    dv.errorTitle, dv.error = "Out of range", f"Expected {message}."[:255]
    dv.showErrorMessage = True
    return dv


def _id_range_name(wb: Workbook, raw: RawBook, sheet_name: str) -> str | None:
    """A workbook name for the ids typed on ``sheet_name``; it grows with the rows typed
    (OFFSET/COUNTA), so a dropdown offers new ids and no trailing blanks."""
    spec = schema.SHEETS_BY_NAME[sheet_name]
    target = raw.sheets.get(sheet_name)
    headers = [clean_text(h) for h in target.headers] if target is not None else []
    if spec.id_column not in headers:
        return None
    name = f"ids_{sheet_name}"
    if name not in wb.defined_names:
        col = "$" + get_column_letter(headers.index(spec.id_column) + 1)
        ref = (
            f"OFFSET('{sheet_name}'!{col}$2,0,0,MAX(1,COUNTA('{sheet_name}'!{col}$2:{col}$5000)),1)"
        )
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    return name
