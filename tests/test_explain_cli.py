"""``ore-optimizer explain`` (and ``solve``'s automatic diagnosis) on crafted infeasible
workbooks: one per pre-solve screen and several that only the HiGHS IIS catches.

Every case edits the tiny valid case of ``conftest`` (``minimal_rows``). Its layout, for the
cells asserted below: Smelters A smelter … C base_capacity_t_per_month, F min_feed_grade_pct,
I min_feed_t_per_month, J stockpile_capacity_t (rows TF=2, MAD=3); Sources E grade_pct_sb,
H stockpile_capacity_t (AK1=2, BUY=3); Supply C/D/E = 2027-01/02/03 (rows AK1 max=2,
AK1 min=3, BUY max=4); Routes F transit_months, G capacity_t_per_month (AK1-TF=2,
AK1-MAD=3, BUY-MAD=4). Each case's docstring is the hand check that it is infeasible.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import MONTHS, Rows, full_rows, minimal_rows, set_cell, write_book

from optimizer.cli.app import main
from optimizer.cli.pipeline import load_case
from optimizer.diagnose.explain import diagnose
from optimizer.diagnose.fixes import apply_edits, is_feasible


def _months(rows: Rows, sheet: str, key, value) -> Rows:
    for m in MONTHS:
        rows = set_cell(rows, sheet, key, m, value)
    return rows


def _base(**min_feed: float) -> Rows:
    """The tiny case with every route at transit 0 and the given minimum feeds."""
    rows = minimal_rows()
    for r in ("AK1-TF", "AK1-MAD", "BUY-MAD"):
        rows = set_cell(rows, "Routes", r, "transit_months", 0)
    for p, tonnes in min_feed.items():
        rows = set_cell(rows, "Smelters", p, "min_feed_t_per_month", tonnes)
    return rows


# --- one case per screen -------------------------------------------------------------------


def capacity_month() -> Rows:
    """TF must take 150 t every month but is 50 % available in 2027-02: 200 × 50 % = 100 t."""
    rows = _months(_base(TF=150), "Supply", 2, 300)
    rows["SmelterAvailability"] = [["smelter", *MONTHS], ["TF", 100, 50, 100]]
    return rows


def route_closed() -> Rows:
    """TF must take 50 t in 2027-01, but its only route is closed that month (0 %)."""
    rows = _base(TF=50)
    rows["RouteAvailability"] = [["route", *MONTHS], ["AK1-TF", 0, 100, 100]]
    return rows


def transit_lag() -> Rows:
    """TF must take 50 t in 2027-01; ore dispatched on AK1-TF arrives a month later."""
    return set_cell(minimal_rows(), "Smelters", "TF", "min_feed_t_per_month", 50)


def supply_min_stuck() -> Rows:
    """AK1 must produce 100 t/month (300 t by 2027-03); AK1-TF takes 40 t/month in 2027-01
    and 2027-02 (transit 1: nothing later), AK1-MAD 100 t in 2027-01 only (transit 2), the
    stockpile 50 t: 300 − 80 − 100 − 50 = 70 t too much."""
    rows = _months(minimal_rows(), "Supply", 2, 100)
    rows = _months(rows, "Supply", 3, 100)
    rows = set_cell(rows, "Sources", "AK1", "stockpile_capacity_t", 50)
    return set_cell(rows, "Routes", "AK1-TF", "capacity_t_per_month", 40)


def blend_grade() -> Rows:
    """TF needs ≥ 55 % Sb feed every month; the only ore reaching it (AK1) is 50 %."""
    return set_cell(_base(TF=10), "Smelters", "TF", "min_feed_grade_pct", 55)


def opening_source() -> Rows:
    """2,000 t open in the AK1 stockpile (1,000 t); 300 t can leave in 2027-01."""
    rows = minimal_rows()
    rows["OpeningStock"] = [["location", "source", "tonnes"], ["AK1", "AK1", 2000]]
    return rows


def opening_yard() -> Rows:
    """1,000 t open in the TF yard (500 t); TF can feed 200 t in 2027-01."""
    rows = minimal_rows()
    rows["OpeningStock"] = [["location", "source", "tonnes"], ["TF", "AK1", 1000]]
    return rows


def end_stock_keep() -> Rows:
    """keep_opening; AK1 mines nothing, so TF's 3 × 50 t could only come from AK1's 300 t
    opening stock — which must still be there at the end."""
    rows = _months(_base(TF=50), "Supply", 2, 0)
    rows = _months(rows, "Supply", 3, 0)
    rows["Settings"].append(["end_stock_policy", "keep_opening", None])
    rows["OpeningStock"] = [["location", "source", "tonnes"], ["AK1", "AK1", 300]]
    return rows


def expansion_outside() -> Rows:
    """TF must take 250 t/month (capacity 200); its expansion may start 2027-03 at the
    earliest with a 1-month lead time, so it is never online inside the horizon; the grant
    for it is awarded after the horizon (two notes besides the conflict)."""
    rows = _months(_base(TF=250), "Supply", 2, 300)
    rows["Expansions"] = [
        [
            "project",
            "smelter",
            "max_added_t_per_month",
            "capex_usd_per_t_per_month",
            "fixed_capex_usd",
            "lead_time_months",
            "earliest_start_month",
            "latest_start_month",
        ],
        ["TF-X", "TF", 300, 20000, None, 1, "2027-03", None],
    ]
    rows["Grants"] = [
        ["grant", "agency", "amount_usd", "award_month", "max_share_pct", "eligible_projects"],
        ["DPA", "DoD", 1_000_000, "2027-06", 50, "all"],
    ]
    return rows


SCREEN_CASES: dict[str, tuple[Callable[[], Rows], tuple[str, ...]]] = {
    "capacity_month": (capacity_month, ("Smelters!I2", "SmelterAvailability!C2", "2027-02")),
    "route_closed": (route_closed, ("Smelters!I2", "RouteAvailability!B2", "2027-01")),
    "transit_lag": (transit_lag, ("Smelters!I2", "Routes!F2", "2027-01")),
    "supply_min_stuck": (
        supply_min_stuck,
        ("Supply!C3:E3", "Sources!H2", "Routes!G2", "Routes!F3", "2027-02 to 2027-03"),
    ),
    "blend_grade": (blend_grade, ("Smelters!F2", "Sources!E2", "Smelters!I2")),
    "opening_source": (opening_source, ("OpeningStock!C2", "Sources!H2", "2027-01")),
    "opening_yard": (opening_yard, ("OpeningStock!C2", "Smelters!J2", "2027-01")),
    "end_stock_keep": (end_stock_keep, ("Settings!B5", "Smelters!I2", "2027-03")),
    "expansion_outside": (
        expansion_outside,
        (
            "Smelters!I2",
            "Expansions!G2",
            "Expansion TF-X can never add capacity",
            "Grant DPA can never pay",
            "Grants!D2",
        ),
    ),
}


# --- cases only the IIS catches ------------------------------------------------------------


def shared_supply() -> Rows:
    """TF needs 80 t and MAD 60 t every month: 140 t. AK1 supplies 100 t (Supply), BUY's
    lane to MAD carries 10 t (Routes): 110 t. Each smelter alone could be fed (screens
    pass); together they cannot — Smelters, Supply and Routes conflict."""
    rows = set_cell(_base(TF=80, MAD=60), "Routes", "BUY-MAD", "capacity_t_per_month", 10)
    return rows


def grade_mix() -> Rows:
    """TF needs 150 t/month averaging ≥ 48 % Sb; AK1 (50 %) gives at most 100 t, the rest
    must be BUY (40 %): (100 × 50 + 50 × 40) / 150 = 46.7 % < 48 %. AK1 alone meets the
    grade and 150 t can reach TF, so no screen fires."""
    rows = _base(TF=150)
    rows = set_cell(rows, "Smelters", "TF", "min_feed_grade_pct", 48)
    rows["Routes"].append(["BUY-TF", "BUY", "TF", "ocean", 90, 0, 100, None, None])
    return rows


def stuck_downstream() -> Rows:
    """AK1 must produce 150 t/month and cannot stockpile (0 t); AK1-TF carries it all, but
    TF takes 100 t/month and its yard holds 0 t; AK1-MAD (transit 2) only in 2027-01:
    2027-02 has 50 t nowhere to go — Supply, Sources and Smelters conflict."""
    rows = _months(minimal_rows(), "Supply", 2, 150)
    rows = _months(rows, "Supply", 3, 150)
    rows = set_cell(rows, "Sources", "AK1", "stockpile_capacity_t", 0)
    rows = set_cell(rows, "Routes", "AK1-TF", "transit_months", 0)
    rows = set_cell(rows, "Smelters", "TF", "base_capacity_t_per_month", 100)
    return set_cell(rows, "Smelters", "TF", "stockpile_capacity_t", 0)


def shared_supply_lumpy() -> Rows:
    """:func:`shared_supply` in lumpy mode (diagnosed on its LP relaxation)."""
    rows = shared_supply()
    rows["Settings"].append(["expansion_mode", "lumpy", None])
    return rows


IIS_CASES: dict[str, tuple[Callable[[], Rows], tuple[str, ...]]] = {
    "shared_supply": (
        shared_supply,
        ("Smelters!I2", "Smelters!I3", "Supply!C2", "Routes!G4", "2027-01"),
    ),
    "grade_mix": (grade_mix, ("Smelters!F2", "Smelters!I2", "Supply!C2", "2027-01")),
    "stuck_downstream": (
        stuck_downstream,
        ("Supply!E3", "Sources!H2", "Smelters!C2", "Smelters!J2", "2027-03"),
    ),
    "shared_supply_lumpy": (shared_supply_lumpy, ("Smelters!I2", "Supply!C2", "lumpy mode")),
}


def _explain(tmp_path: Path, rows: Rows, capsys, *extra: str) -> tuple[int, str]:
    book = write_book(tmp_path / "case.xlsx", rows)
    code = main(["explain", str(book), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("name", list(SCREEN_CASES))
def test_screen_names_the_cells(name, tmp_path, capsys):
    build, expected = SCREEN_CASES[name]
    code, text = _explain(tmp_path, build(), capsys)
    assert code == 3, text
    assert "What conflicts (pre-solve checks):" in text
    for words in expected:
        assert words in text, f"{name}: {words!r} missing from\n{text}"
    assert "Traceback" not in text


@pytest.mark.parametrize("name", list(IIS_CASES))
def test_iis_names_the_cells(name, tmp_path, capsys):
    build, expected = IIS_CASES[name]
    code, text = _explain(tmp_path, build(), capsys)
    assert code == 3, text
    assert "pre-solve checks" not in text, "a screen caught it: not an IIS-only case"
    assert "(HiGHS irreducible infeasible subset):" in text
    for words in expected:
        assert words in text, f"{name}: {words!r} missing from\n{text}"
    assert "Traceback" not in text


def test_conflict_across_three_sheets(tmp_path, capsys):
    """shared_supply: the IIS itself holds limits from Smelters, Supply and Routes."""
    case = _case(tmp_path, shared_supply())
    limits = diagnose(case).limits
    sheets = {c.split("!")[0] for limit in limits for c in limit.cells}
    assert {"Smelters", "Supply", "Routes"} <= sheets


def _case(tmp_path: Path, rows: Rows):
    return load_case(write_book(tmp_path / "c.xlsx", rows))[0]


def _apply_in_workbook(book: Path, edits) -> None:
    """Type the suggested values into the planner's workbook cells."""
    wb = openpyxl.load_workbook(book)
    for e in edits:
        sheet, address = e.cell.split("!")
        wb[sheet][address] = e.new
    wb.save(book)


@pytest.mark.parametrize(
    "name",
    [
        "capacity_month",
        "shared_supply",
        "grade_mix",
        "stuck_downstream",
        "end_stock_keep",
        "supply_min_stuck",
    ],
)
def test_every_suggested_fix_makes_the_case_feasible(name, tmp_path, capsys):
    """Each suggestion, typed into the workbook cells it names, gives a case that solves."""
    build = {**SCREEN_CASES, **IIS_CASES}[name][0]
    rows = build()
    diagnosis = diagnose(_case(tmp_path, rows))
    assert diagnosis.fixes, "no fix suggested"
    for n, fix in enumerate(diagnosis.fixes):
        book = write_book(tmp_path / f"fix{n}.xlsx", copy.deepcopy(rows))
        _apply_in_workbook(book, fix.edits)
        assert main(["solve", str(book), "--json", "-o", str(tmp_path / f"r{n}.xlsx")]) == 0, (
            fix.text
        )
        capsys.readouterr()


def test_issue_example_capacity_or_min_feed(tmp_path):
    """capacity_month: raise TF availability in 2027-02 from 50 % to 75 % (200 × 75 % =
    150 t), or lower TF's minimum feed from 150 to 100 t."""
    diagnosis = diagnose(_case(tmp_path, capacity_month()))
    edits = {(e.cell, e.old, e.new) for fix in diagnosis.fixes for e in fix.edits}
    assert ("SmelterAvailability!C2", 50.0, 75.0) in edits
    assert ("Smelters!I2", 150.0, 100.0) in edits
    texts = " / ".join(f.text for f in diagnosis.fixes)
    assert "raise TF's capacity in 2027-02 by 50 t" in texts
    assert "lower TF's minimum feed from 150 to 100 t/month" in texts


def test_fix_is_checked_by_resolving(tmp_path):
    """The edits of each fix, applied to the Case, make it feasible; without them it is not."""
    case = _case(tmp_path, shared_supply())
    assert not is_feasible(case)
    for fix in diagnose(case).fixes:
        assert is_feasible(apply_edits(case, fix.edits)), fix.text


def test_solve_prints_the_diagnosis(tmp_path, capsys):
    book = write_book(tmp_path / "bad.xlsx", shared_supply())
    report = tmp_path / "r.xlsx"
    assert main(["solve", str(book), "-o", str(report)]) == 3
    captured = capsys.readouterr()
    for words in (
        "infeasible",
        "Smelters!I2",
        "Supply!C2",
        "Routes!G4",
        "Smallest changes that make the case feasible",
    ):
        assert words in captured.err
    assert "Traceback" not in captured.err + captured.out
    # -o gets the small diagnosis workbook, never a (half-written) allocation report
    sheets = openpyxl.load_workbook(report, read_only=True).sheetnames
    assert "Diagnosis" in sheets and "Allocation" not in sheets


def test_solve_without_output_writes_nothing_when_infeasible(tmp_path, capsys, monkeypatch):
    book = write_book(tmp_path / "bad.xlsx", shared_supply())
    monkeypatch.chdir(tmp_path)
    assert main(["solve", str(book), "--json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "infeasible" and data["report"] is None
    assert data["diagnosis"]["workbook"] is None
    assert not (tmp_path / "outputs").exists()


def test_solve_json_carries_the_diagnosis(tmp_path, capsys):
    """``solve --json`` on :func:`shared_supply`: one JSON document ending in a newline whose
    diagnosis names the conflicting cells (sheet and cell apart), in words, and the fixes as
    cell edits — the same cells the console lines name."""
    book = write_book(tmp_path / "bad.xlsx", shared_supply())
    assert main(["solve", str(book), "--json"]) == 3
    out = capsys.readouterr().out
    assert out.endswith("}\n") and out.count("\n") == 1
    diagnosis = json.loads(out)["diagnosis"]
    assert diagnosis["status"] == "infeasible"
    cells = {(c["sheet"], c["cell"]) for limit in diagnosis["conflict"] for c in limit["cells"]}
    assert {("Smelters", "I2"), ("Supply", "C2"), ("Routes", "G4")} <= cells
    assert all(limit["message"] for limit in diagnosis["conflict"])
    assert diagnosis["fixes"], "a single-input fix exists (e.g. more AK1 supply)"
    for fix in diagnosis["fixes"]:
        assert fix["fix"] and fix["edits"]
        for edit in fix["edits"]:
            assert edit["sheet"] in {"Smelters", "Supply", "Routes"}
            assert edit["cell"][0].isalpha() and edit["cell"][-1].isdigit()
            assert edit["current"] != edit["suggested"]


def test_feasible_case_and_notes(tmp_path, capsys):
    """A contract at a smelter no route reaches: shortfall, not infeasibility (exit 0)."""
    rows = minimal_rows()
    rows["Smelters"].append(["NEW", "USA", 100, 300, 95, None, None, None, None, 100, 1, None])
    rows["Prices"].append(["NEW", 40000, 40000, 40000])
    rows["Contracts"] = [
        [
            "contract",
            "smelter",
            "start_month",
            "end_month",
            "min_t_sb_per_month",
            "max_t_sb_per_month",
            "price_usd_per_t_sb",
        ],
        ["DLA", "NEW", None, None, 5, 50, 45000],
    ]
    code, text = _explain(tmp_path, rows, capsys)
    assert code == 0, text
    assert "is feasible" in text
    assert "Contract DLA can never be served" in text and "Contracts!E2" in text


def test_diagnosis_workbook(tmp_path, capsys):
    out = tmp_path / "diagnosis.xlsx"
    code, text = _explain(tmp_path, shared_supply(), capsys, "-o", str(out))
    assert code == 3 and f"Diagnosis workbook: {out}" in text
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Diagnosis", "Conflict", "Fixes", "Provenance"]
    cells = [row[2] for row in wb["Fixes"].iter_rows(min_row=2, values_only=True)]
    assert "Smelters!I2" in cells
    constraints = " ".join(str(r[1]) for r in wb["Conflict"].iter_rows(values_only=True))
    assert "TF must be fed at least 80 t" in constraints


def test_explain_usage_and_invalid_input(tmp_path, capsys):
    book = write_book(
        tmp_path / "bad.xlsx", set_cell(minimal_rows(), "Smelters", "TF", "recovery_pct", "lots")
    )
    assert main(["explain", str(book)]) == 2
    assert main(["explain", str(tmp_path / "missing.xlsx")]) == 1
    assert main(["explain", str(book), "-o", str(book)]) == 1
    good = write_book(tmp_path / "good.xlsx", minimal_rows())
    assert main(["explain", str(good), "--scenario", "nope"]) == 1
    assert main(["explain", str(good), "-o", str(tmp_path / "d.txt")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_default_case_is_feasible(capsys, tmp_path):
    case, _, _ = load_case(None)
    diagnosis = diagnose(case)
    assert diagnosis.status == "feasible" and not diagnosis.conflicts


def test_explain_a_scenario(tmp_path, capsys):
    """A scenario raising TF's minimum feed to 500 t (capacity 200 t) is infeasible; the
    base case is not. The message points at the cell the scenario overrides."""
    rows = full_rows()
    rows["Scenarios"].append(["tight", "Smelters", "TF", "min_feed_t_per_month", "set", 500, None])
    book = write_book(tmp_path / "full.xlsx", rows)
    assert main(["explain", str(book)]) == 0
    capsys.readouterr()
    assert main(["explain", str(book), "--scenario", "tight"]) == 3
    text = capsys.readouterr().out
    assert "TF must be fed at least 500 t" in text and "Smelters!I2" in text
