"""The comparison of two plans as a workbook (``compare -o CHANGES.xlsx``), with the report's
table helpers (formats, frozen headers, filters, text safety):

``Attribution``   the margin change by group of input changes (exact Shapley values), with
                  its waterfall data and a native waterfall chart (old margin → each group →
                  new margin)
``InputChanges``  every input cell that differs: sheet, cell, row, column, old, new, group
``KeyFigures``    every key figure: old, new, change
``Actions``       the next three months' actions of the old plan and of the new one
``Solves``        the margin of every mix of old and new groups the attribution solved
``Provenance``    the two workbooks, timings, versions
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

import optimizer
from optimizer.cycle.compare import Comparison
from optimizer.files import OWN_MARK, check_target, save_atomic
from optimizer.report.charts import chart_title, style_axes
from optimizer.report.provenance import Item, package_version, write_provenance
from optimizer.report.sheet_body import Workbook
from optimizer.report.tables import Col, Table
from optimizer.report.xlsx import write_table

WATERFALL_COLORS = (None, "70AD47", "C00000", "4472C4")
"""Fill of the waterfall's series Base (none), Increase, Decrease, Margin (table columns D–G)."""


def write_changes(comparison: Comparison, path: Path, protected: list[Path]) -> Path:
    """Write the comparison workbook atomically; returns the path actually written."""
    path = Path(path)
    check_target(path, protected, ".xlsx")
    return save_atomic(build_workbook(comparison).save, path)


def build_workbook(c: Comparison) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    attribution = wb.create_sheet("Attribution")
    table = _attribution_table(c)
    write_table(attribution, table)
    if c.attribution.shares is not None and c.old_margin_usd is not None:
        _waterfall(attribution, c, table.frame)
    for table in (_cells_table(c), _figures_table(c), _actions_table(c), _solves_table(c)):
        write_table(wb.create_sheet(table.name), table)
    write_provenance(wb.create_sheet("Provenance"), _provenance(c))
    return wb


def _attribution_table(c: Comparison) -> Table:
    """Old margin, each group's contribution, new margin — with the waterfall's bars."""
    shares = c.attribution.shares or {}
    rows = [("Old plan: discounted margin", c.old_margin_usd, None)]
    rows += [(g, None, shares.get(g)) for g in c.attribution.groups]
    rows += [("New plan: discounted margin", c.new_margin_usd, None)]
    frame = pd.DataFrame(rows, columns=["step", "margin_usd", "change_usd"])
    base, up, down, level = [], [], [], c.old_margin_usd or 0.0
    for margin, change in zip(frame["margin_usd"], frame["change_usd"], strict=True):
        if change is None or pd.isna(change):  # an end: the margin itself
            bars = (0.0, 0.0, 0.0)
            level = margin if margin is not None and not pd.isna(margin) else level
        else:
            bars = (min(level, level + change), max(change, 0.0), max(-change, 0.0))
            level += change
        base.append(bars[0])
        up.append(bars[1])
        down.append(bars[2])
    frame["base"], frame["increase"], frame["decrease"] = base, up, down
    frame["margin_bar"] = frame["margin_usd"]
    cols = [
        Col("step", "Step", "text", max_width=40),
        Col("margin_usd", "Margin (USD)", "usd"),
        Col("change_usd", "Contribution to the change (USD)", "usd"),
        Col("base", "Base", "usd"),
        Col("increase", "Increase", "usd"),
        Col("decrease", "Decrease", "usd"),
        Col("margin_bar", "Margin", "usd"),
    ]
    note = (
        "A mix of old and new inputs had no plan: the change cannot be attributed."
        if c.attribution.shares is None
        else ""
    )
    return Table("Attribution", cols, frame, freeze_cols=1, omitted=note)


def _waterfall(ws: Worksheet, c: Comparison, bars: pd.DataFrame) -> None:
    """A stacked column chart whose invisible ``Base`` lifts each group's bar to the level
    the margin has reached: old margin, each contribution, new margin."""
    n = len(c.attribution.groups) + 2
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = chart_title("Margin change by group of input changes (USD)")
    for j, color in enumerate(WATERFALL_COLORS, start=4):
        chart.add_data(
            Reference(ws, min_col=j, max_col=j, min_row=1, max_row=n + 1), titles_from_data=True
        )
        series = chart.series[-1]
        if color is None:
            series.graphicalProperties.noFill = True
            series.graphicalProperties.line.noFill = True
        else:
            series.graphicalProperties.solidFill = color
    chart.set_categories(Reference(ws, min_col=1, max_col=1, min_row=2, max_row=n + 1))
    style_axes(chart, "", "USD (discounted)")
    lowest = float(bars["base"].where(bars["margin_bar"].isna(), bars["margin_bar"]).min())
    if lowest > 0:  # start the axis near the lowest level, so the changes are visible
        step = 10 ** max(0, len(str(int(lowest))) - 2)
        chart.y_axis.scaling.min = int(lowest * 0.9) // step * step
    ws.add_chart(chart, f"A{n + 4}")
    chart.width, chart.height = 18, 9  # cm: about 5 columns by 18 rows below the table
    ws.print_area = f"A1:G{n + 4 + 20}"  # the table and the chart below it


def _cells_table(c: Comparison) -> Table:
    frame = pd.DataFrame(
        [(d.sheet, d.cell, d.row_id, d.column, d.old, d.new, d.group) for d in c.cells],
        columns=["sheet", "cell", "row_id", "column", "old", "new", "group"],
    )
    cols = [
        Col("sheet", "Sheet", "text"),
        Col("cell", "Cell (new workbook)", "text"),
        Col("row_id", "Row", "text"),
        Col("column", "Column", "text"),
        Col("old", "Old value", "text"),
        Col("new", "New value", "text"),
        Col("group", "Group", "text"),
    ]
    frame["old"] = frame["old"].map(_shown)
    frame["new"] = frame["new"].map(_shown)
    return Table("InputChanges", cols, frame, freeze_cols=2, note="No input cell differs.")


def _shown(value: object) -> str:
    if value is None:
        return "(blank)"
    return f"{value:,.6g}" if isinstance(value, float) else str(value)


def _figures_table(c: Comparison) -> Table:
    rows = [(k, a, b, None if a is None or b is None else b - a) for k, (a, b) in c.figures.items()]
    frame = pd.DataFrame(rows, columns=["figure", "old", "new", "change"])
    cols = [
        Col("figure", "Key figure", "text", max_width=50),
        Col("old", "Old plan", "usd_per_unit"),
        Col("new", "New plan", "usd_per_unit"),
        Col("change", "Change", "usd_per_unit"),
    ]
    return Table("KeyFigures", cols, frame, freeze_cols=1)


def _actions_table(c: Comparison) -> Table:
    cols = [
        Col("plan", "Plan", "text"),
        Col("month", "Month", "month"),
        Col("action", "Action", "text"),
        Col("text", "What to do", "text", max_width=80),
        Col("quantity", "Quantity", "t"),
        Col("unit", "Unit", "text"),
        Col("limits", "Limit that shapes it", "text", max_width=100),
    ]
    frame = c.actions.reindex(columns=[col.key for col in cols])
    return Table("Actions", cols, frame, freeze_cols=2, note="Neither plan has actions.")


def _solves_table(c: Comparison) -> Table:
    groups = c.attribution.groups
    rows = [
        (", ".join(g for g in groups if g in s) or "(old inputs)", len(s), v)
        for s, v in c.attribution.values.items()
    ]
    frame = pd.DataFrame(rows, columns=["groups", "size", "margin_usd"])
    cols = [
        Col("groups", "New inputs of groups", "text", max_width=90),
        Col("size", "Groups", "int"),
        Col("margin_usd", "Margin (USD; blank: no plan)", "usd"),
    ]
    return Table("Solves", cols, frame, freeze_cols=1)


def _provenance(c: Comparison) -> list[Item]:
    items: list[Item] = [
        ("Old workbook", c.old_name, "text"),
        ("New workbook", c.new_name, "text"),
        ("Start month", c.start_month, "text"),
        ("Groups changed", ", ".join(c.attribution.groups) or "(none)", "text"),
        (OWN_MARK, optimizer.__version__, "text"),
        ("highspy version", package_version("highspy"), "text"),
    ]
    items.append(("Attribution solves", len(c.attribution.values), "int"))
    items += [(f"Time: {k} (s)", v, "factor") for k, v in c.timings_s.items()]
    return items
