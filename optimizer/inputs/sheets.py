"""Sheet-level checks: sheet names, row-1 headers and month columns, against the schema.

:func:`read_tables` resolves each present schema sheet's header row into a :class:`Table`
(column name → index, month label → index) that the row, settings and scenario checks read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.errors import Problem
from optimizer.inputs.cells import close_match, did_you_mean, is_blank, month_ranges, shown
from optimizer.inputs.located import At, Report
from optimizer.inputs.rawbook import RawBook, RawSheet, clean_text, column_letter, month_key
from optimizer.inputs.schema import SHEETS, SHEETS_BY_NAME, Sheet

DOC_SHEETS = frozenset({"readme"})  # documentation sheets the template writes: not input


@dataclass
class Table:
    """A present schema sheet with its header row resolved."""

    schema: Sheet
    raw: RawSheet
    cols: dict[str, int] = field(default_factory=dict)  # column name -> index
    months: dict[str, int] = field(default_factory=dict)  # month label -> index

    @property
    def name(self) -> str:
        return self.schema.name

    def rows(self) -> Iterable[tuple[int, list[Any]]]:
        """(Excel row number, cells padded to the header width) of each non-blank row."""
        width = len(self.raw.headers)
        for number, cells in zip(self.raw.row_numbers, self.raw.rows, strict=True):
            cells = list(cells) + [None] * (width - len(cells))
            if not all(is_blank(c) for c in cells):
                yield number, cells

    def at(self, number: int, name: str) -> At:
        index = self.cols.get(name)
        return At(self.name, number, name, index)


def check_sheet_names(raw: RawBook, report: Report) -> None:
    """Misspelt and unknown sheet names, and required sheets that are missing."""
    names = list(raw.sheets)
    exact = {n for n in names if n in SHEETS_BY_NAME}
    near: set[str] = set()
    for name in names:
        if name in SHEETS_BY_NAME or clean_text(name).lower() in DOC_SHEETS:
            continue
        at = At(name)
        target = close_match(name, (s.name for s in SHEETS if s.name not in exact))
        if target:
            near.add(target)
            report.problem(
                at,
                "misspelt sheet name",
                name,
                f"rename it to '{target}' (sheet names must match exactly)",
            )
            continue
        other = close_match(name, SHEETS_BY_NAME)
        report.warn(
            at,
            "unknown sheet, ignored",
            name,
            f"it looks like '{other}', which is also present"
            if other
            else "input sheets are: " + ", ".join(SHEETS_BY_NAME),
        )
    for schema in SHEETS:
        if schema.required and schema.name not in exact and schema.name not in near:
            report.problem(
                At(schema.name),
                "required sheet is missing",
                hint=f"add a sheet named '{schema.name}' ({schema.description})",
            )


def read_tables(raw: RawBook, report: Report) -> dict[str, Table]:
    """Each present schema sheet, in schema order, with its headers checked and resolved."""
    return {
        schema.name: _read_headers(schema, raw.sheets[schema.name], report)
        for schema in SHEETS
        if schema.name in raw.sheets
    }


def _read_headers(schema: Sheet, raw: RawSheet, report: Report) -> Table:
    table = Table(schema, raw)
    unknown: dict[str, int] = {}
    first: dict[str, int] = {}
    for j, header in enumerate(raw.headers):
        text = "" if is_blank(header) else clean_text(shown(header))
        at = At(schema.name, 1, text or None, j)
        if not text:
            if any(j < len(r) and not is_blank(r[j]) for r in raw.rows):
                report.warn(
                    at,
                    "column has values but no header in row 1; ignored",
                    hint="type the column's name in row 1",
                )
            continue
        label = month_key(header) if schema.monthly else None
        if label is not None and text not in schema.column_names:
            if label in table.months:
                other = column_letter(table.months[label])
                report.problem(
                    at,
                    f"duplicate month column {label} (also column {other})",
                    header,
                    "keep one column per month",
                )
            else:
                table.months[label] = j
            continue
        if text in first:
            if text in schema.column_names:
                report.problem(
                    at,
                    f"duplicate column (also column {column_letter(first[text])})",
                    hint="keep one column with this header",
                )
            continue
        first[text] = j
        if text in schema.column_names:
            table.cols[text] = j
        else:
            unknown[text] = j
    _report_missing_columns(table, unknown, report)
    return table


def _report_missing_columns(table: Table, unknown: dict[str, int], report: Report) -> None:
    """Required columns not in row 1 (pointing at a near-miss header when there is one), then
    the unknown headers left over."""
    schema = table.schema
    taken: set[str] = set()
    row1_blank = all(is_blank(h) for h in table.raw.headers)
    for column in schema.columns:
        if column.name in table.cols or column.optional_column:
            continue
        match = close_match(column.name, (u for u in unknown if u not in taken), 0.7)
        if match:
            taken.add(match)
            at = At(schema.name, 1, match, unknown[match])
            hint = f"rename column '{match}' to '{column.name}'"
        else:
            at = At(schema.name, 1, column.name)
            hint = (
                "row 1 is blank: headers must be in row 1"
                if row1_blank
                else f"add a column headed '{column.name}' in row 1 ({column.description})"
            )
        report.problem(at, f"missing required column '{column.name}'", hint=hint)
    for text, j in unknown.items():
        if text in taken:
            continue
        hint = did_you_mean(text, schema.column_names)
        if not hint and schema.monthly:
            hint = "month headers are text YYYY-MM or a date"
        report.warn(At(schema.name, 1, text, j), "unknown column, ignored", hint=hint)


def check_month_columns(table: Table, months: tuple[str, ...], report: Report) -> None:
    """Every month of the horizon needs a column on a monthly sheet."""
    missing = [m for m in months if m not in table.months]
    if missing:
        report.problem(
            At(table.name, 1),
            f"missing month columns: {month_ranges(missing)}",
            hint=f"every month of the horizon ({months[0]} to {months[-1]}) needs a "
            "column headed YYYY-MM or with a date",
        )


def name_rows(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """Each problem on a data row with the row's id beside its cell (``source Mohawk``), so
    a planner finds the row without counting: the sheet's id column, or its first key
    column (Supply: ``source``)."""
    ids: dict[tuple[str, int], str] = {}
    for table in tables.values():
        key = table.schema.row_key
        if key is None or key not in table.cols or table.name == "Settings":
            continue
        for number, cells in table.rows():
            value = cells[table.cols[key]]
            if not is_blank(value):
                ids[(table.name, number)] = f"{key} {clean_text(shown(value))}"
    return [
        replace(p, row_id=ids[(p.sheet, p.row)])
        if p.row is not None and (p.sheet, p.row) in ids and not p.row_id
        else p
        for p in problems
    ]
