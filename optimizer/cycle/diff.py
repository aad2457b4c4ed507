"""Which input cells differ between two workbooks of the same case family.

Rows are matched by their id (the id column, the key columns, or the columns that locate a
row of a sheet whose rows add up — with a running count for repeats), columns by header
(a month header by its month), so inserted rows or reordered columns do not show as changes.
Values are compared as a planner reads them: text trimmed, a date as its month, numbers by
value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from optimizer.cycle.groups import field_group
from optimizer.inputs import schema
from optimizer.inputs.rawbook import RawBook, RawSheet, clean_text, column_letter, month_key
from optimizer.inputs.template import README

SHEET_GROUP = {
    "Settings": "settings",
    "Supply": "supply",
    "OpeningStock": "supply",
    "InTransit": "supply",
    "Actuals": "supply",
    "SmelterAvailability": "smelter capacity",
    "RouteAvailability": "routes",
    "Prices": "prices",
    "Expansions": "projects and grants",
    "Grants": "projects and grants",
    "Contracts": "contracts",
}
_ENTITY_SHEETS = {"Sources": "sources", "Smelters": "smelters", "Routes": "routes"}
NO_GROUP = "not in the plan"
"""The group of cells that change no plan (Scenarios rows, unknown sheets and columns)."""


@dataclass(frozen=True)
class CellDiff:
    """One input cell that differs: where (the new workbook's cell, else the old one's),
    its row id and column, the old and new value (None: blank or absent), and its group."""

    sheet: str
    cell: str
    row_id: str
    column: str
    old: Any
    new: Any
    group: str


def group_of(sheet: str, column: str) -> str:
    """The group (:data:`optimizer.cycle.groups.GROUPS`) an input cell belongs to."""
    if sheet in _ENTITY_SHEETS:
        spec = schema.SHEETS_BY_NAME[sheet]
        if column in spec.column_names:
            return field_group(_ENTITY_SHEETS[sheet], column)
    return SHEET_GROUP.get(sheet, NO_GROUP)


def changed_cells(old: RawBook, new: RawBook) -> list[CellDiff]:
    """Every input cell whose value differs, sheet by sheet in the new workbook's order."""
    names = [n for n in new.sheets if n != README]
    names += [n for n in old.sheets if n not in new.sheets and n != README]
    out: list[CellDiff] = []
    for name in names:
        a, b = _cells(old.sheets.get(name)), _cells(new.sheets.get(name))
        for key in list(b) + [k for k in a if k not in b]:
            before, after = a.get(key, (None, None))[0], b.get(key, (None, None))[0]
            if before == after:
                continue
            row_id, column = key
            where = (b.get(key) or a.get(key))[1]
            group = group_of(name, column)
            out.append(CellDiff(name, where, row_id, column, before, after, group))
    return out


def _cells(sheet: RawSheet | None) -> dict[tuple[str, str], tuple[Any, str]]:
    """(row id, column) -> (comparable value, Excel cell) of every non-blank cell."""
    if sheet is None:
        return {}
    headers = [month_key(h) or clean_text(h) for h in sheet.headers]
    spec = schema.SHEETS_BY_NAME.get(sheet.name)
    keys = []
    if spec is not None:
        keys = [spec.id_column] if spec.id_column else list(spec.key_columns or spec.locate_by)
    index = [headers.index(k) for k in keys if k in headers]
    seen: dict[str, int] = defaultdict(int)
    out = {}
    for row, number in zip(sheet.rows, sheet.row_numbers, strict=True):
        parts = (_value(row[j]) if j < len(row) else None for j in index)
        ident = "|".join("" if v is None else str(v) for v in parts) or str(number)
        seen[ident] += 1
        if seen[ident] > 1:
            ident += f" #{seen[ident]}"
        for j, header in enumerate(headers):
            value = _value(row[j]) if j < len(row) else None
            if value not in (None, ""):
                out[(ident, header)] = (value, f"{column_letter(j)}{number}")
    return out


def _value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return float(value)
    return (
        month_key(value) if month_key(value) and not isinstance(value, str) else clean_text(value)
    )
