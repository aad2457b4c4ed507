"""The report writer on a hand-built Results (no solver): content, safety, file handling."""

from __future__ import annotations

import csv
import dataclasses
import os
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from report_check import check_report, read_table, summary_value
from report_fixtures import (
    MONTHS,
    TF,
    bare_case_and_results,
    tiny_case,
    tiny_results,
)

from optimizer import files as report_io
from optimizer.errors import UsageError
from optimizer.report import sheet_body
from optimizer.report.csv_export import write_csv
from optimizer.report.workbook import write_report
from optimizer.solve.status import Status

EVIL = '=HYPERLINK("http://evil.example","click")'
PROVENANCE = {
    "input": "tiny.xlsx",
    "input_sha256": "ab" * 32,
    "scenario": None,
    "command_line": ["ore-optimizer", "solve", "tiny.xlsx"],
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    case = tiny_case()
    return write_report(tiny_results(case), case, tmp_path / "tiny_report.xlsx", PROVENANCE)


def test_report_rechecks_from_its_own_numbers(tiny: Path) -> None:
    """Every balance, limit and money line adds up using only the workbook's cells.

    January by hand: contract revenue 52.4 t Sb × 45,000 = 2,358,000; ore 100×2,000 +
    50×15,000 = 950,000; freight 80×300 + 20×500 + 50×400 = 54,000; processing 80×1,000 +
    40×800 = 112,000; company capex 1,000,000 − 500,000 grant = 500,000; penalty 2.6 t ×
    100,000 = 260,000; net = 2,358,000 − 950,000 − 54,000 − 112,000 − 500,000 − 260,000
    = 482,000 (month 0: discount factor 1).
    """
    totals = check_report(tiny)
    assert totals["months"] == list(MONTHS)
    assert totals["dispatches"] == 6  # zero dispatches are left out
    assert totals["sb_t"] == pytest.approx(38 + 47.5 + 42.75 + 14.4 + 27 + 18)
    wb = openpyxl.load_workbook(tiny)
    jan = read_table(wb, "Cashflow")[0]
    assert jan["Net (USD)"] == pytest.approx(482_000)
    assert jan["Discounted net (USD)"] == pytest.approx(482_000)
    assert totals["objective"] == pytest.approx(tiny_results().objective_usd)


def test_sheets_formats_and_layout(tiny: Path) -> None:
    wb = openpyxl.load_workbook(tiny)
    assert wb.sheetnames == [
        "Summary",
        "Charts",
        "MonthlyPlan",
        "Actions",
        "Why",
        "Allocation",
        "Smelters",
        "Sources",
        "Yard",
        "Expansion",
        "Payments",
        "Grants",
        "Contracts",
        "Cashflow",
        "InputValues",
        "MarginalValues",
        "Provenance",
    ]
    alloc = wb["Allocation"]
    assert alloc.freeze_panes == "C2"
    assert alloc.auto_filter.ref == "A1:J7"
    assert alloc["A2"].number_format == "yyyy-mm" and isinstance(alloc["A2"].value, datetime)
    assert alloc["F2"].number_format == "#,##0.0"
    assert alloc["J2"].number_format == "#,##0"
    assert all(alloc.column_dimensions[c].width >= 8 for c in "ABCDEFGHIJ")
    assert wb["Summary"].sheet_view.showGridLines is False
    assert len(wb["Charts"]._charts) == 4
    plan = wb["MonthlyPlan"]
    assert [plan.cell(1, j).value.strftime("%Y-%m") for j in (3, 4, 5)] == list(MONTHS)
    assert summary_value(wb, "Status") == "Optimal"
    assert summary_value(wb, "Contract shortfall") == pytest.approx(2.6)
    assert summary_value(wb, "DPA Title III", 3) == pytest.approx(1_500_000)
    assert summary_value(wb, "Alaska ore mined (own claims)") == pytest.approx(300)
    assert summary_value(wb, "Domestic share of smelter feed") == pytest.approx(100 * 290 / 430)


def test_marginal_values_sorted_with_sentences_and_cells(tiny: Path) -> None:
    rows = read_table(openpyxl.load_workbook(tiny), "MarginalValues")
    values = [r["Value (USD per unit)"] for r in rows]
    assert values == [12400.0, 850.5, -120.25, 0.35]  # by size; slack Madero row left out
    first = rows[0]
    assert first["What it means"] == (
        "One more t/month of Thompson Falls capacity in 2027-02 is worth $12,400."
    )
    assert (first["Input sheet"], first["Input cell"], first["Input row"]) == ("Smelters", "C2", 2)
    assert first["Binding"] == "yes"
    assert rows[2]["What it means"].endswith("would cost $120.")
    assert rows[3]["Month"] is None  # a whole-horizon limit has no month
    assert rows[3]["What it means"] == (
        "One more USD of Grant_Amount[DPA Title III] is worth $0.35."
    )


def test_input_text_is_written_as_text_never_a_formula(tmp_path: Path) -> None:
    """An id like =HYPERLINK(...) round-trips as the same string, in xlsx and in CSV."""
    case = tiny_case(purchase_id=EVIL)
    res = tiny_results(case)
    path = write_report(res, case, tmp_path / "r.xlsx", PROVENANCE)
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == EVIL]
    assert {c.parent.title for c in cells} >= {"Allocation", "Sources", "Yard", "MonthlyPlan"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert EVIL not in wb.sheetnames
    files = write_csv(res, case, tmp_path / "csv")
    with (tmp_path / "csv" / "sources.csv").open(encoding="utf-8", newline="") as fh:
        ids = {r["Source"] for r in csv.DictReader(fh)}
    assert ids == {"Stibnite Creek", "'" + EVIL}
    assert {f.name for f in files} >= {"summary.csv", "allocation.csv", "marginal_values.csv"}


def test_csv_tables_match_the_workbook(tmp_path: Path, tiny: Path) -> None:
    case = tiny_case()
    files = write_csv(tiny_results(case), case, tmp_path / "out")
    assert len(files) == 14  # Summary + every long table (Payments and Why included)
    with (tmp_path / "out" / "allocation.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sheet = read_table(openpyxl.load_workbook(tiny), "Allocation")
    assert [float(r["Dispatched (t ore)"]) for r in rows] == [
        r["Dispatched (t ore)"] for r in sheet
    ]
    assert rows[0]["Dispatch month"] == "2027-01"
    with (tmp_path / "out" / "summary.csv").open(encoding="utf-8", newline="") as fh:
        summary = list(csv.DictReader(fh))
    objective = next(r for r in summary if r["Item"] == "Objective: discounted margin")
    assert float(objective["Value"]) == pytest.approx(tiny_results().objective_usd)


def test_empty_tables_and_no_expansion(tmp_path: Path) -> None:
    case, res = bare_case_and_results()
    path = write_report(res, case, tmp_path / "bare.xlsx", PROVENANCE)
    wb = openpyxl.load_workbook(path)
    for sheet in ("Expansion", "Grants", "Contracts", "MarginalValues"):
        assert read_table(wb, sheet) == []
        assert wb[sheet]["A2"].value  # a note says why it is empty
    assert len(wb["Charts"]._charts) == 3  # no grant chart
    assert write_csv(res, case, tmp_path / "csv")


def test_feasible_with_gap_is_flagged(tmp_path: Path) -> None:
    case = tiny_case()
    res = tiny_results(case, status=Status.FEASIBLE)
    wb = openpyxl.load_workbook(write_report(res, case, tmp_path / "gap.xlsx", PROVENANCE))
    assert summary_value(wb, "Status") == (
        "Feasible, not proven optimal (time limit reached); gap 2%"
    )
    assert wb["Summary"]["A4"].fill.fgColor.rgb.endswith("FFEB9C")
    assert summary_value(wb, "Optimality gap") == 2.0
    check_report(tmp_path / "gap.xlsx")


def test_no_solution_writes_a_status_only_report(tmp_path: Path) -> None:
    case = tiny_case()
    res = dataclasses.replace(
        tiny_results(case),
        status=Status.NO_SOLUTION,
        objective_usd=None,
        flows=_empty(),
        sources=_empty(),
        yard=_empty(),
        smelters=_empty(),
        builds=_empty(),
        grant_use=_empty(),
        contracts=_empty(),
        cashflow=_empty(),
        duals=_empty(),
    )
    wb = openpyxl.load_workbook(write_report(res, case, tmp_path / "none.xlsx", PROVENANCE))
    assert "Charts" not in wb.sheetnames
    assert summary_value(wb, "Status") == "No solution found within the time limit"
    assert read_table(wb, "Allocation") == []


def _empty():
    import pandas as pd

    return pd.DataFrame()


def test_provenance_sheet(tiny: Path) -> None:
    ws = openpyxl.load_workbook(tiny)["Provenance"]
    items = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert items["Input file"] == "tiny.xlsx"
    assert items["Input SHA-256"] == "ab" * 32
    assert items["Command line"] == "ore-optimizer solve tiny.xlsx"
    assert items["Status"] == "optimal"
    assert items["Pyomo version"] == "6.10.1"
    assert items["highspy version"] == "1.15.1"
    assert items["Solver"] == "highs (1.15.1)"
    assert items["Setting: horizon_months"] == 3
    assert items["Time: solve (s)"] == 0.02
    datetime.fromisoformat(items["Report written"])


# ------------------------------------------------------------------ file handling


def test_atomic_write_leaves_no_temp_file_and_replaces_target(tmp_path: Path) -> None:
    case, res = tiny_case(), tiny_results()
    target = tmp_path / "out" / "r.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old")
    assert write_report(res, case, target, PROVENANCE) == target
    assert openpyxl.load_workbook(target)["Summary"]["A1"].value
    assert sorted(p.name for p in target.parent.iterdir()) == ["r.xlsx"]


def test_failed_write_keeps_the_old_report(tmp_path: Path, monkeypatch) -> None:
    case, res = tiny_case(), tiny_results()
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old report")

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sheet_body.Workbook, "save", broken_save)
    with pytest.raises(UsageError, match="No space left"):
        write_report(res, case, target, PROVENANCE)
    assert target.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    case, res = tiny_case(), tiny_results()
    source = tmp_path / "case.xlsx"
    source.write_bytes(b"input")
    prov = {**PROVENANCE, "input_path": str(source)}
    with pytest.raises(UsageError, match="refusing to overwrite the input"):
        write_report(res, case, tmp_path / "sub" / ".." / "case.xlsx", prov)
    link = tmp_path / "link.xlsx"
    link.symlink_to(source)
    with pytest.raises(UsageError, match="refusing to overwrite the input"):
        write_report(res, case, link, prov)
    assert source.read_bytes() == b"input"
    with pytest.raises(UsageError, match=r"must be a \.xlsx"):
        write_report(res, case, tmp_path / "r.csv", prov)


def test_locked_target_goes_to_a_timestamped_sibling(tmp_path: Path) -> None:
    """LibreOffice's lock file next to the report means it is open: don't touch it."""
    case, res = tiny_case(), tiny_results()
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"open in calc")
    (tmp_path / ".~lock.r.xlsx#").write_text("user,host")
    written = write_report(res, case, target, PROVENANCE)
    assert written != target and written.parent == tmp_path
    assert written.name.startswith("r_") and written.suffix == ".xlsx"
    assert target.read_bytes() == b"open in calc"
    check_report(written)


def test_rename_refused_goes_to_a_timestamped_sibling(tmp_path: Path, monkeypatch) -> None:
    """Windows refuses to replace a file Excel has open: PermissionError on rename."""
    case, res = tiny_case(), tiny_results()
    target = tmp_path / "r.xlsx"
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == target:
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(report_io.os, "replace", replace)
    written = write_report(res, case, target, PROVENANCE)
    assert written.name.startswith("r_") and not target.exists()
    assert openpyxl.load_workbook(written)["Summary"]["A1"].value


def test_sibling_name_is_unique(tmp_path: Path) -> None:
    now = datetime(2027, 1, 15, 9, 30, 12)
    first = report_io.timestamped_sibling(tmp_path / "r.xlsx", now)
    assert first.name == "r_20270115-093012.xlsx"
    first.write_bytes(b"x")
    assert report_io.timestamped_sibling(tmp_path / "r.xlsx", now).name == (
        "r_20270115-093012-2.xlsx"
    )


def test_report_names_smelters_only_in_cells(tiny: Path) -> None:
    """Sheet names are fixed; ids appear only as cell text."""
    wb = openpyxl.load_workbook(tiny)
    assert TF not in " ".join(wb.sheetnames)
