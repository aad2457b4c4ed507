"""The comparison workbook's tables (:class:`optimizer.report.tables.Table`, the report's own
kind): the runs side by side, their deltas, every expansion stage, the input cells changed,
the sweep (grant delay or domestic share), and every run's monthly allocation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from optimizer.inputs.rawbook import month_key
from optimizer.report.monthly import PivotBlock
from optimizer.report.status_words import status_words
from optimizer.report.tables import Col, Table, table_frame
from optimizer.scenarios.comparison import Comparison, delta, kpis, net_changes
from optimizer.scenarios.run import RunRecord
from optimizer.scenarios.sweep import KINDS, SweepRow


def _status(record: RunRecord) -> str:
    return status_words(record.status, capital=False)


def comparison_table(comparison: Comparison) -> Table:
    figures = kpis(comparison)
    columns = [
        Col("run", "Scenario", "text", 30),
        Col("description", "Description", "text", 120),
        Col("status", "Status", "text", 24),
    ]
    columns += [Col(k.key, k.header, k.kind, 90 if k.kind == "text" else 40) for k in figures]
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


def stages_table(comparison: Comparison) -> Table:
    """Every expansion stage of every run, one row each (never merged): where, size, start,
    online, and its capex and grant money by payment month inside the horizon."""
    columns = [
        Col("run", "Scenario", "text", 30),
        Col("project", "Project", "text"),
        Col("site", "Smelter or source", "text"),
        Col("committed", "Committed", "yesno"),
        Col("start", "Start month", "text"),
        Col("online", "Online month", "text"),
        Col("added", "Added (t/month)", "t"),
        Col("capex", "Capex in horizon (USD)", "usd"),
        Col("grant", "Grant-paid (USD)", "usd"),
        Col("company", "Company-paid (USD)", "usd"),
        Col("capex_by_month", "Capex by payment month (USD)", "text", 90),
        Col("grant_by_month", "Grant by payment month (USD)", "text", 90),
    ]
    rows = [
        {
            "run": r.label,
            "project": b.project,
            "site": b.smelter or b.source,
            "committed": "yes" if b.committed else "no",
            "start": b.start_month,
            "online": b.online_month,
            "added": b.added_t_per_month,
            "capex": b.capex_usd,
            "grant": b.grant_paid_usd,
            "company": b.company_paid_usd,
            "capex_by_month": "; ".join(f"{m}: {c:,.0f}" for m, c, _ in b.payments),
            "grant_by_month": "; ".join(f"{m}: {g:,.0f}" for m, _, g in b.payments if g),
        }
        for r in comparison.records
        for b in r.stages
    ]
    note = "No run builds an expansion." if not rows else ""
    return Table("Stages", columns, _frame(rows, columns), freeze_cols=2, note=note)


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
    """A cell value as the planner would read it: numbers without float noise and with
    thousands separators (``27,000,000``), months as
    ``YYYY-MM``, blanks as ``(blank)``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(blank)"
    if isinstance(value, datetime | date):
        return month_key(value) or str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.10g}"
    return str(value)


def sweep_table(rows: list[SweepRow]) -> Table:
    """The sweep's levels with their objective, loss and step cost, titled for its kind."""
    kind = KINDS[rows[0].kind]
    columns = [
        Col("level", kind.level_title, "int"),
        *([Col("detail", kind.detail_title, "text", 50)] if kind.detail_title else []),
        Col("status", "Status", "text", 24),
        Col("objective_usd", "Objective: discounted margin (USD)", "usd"),
        Col("loss_usd", kind.loss_title, "usd"),
        Col("step_cost_usd", kind.step_title, "usd"),
    ]
    frame = [
        {
            "level": r.level,
            "detail": r.detail,
            "status": status_words(r.status, capital=False),
            "objective_usd": r.objective_usd,
            "loss_usd": r.loss_usd,
            "step_cost_usd": r.step_cost_usd,
        }
        for r in rows
    ]
    return Table(kind.sheet, columns, _frame(frame, columns))


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
    return table_frame(pd.DataFrame(rows), columns).astype(object)
