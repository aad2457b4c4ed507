"""``ore-optimizer validate``: one tiny failing workbook per SPEC input rule, end to end.

Each case edits the valid tiny case of ``conftest`` (sheet layouts in ``minimal_rows`` /
``full_rows``) and checks exit 2 and the located message
``Sheet!Cell [column]: rule`` on stderr. Cells are hand-derived from those layouts, e.g.
Sources: A source, B kind, C country, D domestic, E grade_pct_sb, ... rows AK1=2, BUY=3.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from conftest import (
    Rows,
    drop_row,
    full_rows,
    minimal_rows,
    rename_sheet,
    set_cell,
    write_book,
)

from optimizer.cli.app import main
from optimizer.inputs.validate import validate
from optimizer.inputs.workbook import read_workbook


def add_column(rows: Rows, sheet: str, header: Any, values: list[Any]) -> Rows:
    out = copy.deepcopy(rows)
    out[sheet][0].append(header)
    for row, value in zip(out[sheet][1:], values, strict=True):
        row.append(value)
    return out


def drop_column(rows: Rows, sheet: str, header: str) -> Rows:
    out = copy.deepcopy(rows)
    j = out[sheet][0].index(header)
    for row in out[sheet]:
        del row[j]
    return out


def rename_id(rows: Rows, old: str, new: str) -> Rows:
    """Rename an id everywhere it appears as a whole cell."""
    return {s: [[new if c == old else c for c in row] for row in r] for s, r in rows.items()}


def hidden_bad(rows: Rows) -> Rows:
    return set_cell(rows, "Sources", "AK1", "grade_pct_sb", "abc")


M, F = minimal_rows, full_rows

# name: (base rows, edit, expected text on stderr)
INVALID: dict[str, tuple[Callable[[], Rows], Callable[[Rows], Rows], str]] = {
    # sheets
    "required sheet missing": (
        M,
        lambda r: {k: v for k, v in r.items() if k != "Routes"},
        "error Routes: required sheet is missing",
    ),
    "near miss: case": (
        M,
        lambda r: rename_sheet(r, "Settings", "settings"),
        "error settings: misspelt sheet name (found 'settings') — rename it to 'Settings'",
    ),
    "near miss: typo": (M, lambda r: rename_sheet(r, "Prices", "Pricez"), "rename it to 'Prices'"),
    "hidden sheet read like visible": (
        M,
        hidden_bad,
        "Sources!E2 [grade_pct_sb] (source AK1): text in a number cell",
    ),
    # headers
    "missing column, close match": (
        M,
        lambda r: set_cell(r, "Sources", 1, "grade_pct_sb", "grade_pct"),
        "Sources!E1 [grade_pct]: missing required column 'grade_pct_sb' — rename column "
        "'grade_pct' to 'grade_pct_sb'",
    ),
    "missing column": (
        M,
        lambda r: drop_column(r, "Routes", "capacity_t_per_month"),
        "Routes row 1 [capacity_t_per_month]: missing required column",
    ),
    "duplicate column": (
        M,
        lambda r: add_column(r, "Sources", "kind", ["mine", "mine"]),
        "Sources!K1 [kind]: duplicate column (also column B)",
    ),
    "duplicate month (text + date)": (
        M,
        lambda r: add_column(r, "Prices", datetime(2027, 1, 1), [1, 2]),
        "Prices!E1 [2027-01-01]: duplicate month column 2027-01 (also column B)",
    ),
    "horizon month missing": (
        M,
        lambda r: drop_column(r, "Supply", "2027-02"),
        "Supply row 1: missing month columns: 2027-02",
    ),
    "horizon months missing (range)": (
        M,
        lambda r: set_cell(r, "Settings", "horizon_months", "value", 6),
        "Prices row 1: missing month columns: 2027-04..2027-06",
    ),
    # ids and references
    "duplicate id": (
        M,
        lambda r: set_cell(r, "Routes", "AK1-MAD", "route", "AK1-TF"),
        "Routes!A3 [route] (route AK1-TF): duplicate id (also row 2) (found 'AK1-TF')",
    ),
    "duplicate Supply row": (
        M,
        lambda r: set_cell(r, "Supply", 3, "bound", "max"),
        "Supply!A3 [source] (source AK1): duplicate row for AK1/max (also row 2)",
    ),
    "source and smelter ids overlap": (
        M,
        lambda r: rename_id(r, "MAD", "BUY"),
        "Smelters!A3 [smelter] (smelter BUY): id is also a source (Sources row 3) (found 'BUY')",
    ),
    "unknown reference, close match": (
        M,
        lambda r: set_cell(r, "Routes", "AK1-TF", "smelter", "tf"),
        "Routes!C2 [smelter] (route AK1-TF): unknown id: not on sheet Smelters (found 'tf') — did "
        "you mean 'TF'?",
    ),
    "unknown Supply source": (
        M,
        lambda r: set_cell(r, "Supply", 4, "source", "BUY2"),
        "Supply!A4 [source] (source BUY2): unknown id: not on sheet Sources",
    ),
    "source without Supply max": (
        M,
        lambda r: drop_row(r, "Supply", "BUY"),
        "Supply: source has no max row (found 'BUY')",
    ),
    "smelter without Prices row": (
        M,
        lambda r: drop_row(r, "Prices", "MAD"),
        "Prices: smelter has no Prices row (found 'MAD')",
    ),
    "unknown OpeningStock location": (
        F,
        lambda r: set_cell(r, "OpeningStock", 2, "location", "Tf"),
        "OpeningStock!A2 [location] (location Tf): unknown id: not on sheet Sources or Smelters",
    ),
    "source stockpile of foreign ore": (
        F,
        lambda r: set_cell(r, "OpeningStock", 3, "source", "BUY"),
        "OpeningStock!B3 [source] (location AK1): ore in the stockpile of source 'AK1' must come "
        "from 'AK1'",
    ),
    "unknown eligible project": (
        F,
        lambda r: set_cell(r, "Grants", "SMALL", "eligible_projects", "TF-X, TF-Y"),
        "Grants!F3 [eligible_projects] (grant SMALL): unknown project: not on sheet Expansions "
        "(found "
        "'TF-Y') — did you mean 'TF-X'?",
    ),
    "unknown availability route": (
        F,
        lambda r: set_cell(r, "RouteAvailability", "AK1-TF", "route", "AK1-XX"),
        "RouteAvailability!A2 [route] (route AK1-XX): unknown id: not on sheet Routes",
    ),
    "unknown contract smelter": (
        F,
        lambda r: set_cell(r, "Contracts", "DLA", "smelter", "all"),
        "Contracts!B2 [smelter] (contract DLA): unknown id: not on sheet Smelters",
    ),
    # settings
    "duplicate setting": (
        M,
        lambda r: {**r, "Settings": [*r["Settings"], ["horizon_months", 3]]},
        "Settings!A5 [setting]: duplicate setting (also row 4)",
    ),
    "unknown setting, close match": (
        M,
        lambda r: set_cell(r, "Settings", "horizon_months", "setting", "horizon_month"),
        "Settings!A4 [setting]: unknown setting (found 'horizon_month') — did you mean "
        "'horizon_months'?",
    ),
    "required setting missing": (
        M,
        lambda r: drop_row(r, "Settings", "start_month"),
        "Settings: required setting 'start_month' is missing",
    ),
    "horizon out of range": (
        M,
        lambda r: set_cell(r, "Settings", "horizon_months", "value", 0),
        "Settings!B4 [value]: horizon_months: out of range: expected a whole number from 1 to 240",
    ),
    "bad start month": (
        M,
        lambda r: set_cell(r, "Settings", "start_month", "value", "Jan 2027"),
        "Settings!B3 [value]: start_month: expected a month: text YYYY-MM or a date",
    ),
    "bad choice setting": (
        M,
        lambda r: {**r, "Settings": [*r["Settings"], ["expansion_mode", "lumpey"]]},
        "Settings!B5 [value]: expansion_mode: expected one of continuous, single, lumpy (found "
        "'lumpey') — did you mean 'lumpy'?",
    ),
    # values
    "yes/no": (
        M,
        lambda r: set_cell(r, "Sources", "BUY", "domestic", "maybe"),
        "Sources!D3 [domestic] (source BUY): expected yes or no (also TRUE/FALSE, 1/0)",
    ),
    "choice": (
        M,
        lambda r: set_cell(r, "Sources", "AK1", "kind", "mined"),
        "Sources!B2 [kind] (source AK1): expected one of mine, purchase (found 'mined') — did you "
        "mean 'mine'?",
    ),
    "route mode": (
        M,
        lambda r: set_cell(r, "Routes", "AK1-TF", "mode", "plane"),
        "Routes!D2 [mode] (route AK1-TF): expected one of truck, barge, rail, ocean, multimodal",
    ),
    "negative capacity": (
        M,
        lambda r: set_cell(r, "Smelters", "TF", "base_capacity_t_per_month", -5),
        "Smelters!C2 [base_capacity_t_per_month] (smelter TF): out of range: expected a number ≥ "
        "0 (found -5)",
    ),
    "negative supply": (
        M,
        lambda r: set_cell(r, "Supply", 2, "2027-03", -1),
        "Supply!E2 [2027-03] (source AK1): out of range",
    ),
    "percentage above 100": (
        M,
        lambda r: set_cell(r, "Smelters", "TF", "recovery_pct", 120),
        "Smelters!E2 [recovery_pct] (smelter TF): out of range: expected a percentage from 0 to "
        "100 (found 120)",
    ),
    "availability above 100": (
        F,
        lambda r: set_cell(r, "SmelterAvailability", "TF", "2027-02", 101),
        "SmelterAvailability!C2 [2027-02] (smelter TF): out of range",
    ),
    "grade zero": (
        M,
        lambda r: set_cell(r, "Sources", "BUY", "grade_pct_sb", 0),
        "Sources!E3 [grade_pct_sb] (source BUY): out of range: expected a percentage > 0 and ≤ 100",
    ),
    "fractional transit": (
        M,
        lambda r: set_cell(r, "Routes", "BUY-MAD", "transit_months", 1.5),
        "Routes!F4 [transit_months] (route BUY-MAD): not a whole number",
    ),
    "fractional lead time": (
        F,
        lambda r: set_cell(r, "Expansions", "TF-X", "lead_time_months", 0.5),
        "Expansions!F2 [lead_time_months] (project TF-X): not a whole number",
    ),
    "text in a number cell": (
        M,
        lambda r: set_cell(r, "Sources", "AK1", "cost_usd_per_t", "400 USD"),
        "Sources!G2 [cost_usd_per_t] (source AK1): text in a number cell: expected a "
        "number ≥ 0 (found '400 USD') — type a number",
    ),
    "number stored as text": (
        M,
        lambda r: set_cell(r, "Prices", "TF", "2027-01", "40000"),
        "Prices!B2 [2027-01] (smelter TF): text in a number cell: expected a number ≥ 0 "
        "(found '40000') — the number is stored as text",
    ),
    "Excel error value": (
        M,
        lambda r: set_cell(r, "Routes", "AK1-TF", "cost_usd_per_t", "#DIV/0!"),
        "Routes!E2 [cost_usd_per_t] (route AK1-TF): Excel error value in the cell: expected "
        "a number ≥ 0 (found '#DIV/0!')",
    ),
    "formula without saved result": (
        M,
        lambda r: set_cell(r, "Supply", 4, "2027-01", "=10*5"),
        "Supply!C4 [2027-01] (source BUY): formula with no saved result",
    ),
    "TRUE in a number cell": (
        M,
        lambda r: set_cell(r, "Smelters", "MAD", "stockpile_capacity_t", True),
        "Smelters!J3 [stockpile_capacity_t] (smelter MAD): TRUE/FALSE in a number cell",
    ),
    "required number blank": (
        M,
        lambda r: set_cell(r, "Routes", "AK1-TF", "cost_usd_per_t", None),
        "Routes!E2 [cost_usd_per_t] (route AK1-TF): a value is required — enter a number ≥ 0",
    ),
    "blank id with data": (
        M,
        lambda r: set_cell(r, "Routes", "AK1-MAD", "route", None),
        "Routes!A3 [route]: a value is required",
    ),
    "supply min above max": (
        M,
        lambda r: set_cell(r, "Supply", 3, "2027-02", 500),
        "Supply!D3 [2027-02] (source AK1): min above max (D2 = 100) (found 500)",
    ),
    "contract end before start": (
        F,
        lambda r: set_cell(r, "Contracts", "SPOT2", "end_month", "2027-02"),
        "Contracts!D3 [end_month] (contract SPOT2): end month is before the start month (2027-03)",
    ),
    "contract min above max": (
        F,
        lambda r: set_cell(r, "Contracts", "DLA", "min_t_sb_per_month", 60),
        "Contracts!E2 [min_t_sb_per_month] (contract DLA): monthly minimum above the maximum (50)",
    ),
    "earliest after latest start": (
        F,
        lambda r: set_cell(r, "Expansions", "MAD-X", "earliest_start_month", datetime(2027, 4, 1)),
        "Expansions!G3 [earliest_start_month] (project MAD-X): earliest start is after the latest "
        "start "
        "(2027-03) (found '2027-04')",
    ),
    "bad month cell": (
        F,
        lambda r: set_cell(r, "Grants", "DPA", "award_month", "June 2026"),
        "Grants!D2 [award_month] (grant DPA): expected a month: text YYYY-MM or a date",
    ),
    # scenarios
    "scenario: unknown sheet": (
        F,
        lambda r: set_cell(r, "Scenarios", 2, "sheet", "Pricez"),
        "Scenarios!B2 [sheet]: not a sheet a scenario can change (found "
        "'Pricez') — did you mean 'Prices'?",
    ),
    "scenario: bad action": (
        F,
        lambda r: set_cell(r, "Scenarios", 2, "action", "double"),
        "Scenarios!E2 [action]: expected one of set, scale, add",
    ),
    "scenario: scale by text": (
        F,
        lambda r: set_cell(r, "Scenarios", 2, "value", "half"),
        "Scenarios!F2 [value]: 'scale' needs a number (found 'half')",
    ),
    "scenario: unknown key": (
        F,
        lambda r: set_cell(r, "Scenarios", 2, "key", "tf"),
        "Scenarios!C2 [key]: no row with smelter 'tf' on sheet Prices",
    ),
    "scenario: unknown setting": (
        F,
        lambda r: set_cell(r, "Scenarios", 3, "key", "horizon"),
        "Scenarios!C3 [key]: not a setting (found 'horizon')",
    ),
    "scenario: unknown column": (
        F,
        lambda r: set_cell(
            set_cell(r, "Scenarios", 2, "sheet", "Smelters"), "Scenarios", 2, "column", "recovery"
        ),
        "Scenarios!D2 [column]: no column 'recovery' on sheet Smelters (found 'recovery') — "
        "did you mean 'recovery_pct'?",
    ),
    "scenario: month on a plain sheet": (
        F,
        lambda r: set_cell(r, "Scenarios", 2, "sheet", "Routes"),
        "Scenarios!D2 [column]: sheet Routes has no month columns",
    ),
    "scenario: month not in sheet": (
        F,
        lambda r: set_cell(r, "Scenarios", 2, "column", "2030-01"),
        "Scenarios!D2 [column]: sheet Prices has no column for month 2030-01",
    ),
    "scenario: scale a text column": (
        F,
        lambda r: set_cell(
            set_cell(
                set_cell(r, "Scenarios", 2, "sheet", "Routes"), "Scenarios", 2, "column", "mode"
            ),
            "Scenarios",
            2,
            "key",
            "AK1-TF",
        ),
        "Scenarios!F2 [value]: 'scale' needs a number column; 'mode' is choice",
    ),
    "scenario: set a bad value": (
        F,
        lambda r: set_cell(r, "Scenarios", 4, "value", "lumpi"),
        "Scenarios!F4 [value]: set expansion_mode: expected one of continuous, single, lumpy",
    ),
    "scenario: no name": (
        F,
        lambda r: set_cell(r, "Scenarios", 2, "scenario", None),
        "Scenarios!A2 [scenario]: a value is required",
    ),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_each_input_rule_is_a_located_error(tmp_path, capsys, name):
    base, edit, expected = INVALID[name]
    rows = edit(base())
    hidden = ["Sources"] if name == "hidden sheet read like visible" else []
    path = write_book(tmp_path / "case.xlsx", rows, hidden=hidden)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err


def test_clean_workbook_exits_0(tmp_path, capsys):
    path = write_book(tmp_path / "case.xlsx", full_rows())
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert (
        "case.xlsx: valid — case 'tiny', 3 months from 2027-01, 2 sources, 2 smelters, "
        "3 routes" in captured.out
    )
    assert captured.err == ""


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 1
    assert "input workbook not found" in capsys.readouterr().err


def test_every_problem_in_one_run(tmp_path, capsys):
    """Five different errors on four sheets: five located errors, one run."""
    rows = minimal_rows()
    rows = set_cell(rows, "Sources", "AK1", "grade_pct_sb", "high")
    rows = set_cell(rows, "Sources", "BUY", "domestic", "perhaps")
    rows = set_cell(rows, "Routes", "BUY-MAD", "smelter", "Madero")
    rows = set_cell(rows, "Supply", 3, "2027-01", 150)
    rows = set_cell(rows, "Settings", "case_name", "setting", "case_nme")
    path = write_book(tmp_path / "case.xlsx", rows)
    case, problems = validate(read_workbook(path))
    assert case is None
    located = sorted((p.sheet, p.cell, p.column) for p in problems if p.is_error)
    assert located == [
        ("Routes", "C4", "smelter"),
        ("Settings", "A2", "setting"),
        ("Sources", "D3", "domestic"),
        ("Sources", "E2", "grade_pct_sb"),
        ("Supply", "C3", "2027-01"),
    ]
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("error ") == 5
    assert "invalid — 5 errors in case.xlsx" in err


# --- valid variants: exit 0 and the very same Case ---------------------------------------


def _date_headers(rows: Rows) -> Rows:
    out = copy.deepcopy(rows)
    for sheet in ("Supply", "Prices", "SmelterAvailability", "RouteAvailability"):
        out[sheet][0] = [
            datetime(int(h[:4]), int(h[5:]), 1) if h[:2] == "20" else h for h in out[sheet][0]
        ]
    return out


def _padded_ids(rows: Rows) -> Rows:
    """Ids and headers with spaces, tabs and non-breaking spaces around them."""
    out = copy.deepcopy(rows)
    out["Sources"][1][0] = " AK1\xa0"
    out["Sources"][2][0] = "\tBUY "
    out["Routes"][2][2] = "\xa0MAD"
    out["Smelters"][0][0] = " smelter\xa0"
    out["Settings"][2][0] = "start_month "
    return out


def _yes_no_variants(rows: Rows) -> Rows:
    out = copy.deepcopy(rows)
    out["Sources"][1][3] = True
    out["Sources"][2][3] = "FALSE"
    return out


def _blank_rows_and_extras(rows: Rows) -> Rows:
    """Blank rows, months outside the horizon (even with junk), unknown columns and
    sheets, a README sheet, a hidden sheet, Prices blanks."""
    out = copy.deepcopy(rows)
    out["Routes"].insert(2, [])
    out["Routes"].insert(3, [None, "  ", None])
    out["Prices"][0].append("2026-12")
    out["Prices"][1].append("n/a")
    out["Notes"] = [["anything"], ["goes"]]
    out["README"] = [["About this workbook"]]
    return out


def _months_as_dates(rows: Rows) -> Rows:
    out = copy.deepcopy(rows)
    out["Settings"][2][1] = datetime(2027, 1, 1)
    out["Contracts"][2][2] = datetime(2027, 3, 15)
    out["Grants"][1][3] = datetime(2026, 6, 1)
    return out


def _other_spellings(rows: Rows) -> Rows:
    """Choices in any case, yes/no as YES/no/1/0, ids given as whole floats."""
    out = copy.deepcopy(rows)
    out["Sources"][1][1] = "Mine"
    out["Sources"][1][3] = "YES"
    out["Sources"][2][3] = 0
    out["Routes"][1][3] = "TRUCK"
    out["Contracts"][2][1] = "ANY"
    out["Grants"][1][5] = "All"
    return out


VALID = {
    "date month headers": _date_headers,
    "padded ids and headers": _padded_ids,
    "yes/no as booleans": _yes_no_variants,
    "blank rows, extras": _blank_rows_and_extras,
    "months as dates": _months_as_dates,
    "other spellings": _other_spellings,
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_variants_give_the_same_case(tmp_path, capsys, name):
    base = write_book(tmp_path / "base.xlsx", full_rows())
    variant = write_book(tmp_path / "variant.xlsx", VALID[name](full_rows()), hidden=["Supply"])
    assert main(["validate", str(variant)]) == 0, capsys.readouterr().err
    expected, _ = validate(read_workbook(base))
    got, _ = validate(read_workbook(variant))
    assert got == expected


def test_warnings_are_printed_but_do_not_fail(tmp_path, capsys):
    rows = add_column(minimal_rows(), "Routes", "comment", ["a", "b", "c"])
    rows["Notes"] = [["x"]]
    path = write_book(tmp_path / "case.xlsx", rows)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert "warning Routes!J1 [comment]: unknown column, ignored" in captured.err
    assert "warning Notes: unknown sheet, ignored" in captured.err
    assert "2 warning(s)" in captured.out
