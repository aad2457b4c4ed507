"""What a ``Scenarios`` row may change: the rules both scenario application
(:mod:`optimizer.inputs.scenario`) and validation (:mod:`optimizer.inputs.scenario_rows`) use.

A row names an input sheet (not ``Scenarios``), a ``key`` and a ``column``. On ``Settings``
the key is a setting and the column ``value`` (or ``*``). Elsewhere the key is a row id of the
sheet, or ``*`` for every row; an optional monthly sheet (availability) may also gain a row for
any id of the sheet its rows refer to, and is created with the months of ``Prices`` when
absent. The column is a schema column other than the row's id, a month ``YYYY-MM``, or ``*``
for every month of a monthly sheet.

Each rule returns a :class:`Miss` rather than raising, so each caller locates it on its own
cells. Whether the named row or month is present is checked by each caller on its own view of
the workbook (validation's resolved tables, application's raw cells), using :func:`row_ids`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.inputs.cells import did_you_mean
from optimizer.inputs.schema import SETTINGS_BY_NAME, SHEETS_BY_NAME, Column, Sheet

SCENARIOS = "Scenarios"
FIELDS = ("scenario", "sheet", "key", "column", "action", "value")  # a Scenarios row
ACTIONS = SHEETS_BY_NAME[SCENARIOS].column("action").choices  # set, scale, add
ANY_COLUMN_HINT = "a column name, a month (YYYY-MM) or '*' for every month"


@dataclass(frozen=True)
class Miss:
    """Why a scenario row cannot change what it names: the ``Scenarios`` column at fault
    (``sheet``, ``key`` or ``column``), the rule, the value found there and a hint."""

    field: str
    rule: str
    value: Any = None
    hint: str = ""


def changeable_sheet(name: str) -> Sheet | Miss:
    """The schema of the input sheet ``name``; a Miss for ``Scenarios`` or an unknown name."""
    target = SHEETS_BY_NAME.get(name)
    if target is None or target.name == SCENARIOS:
        return Miss(
            "sheet",
            "not a sheet a scenario can change",
            name,
            did_you_mean(name, SHEETS_BY_NAME)
            or "name an input sheet (e.g. Settings, Supply, Prices)",
        )
    return target


def grows(sheet: Sheet) -> bool:
    """True for an optional monthly sheet: a scenario may add its rows, or the sheet itself."""
    return sheet.monthly and not sheet.required


def owner_sheets(sheet: Sheet) -> tuple[str, ...]:
    """The sheets whose ids a scenario may add as new rows of ``sheet`` (none for most)."""
    if not grows(sheet) or sheet.row_key is None:
        return ()
    return sheet.column(sheet.row_key).refs


def setting_misses(key: str, column: str) -> list[Miss]:
    """On ``Settings``: the key must be a setting and the column ``value`` or ``*``."""
    misses = []
    if key not in SETTINGS_BY_NAME:
        misses.append(
            Miss(
                "key",
                "not a setting",
                key,
                did_you_mean(key, SETTINGS_BY_NAME)
                or "settings are: " + ", ".join(SETTINGS_BY_NAME),
            )
        )
    if column not in ("value", "*"):
        misses.append(Miss("column", "on Settings the column must be 'value' (or '*')", column))
    return misses


def row_ids(sheet: Sheet, own: Iterable[str], ids_of: Mapping[str, Iterable[str]]) -> set[str]:
    """The keys a scenario may name on ``sheet``: its own row ids, plus its owners' ids when
    it may gain rows (``ids_of`` maps a sheet name to its ids)."""
    found = set(own)
    for name in owner_sheets(sheet):
        found.update(ids_of.get(name, ()))
    return found


def column_target(sheet: Sheet, column: str, label: str | None) -> Column | Miss:
    """The schema column a scenario changes: ``column`` as typed, ``label`` its month
    (``YYYY-MM``) when it names one."""
    if column == "*" or label is not None:
        if not sheet.monthly:
            return Miss(
                "column",
                f"sheet {sheet.name} has no month columns",
                column,
                did_you_mean(column, sheet.column_names),
            )
        assert sheet.month_values is not None
        return sheet.month_values
    if column not in sheet.column_names:
        return Miss(
            "column",
            f"no column '{column}' on sheet {sheet.name}",
            column,
            did_you_mean(column, sheet.column_names) or ANY_COLUMN_HINT,
        )
    if column == sheet.row_key:
        return Miss("column", "a scenario cannot change a row's id", column)
    return sheet.column(column)
