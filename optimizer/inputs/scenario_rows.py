"""Validation of the ``Scenarios`` sheet: every row names a scenario, a sheet, a row key, a
column and a change that could apply, checked with the rules of :mod:`optimizer.inputs.targets`
and located on the row's own cells."""

from __future__ import annotations

from typing import Any

from optimizer.inputs import targets
from optimizer.inputs.cells import (
    BAD,
    NUMERIC_KINDS,
    did_you_mean,
    is_blank,
    number_in,
    shown,
)
from optimizer.inputs.located import At, Report
from optimizer.inputs.rawbook import clean_text, month_key
from optimizer.inputs.rows import Ids
from optimizer.inputs.schema import SETTINGS_BY_NAME, Column, Sheet
from optimizer.inputs.sheets import Table


def check_scenarios(table: Table, tables: dict[str, Table], ids: Ids, report: Report) -> None:
    """Each row of the ``Scenarios`` sheet; ``tables`` and ``ids`` are the workbook's."""
    columns = {c.name: c for c in table.schema.columns}
    if set(targets.FIELDS) - set(table.cols):
        return
    for number, cells in table.rows():

        def cell(name: str, cells: list[Any] = cells) -> Any:
            return cells[table.cols[name]]

        values = {
            n: report.parse(columns[n], cell(n), table.at(number, n))
            for n in ("scenario", "sheet", "key", "action")
        }
        target: Sheet | None = None
        if values["sheet"] is not BAD:
            found = targets.changeable_sheet(values["sheet"])
            if isinstance(found, targets.Miss):
                _report(found, table, number, report)
            else:
                target = found
        column_at = table.at(number, "column")
        if is_blank(cell("column")):
            report.problem(column_at, "a value is required", hint=targets.ANY_COLUMN_HINT)
            continue
        if target is None or values["key"] is BAD:
            continue
        changed, misses = _target(target, values["key"], cell("column"), tables, ids)
        for miss in misses:
            _report(miss, table, number, report)
        if changed is None or values["action"] is BAD:
            continue
        _check_value(changed, values["action"], cell("value"), table.at(number, "value"), report)


def _target(
    target: Sheet, key: str, column_cell: Any, tables: dict[str, Table], ids: Ids
) -> tuple[Column | None, list[targets.Miss]]:
    """The schema column the row changes (None when it cannot be told) and every miss; a key
    that names no row is a miss, yet the column it would change is still returned."""
    column = clean_text(shown(column_cell))
    if target.name == "Settings":
        misses = targets.setting_misses(key, column)
        return (None if misses else SETTINGS_BY_NAME[key]), misses
    table = tables.get(target.name)
    rk = target.row_key
    own = (
        {clean_text(c[table.cols[rk]]) for _, c in table.rows()}
        if table is not None and rk in table.cols
        else set()
    )
    misses = []
    known = targets.row_ids(target, own, ids)
    if key != "*" and key not in known:
        misses.append(
            targets.Miss(
                "key",
                f"no row with {rk} '{key}' on sheet {target.name}",
                key,
                did_you_mean(key, known) or "use a row id of that sheet, or '*'",
            )
        )
    label = month_key(column_cell)
    changed = targets.column_target(target, column, label)
    months = (
        table.months
        if table is not None
        else tables["Prices"].months
        if targets.grows(target) and "Prices" in tables
        else {}
    )
    if not isinstance(changed, targets.Miss) and label is not None and label not in months:
        changed = targets.Miss(
            "column", f"sheet {target.name} has no column for month {label}", column
        )
    if isinstance(changed, targets.Miss):
        return None, [*misses, changed]
    return changed, misses


def _report(miss: targets.Miss, table: Table, number: int, report: Report) -> None:
    report.problem(table.at(number, miss.field), miss.rule, miss.value, miss.hint)


def _check_value(column: Column, action: str, value: Any, at: At, report: Report) -> None:
    """``scale``/``add`` need a number column and a number; ``set`` a valid value."""
    if action in ("scale", "add"):
        if column.kind not in NUMERIC_KINDS:
            report.problem(
                at,
                f"'{action}' needs a number column; '{column.name}' is {column.kind}",
                hint="use 'set' for this column",
            )
        elif number_in(value) is None:
            report.problem(
                at,
                f"'{action}' needs a number",
                value,
                "a factor for scale (1.1 = +10%), an amount for add",
            )
    elif not is_blank(value):
        report.parse(
            column,
            value,
            At(at.sheet, at.row, at.column, at.index, subject=f"set {column.name}"),
        )
