"""The scenario comparison: key figures side by side, as a workbook, a JSON object or text.

``write_comparison(comparison, path)`` writes, with the report's cell and table helpers
(:mod:`optimizer.report.xlsx`, so formats, frozen headers, filters and text safety match the
allocation report):

``GrantDelay``    (``--sweep grant-delay`` only) objective, loss and cost per month of delay
``Comparison``    one row per run (base case first): status, objective and every key figure
``Deltas``        one row per scenario: each key figure's change vs the base, in value and %
``Charts``        native charts: objective by run, ore allocated to each smelter by run,
                  monthly allocation to each smelter across runs (and the sweep's curve)
``Allocation``    ore dispatched to each smelter by month, one block per run
``InputChanges``  exactly the input cells each scenario changed: cell, old and new value
``Provenance``    input file and hash, command line, how the runs were solved, versions
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

import optimizer
from optimizer.case import Case
from optimizer.files import check_target, save_atomic
from optimizer.inputs.rawbook import month_key
from optimizer.inputs.scenario import CellChange
from optimizer.planner_words import usd
from optimizer.report.charts import (
    HEIGHT_CM,
    WIDTH_CM,
    chart_title,
    line_chart,
    place_charts,
)
from optimizer.report.console import json_number
from optimizer.report.provenance import Item, kind_of, package_version, write_provenance
from optimizer.report.status_words import status_words
from optimizer.report.tables import Col, PivotBlock, Table
from optimizer.report.xlsx import (
    fit_to_width,
    put_text,
    write_monthly,
    write_table,
)
from optimizer.scenarios.run import RunRecord
from optimizer.scenarios.sweep import SweepRow


@dataclass
class Comparison:
    """Everything the comparison shows: the runs (base case first) and their context."""

    records: list[RunRecord]
    case: Case  # the base case (ids and months)
    notes: dict[str, str] = field(default_factory=dict)  # scenario -> its Scenarios note
    sweep: list[SweepRow] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)  # item -> value

    @property
    def base(self) -> RunRecord:
        return self.records[0]


@dataclass(frozen=True)
class Kpi:
    """One key figure: how to read it from a record, its header, format and delta kind."""

    key: str
    header: str
    kind: str  # a key of report.tables.FORMATS
    get: Callable[[RunRecord], Any]
    delta: str = "value+pct"  # value+pct | points (a percentage: change in points) | none


def kpis(comparison: Comparison) -> list[Kpi]:
    """The key figures, in column order, for the base case's smelters, grants and projects."""
    case = comparison.case
    out = [
        Kpi("objective_usd", "Objective: discounted margin (USD)", "usd", lambda r: r.objective_usd)
    ]
    for p in case.smelters:
        out.append(
            Kpi(f"sb_t:{p}", f"Sb produced at {p} (t Sb)", "t", lambda r, p=p: r.sb_t.get(p))
        )
    for p in case.smelters:
        out.append(
            Kpi(
                f"allocated_t:{p}",
                f"Ore allocated to {p} (t)",
                "t",
                lambda r, p=p: r.allocated_t.get(p),
            )
        )
    out.append(
        Kpi(
            "alaska_shipped_t",
            "Alaska ore shipped, own claims (t)",
            "t",
            lambda r: r.alaska_shipped_t,
        )
    )
    for p in case.smelters:
        out.append(
            Kpi(
                f"utilization_pct:{p}",
                f"Utilization of {p} (%)",
                "pct",
                lambda r, p=p: r.utilization_pct.get(p),
                "points",
            )
        )
    for g in case.grants:
        out.append(
            Kpi(
                f"grant_used_usd:{g}",
                f"Grant used: {g} (USD)",
                "usd",
                lambda r, g=g: r.grant_used_usd.get(g),
            )
        )
    for e in case.expansions:
        out.append(
            Kpi(f"built_t:{e}", f"{e}: capacity built (t/month)", "t", lambda r, e=e: _built(r, e))
        )
        out.append(
            Kpi(
                f"start:{e}",
                f"{e}: construction starts",
                "month",
                lambda r, e=e: r.builds[e].start_month if e in r.builds else None,
                "none",
            )
        )
        out.append(
            Kpi(
                f"online:{e}",
                f"{e}: online from",
                "month",
                lambda r, e=e: r.builds[e].online_month if e in r.builds else None,
                "none",
            )
        )
    out.append(Kpi("shortfall_t_sb", "Contract shortfall (t Sb)", "t", lambda r: r.shortfall_t_sb))
    return out


def _built(record: RunRecord, project: str) -> float | None:
    if not record.solved:
        return None
    return record.builds[project].added_t_per_month if project in record.builds else 0.0


def delta(value: Any, base: Any) -> tuple[float | None, float | None]:
    """(value − base, 100 × (value − base) / |base|); None where either is missing (the
    percentage also when the base is 0)."""
    if value is None or base is None:
        return None, None
    diff = float(value) - float(base)
    return diff, (100.0 * diff / abs(base) if base else None)


def net_changes(changes: tuple[CellChange, ...]) -> list[tuple[CellChange, list[int]]]:
    """Each changed cell once: its first old and last new value, and every Scenarios row that
    touched it; cells a scenario set back to their old value are left out."""
    merged: dict[tuple[str, str], tuple[CellChange, list[int]]] = {}
    for c in changes:
        where = (c.sheet, c.cell)
        if where in merged:
            first, rows = merged[where]
            merged[where] = (
                CellChange(
                    c.scenario,
                    c.sheet,
                    c.key,
                    c.column,
                    first.old,
                    c.new,
                    first.scenario_row,
                    c.cell,
                ),
                rows + [c.scenario_row] * (c.scenario_row not in rows),
            )
        else:
            merged[where] = (c, [c.scenario_row])
    return [(c, rows) for c, rows in merged.values() if not _same(c.old, c.new)]


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return month_key(a) == month_key(b) if month_key(a) else a == b


# --- workbook --------------------------------------------------------------------------------


def write_comparison(comparison: Comparison, path: Path, protected: list[Path]) -> Path:
    """Write the comparison workbook atomically; returns the path actually written."""
    path = Path(path)
    check_target(path, protected, ".xlsx")
    return save_atomic(build_workbook(comparison).save, path)


def build_workbook(comparison: Comparison) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    if comparison.sweep is not None:
        write_table(wb.create_sheet("GrantDelay"), sweep_table(comparison.sweep))
    write_table(wb.create_sheet("Comparison"), comparison_table(comparison))
    write_table(wb.create_sheet("Deltas"), deltas_table(comparison))
    charts = wb.create_sheet("Charts")
    allocation = wb.create_sheet("Allocation")
    months, blocks = allocation_blocks(comparison)
    rows = write_monthly(allocation, blocks, months)
    write_table(wb.create_sheet("InputChanges"), changes_table(comparison))
    write_provenance(wb.create_sheet("Provenance"), _provenance_items(comparison))
    _write_charts(charts, wb, comparison, blocks, rows, len(months))
    wb.active = 0
    wb.properties.title = f"Scenario comparison: {comparison.case.settings.case_name}"
    wb.properties.creator = f"ore-optimizer {optimizer.__version__}"
    return wb


def _status(record: RunRecord) -> str:
    return status_words(record.status, capital=False)


def comparison_table(comparison: Comparison) -> Table:
    figures = kpis(comparison)
    columns = [
        Col("run", "Scenario", "text", 30),
        Col("description", "Description", "text"),
        Col("status", "Status", "text", 24),
    ]
    columns += [Col(k.key, k.header, k.kind) for k in figures]
    columns += [
        Col("cells", "Input cells changed", "int"),
        Col("method", "Solved by", "text"),
        Col("seconds", "Run time (s)", "seconds"),
        Col("message", "Solver message", "text", 60),
    ]
    rows = []
    for r in comparison.records:
        row = {
            "run": r.label,
            "status": _status(r),
            "cells": len(net_changes(r.changes)),
            "description": comparison.notes.get(r.scenario or "", "")
            if r.scenario
            else "the workbook as it is",
            "method": r.method,
            "seconds": r.seconds,
            "message": r.message,
        }
        row.update({k.key: k.get(r) for k in figures})
        rows.append(row)
    return Table("Comparison", columns, _frame(rows, columns), freeze_cols=1)


def deltas_table(comparison: Comparison) -> Table:
    figures = [k for k in kpis(comparison) if k.delta != "none"]
    columns = [Col("run", "Scenario", "text", 30), Col("status", "Status", "text", 24)]
    for k in figures:
        name = k.header.rsplit(" (", 1)[0]
        if k.delta == "points":
            columns.append(Col(k.key, f"Δ {name} (percentage points)", "pct"))
        else:
            columns.append(Col(k.key, f"Δ {k.header}", k.kind))
            columns.append(Col(f"{k.key}%", f"Δ {name} (%)", "pct"))
    base = comparison.base
    rows = []
    for r in comparison.records[1:]:
        row: dict[str, Any] = {"run": r.label, "status": _status(r)}
        for k in figures:
            diff, pct = delta(k.get(r), k.get(base))
            row[k.key] = diff
            row[f"{k.key}%"] = pct
        rows.append(row)
    return Table(
        "Deltas",
        columns,
        _frame(rows, columns),
        freeze_cols=1,
        note="No scenarios: the comparison holds the base case only.",
    )


def changes_table(comparison: Comparison) -> Table:
    columns = [
        Col("run", "Scenario", "text", 30),
        Col("sheet", "Sheet", "text"),
        Col("cell", "Cell", "text"),
        Col("key", "Row id", "text"),
        Col("column", "Column or month", "text"),
        Col("old", "Old value", "text"),
        Col("new", "New value", "text"),
        Col("rows", "Scenarios row(s)", "text"),
    ]
    rows = []
    for r in comparison.records[1:]:
        for c, scenario_rows in net_changes(r.changes):
            rows.append(
                {
                    "run": r.label,
                    "sheet": c.sheet,
                    "cell": c.cell,
                    "key": c.key,
                    "column": c.column,
                    "old": _shown(c.old),
                    "new": _shown(c.new),
                    "rows": ", ".join(str(n) for n in scenario_rows),
                }
            )
    return Table(
        "InputChanges",
        columns,
        _frame(rows, columns),
        freeze_cols=1,
        note="No scenario changed any input cell.",
    )


def _shown(value: Any) -> str:
    """A cell value as the planner would read it: numbers without float noise, months as
    ``YYYY-MM``, blanks as ``(blank)``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(blank)"
    if isinstance(value, datetime | date):
        return month_key(value) or str(value)
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def sweep_table(rows: list[SweepRow]) -> Table:
    columns = [
        Col("delay_months", "Grant award delay (months)", "int"),
        Col("award_months", "Award month (effective)", "text", 50),
        Col("status", "Status", "text", 24),
        Col("objective_usd", "Objective: discounted margin (USD)", "usd"),
        Col("loss_usd", "Loss vs on-time award (USD)", "usd"),
        Col("month_cost_usd", "Cost of each month of this delay (USD)", "usd"),
    ]
    frame = [
        {
            "delay_months": r.delay_months,
            "award_months": r.award_months,
            "status": status_words(r.status, capital=False),
            "objective_usd": r.objective_usd,
            "loss_usd": r.loss_usd,
            "month_cost_usd": r.month_cost_usd,
        }
        for r in rows
    ]
    return Table("GrantDelay", columns, _frame(frame, columns))


def allocation_blocks(comparison: Comparison) -> tuple[tuple[str, ...], list[PivotBlock]]:
    """Every run's monthly allocation under one month header (the union of their months)."""
    months = tuple(
        sorted({m for r in comparison.records for m in r.months} | set(comparison.case.months))
    )
    blocks = []
    for r in comparison.records:
        index = {m: i for i, m in enumerate(r.months)}
        rows = []
        for p in comparison.case.smelters:
            series = r.allocation.get(p)
            rows.append(
                (
                    p,
                    [
                        series[index[m]] if series is not None and m in index else None
                        for m in months
                    ],
                )
            )
        complete = all(v is not None for _, values in rows for v in values)
        blocks.append(
            PivotBlock(f"{r.label}: ore dispatched to each smelter", "t", "t", rows, complete)
        )
    return months, blocks


def _frame(rows: list[dict[str, Any]], columns: list[Col]) -> pd.DataFrame:
    keys = [c.key for c in columns]
    if not rows:
        return pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
    return pd.DataFrame(rows).reindex(columns=keys).astype(object)


# --- charts -----------------------------------------------------------------------------------


def _axes(chart: BarChart | LineChart, x_title: str, y_title: str) -> None:
    """Visible axes (openpyxl hides them by default), titles, legend below, report size."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = "#,##0"
    chart.legend.position = "b"
    chart.width = WIDTH_CM
    chart.height = HEIGHT_CM


def _column(ws: Worksheet, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def _bar(
    ws: Worksheet,
    headers: list[str],
    nrows: int,
    title: str,
    x_title: str,
    y_title: str,
    stacked: bool = False,
) -> BarChart:
    """Bars of ``headers``' columns of a table sheet, one category per table row."""
    chart = BarChart()
    chart.type = "col"
    chart.title = chart_title(title)
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    for header in headers:
        col = _column(ws, header)
        chart.add_data(
            Reference(ws, min_col=col, max_col=col, min_row=1, max_row=nrows + 1),
            titles_from_data=True,
        )
    chart.set_categories(Reference(ws, min_col=1, max_col=1, min_row=2, max_row=nrows + 1))
    _axes(chart, x_title, y_title)
    return chart


def _write_charts(
    ws: Worksheet,
    wb: Workbook,
    comparison: Comparison,
    blocks: list[PivotBlock],
    rows: dict[tuple[str, str], int],
    months: int,
) -> None:
    ws.sheet_view.showGridLines = False
    put_text(
        ws.cell(1, 1),
        "Charts (data: sheets Comparison, Allocation"
        + (", GrantDelay)" if comparison.sweep is not None else ")"),
    )
    ws.cell(1, 1).font = Font(bold=True, size=13, color="1F3864")
    table, n = wb["Comparison"], len(comparison.records)
    smelters = list(comparison.case.smelters)
    charts = []
    if comparison.sweep is not None:
        sweep, k = wb["GrantDelay"], len(comparison.sweep)
        charts.append(
            _bar(
                sweep,
                ["Cost of each month of this delay (USD)"],
                k,
                "Cost of each month of grant delay (USD)",
                "Grant award delay (months)",
                "USD",
            )
        )
        line = LineChart()
        line.title = chart_title("Objective by grant award delay (USD)")
        col = _column(sweep, "Objective: discounted margin (USD)")
        line.add_data(
            Reference(sweep, min_col=col, max_col=col, min_row=1, max_row=k + 1),
            titles_from_data=True,
        )
        line.set_categories(Reference(sweep, min_col=1, max_col=1, min_row=2, max_row=k + 1))
        line.series[0].smooth = False
        _axes(line, "Grant award delay (months)", "USD")
        charts.append(line)
    charts.append(
        _bar(
            table,
            ["Objective: discounted margin (USD)"],
            n,
            "Objective by scenario (discounted margin, USD)",
            "Scenario",
            "USD",
        )
    )
    charts.append(
        _bar(
            table,
            [f"Ore allocated to {p} (t)" for p in smelters],
            n,
            "Ore allocated to each smelter over the horizon (t)",
            "Scenario",
            "t of ore",
            stacked=True,
        )
    )
    for p in smelters:
        series = [(rows[(b.title, p)], b.title.split(": ore dispatched")[0]) for b in blocks]
        charts.append(
            line_chart(
                wb["Allocation"],
                months,
                series,
                f"Ore dispatched to {p} by month, each scenario (t)",
                "t of ore",
                "#,##0",
            )
        )
    place_charts(ws, charts)
    fit_to_width(ws, landscape=False)


# --- provenance -------------------------------------------------------------------------------


def _provenance_items(comparison: Comparison) -> list[Item]:
    methods = [r.method for r in comparison.records]
    items: list[tuple[str, object]] = [
        *comparison.provenance.items(),
        ("Case name", comparison.case.settings.case_name),
        ("Runs", len(comparison.records)),
        (
            "Runs solved per method",
            ", ".join(f"{m}: {methods.count(m)}" for m in dict.fromkeys(methods)),
        ),
        ("Written", datetime.now(UTC).astimezone().isoformat(timespec="seconds")),
        ("ore-optimizer version", optimizer.__version__),
        ("Pyomo version", package_version("pyomo")),
        ("highspy version", package_version("highspy")),
        ("openpyxl version", package_version("openpyxl")),
    ]
    return [(item, value, kind_of(value)) for item, value in items]


# --- JSON and terminal ------------------------------------------------------------------------


def as_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as one JSON-ready object (key figures and deltas of every run)."""
    base = comparison.base
    runs = []
    for r in comparison.records:
        diff, pct = delta(r.objective_usd, base.objective_usd)
        runs.append(
            {
                "scenario": r.scenario,
                "status": r.status,
                "message": r.message,
                "objective_usd": json_number(r.objective_usd),
                "delta_objective_usd": json_number(diff),
                "delta_objective_pct": json_number(pct),
                "sb_produced_t": {k: json_number(v) for k, v in r.sb_t.items()},
                "ore_allocated_t": {k: json_number(v) for k, v in r.allocated_t.items()},
                "alaska_ore_shipped_t": json_number(r.alaska_shipped_t),
                "utilization_pct": {k: json_number(v) for k, v in r.utilization_pct.items()},
                "grant_used_usd": {k: json_number(v) for k, v in r.grant_used_usd.items()},
                "expansions": {
                    e: {
                        "added_t_per_month": json_number(b.added_t_per_month),
                        "start_month": b.start_month,
                        "online_month": b.online_month,
                    }
                    for e, b in r.builds.items()
                },
                "shortfall_t_sb": json_number(r.shortfall_t_sb),
                "cells_changed": len(net_changes(r.changes)),
                "solved_by": r.method,
                "seconds": round(r.seconds, 4),
                "report": r.report,
            }
        )
    data: dict[str, Any] = {"case": comparison.case.settings.case_name, "runs": runs}
    if comparison.sweep is not None:
        data["sweep"] = [row.as_json() for row in comparison.sweep]
    return data


def summary_lines(comparison: Comparison) -> list[str]:
    """One line per run (objective and change vs the base), then the sweep's month costs."""
    base = comparison.base
    width = max(len(r.label) for r in comparison.records)
    out = []
    for r in comparison.records:
        diff, pct = delta(r.objective_usd, base.objective_usd)
        change = (
            ""
            if r.scenario is None or diff is None
            else (
                f"  {'+' if diff >= 0 else '−'}{usd(abs(diff))}"
                + (f" ({pct:+.2f}%)".replace("-", "−") if pct is not None else "")
            )
        )
        out.append(f"{r.label:<{width}}  {r.status:<11} {usd(r.objective_usd):>16}{change}")
    previous = 0
    for row in comparison.sweep or []:
        if row.delay_months and row.month_cost_usd is not None:
            months = (
                f"month {row.delay_months} of delay costs"
                if row.delay_months == previous + 1
                else f"months {previous + 1}–{row.delay_months} of delay cost, each,"
            )
            out.append(
                f"grant award {row.delay_months:>3} month(s) late: "
                f"{usd(row.loss_usd)} below on time; {months} "
                f"{usd(row.month_cost_usd)}"
            )
        previous = row.delay_months
    return out
