"""Marginal values: USD per planner unit, signed so > 0 means relaxing is worth money, with a
planner sentence and the input cell each comes from."""

from __future__ import annotations

import pytest
from cases import contract, dual, make_case, route, smelter, solved, source
from conftest import full_rows, raw_book

from optimizer.inputs.validate import validate
from optimizer.solve.run import solve_case
from optimizer.solve.status import Status


def _row(results, constraint: str) -> dict:
    rows = results.duals[results.duals["constraint"] == constraint]
    assert len(rows) == 1, constraint
    return rows.iloc[0].to_dict()


def test_binding_capacity_reads_as_a_planner_sentence():
    """Capacity 50 t/month, 100 t of ore worth 500 USD/t each: one more t/month of capacity
    is worth 500 USD; the row points at Smelters / Smelter / base_capacity_t_per_month."""
    res = solved(make_case(1, smelters=[smelter(horizon=1, capacity=50)]))
    row = _row(res, "Smelter_Capacity[Smelter, 2027-01]")
    assert row["dual_usd_per_unit"] == pytest.approx(500)
    assert row["binding"] and row["slack"] == 0 and row["kind"] == "limit"
    assert row["unit"] == "t ore/month"
    assert row["sentence"] == "One more t/month of Smelter capacity in 2027-01 is worth $500."
    assert (row["sheet"], row["row_id"], row["column"]) == (
        "Smelters",
        "Smelter",
        "base_capacity_t_per_month",
    )


def test_slack_limit_is_worth_nothing():
    """Route capacity 1,000 t/month carries 100 t: slack 900, not binding, value 0."""
    res = solved(make_case(1, routes=[route(horizon=1, capacity=1000)]))
    row = _row(res, "Route_Capacity[Truck, 2027-01]")
    assert row["dual_usd_per_unit"] == 0 and not row["binding"]
    assert row["slack"] == pytest.approx(900)


def test_lowering_a_contract_minimum_saves_the_penalty():
    """25 t Sb against a 30 t minimum, penalty 3,000 USD/t: lowering the minimum by 1 t Sb
    saves 3,000 (sign: relaxing is worth money)."""
    case = make_case(
        1,
        smelters=[smelter(horizon=1, capacity=50)],
        contracts=[contract(horizon=1, min_t=30, price=2000)],
        penalty=3000,
    )
    res = solved(case)
    assert dual(res, "Contract_Min[DLA, 2027-01]") == pytest.approx(3000)
    assert "would cost" not in _row(res, "Contract_Min[DLA, 2027-01]")["sentence"]


def test_balances_value_one_more_tonne_discounted():
    """12 %/year: one more t of Sb made in month 1 is worth 1,000 × 1.12^(−1/12); balances
    are equalities (always binding)."""
    res = solved(make_case(2, rate=12))
    assert dual(res, "Sb_Sales[Smelter, 2027-02]") == pytest.approx(1000 * 1.12 ** (-1 / 12))
    balances = res.duals[res.duals["kind"] == "balance"]
    assert set(balances["family"]) == {"Source_Balance", "Yard_Balance", "Sb_Sales"}
    assert balances["binding"].all()


def test_a_cost_reads_as_would_cost():
    """No supply, freight 600 USD/t > the 500 USD a tonne makes, stockpile holding 3 USD/t:
    one more t of ore at the mine is best left in the stockpile, costing 3 USD; the
    sentence says 'would cost $3'."""
    case = make_case(
        1,
        sources=[source(horizon=1, max_t=0, stock_cap=100, holding=3)],
        routes=[route(horizon=1, cost=600)],
    )
    res = solved(case)
    row = _row(res, "Source_Balance[Mine, 2027-01]")
    assert row["dual_usd_per_unit"] == pytest.approx(-3)
    assert row["sentence"] == "One more t of ore in the Mine stockpile in 2027-01 would cost $3."


def test_every_marginal_value_points_at_an_existing_input_cell():
    """On a validated workbook (every optional sheet), each dual row's (sheet, row id,
    column) is a cell or row the validator located."""
    case, problems = validate(raw_book(full_rows()))
    assert case is not None, problems
    res = solve_case(case)
    assert res.status == Status.OPTIMAL
    assert not res.duals.empty
    missing = {
        (r.family, r.sheet, r.row_id, r.column)
        for r in res.duals.itertuples()
        if (r.sheet, r.row_id, r.column) not in case.locations
    }
    assert not missing
    for r in res.duals.itertuples():
        assert case.where(r.sheet, r.row_id, r.column).row is not None
