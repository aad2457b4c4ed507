"""The plan as actions (report sheet ``Actions``, ``solve`` console lines): every line's
tonnage is the plan's own, and each names the limits that bind on it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
from cases import contract, make_case, route, smelter, solved, source
from report_check import month, read_table

from optimizer.report.actions import action_lines, plan_actions
from optimizer.report.workbook import write_report


def test_binding_route_limit_is_named() -> None:
    """One mine (100 t/month, 50 % Sb), route Truck limited to 60 t/month, no stockpile,
    Sb at 1,000 USD/t, 3 months: ship, feed 60 t each month (30 t Sb, $30,000), objective
    $90,000. The route binds: one more t/month is worth 0.5 t Sb × $1,000 = $500."""
    H = 3
    case = make_case(H, routes=[route(horizon=H, capacity=60.0)])
    results = solved(case)
    assert results.objective_usd == pytest.approx(90_000)
    actions = plan_actions(results, case)
    assert set(actions["month"]) == set(case.months)
    dispatch = actions[actions["action"] == "dispatch"]
    assert list(dispatch["quantity"]) == pytest.approx([60.0] * H)
    for limits in dispatch["limits"]:
        assert limits.startswith("route Truck can dispatch at most 60 t") and "$500" in limits
    mine = actions[actions["action"] == "mine"]
    assert "Mine can supply at most" not in " ".join(mine["limits"])  # 60 < 100: slack
    lines = action_lines(plan_actions(results, case, case.months[:1]))
    assert lines[0] == "2027-01 mine 60 t at Mine — the Mine stockpile holds at most 0 t"
    assert any("dispatch 60 t of Mine ore on route Truck" in x for x in lines)


def test_no_plan_worth_acting_on_has_no_actions() -> None:
    """Sb worth nothing: mining gains nothing, the optimum does nothing, no action lines."""
    H = 1
    case = make_case(H, smelters=[smelter(horizon=H, price=0.0)])
    assert plan_actions(solved(case), case).empty


def _four_month_case():
    """Two sources, a 1-month barge and a truck, a contract; four months (the Actions sheet
    shows three)."""
    H = 4
    return make_case(
        H,
        sources=[
            source("Mine", horizon=H, max_t=[80, 0, 120, 90], stock_cap=200.0),
            source("Lot", horizon=H, max_t=50.0, grade=30.0, cost=100.0, domestic=False),
        ],
        smelters=[
            smelter("TF", horizon=H, capacity=100.0, yard_cap=100.0),
            smelter("MX", horizon=H, capacity=70.0, price=900.0),
        ],
        routes=[
            route("Truck", "Mine", "TF", horizon=H, capacity=90.0),
            route("Barge", "Lot", "MX", horizon=H, transit=1, cost=20.0),
            route("Rail", "Mine", "MX", horizon=H, capacity=40.0, cost=30.0),
        ],
        contracts=[contract("DLA", "TF", horizon=H, min_t=10.0, max_t=20.0, price=1500.0)],
    )


def test_actions_sheet_matches_allocation_and_smelters(tmp_path: Path) -> None:
    case = _four_month_case()
    results = solved(case)
    report = write_report(results, case, tmp_path / "r.xlsx", {})
    wb = openpyxl.load_workbook(report)
    actions = read_table(wb, "Actions")
    first3 = set(case.months[:3])
    assert {month(r["Month"]) for r in actions} <= first3
    got: dict = defaultdict(float)
    for r in actions:
        got[(r["Action"], r["At / on"], month(r["Month"]))] += r["Quantity"]
    want: dict = defaultdict(float)
    for r in read_table(wb, "Allocation"):
        if month(r["Dispatch month"]) in first3:
            want[("dispatch", r["Route"], month(r["Dispatch month"]))] += r["Dispatched (t ore)"]
    for r in read_table(wb, "Smelters"):
        if month(r["Month"]) in first3 and r["Feed (t ore)"]:
            want[("feed", r["Smelter"], month(r["Month"]))] += r["Feed (t ore)"]
    for r in read_table(wb, "Sources"):
        if month(r["Month"]) in first3 and r["Mined / bought (t)"]:
            verb = "mine" if r["Kind"] == "mine" else "buy"
            want[(verb, r["Source"], month(r["Month"]))] += r["Mined / bought (t)"]
    for r in read_table(wb, "Contracts"):
        if month(r["Month"]) in first3 and r["Delivered (t Sb)"]:
            want[("deliver", r["Contract"], month(r["Month"]))] += r["Delivered (t Sb)"]
    assert want and set(got) == set(want)
    for key, tonnes in want.items():
        assert got[key] == pytest.approx(tonnes), key
