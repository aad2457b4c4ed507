"""Validate a :class:`~optimizer.inputs.rawbook.RawBook` against the schema and build the Case.

Driven by :mod:`optimizer.inputs.schema` (no column is declared here). Every problem is collected
— nothing stops at the first — as a located :class:`~optimizer.errors.Problem` (sheet,
Excel row, column header, cell, value, rule, hint). A :class:`~optimizer.case.Case` is built
only when no error was found.

The steps, each in its own module, run in this order and hand what they found to the next:

=====================  ==========================================================
sheet names, headers   :mod:`optimizer.inputs.sheets` → the resolved tables
settings, horizon      :mod:`optimizer.inputs.settings_sheet` → values, months
month columns          :mod:`optimizer.inputs.sheets`
ids, then rows         :mod:`optimizer.inputs.rows` (cells: :mod:`optimizer.inputs.cells`)
cross-sheet rules      :mod:`optimizer.inputs.cross_sheet`
plausibility warnings  :mod:`optimizer.inputs.plausibility`
Scenarios rows         :mod:`optimizer.inputs.scenario_rows`
the Case               :mod:`optimizer.inputs.case_build`
=====================  ==========================================================
"""

from __future__ import annotations

from optimizer.case import Case
from optimizer.errors import Problem
from optimizer.inputs.case_build import build_case, row_id
from optimizer.inputs.cells import close_match, parse_yesno
from optimizer.inputs.cross_sheet import check_cross_sheet
from optimizer.inputs.located import Report
from optimizer.inputs.plausibility import check_plausibility
from optimizer.inputs.rawbook import RawBook
from optimizer.inputs.rows import collect_ids, read_rows
from optimizer.inputs.scenario_rows import check_scenarios
from optimizer.inputs.settings_sheet import Horizon, read_settings
from optimizer.inputs.sheets import (
    check_month_columns,
    check_sheet_names,
    name_rows,
    read_tables,
)

__all__ = ["close_match", "parse_yesno", "row_id", "validate"]


def validate(raw: RawBook) -> tuple[Case | None, list[Problem]]:
    """Check ``raw`` against the schema; the Case (None if any error) and every problem."""
    report = Report()
    check_sheet_names(raw, report)
    tables = read_tables(raw, report)
    settings, settings_locations = read_settings(tables.get("Settings"), report)
    horizon = Horizon.of(settings)
    if horizon is not None:
        for table in tables.values():
            if table.schema.monthly:
                check_month_columns(table, horizon.months, report)
    ids = collect_ids(tables)
    in_horizon = frozenset(horizon.months) if horizon is not None else frozenset()
    rows = {
        name: read_rows(table, in_horizon, ids, report)
        for name, table in tables.items()
        if name not in ("Settings", "Scenarios", "Uncertainty")
    }
    check_cross_sheet(tables, rows, ids, horizon, report)
    check_plausibility(rows, report)
    if "Scenarios" in tables:
        check_scenarios(tables["Scenarios"], tables, ids, report)
    problems = name_rows(report.problems, tables)
    # a bad Scenarios row spoils only its own scenario: the case is still built (callers
    # that need a clean workbook still see the error among the problems)
    blocking = [p for p in problems if p.is_error and p.sheet != "Scenarios"]
    if blocking or horizon is None:
        return None, problems
    return build_case(settings, horizon, rows, settings_locations), problems
