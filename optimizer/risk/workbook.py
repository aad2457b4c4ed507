"""The risk report workbook (``ore-optimizer risk -o RISK.xlsx``), written with the report's
cell and table helpers (:mod:`optimizer.report.xlsx`) so formats, frozen headers, filters and
text safety match the allocation report:

``Summary``       expected margin, VSS, EVPI, CVaR, P10/P50/P90, the references, settings,
                  the out-of-sample evaluation; then how the commit plan differs from the
                  deterministic plan, in planner words
``Actions``       the commit plan for the first ``commit_months`` months as operational
                  actions with the limits that shape them (as every report's Actions sheet)
``CommitVsPlans`` every committed decision beside the deterministic and expected-value plans
``Distribution``  the commit plan's margin over the samples, binned, with a native histogram
``Samples``       per sample: the margins under each plan and every drawn factor value
``Evaluation``    (``--evaluate`` only) the fresh samples' margins under both plans
``Provenance``    input file and hash, command line, seed, versions, timings
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

import optimizer
from optimizer.case import Case
from optimizer.files import OWN_MARK, check_target, save_atomic
from optimizer.inputs.rawbook import RawBook
from optimizer.report.charts import chart_title, style_axes
from optimizer.report.provenance import Item, kind_of, package_version, write_provenance
from optimizer.report.sheet_body import Workbook
from optimizer.report.tables import Col, Table, table_frame
from optimizer.report.xlsx import (
    SECTION_FONT,
    fit_to_width,
    put,
    put_text,
    set_widths,
    write_table,
)
from optimizer.risk.commit_actions import commit_actions_table
from optimizer.risk.run import RiskResult
from optimizer.risk.tables import (
    commit_table,
    differences,
    histogram_table,
    samples_table,
    summary_items,
)


def write_risk_report(
    result: RiskResult,
    case: Case,
    raw: RawBook,
    path: Path,
    protected: list[Path],
    provenance: dict,
) -> Path:
    """Write the risk workbook atomically; returns the path actually written."""
    path = Path(path)
    check_target(path, protected, ".xlsx")
    return save_atomic(build_workbook(result, case, raw, provenance).save, path)


def build_workbook(result: RiskResult, case: Case, raw: RawBook, provenance: dict) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb.create_sheet("Summary"), result, case)
    actions, _ = commit_actions_table(raw, result)
    write_table(wb.create_sheet("Actions"), actions)
    write_table(wb.create_sheet("CommitVsPlans"), commit_table(result, case))
    dist = wb.create_sheet("Distribution")
    histogram = histogram_table(result)
    write_table(dist, histogram)
    _histogram_chart(dist, len(histogram.frame))
    write_table(wb.create_sheet("Samples"), samples_table(result))
    if result.evaluation is not None:
        write_table(wb.create_sheet("Evaluation"), _evaluation_table(result))
    write_provenance(wb.create_sheet("Provenance"), _provenance_items(result, provenance))
    wb.active = 0
    wb.properties.title = f"Risk plan: {case.settings.case_name}"
    wb.properties.creator = f"ore-optimizer {optimizer.__version__}"
    return wb


def _summary(ws: Worksheet, result: RiskResult, case: Case) -> None:
    title = ws.cell(1, 1)
    put_text(title, f"Plan under uncertainty: {case.settings.case_name}")
    title.font = Font(bold=True, size=13, color="1F3864")
    row = 3
    for item, value, kind in summary_items(result):
        put_text(ws.cell(row, 1), item)
        if kind == "text" or value is None:
            put_text(ws.cell(row, 2), "n/a" if value is None else value)
        else:
            put(ws.cell(row, 2), value, kind)
        row += 1
    row += 1
    head = ws.cell(row, 1)
    put_text(
        head,
        f"What the commit plan does differently in the first {result.options.commit_months} "
        "month(s) (vs the deterministic plan of the workbook as typed)",
    )
    head.font = SECTION_FONT
    lines = differences(result, case) or ["Nothing: the commit plan is the deterministic plan."]
    for text in lines:
        row += 1
        put_text(ws.cell(row, 1), text)
    ws.freeze_panes = "A3"
    set_widths(ws, [62, 22], 1, caps=[90, 60])
    ws.print_area = f"A1:B{row}"  # figures and their values on one page width
    fit_to_width(ws, landscape=False)


def _histogram_chart(ws: Worksheet, bins: int) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.gapWidth = 10
    chart.title = chart_title("Commit plan: discounted margin over the samples")
    chart.add_data(
        Reference(ws, min_col=4, max_col=4, min_row=1, max_row=bins + 1), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, max_col=1, min_row=2, max_row=bins + 1))
    style_axes(chart, "Discounted margin (USD)", "Samples")
    chart.legend = None
    chart.width, chart.height = 24, 11
    ws.add_chart(chart, "G2")


def _evaluation_table(result: RiskResult) -> Table:
    ev = result.evaluation
    assert ev is not None
    cols = [
        Col("sample", "Fresh sample", "int"),
        Col("commit", "Commit plan margin (USD)", "usd"),
        Col("ev", "Expected-value plan margin (USD)", "usd"),
    ]
    df = pd.DataFrame(
        [{"sample": s.number, "commit": s.margin_usd, "ev": s.ev_plan_usd} for s in ev.samples]
    )
    note = "Blank: the plan cannot be carried out in that sample."
    return Table("Evaluation", cols, table_frame(df, cols), 1, omitted=note)


def _provenance_items(result: RiskResult, provenance: dict) -> list[Item]:
    items: list[Item] = [
        ("Tool", f"ore-optimizer {optimizer.__version__} (risk)", "text"),
        (OWN_MARK, optimizer.__version__, "text"),  # a later -o may replace this workbook
        ("Written (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"), "text"),
    ]
    items += [(k, v, kind_of(v)) for k, v in provenance.items()]
    items += [
        ("Factors", ", ".join(f.name for f in result.factors) or "none", "text"),
        (
            "Extensive form (rows × columns)",
            f"{result.size.get('rows', 0):,} × {result.size.get('columns', 0):,}",
            "text",
        ),
        ("HiGHS (highspy)", package_version("highspy"), "text"),
        ("Pyomo", package_version("pyomo"), "text"),
    ]
    items += [(f"Time: {k} (s)", v, "seconds") for k, v in result.timings_s.items()]
    return items
