"""``ore-optimizer risk`` end to end on real workbooks (the newsvendor case of
:mod:`risk_cases`), and ``solve`` / ``explain`` on one of its samples."""

from __future__ import annotations

import json

import openpyxl
import pytest
from conftest import write_book
from risk_cases import capacity_factor, newsvendor_rows

from optimizer.cli import main


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_risk_writes_the_workbook_and_the_json_keys(tmp_path, capsys):
    book = write_book(tmp_path / "case.xlsx", newsvendor_rows(commit_months=1, risk_samples=5))
    out = tmp_path / "risk.xlsx"
    code, stdout, _ = run(capsys, "risk", book, "-o", out, "--json", "--evaluate", 3)
    assert code == 0
    data = json.loads(stdout)
    for key in (
        "expected_margin_usd",
        "vss_usd",
        "evpi_usd",
        "cvar_usd",
        "p10_usd",
        "p50_usd",
        "p90_usd",
        "wait_and_see_usd",
        "expected_value_plan_usd",
        "commit_months",
        "risk_aversion",
        "cvar_alpha_pct",
        "ev_plan_infeasible_samples",
    ):
        assert key in data, key
    assert data["commit_months"] == 1 and data["ev_plan_infeasible_samples"] == 0
    assert len(data["samples"]) == 5
    assert data["samples"][0]["probability"] == pytest.approx(0.2)
    assert set(data["samples"][0]["draws"]) == {"capacity"}
    assert data["evaluation"]["samples"] == 3
    assert data["evpi_usd"] == pytest.approx(data["wait_and_see_usd"] - data["expected_margin_usd"])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        "Summary",
        "Actions",
        "CommitVsPlans",
        "Distribution",
        "Samples",
        "Evaluation",
        "Provenance",
    ]
    assert wb["Distribution"]._charts, "the histogram is a native chart"
    summary = wb["Summary"]  # printed with the figures' values on the same page
    assert summary.sheet_properties.pageSetUpPr.fitToPage
    assert summary.page_setup.fitToWidth == 1
    assert summary.print_area.replace("'", "").startswith("Summary!$A$1:$B$")
    headers = [c.value for c in wb["Samples"][1]]
    assert "capacity (set)" in headers
    compared = [[c.value for c in row] for row in wb["CommitVsPlans"].iter_rows(min_row=2)]
    assert any(r[1] == "buy" and r[2] == "ORE" for r in compared)
    actions = [[c.value for c in row] for row in wb["Actions"].iter_rows(min_row=2)]
    assert [r[1] for r in actions if r[0] is not None] == ["buy", "dispatch"]
    # the Actions sheet buys what the commit plan buys
    assert actions[0][3] == pytest.approx(next(r[4] for r in compared if r[1] == "buy"))


def test_a_bad_uncertainty_row_is_reported_and_the_others_still_plan(tmp_path, capsys):
    rows = newsvendor_rows(
        [capacity_factor(), capacity_factor("uniform", 90, 10, factor="broken")],
        commit_months=1,
        risk_samples=3,
    )
    book = write_book(tmp_path / "case.xlsx", rows)
    code, stdout, err = run(capsys, "risk", book, "-o", tmp_path / "r.xlsx", "--json")
    assert code == 0
    assert "Uncertainty!H3" in err and "low p1 ≤ high p2" in err
    assert set(json.loads(stdout)["samples"][0]["draws"]) == {"capacity"}
    code, _, err = run(capsys, "validate", book)
    assert code == 2 and "Uncertainty!H3" in err


def _infeasible_book(tmp_path):
    """S must be fed 20 t every month (40 t opening stock in its yard), but sample 3 draws a
    2027-02 capacity of 14.4 t (seed 1): that sample alone has no plan."""
    rows = newsvendor_rows(commit_months=1, risk_samples=4)
    rows["Smelters"][1][8] = 20
    rows["OpeningStock"] = [["location", "source", "tonnes"], ["S", "ORE", 40]]
    return write_book(tmp_path / "case.xlsx", rows)


def test_an_infeasible_sample_is_named_with_its_draws_and_explained(tmp_path, capsys):
    book = _infeasible_book(tmp_path)
    code, _, err = run(capsys, "risk", book, "-o", tmp_path / "r.xlsx")
    assert code == 3
    assert "sample 3 has no feasible plan (capacity=14.42)" in err
    assert "--sample 3" in err and "Traceback" not in err
    assert not (tmp_path / "r.xlsx").exists()
    code, _, _ = run(capsys, "solve", book, "--sample", 3, "-o", tmp_path / "s3.xlsx")
    assert code == 3
    code, stdout, _ = run(capsys, "explain", book, "--sample", 3)
    assert code == 3 and "S" in stdout
    code, _, _ = run(capsys, "solve", book, "--sample", 1, "-o", tmp_path / "s1.xlsx")
    assert code == 0
