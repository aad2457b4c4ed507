"""The Excel allocation report planners read and forward.

``write_report(results, case, path, provenance)`` reads only the plain :class:`Results`
tables (never the Pyomo model) and the validated :class:`Case`, and writes, in order:

``Summary``        status, objective, money lines, grants, production, limits in words
``Charts``         native charts: allocation by smelter, feed vs capacity, stocks, grants
``MonthlyPlan``    id × month pivots a planner reads across (the charts' data)
``Allocation`` … ``Cashflow``  long-format tables (see :mod:`optimizer.report.tables`)
``InputValues``    per input cell: value of one step and the range where it holds
``MarginalValues`` shadow prices of binding constraints, in planner words
``Provenance``     input file and hash, scenario, versions, options, status, timings

``provenance`` keys the pipeline passes (all optional): ``input`` (file name or
``<default case>``), ``input_path`` (protected from being overwritten), ``input_sha256``,
``scenario``, ``command_line``; any other key is listed as given.
"""

from __future__ import annotations

import math
import platform
from datetime import UTC, datetime
from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import optimizer
from optimizer.case import Case
from optimizer.files import OWN_MARK, check_target, save_atomic
from optimizer.gc_pause import gc_paused
from optimizer.report.charts import add_charts
from optimizer.report.monthly import monthly_blocks
from optimizer.report.provenance import Item, package_version, write_provenance
from optimizer.report.sheet_body import Workbook
from optimizer.report.summary import Section, summary_sections
from optimizer.report.tables import build_tables
from optimizer.report.why import why_lines
from optimizer.report.xlsx import (
    NOTE_FONT,
    SECTION_FILL,
    SECTION_FONT,
    THIN_BOTTOM,
    fit_to_width,
    put,
    put_text,
    write_monthly,
    write_table,
)
from optimizer.solve.results import Results
from optimizer.solve.status import Status

SHEET_GUIDE = [
    ("Charts", "allocation by smelter, feed vs capacity, stocks, grant draw"),
    ("MonthlyPlan", "the plan month by month, one row per smelter / source / grant"),
    ("Actions", "the next three months as actions, each with the limit that shapes it"),
    ("Why", "why the plan looks like this: every finding, numbered (the Summary shows the first)"),
    ("Allocation", "every shipment: dispatch month, source, route, smelter, tonnes, cost"),
    ("Smelters", "feed vs capacity, blend vs limits, Sb produced, yard stock, money"),
    ("Sources", "ore mined or bought, shipped and stockpiled, with supply limits"),
    ("Yard", "each smelter's yard by ore origin (arrivals, feed, stock); idle months left out"),
    ("Expansion", "capacity projects started, online month, capex and who pays"),
    ("Grants", "grant money drawn by month and project, and what remains"),
    ("Contracts", "offtake contracts: required, delivered, shortfall"),
    ("Cashflow", "every money line by month, discount factor and discounted net"),
    ("InputValues", "what one step of each input cell is worth, and where that holds"),
    ("MarginalValues", "what one more unit of each binding limit is worth, month by month"),
    ("Provenance", "input file and hash, scenario, versions, options, timings"),
]

SUMMARY_WIDTHS = (46, 18, 18, 16)
UNIT = Alignment(horizontal="left", indent=1)
"""A unit beside its right-aligned value: indented, so the two never run together."""
SUMMARY_COLS = len(SUMMARY_WIDTHS)

STATUS_FILLS = {
    Status.OPTIMAL: "C6EFCE",
    Status.FEASIBLE: "FFEB9C",
}


@gc_paused()
def write_report(results: Results, case: Case, path: Path, provenance: dict) -> Path:
    """Write the report to ``path`` atomically; returns the path actually written
    (a timestamped sibling when ``path`` is open in another program)."""
    path = Path(path)
    protected = [Path(provenance["input_path"])] if provenance.get("input_path") else []
    check_target(path, protected, ".xlsx")
    workbook = build_workbook(results, case, provenance)
    return save_atomic(workbook.save, path)


def build_workbook(results: Results, case: Case, provenance: dict) -> Workbook:
    """The whole report as an in-memory openpyxl workbook."""
    written = datetime.now(UTC).astimezone()
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    charts = wb.create_sheet("Charts") if results.has_solution else None
    plan = wb.create_sheet("MonthlyPlan")
    why = why_lines(results, case)
    tables = build_tables(results, case, why)
    for table in tables:
        write_table(wb.create_sheet(table.name), table)
    blocks = monthly_blocks(results, case)
    rows = write_monthly(plan, blocks, case.months)
    if charts is not None:
        _write_charts_sheet(charts, plan, blocks, rows, len(case.months))
    _write_summary(summary, results, case, provenance, written, why)
    write_provenance(
        wb.create_sheet("Provenance"), provenance_items(results, case, provenance, written)
    )
    wb.active = 0
    wb.properties.title = f"Antimony ore allocation report: {case.settings.case_name}"
    wb.properties.creator = f"ore-optimizer {optimizer.__version__}"
    return wb


def _write_charts_sheet(ws: Worksheet, plan: Worksheet, blocks, rows, months: int) -> None:
    ws.sheet_view.showGridLines = False
    title = ws.cell(1, 1)
    put_text(title, "Charts (data: sheet MonthlyPlan)")
    title.font = Font(bold=True, size=13, color="1F3864")
    add_charts(ws, plan, blocks, rows, months)
    fit_to_width(ws, landscape=False)


def _write_summary(
    ws: Worksheet,
    results: Results,
    case: Case,
    provenance: dict,
    written: datetime,
    why: list[str],
) -> None:
    """Key figures in labelled sections, no gridlines, status banner on top."""
    ws.sheet_view.showGridLines = False
    title = ws.cell(1, 1)
    put_text(title, "Antimony ore allocation report")
    title.font = Font(bold=True, size=16, color="1F3864")
    scenario = provenance.get("scenario") or "base case"
    put_text(
        ws.cell(2, 1),
        f"Case '{case.settings.case_name}', {scenario}; input "
        f"{provenance.get('input', '<memory>')}; written "
        f"{written.strftime('%Y-%m-%d %H:%M %Z')}",
    )
    ws.cell(2, 1).font = NOTE_FONT
    r = 4
    sections = summary_sections(results, case, why)
    status = ws.cell(r, 1)
    put_text(status, sections[0].lines[1].values[0])
    status.font = Font(bold=True, size=12)
    fill = PatternFill("solid", fgColor=STATUS_FILLS.get(results.status, "FFC7CE"))
    for col in range(1, SUMMARY_COLS + 1):
        ws.cell(r, col).fill = fill
    r += 2
    for section in sections:
        r = _write_section(ws, r, section) + 1
    _write_guide(ws, r)
    for i, width in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    fit_to_width(ws, landscape=False)


def _write_section(ws: Worksheet, r: int, section: Section) -> int:
    """One titled block of the Summary; returns the next free row."""
    put_text(ws.cell(r, 1), section.title)
    for j, text in enumerate(section.headers, start=2):
        put_text(ws.cell(r, j), text)
        ws.cell(r, j).alignment = UNIT if text == "Unit" else Alignment(horizontal="right")
    for col in range(1, SUMMARY_COLS + 1):
        cell = ws.cell(r, col)
        cell.font = SECTION_FONT
        cell.fill = SECTION_FILL
        cell.border = THIN_BOTTOM
    r += 1
    for line in section.lines:
        if not section.headers:  # a sentence across the block, wrapped
            _write_wide(ws, r, " ".join(x for x in (line.label, str(line.values[0])) if x))
            r += 1
            continue
        put_text(ws.cell(r, 1), line.label)
        for j, value in enumerate(line.values, start=2):
            put(ws.cell(r, j), value, line.kind)
            if line.kind == "text":
                ws.cell(r, j).alignment = Alignment(horizontal="left")
        if section.headers[-1] == "Unit" and line.unit:
            put_text(ws.cell(r, 2 + len(line.values)), line.unit)
            ws.cell(r, 2 + len(line.values)).alignment = UNIT
        r += 1
    return r


def _write_wide(ws: Worksheet, r: int, text: str, font: Font | None = None) -> None:
    """Text across all Summary columns, wrapped, in a row tall enough to show it."""
    put_text(ws.cell(r, 1), text)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=SUMMARY_COLS)
    ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
    if font is not None:
        ws.cell(r, 1).font = font
    lines = max(1, math.ceil(len(text) / (1.3 * sum(SUMMARY_WIDTHS))))  # text is narrow
    ws.row_dimensions[r].height = 15 * lines + 2


def _write_guide(ws: Worksheet, r: int) -> int:
    put_text(ws.cell(r, 1), "How to read this report")
    for col in range(1, SUMMARY_COLS + 1):
        ws.cell(r, col).font = SECTION_FONT
        ws.cell(r, col).fill = SECTION_FILL
        ws.cell(r, col).border = THIN_BOTTOM
    r += 1
    notes = [
        "t = metric tonnes of ore; t Sb = tonnes of contained antimony; money in USD, "
        "nominal unless marked discounted. Months are real dates shown as yyyy-mm; stocks "
        "are end-of-month.",
    ]
    for text in notes:
        _write_wide(ws, r, text, NOTE_FONT)
        r += 1
    for name, what in SHEET_GUIDE:
        put_text(ws.cell(r, 1), name)
        ws.cell(r, 1).font = Font(bold=True)
        put_text(ws.cell(r, 2), what)
        r += 1
    return r


def provenance_items(
    results: Results, case: Case, provenance: dict, written: datetime
) -> list[Item]:
    """Everything needed to reproduce or audit the run."""
    command = provenance.get("command_line", "")
    if isinstance(command, list | tuple):
        command = " ".join(str(a) for a in command)
    items: list[Item] = [
        ("Input file", provenance.get("input", "<memory>"), "text"),
        ("Input SHA-256", provenance.get("input_sha256", ""), "text"),
        ("Scenario", provenance.get("scenario") or "(base case)", "text"),
        ("Case name", case.settings.case_name, "text"),
        ("Report written", written.isoformat(timespec="seconds"), "text"),
        ("Command line", command, "text"),
        (OWN_MARK, optimizer.__version__, "text"),
        ("Python version", platform.python_version(), "text"),
        ("Pyomo version", package_version("pyomo"), "text"),
        ("highspy version", package_version("highspy"), "text"),
        (
            "Solver",
            f"{results.solver} ({results.solver_version})"
            if results.solver_version
            else results.solver,
            "text",
        ),
        ("openpyxl version", package_version("openpyxl"), "text"),
        ("pandas version", package_version("pandas"), "text"),
        ("Status", results.status, "text"),
        ("Solver message", results.message, "text"),
        ("Objective (discounted margin, USD)", results.objective_usd, "usd_per_unit"),
        ("Best bound (USD)", results.best_bound_usd, "usd_per_unit"),
        ("Optimality gap (%)", results.mip_gap_pct, "factor"),
    ]
    items += [(f"Time: {k} (s)", v, "factor") for k, v in results.timings_s.items()]
    items += [(f"Model size: {k}", v, "int") for k, v in results.model_size.items()]
    for name in case.settings.__dataclass_fields__:
        value = getattr(case.settings, name)
        kind = "text" if isinstance(value, str) else "factor"
        items.append((f"Setting: {name}", value, "int" if isinstance(value, int) else kind))
    known = {"input", "input_path", "input_sha256", "scenario", "command_line"}
    for key, value in provenance.items():
        if key not in known:
            kind = "text" if isinstance(value, str) or value is None else "factor"
            items.append((f"Option: {key}", value, kind))
    return items
