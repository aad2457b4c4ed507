"""How the report and the comparison workbook read when printed or rendered: settings read
back from the written files (charts through ``ws._charts``, as openpyxl loads them)."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, range_boundaries
from test_comparison import default_book, default_run  # noqa: F401  (module fixtures)

from optimizer.cli.pipeline import load_case
from optimizer.report.workbook import write_report
from optimizer.scenarios.comparison_workbook import OBJECTIVE_DELTA
from optimizer.solve.run import solve_case


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> openpyxl.Workbook:
    case, _, _ = load_case(None)
    path = tmp_path_factory.mktemp("layout") / "report.xlsx"
    write_report(solve_case(case), case, path, {})
    return openpyxl.load_workbook(path)


def _colour(series) -> str | None:
    line = series.graphicalProperties.line if series.graphicalProperties is not None else None
    return line.solidFill.srgbClr if line is not None and line.solidFill is not None else None


def _row_values(wb: openpyxl.Workbook, ref: str) -> list:
    sheet, cells = ref.split("!")
    min_col, min_row, max_col, _ = range_boundaries(cells.replace("$", ""))
    ws = wb[sheet.strip("'")]
    return [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]


def test_objective_chart_plots_the_change_vs_base(default_book):  # noqa: F811
    """Bars from zero of the change, not of objectives that differ by a few percent; the
    scenario names sit below the (downward) bars; the title says what zero is."""
    chart = default_book["Charts"]._charts[0]
    ref = chart.series[0].val.numRef.f
    deltas = default_book["Deltas"]
    header = [c.value for c in deltas[1]]
    column = header.index(OBJECTIVE_DELTA) + 1
    sheet, cells = ref.split("!")
    assert sheet.strip("'") == "Deltas"
    assert column_index_from_string(cells.split("$")[1]) == column
    assert chart.x_axis.tickLblPos == "low"
    title = "".join(r.t for p in chart.title.tx.rich.p for r in p.r)
    assert "vs the base case" in title and "base = 0" in title


def test_scenario_line_charts_give_each_series_its_own_colour(default_book):  # noqa: F811
    lines = [c for c in default_book["Charts"]._charts if type(c).__name__ == "LineChart"]
    assert lines
    for chart in lines:
        colours = [_colour(s) for s in chart.series]
        assert None not in colours and len(set(colours)) == len(colours) == 10


def test_comparison_description_and_input_changes_read_in_full(default_book):  # noqa: F811
    ws = default_book["Comparison"]
    column = [c.value for c in ws[1]].index("Description") + 1
    longest = max(len(str(ws.cell(r, column).value or "")) for r in range(2, ws.max_row + 1))
    letter = openpyxl.utils.get_column_letter(column)
    assert ws.column_dimensions[letter].width >= longest
    changes = default_book["InputChanges"]
    shown = {(r[0].value, r[4].value): (r[5].value, r[6].value) for r in changes.iter_rows(2)}
    assert shown[("no_grant", "amount_usd")] == ("27,000,000", "0")


def test_stock_chart_leaves_out_always_zero_series(report):
    stocks = next(
        c
        for c in report["Charts"]._charts
        if "Stocks" in "".join(r.t for p in c.title.tx.rich.p for r in p.r)
    )
    rows = [_row_values(report, s.val.numRef.f) for s in stocks.series]
    assert rows and all(any(v for v in values) for values in rows)
    plan = report["MonthlyPlan"]
    titles = [plan.cell(r, 1).value for r in range(1, plan.max_row + 1)]
    start = titles.index("Source stockpile, end of month") + 2
    zero = [
        r
        for r in range(start, start + 5)
        if not any(plan.cell(r, c).value for c in range(3, plan.max_column))
    ]
    assert zero, "the default case has sources that never stockpile"
    charted = {int(s.val.numRef.f.split("$")[-1]) for s in stocks.series}
    assert not charted & set(zero)


def test_summary_units_stand_apart_and_tables_print_their_own_area(report):
    ws = report["Summary"]
    units = [r[2] for r in ws.iter_rows(min_row=1) if r[2].value in ("USD", "s", "t Sb")]
    assert units and all(c.alignment.indent >= 1 for c in units)
    yard = report["Yard"]
    area = yard.print_area.split("!")[1].replace("$", "")
    _, _, max_col, _ = range_boundaries(area)
    note = [c for c in yard[1] if c.value and c.column > max_col]
    assert note, "the Yard sheet carries a note beside its header"
    assert yard.page_setup.orientation == "landscape" or max_col <= 8
    assert yard.sheet_properties.pageSetUpPr.fitToPage


def test_summary_ranks_input_cells_with_their_ranges(report):
    """The default case's most valuable input, the DLA contract's maximum, is among the
    Summary's top lines, with its cell and range; InputValues lists it with the same
    numbers."""
    ws = report["Summary"]
    texts = [str(r[0].value) for r in ws.iter_rows(min_row=1) if r[0].value]
    head = next(i for i, t in enumerate(texts) if t.startswith("What limits the plan"))
    top = texts[head + 1 : head + 6]
    tf = [t for t in top if "DLA ingots IDIQ's maximum (Contracts!" in t]
    assert len(tf) == 1 and "this value holds from" in tf[0] and "per" not in tf[0][:3]
    sheet = report["InputValues"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)]
    row = next(r for r in rows if r["What it means"].startswith("Raising DLA ingots IDIQ's max"))
    assert row["Rank"] <= 5 and row["Value per step (USD, discounted)"] > 0
    assert row["Value holds from"] <= row["Input now"] < row["Value holds to"]
    assert "Why the plan looks like this" in texts
