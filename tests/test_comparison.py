"""The comparison workbook: layout, deltas, the input-diff sheet (exactly the cells each
scenario changed, checked against an independent cell-by-cell diff), allocation blocks,
text safety."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import raw_book
from test_scenarios_run import tiny_rows

from optimizer.inputs.default_case import default_raw
from optimizer.inputs.rawbook import RawBook, column_letter, month_key
from optimizer.inputs.scenario import CellChange, apply_scenario
from optimizer.scenarios.comparison import Comparison, delta, net_changes
from optimizer.scenarios.comparison_tables import allocation_blocks
from optimizer.scenarios.comparison_workbook import write_comparison
from optimizer.scenarios.plan import prepare, scenario_notes
from optimizer.scenarios.run import RunRecord, run_all


@pytest.fixture(scope="module")
def default_run() -> tuple[RawBook, Comparison]:
    raw = default_raw()
    plan = prepare(raw)
    records = run_all(plan)
    return raw, Comparison(records, plan.cases[None], scenario_notes(raw))


@pytest.fixture(scope="module")
def default_book(default_run, tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("cmp") / "comparison.xlsx"
    assert write_comparison(default_run[1], path, []) == path
    return openpyxl.load_workbook(path)


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, datetime | date) or isinstance(b, datetime | date):
        return month_key(a) == month_key(b)
    return a == b


def raw_diff(before: RawBook, after: RawBook) -> set[tuple[str, str]]:
    """(sheet, cell) of every cell whose value differs, found cell by cell."""
    changed = set()
    for name, sheet in after.sheets.items():
        old = before.sheets.get(name)
        cells = {}
        if old is not None:
            for row, number in zip(old.rows, old.row_numbers, strict=True):
                cells.update({(number, c): v for c, v in enumerate(row)})
        for row, number in zip(sheet.rows, sheet.row_numbers, strict=True):
            for c, value in enumerate(row):
                if not _same(cells.get((number, c)), value):
                    changed.add((name, f"{column_letter(c)}{number}"))
    return changed


def test_input_changes_sheet_lists_exactly_the_changed_cells(default_run, default_book):
    raw, _ = default_run
    ws = default_book["InputChanges"]
    header = [c.value for c in ws[1]]
    assert header == [
        "Scenario",
        "Sheet",
        "Cell",
        "Row id",
        "Column or month",
        "Old value",
        "New value",
        "Scenarios row(s)",
    ]
    listed: dict[str, set[tuple[str, str]]] = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        listed.setdefault(row[0], set()).add((row[1], row[2]))
    for name in prepare(raw).names:
        expected = raw_diff(raw, apply_scenario(raw, name))
        assert expected, name
        assert listed.get(name, set()) == expected, name
    rows = {(r[0], r[1], r[2]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[("no_grant", "Grants", "C2")][3:] == (
        "DPA Title III",
        "amount_usd",
        "27,000,000",
        "0",
        "3",
    )
    assert rows[("grant_delayed_6m", "Grants", "D2")][5:7] == ("2026-03", "2027-07")


def test_comparison_and_deltas_sheets(default_run, default_book):
    _, comparison = default_run
    ws = default_book["Comparison"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == [
        "Scenario",
        "Description",
        "Status",
        "Objective: discounted margin (USD)",
    ]
    for words in (
        "Sb produced at Thompson Falls (t Sb)",
        "Ore allocated to Madero (t)",
        "Alaska ore shipped, own claims (t)",
        "Utilization of Madero (%)",
        "Grant used: DPA Title III (USD)",
        "TF expansion: capacity built (t/month)",
        "TF expansion: stages (size, start, online)",
        "Contract shortfall (t Sb)",
        "Input cells changed",
        "Solved by",
    ):
        assert words in headers
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == [
        r.label for r in comparison.records
    ]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    objective = ws.cell(2, 4)
    assert objective.value == pytest.approx(comparison.base.objective_usd)
    assert objective.number_format == "#,##0"
    stages = ws.cell(2, headers.index("TF expansion: stages (size, start, online)") + 1)
    assert stages.value.startswith("+") and "t/month from " in stages.value

    deltas = default_book["Deltas"]
    dh = [c.value for c in deltas[1]]
    by = {r.label: r for r in comparison.records}
    row = next(r for r in deltas.iter_rows(min_row=2, values_only=True) if r[0] == "no_grant")
    base, no_grant = by["base case"].objective_usd, by["no_grant"].objective_usd
    assert row[dh.index("Δ Objective: discounted margin (USD)")] == pytest.approx(no_grant - base)
    assert row[dh.index("Δ Objective: discounted margin (%)")] == pytest.approx(
        100 * (no_grant - base) / base
    )
    assert row[dh.index("Δ Grant used: DPA Title III (USD)")] == pytest.approx(
        -by["base case"].grant_used_usd["DPA Title III"]
    )
    assert "Δ Utilization of Madero (percentage points)" in dh


def test_charts_and_allocation_sheets(default_run, default_book):
    _, comparison = default_run
    assert default_book.sheetnames == [
        "Comparison",
        "Deltas",
        "Stages",
        "Charts",
        "Allocation",
        "InputChanges",
        "Provenance",
    ]
    assert len(default_book["Charts"]._charts) == 2 + len(comparison.case.smelters)
    ws = default_book["Allocation"]
    titles = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert "no_tf_expansion: ore dispatched to each smelter" in titles
    first = titles.index("base case: ore dispatched to each smelter") + 3  # its first id row
    assert ws.cell(first, 1).value == "Thompson Falls"
    expected = comparison.base.allocation["Thompson Falls"]
    assert [ws.cell(first, 3 + i).value for i in range(len(expected))] == pytest.approx(
        list(expected)
    )
    assert ws.cell(first, 3 + len(expected)).value == pytest.approx(sum(expected))  # Total


def test_delta_values_and_percentages():
    assert delta(90.0, 120.0) == (pytest.approx(-30.0), pytest.approx(-25.0))
    assert delta(5.0, 0.0) == (5.0, None)  # no percentage of a zero base
    assert delta(None, 3.0) == (None, None)


def test_net_changes_merges_repeated_cells_and_drops_no_ops():
    """Row 2 sets C3 60→30, row 5 scales it 30→45: one change 60→45 from rows 2, 5. Row 3
    scales D3 by 1 (100→100.0): no change. Row 4 changes E3: kept."""
    changes = (
        CellChange("s", "Prices", "TF", "2027-01", 60, 30, 2, "C3"),
        CellChange("s", "Prices", "TF", "2027-02", 100, 100.0, 3, "D3"),
        CellChange("s", "Prices", "TF", "2027-03", None, 7.0, 4, "E3"),
        CellChange("s", "Prices", "TF", "2027-01", 30, 45.0, 5, "C3"),
    )
    merged = [(c.cell, c.old, c.new, rows) for c, rows in net_changes(changes)]
    assert merged == [("C3", 60, 45.0, [2, 5]), ("E3", None, 7.0, [4])]


def test_allocation_blocks_cover_every_runs_months():
    """A run with a shorter horizon leaves its later months blank and loses its Total."""
    case = prepare(raw_book(tiny_rows())).cases[None]
    long = RunRecord(
        None,
        "optimal",
        objective_usd=1.0,
        months=("2027-01", "2027-02"),
        allocation={"TF": (10.0, 20.0)},
    )
    short = RunRecord(
        "short", "optimal", objective_usd=1.0, months=("2027-01",), allocation={"TF": (5.0,)}
    )
    months, blocks = allocation_blocks(Comparison([long, short], case))
    assert months == ("2027-01", "2027-02")
    assert blocks[0].rows == [("TF", [10.0, 20.0])] and blocks[0].additive
    assert blocks[1].rows == [("TF", [5.0, None])] and not blocks[1].additive


def test_text_from_the_input_stays_text(tmp_path: Path):
    raw = raw_book(tiny_rows(['=HYPERLINK("http://x")', "Prices", "TF", "*", "scale", 0.5, "=1+1"]))
    plan = prepare(raw)
    records = run_all(plan)
    comparison = Comparison(records, plan.cases[None], scenario_notes(raw))
    path = write_comparison(comparison, tmp_path / "c.xlsx", [])
    sheet = openpyxl.load_workbook(path)["Comparison"]
    cell, note = sheet["A3"], sheet["B3"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s" and cell.quotePrefix
    assert note.value == "=1+1" and note.data_type == "s" and note.quotePrefix


def test_refuses_to_overwrite_the_input(tmp_path: Path):
    from optimizer.errors import UsageError

    raw = raw_book(tiny_rows())
    plan = prepare(raw)
    comparison = Comparison(run_all(plan), plan.cases[None])
    target = tmp_path / "in.xlsx"
    target.write_bytes(b"input")
    with pytest.raises(UsageError):
        write_comparison(comparison, target, [target])
    assert target.read_bytes() == b"input"
