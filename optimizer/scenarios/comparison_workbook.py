"""The scenario comparison as a workbook.

``write_comparison(comparison, path)`` writes, with the report's cell and table helpers
(:mod:`optimizer.report.xlsx`, so formats, frozen headers, filters and text safety match the
allocation report):

``GrantDelay``    (``--sweep grant-delay`` only) objective, loss and cost per month of delay
``DomesticShare`` (``--sweep domestic-share`` only) objective, cost vs base and of each step
``Comparison``    one row per run (base case first): status, objective and every key figure
``Deltas``        one row per scenario: each key figure's change vs the base, in value and %
``Stages``        every expansion stage of every run (size, start, online, capex and grant by
                  payment month), never merged
``Charts``        native charts: objective by run, ore allocated to each smelter by run,
                  monthly allocation to each smelter across runs (and the sweep's curve)
``Allocation``    ore dispatched to each smelter by month, one block per run
``InputChanges``  exactly the input cells each scenario changed: cell, old and new value
``Provenance``    input file and hash, command line, how the runs were solved, versions
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

import optimizer
from optimizer.files import OWN_MARK, check_target, save_atomic
from optimizer.report.charts import chart_title, line_chart, place_charts, style_axes
from optimizer.report.monthly import PivotBlock
from optimizer.report.provenance import Item, kind_of, package_version, write_provenance
from optimizer.report.sheet_body import Workbook
from optimizer.report.xlsx import fit_to_width, put_text, write_monthly, write_table
from optimizer.scenarios.comparison import Comparison
from optimizer.scenarios.comparison_tables import (
    allocation_blocks,
    changes_table,
    comparison_table,
    deltas_table,
    stages_table,
    sweep_table,
)
from optimizer.scenarios.sweep import KINDS


def write_comparison(comparison: Comparison, path: Path, protected: list[Path]) -> Path:
    """Write the comparison workbook atomically; returns the path actually written."""
    path = Path(path)
    check_target(path, protected, ".xlsx")
    return save_atomic(build_workbook(comparison).save, path)


def build_workbook(comparison: Comparison) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    if comparison.sweep is not None:
        sweep = sweep_table(comparison.sweep)
        write_table(wb.create_sheet(sweep.name), sweep)
    write_table(wb.create_sheet("Comparison"), comparison_table(comparison))
    write_table(wb.create_sheet("Deltas"), deltas_table(comparison))
    write_table(wb.create_sheet("Stages"), stages_table(comparison))
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


OBJECTIVE_DELTA = "Δ Objective: discounted margin (USD)"
"""The Deltas column the objective chart plots: differences of a few percent are visible
as bars from zero, where bars of the objectives themselves all look the same height."""


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
    style_axes(chart, x_title, y_title)
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
    kind = KINDS[comparison.sweep[0].kind] if comparison.sweep else None
    put_text(
        ws.cell(1, 1),
        "Charts (data: sheets Comparison, Allocation"
        + (f", {kind.sheet})" if kind is not None else ")"),
    )
    ws.cell(1, 1).font = Font(bold=True, size=13, color="1F3864")
    table, n = wb["Comparison"], len(comparison.records)
    smelters = list(comparison.case.smelters)
    charts = []
    if kind is not None:
        sweep, k = wb[kind.sheet], len(comparison.sweep or ())
        charts.append(_bar(sweep, [kind.step_title], k, kind.step_title, kind.level_title, "USD"))
        line = LineChart()
        line.title = chart_title(f"Objective by {kind.level_title.lower()} (USD)")
        col = _column(sweep, "Objective: discounted margin (USD)")
        line.add_data(
            Reference(sweep, min_col=col, max_col=col, min_row=1, max_row=k + 1),
            titles_from_data=True,
        )
        line.set_categories(Reference(sweep, min_col=1, max_col=1, min_row=2, max_row=k + 1))
        line.series[0].smooth = False
        style_axes(line, kind.level_title, "USD")
        charts.append(line)
    if n > 1:  # Deltas: one row per scenario, the base case left out
        change = _bar(
            wb["Deltas"],
            [OBJECTIVE_DELTA],
            n - 1,
            "Objective change vs the base case (discounted margin, USD; base = 0)",
            "Scenario",
            "USD vs base",
        )
        change.x_axis.tickLblPos = "low"  # scenario names below the bars, which point down
        charts.append(change)
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
        (OWN_MARK, optimizer.__version__),
        ("Pyomo version", package_version("pyomo")),
        ("highspy version", package_version("highspy")),
        ("openpyxl version", package_version("openpyxl")),
    ]
    return [(item, value, kind_of(value)) for item, value in items]
