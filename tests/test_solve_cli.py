"""``ore-optimizer solve`` end to end through ``optimizer.cli.app.main([...])``: summary, JSON,
report path, exit codes (0 solved, 1 usage, 2 invalid input, 3 infeasible, 4 no solution)."""

from __future__ import annotations

import json

import openpyxl
import pytest
from conftest import full_rows, minimal_rows, set_cell, write_book
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from optimizer.cli.app import main
from optimizer.cli.pipeline import load_case
from optimizer.solve import run as solve
from optimizer.solve.run import solve_case


def _json(capsys) -> dict:
    out = capsys.readouterr().out
    return json.loads(out)


def test_default_case_summary_and_report(tmp_path, capsys):
    report = tmp_path / "base.xlsx"
    assert main(["solve", "-o", str(report)]) == 0
    out = capsys.readouterr().out
    assert "optimal" in out and "Objective (discounted margin): $" in out
    for words in (
        "Sb produced:",
        "Ore shipped:",
        "Expansion built:",
        "Grant used:",
        "Contract shortfall:",
        f"Report: {report}",
        "Actions for 2027-01 (all three months: sheet Actions):",
        "2027-01 dispatch ",
    ):
        assert words in out
    assert report.exists() and report.stat().st_size > 0


def test_default_case_json_matches_the_solve(tmp_path, capsys):
    report = tmp_path / "base.xlsx"
    assert main(["solve", "--json", "-o", str(report)]) == 0
    data = _json(capsys)
    case, _, _ = load_case(None)
    expected = solve_case(case)
    assert data["status"] == "optimal" and data["exit_code"] == 0
    assert data["objective_usd"] == pytest.approx(expected.objective_usd, rel=1e-9)
    assert data["report"] == str(report)
    sb = expected.smelters.groupby("smelter")["sb_t"].sum()
    assert data["sb_produced_t"] == pytest.approx(sb.to_dict())
    for key in ("ore_shipped_t", "expansions", "grant_used_usd", "shortfall_t_sb", "timings_s"):
        assert key in data
    assert {a["month"] for a in data["actions"]} == {"2027-01"}
    fed = sum(a["quantity"] for a in data["actions"] if a["action"] == "feed")
    jan = expected.smelters[expected.smelters["month"] == "2027-01"]["feed_t"].sum()
    assert fed == pytest.approx(jan)


def test_default_report_path_under_outputs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["solve", "--scenario", "no_grant", "--json"]) == 0
    data = _json(capsys)
    case, _, _ = load_case(None)
    expected = tmp_path / "outputs" / f"{case.settings.case_name}_no_grant_report.xlsx"
    assert expected.exists()
    assert data["scenario"] == "no_grant"


def test_workbook_input_and_scenario(tmp_path, capsys):
    book = write_book(tmp_path / "full.xlsx", full_rows())
    assert (
        main(["solve", str(book), "--scenario", "lumpy", "--json", "-o", str(tmp_path / "r.xlsx")])
        == 0
    )
    data = _json(capsys)
    assert data["status"] == "optimal" and data["expansion_mode"] == "lumpy"
    assert data["mip_gap_pct"] is not None


def test_infeasible_case_exits_3_and_says_so(tmp_path, capsys):
    """A 500 t/month minimum feed at a 200 t/month smelter."""
    rows = set_cell(minimal_rows(), "Smelters", "TF", "min_feed_t_per_month", 500)
    book = write_book(tmp_path / "bad.xlsx", rows)
    report = tmp_path / "r.xlsx"
    assert main(["solve", str(book), "-o", str(report)]) == 3
    captured = capsys.readouterr()
    assert "infeasible" in (captured.out + captured.err).lower()
    assert "Traceback" not in captured.err
    # no allocation report for a case with no plan: -o gets the diagnosis workbook
    assert "Allocation" not in openpyxl.load_workbook(report, read_only=True).sheetnames
    assert main(["solve", str(book), "--json", "-o", str(report)]) == 3
    data = _json(capsys)
    assert data["status"] == "infeasible" and data["objective_usd"] is None
    assert data["report"] is None and data["diagnosis"]["workbook"] == str(report)


def test_no_plan_within_the_time_limit_exits_4(tmp_path, capsys):
    rows = full_rows()
    rows["Settings"].append(["time_limit_s", 1e-9, None])
    book = write_book(tmp_path / "slow.xlsx", rows)
    assert main(["solve", str(book), "--json", "-o", str(tmp_path / "r.xlsx")]) == 4
    data = _json(capsys)
    assert data["status"] == "no_solution" and "time limit" in data["message"]


def test_time_limited_plan_exits_0_with_a_warning(tmp_path, monkeypatch, capsys):
    real = solve.HighsSession.run

    def stopped_early(self, model, **options):
        run = real(self, model, **options)
        if not self.runs[:-1]:
            run.res.termination_condition = TerminationCondition.maxTimeLimit
            run.res.solution_status = SolutionStatus.feasible
            run.res.objective_bound = run.res.incumbent_objective * 1.02
        return run

    monkeypatch.setattr(solve.HighsSession, "run", stopped_early)
    book = write_book(tmp_path / "full.xlsx", full_rows())
    report = tmp_path / "r.xlsx"
    assert main(["solve", str(book), "--scenario", "lumpy", "-o", str(report)]) == 0
    captured = capsys.readouterr()
    assert "time limit" in captured.err and "gap 2%" in captured.err
    assert "feasible, not proven optimal" in captured.out
    assert report.exists()


def test_invalid_input_exits_2(tmp_path, capsys):
    rows = set_cell(minimal_rows(), "Sources", "AK1", "grade_pct_sb", "high")
    book = write_book(tmp_path / "bad.xlsx", rows)
    assert main(["solve", str(book)]) == 2
    assert "grade_pct_sb" in capsys.readouterr().err


def test_report_over_the_input_is_a_usage_error(tmp_path, capsys):
    book = write_book(tmp_path / "in.xlsx", minimal_rows())
    before = book.read_bytes()
    assert main(["solve", str(book), "-o", str(book)]) == 1
    assert book.read_bytes() == before
    capsys.readouterr()


def test_unknown_scenario_is_a_usage_error(capsys):
    assert main(["solve", "--scenario", "no_such_scenario"]) == 1
    capsys.readouterr()


@pytest.mark.parametrize("target", ["report.csv", "folder"])
def test_bad_output_path_is_a_usage_error_before_any_work(tmp_path, capsys, target):
    """``-o`` must be an .xlsx file that is not the input: refused with exit 1, no file."""
    book = write_book(tmp_path / "case.xlsx", minimal_rows())
    out = tmp_path / target
    if target == "folder":
        out.mkdir()
    for command in ("solve", "explain", "scenarios"):
        assert main([command, str(book), "-o", str(out)]) == 1
    assert main(["solve", str(book), "-o", str(book)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    expected = {"case.xlsx"} | ({"folder"} if target == "folder" else set())
    assert {p.name for p in tmp_path.iterdir()} == expected
