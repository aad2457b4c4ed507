"""The ``Settings`` sheet: one row per setting, read into typed values and the horizon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer.case import CellRef, month_label, month_offset
from optimizer.inputs.cells import BAD, close_match, is_blank
from optimizer.inputs.located import At, Report
from optimizer.inputs.rawbook import clean_text
from optimizer.inputs.schema import SETTINGS, SETTINGS_BY_NAME
from optimizer.inputs.sheets import Table

Locations = dict[tuple[str, str, str], CellRef]


@dataclass(frozen=True)
class Horizon:
    """The planned months: ``horizon_months`` labels ``YYYY-MM`` from ``start_month``."""

    start: str
    months: tuple[str, ...]

    @classmethod
    def of(cls, settings: dict[str, Any]) -> Horizon | None:
        """The horizon the settings give, or None when start or length is invalid."""
        start, length = settings.get("start_month"), settings.get("horizon_months")
        if isinstance(start, str) and isinstance(length, int):
            return cls(start, tuple(month_label(start, t) for t in range(length)))
        return None

    def label(self, offset: int) -> str:
        return month_label(self.start, offset)

    def offset(self, label: Any, blank: int | None) -> int | None:
        """The 0-based month of a parsed month cell: ``blank`` when empty, None when bad."""
        if label is BAD:
            return None
        return blank if label is None else month_offset(self.start, label)


def read_settings(table: Table | None, report: Report) -> tuple[dict[str, Any], Locations]:
    """Each setting's typed value (``BAD`` when invalid or missing, its default when absent)
    and the cell it came from; empty when the sheet or its two columns are missing."""
    settings: dict[str, Any] = {}
    locations: Locations = {}
    if table is None or "setting" not in table.cols or "value" not in table.cols:
        return settings, locations
    seen: dict[str, int] = {}
    near: set[str] = set()
    for number, cells in table.rows():
        at_name = table.at(number, "setting")
        name_cell = cells[table.cols["setting"]]
        if is_blank(name_cell):
            if is_blank(cells[table.cols["value"]]):
                report.warn(At("Settings", number), "row has no setting (only a note); ignored")
            else:
                report.problem(
                    at_name,
                    "setting name is missing",
                    hint="one setting per row: its name in 'setting', then 'value'",
                )
            continue
        name = clean_text(name_cell)
        if name not in SETTINGS_BY_NAME:
            match = close_match(name, SETTINGS_BY_NAME, 0.6)
            near.update([match] if match else [])
            report.problem(
                at_name,
                "unknown setting",
                name,
                f"did you mean '{match}'?"
                if match
                else "settings are: " + ", ".join(SETTINGS_BY_NAME),
            )
            continue
        if name in seen:
            report.problem(
                at_name,
                f"duplicate setting (also row {seen[name]})",
                name,
                "keep one row per setting",
            )
            continue
        seen[name] = number
        column = SETTINGS_BY_NAME[name]
        at = At("Settings", number, "value", table.cols["value"], subject=name)
        settings[name] = report.parse(column, cells[table.cols["value"]], at)
        locations[("Settings", name, "value")] = at.ref()
        locations[("Settings", name, "")] = CellRef("Settings", number)
    for column in SETTINGS:
        if column.name in seen:
            continue
        if column.required_value:
            if column.name not in near:
                report.problem(
                    At("Settings"),
                    f"required setting '{column.name}' is missing",
                    hint=f"add a row: setting {column.name}, value {column.rule()}",
                )
            settings[column.name] = BAD
        else:
            settings[column.name] = column.default
    return settings, locations
