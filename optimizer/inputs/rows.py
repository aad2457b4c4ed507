"""Row checks: every data row of a sheet parsed cell by cell against its schema columns, with
references to other sheets' ids and duplicate ids reported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer.inputs.cells import BAD, did_you_mean, is_blank
from optimizer.inputs.located import At, Report
from optimizer.inputs.rawbook import ErrorValue, UncachedFormula, clean_text
from optimizer.inputs.schema import ANY_SMELTER, BENCHMARK, Column, Sheet
from optimizer.inputs.sheets import Table

Ids = dict[str, dict[str, int]]  # sheet -> id -> first Excel row


@dataclass
class Row:
    """One parsed row: values by column name (``BAD`` where invalid), monthly values by
    month label, and where each came from."""

    number: int
    values: dict[str, Any]
    months: dict[str, Any]
    at: dict[str, At]


def collect_ids(tables: dict[str, Table]) -> Ids:
    """Ids of every id column, read before the rows so references can be checked."""
    found: Ids = {}
    for name, table in tables.items():
        id_col = table.schema.id_column
        if not id_col or table.schema.column(id_col).kind != "id" or id_col not in table.cols:
            continue
        ids: dict[str, int] = {}
        for number, cells in table.rows():
            cell = cells[table.cols[id_col]]
            if not is_blank(cell) and not isinstance(cell, (ErrorValue, UncachedFormula)):
                ids.setdefault(clean_text(cell), number)
        found[name] = ids
    return found


def read_rows(table: Table, horizon: frozenset[str], ids: Ids, report: Report) -> list[Row]:
    """The sheet's non-empty rows, parsed; month columns outside ``horizon`` are not read."""
    schema = table.schema
    data_columns = [c for c in schema.columns if c.name != "note"]
    rows: list[Row] = []
    keys: dict[tuple[Any, ...], int] = {}
    key_names = (schema.id_column,) if schema.id_column else schema.key_columns
    for number, cells in table.rows():
        present = [cells[table.cols[c.name]] for c in data_columns if c.name in table.cols]
        present += [cells[j] for m, j in table.months.items() if m in horizon]
        if all(is_blank(v) for v in present):
            report.warn(
                At(table.name, number),
                "row has no data (only a note or unknown columns); ignored",
            )
            continue
        row = Row(number, {}, {}, {})
        for column in schema.columns:
            if column.name not in table.cols:
                row.values[column.name] = column.default if column.optional_column else BAD
                continue
            at = table.at(number, column.name)
            row.at[column.name] = at
            row.values[column.name] = report.parse(column, cells[table.cols[column.name]], at)
            if column.kind == "ref" and row.values[column.name] not in (BAD, None):
                row.values[column.name] = _check_ref(
                    schema, column, row.values[column.name], at, ids, report
                )
        for label, j in table.months.items():
            if label in horizon:
                at = At(table.name, number, label, j)
                row.at[label] = at
                row.months[label] = report.parse(schema.month_values, cells[j], at)
        key = tuple(row.values.get(k) for k in key_names)
        if key_names and BAD not in key:
            if key in keys:
                at = row.at[key_names[0]]
                what = "id" if len(key) == 1 else "row for " + "/".join(map(str, key))
                report.problem(
                    at,
                    f"duplicate {what} (also row {keys[key]})",
                    key[0],
                    "ids must be unique in their sheet",
                )
            else:
                keys[key] = number
        rows.append(row)
    return rows


def _check_ref(schema: Sheet, column: Column, value: str, at: At, ids: Ids, report: Report) -> str:
    """``value`` (``any`` and ``benchmark`` normalised), after reporting it if it names no
    known row."""
    if schema.name == "Contracts" and column.name == "smelter" and value.lower() == ANY_SMELTER:
        return ANY_SMELTER
    if schema.name == "Prices" and column.name == "smelter" and value.lower() == BENCHMARK:
        return BENCHMARK
    known: dict[str, int] = {}
    for sheet in column.refs:
        known.update(ids.get(sheet, {}))
    if value in known:
        return value
    where = " or ".join(column.refs)
    hint = did_you_mean(value, known) or (
        f"known ids: {', '.join(known)}" if 0 < len(known) <= 12 else ""
    )
    report.problem(
        at,
        f"unknown id: not on sheet {where}",
        value,
        hint + " (ids are matched exactly, case included)" if hint else f"add it to {where} first",
    )
    return value
