"""Marginal values per input cell and their validity ranges (``Results.inputs``), checked by
finite differences: re-solving with the cell moved by a step inside the reported range
changes the objective by step × value; a step beyond the range does not."""

from __future__ import annotations

import dataclasses

import pytest
from cases import expansion, make_case, route, smelter, solved, source

from optimizer.case import Actual, Case, row_key
from optimizer.cli.pipeline import load_case
from optimizer.diagnose.fixes import Edit, apply_edits
from optimizer.solve.run import solve_case


def _row(results, sheet: str, key: str, column: str):
    df = results.inputs
    rows = df[(df["sheet"] == sheet) & (df["row_id"] == key) & (df["column"] == column)]
    assert len(rows) == 1, f"{sheet} {key} {column}: {len(rows)} rows"
    return rows.iloc[0]


def _objective_after(case: Case, sheet: str, key: str, column: str, old, new) -> float:
    moved = apply_edits(case, [Edit(sheet, key, column, "", old, new)])
    return solve_case(moved).objective_usd


def _per_unit(case: Case, base: float, sheet: str, key: str, column: str, old, step) -> float:
    """Objective change per unit of the input, moving it by ``step`` from ``old``."""
    return (_objective_after(case, sheet, key, column, old, old + step) - base) / step


def test_capacity_cell_sums_its_months_weighted_by_availability():
    """Two months, capacity 60 t/month at 100 % then 50 % availability, 100 t/month of
    50 % ore at $1,000/t Sb (no costs): each t fed earns 0.5 × 1,000 = $500 and capacity
    binds in both months (60 t and 30 t < 100 t). The base-capacity cell moves month 1 by
    1 t and month 2 by 0.5 t: 500 × 1 + 500 × 0.5 = $750 per t/month. It holds until month
    1's capacity reaches the 100 t supply (base 100) and down to 0: range [0, 100].
    +10 (inside): Δ = 500 × (10 + 5) = 7,500 = 10 × 750. +60 (outside): month 1 stops at
    100 t, so Δ = 500 × (40 + 30) = 35,000, i.e. 583.33 per t/month."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=100)],
        smelters=[smelter(horizon=2, capacity=60, availability=[100, 50])],
        routes=[route(horizon=2)],
    )
    results = solved(case)
    row = _row(results, "Smelters", "Smelter", "base_capacity_t_per_month")
    assert row["value_usd_per_step"] == pytest.approx(750.0)
    assert (row["valid_from"], row["valid_to"]) == pytest.approx((0.0, 100.0))
    assert row["rows"] == 2 and row["binding_rows"] == 2 and row["ranked"]
    base = results.objective_usd
    args = (case, base, "Smelters", "Smelter", "base_capacity_t_per_month", 60.0)
    assert _per_unit(*args, 10.0) == pytest.approx(750.0)
    assert _per_unit(*args, 60.0) == pytest.approx(35_000 / 60)


def test_closed_supply_month_is_kept_but_not_ranked():
    """Supply 0 t in month 2 (a closed season) with an open smelter: one more t there would
    earn $500, so the cell has a value, but an input that is 0 by nature is not ranked."""
    case = make_case(2, sources=[source(horizon=2, max_t=[100, 0])])
    results = solved(case)
    closed = _row(results, "Supply", row_key("Mine", "max"), "2027-02")
    assert closed["value_usd_per_step"] == pytest.approx(500.0)
    assert not closed["ranked"] and "closed" in closed["note"]
    open_month = _row(results, "Supply", row_key("Mine", "max"), "2027-01")
    assert open_month["ranked"] and open_month["value_usd_per_step"] == pytest.approx(500.0)


@pytest.fixture(scope="module")
def default_case():
    case, _, _ = load_case(None)
    return case, solve_case(case)


@pytest.mark.parametrize(
    ("sheet", "key", "column"),
    [("Supply", row_key("Stibnite Creek", "max"), "2027-04")],
)
def test_default_case_values_hold_inside_their_range_and_change_outside(
    default_case, sheet, key, column
):
    """On the default case: a monthly Supply cell (its capacity cells sit at degenerate
    vertices of the committed-expansion plan, where HiGHS's range is empty). A step of a
    third of the headroom to ``valid_to`` reproduces the value by re-solving; past ``valid_to`` the
    objective's slope (from ``valid_to`` on, over half the range's width) is a different
    value: by more than $1 per unit, where re-solving reproduces a value inside the range
    to 1e-6 (6 cents here) — a basis change past the range may move it only a little."""
    case, results = default_case
    row = _row(results, sheet, key, column)
    now, value = float(row["input_now"]), float(row["value_usd_per_step"])
    low, high = float(row["valid_from"]), float(row["valid_to"])
    assert row["ranked"] and value > 0 and now < high < float("inf")
    base = results.objective_usd
    inside = (high - now) / 3
    assert _per_unit(case, base, sheet, key, column, now, inside) == pytest.approx(value, rel=1e-6)
    at_edge = _objective_after(case, sheet, key, column, now, high)
    assert at_edge == pytest.approx(base + value * (high - now), rel=1e-9)
    beyond = _per_unit(case, at_edge, sheet, key, column, high, (high - low) / 2)
    assert abs(beyond - value) > 1.0


def test_lumpy_mode_values_come_from_the_fixed_start_lp():
    """Lumpy mode, two months: capacity 60 t/month, 200 t/month of ore earning $500/t,
    an expansion of 50 t/month (capex $1 per t/month, online at once) built whole in month
    1: capacity 110 t binds twice, so the base capacity is worth 2 × 500 = $1,000 per
    t/month until base + 50 reaches the 200 t supply (base 150). Re-solving the MILP with
    base 70 (the start unchanged) gains 10 × 1,000; from 150 on one more t/month is worth 0."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=200)],
        smelters=[smelter(horizon=2, capacity=60)],
        routes=[route(horizon=2)],
        expansions=[expansion(horizon=2, max_added=50, capex=1.0)],
        mode="lumpy",
    )
    results = solve_case(case)
    row = _row(results, "Smelters", "Smelter", "base_capacity_t_per_month")
    assert row["value_usd_per_step"] == pytest.approx(1000.0)
    assert row["valid_to"] == pytest.approx(150.0)
    base = results.objective_usd
    args = (case, base, "Smelters", "Smelter", "base_capacity_t_per_month")
    assert _per_unit(*args, 60.0, 10.0) == pytest.approx(1000.0)
    edge = _objective_after(case, "Smelters", "Smelter", "base_capacity_t_per_month", 60.0, 150.0)
    assert _per_unit(
        case, edge, "Smelters", "Smelter", "base_capacity_t_per_month", 150.0, 20.0
    ) == (pytest.approx(0.0, abs=1e-6))


def test_recorded_actuals_are_valued_but_never_ranked():
    """Month 1 is closed with 10 t mined on record and nothing shipped: the 10 t wait in the
    stockpile (room 100 t) and go out in month 2 with its 100 t, each t earning $500. One
    more t on record would be worth $500, but nobody can change what happened."""
    case = dataclasses.replace(
        make_case(2, sources=[source(horizon=2, stock_cap=100)]),
        actuals=(Actual(0, "mined", "Mine", "", 10.0),),
    )
    df = solved(case).inputs
    recorded = df[df["sheet"] == "Actuals"]
    assert recorded["value_usd_per_step"].abs().max() == pytest.approx(500.0)
    assert not recorded["ranked"].any()
    assert (recorded["note"] == "a recorded actual: not ranked").all()
