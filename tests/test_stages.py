"""Expansion stages are never merged (issue 14 item 1): a project continuous mode builds in
two stages shows as two rows in the report, ``solve --json``, the comparison workbook and
``scenarios --json``, each with its capex and grant money by payment month; the Summary says
it was staged and what one start (single mode) earns instead.

The staged case (``_staged_rows``): 4 months from 2027-01 at 12 %/year; AK1 may supply 100 t
in 2027-01 and 300 t/month after; TF has no base capacity; the project TF-X adds up to
300 t/month at 1,000 USD per t/month, lead 0, capex over 2 months; a 50 % grant from
2026-06. A t fed earns far more than capex, so 100 t/month start in 2027-01 (all the ore
there is) and 200 more in 2027-02 (paying a month later is cheaper when discounted): two
stages. Single mode must start once: all 300 in 2027-01 (or 100 only), earning less.
"""

from __future__ import annotations

import json

import pytest
from conftest import minimal_rows, set_cell, write_book
from openpyxl import load_workbook

from optimizer.cli.app import main

MONTHS = ["2027-01", "2027-02", "2027-03", "2027-04"]


def _staged_rows():
    rows = minimal_rows(MONTHS)
    rows["Settings"].append(["discount_rate_pct_per_year", 12, None])
    rows["Supply"] = [
        ["source", "bound", *MONTHS],
        ["AK1", "max", 100, 300, 300, 300],
        ["BUY", "max", 0, 0, 0, 0],
    ]
    rows = set_cell(rows, "Smelters", "TF", "base_capacity_t_per_month", 0)
    rows = set_cell(rows, "Smelters", "TF", "stockpile_capacity_t", 0)
    rows = set_cell(rows, "Routes", "AK1-TF", "transit_months", 0)
    rows = set_cell(rows, "Routes", "AK1-TF", "capacity_t_per_month", 1000)
    rows = set_cell(rows, "Routes", "AK1-MAD", "capacity_t_per_month", 0)
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
            "capex_months",
        ],
        ["TF-X", "TF", 300, 1000, 0, 0, MONTHS[0], None, 2],
    ]
    rows["Grants"] = [
        ["grant", "agency", "amount_usd", "award_month", "max_share_pct", "eligible_projects"],
        ["DPA", "DoD", 1e9, "2026-06", 50, "TF-X"],
    ]
    rows["Scenarios"] = [
        ["scenario", "sheet", "key", "column", "action", "value"],
        ["one_start", "Settings", "expansion_mode", "value", "set", "single"],
    ]
    return rows


def _stages(expansions):
    return [(b["project"], b["start_month"], round(b["added_t_per_month"], 6)) for b in expansions]


STAGED = [("TF-X", "2027-01", 100.0), ("TF-X", "2027-02", 200.0)]


@pytest.fixture(scope="module")
def staged_book(tmp_path_factory):
    return write_book(tmp_path_factory.mktemp("staged") / "staged.xlsx", _staged_rows())


def test_solve_json_and_report_list_each_stage(staged_book, tmp_path, capsys):
    report = tmp_path / "plan.xlsx"
    assert main(["solve", str(staged_book), "--json", "-o", str(report)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert _stages(data["expansions"]) == STAGED
    first = data["expansions"][0]
    assert [p["month"] for p in first["payments"]] == ["2027-01", "2027-02"]
    assert [p["capex_usd"] for p in first["payments"]] == pytest.approx([50_000, 50_000])
    assert [p["grant_usd"] for p in first["payments"]] == pytest.approx([25_000, 25_000])
    single = data["single_mode"]
    assert single["staged_projects"] == ["TF-X"] and single["status"] == "optimal"
    assert single["objective_usd"] < single["continuous_objective_usd"] == data["objective_usd"]

    wb = load_workbook(report)
    rows = list(wb["Expansion"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows if r[0]] == ["TF-X", "TF-X"]
    summary = [str(v) for row in wb["Summary"].iter_rows(values_only=True) for v in row if v]
    assert any("continuous mode builds TF-X in 2 stages" in v for v in summary)
    assert any("one start per project (single mode) earns" in v for v in summary)


def test_unstaged_plan_is_not_re_solved(staged_book, tmp_path, capsys):
    args = ["solve", str(staged_book), "--json", "--scenario", "one_start"]
    assert main([*args, "-o", str(tmp_path / "one.xlsx")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["expansions"]) == 1 and data["single_mode"] is None


def test_comparison_workbook_and_json_list_each_stage(staged_book, tmp_path, capsys):
    out = tmp_path / "comparison.xlsx"
    assert main(["scenarios", str(staged_book), "--json", "-o", str(out)]) == 0
    runs = {r["scenario"]: r for r in json.loads(capsys.readouterr().out)["runs"]}
    assert _stages(runs[None]["expansions"]) == STAGED
    assert len(runs["one_start"]["expansions"]) == 1
    assert runs[None]["expansions"][1]["payments"][0]["month"] == "2027-02"

    wb = load_workbook(out)
    ws = wb["Comparison"]
    headers = [c.value for c in ws[1]]
    cell = ws.cell(2, headers.index("TF-X: stages (size, start, online)") + 1).value
    assert cell == (
        "+100.0 t/month from 2027-01 (online 2027-01); +200.0 t/month from 2027-02 (online 2027-02)"
    )
    stages = list(wb["Stages"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4], r[6]) for r in stages] == [
        ("base case", "2027-01", pytest.approx(100)),
        ("base case", "2027-02", pytest.approx(200)),
        ("one_start", stages[2][4], stages[2][6]),
    ]
    assert stages[0][10] == "2027-01: 50,000; 2027-02: 50,000"
    assert stages[0][11] == "2027-01: 25,000; 2027-02: 25,000"
