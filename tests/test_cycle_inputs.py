"""InTransit and Actuals (SPEC §6.3): ore on its way at the start, and closed months locked
to what happened — hand-checked optima, located validation, a conflict explained at its row."""

from __future__ import annotations

import dataclasses

import pytest
from cases import make_case, route, smelter, solved, source
from conftest import minimal_rows, raw_book, write_book

from optimizer.case import Actual, Case, InTransit
from optimizer.cli.app import main
from optimizer.inputs.validate import validate


def in_transit_case(policy: str = "free") -> Case:
    """Two months; nothing can be mined; 40 t dispatched before the start on Truck (freight
    50 USD/t, 10 t/month, 1 month transit) arrive in 2027-02."""
    H = 2
    case = make_case(
        H,
        sources=[source(horizon=H, max_t=0.0)],
        routes=[route(horizon=H, cost=50.0, transit=1, capacity=10.0)],
        policy=policy,
    )
    return dataclasses.replace(case, in_transit=(InTransit("Truck", 1, 40.0),))


@pytest.mark.parametrize("policy", ["free", "keep_opening"])
def test_in_transit_ore_arrives_free_and_is_not_opening_stock(policy: str) -> None:
    """All 40 t are fed in 2027-02 (no yard room): 40 × 50 % × $1,000 = $20,000. No freight
    is charged and the 10 t/month route limit does not apply; keep_opening asks nothing of
    it (it is not opening stock)."""
    results = solved(in_transit_case(policy))
    assert results.objective_usd == pytest.approx(20_000)
    feb = results.yard[results.yard["month"] == "2027-02"]
    assert float(feb["in_transit_t"].sum()) == pytest.approx(40)
    assert float(feb["feed_t"].sum()) == pytest.approx(40)


def test_in_transit_arrival_before_start_is_an_error_after_horizon_ignored() -> None:
    rows = minimal_rows()
    rows["InTransit"] = [
        ["route", "arrival_month", "tonnes"],
        ["AK1-TF", "2026-12", 30],
        ["AK1-TF", "2027-09", 20],
        ["AK1-TF", "2027-02", 15],
    ]
    case, problems = validate(raw_book(rows))
    assert case is None
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1 and errors[0].sheet == "InTransit" and errors[0].cell == "B2"
    assert "before the start month 2027-01" in errors[0].rule
    rows["InTransit"].pop(1)
    case, problems = validate(raw_book(rows))
    assert case is not None
    warned = [p for p in problems if p.sheet == "InTransit"]
    assert len(warned) == 1 and warned[0].cell == "B2" and "ignored" in warned[0].rule
    assert [x.arrival for x in case.in_transit] == [8, 1]


def _actuals_from(results, case: Case, months: range) -> tuple[Actual, ...]:
    """Every mined, shipped, fed and month-end stock figure of ``months`` of a solved plan,
    as Actuals rows (zeros left out: a missing row means 0)."""
    rows = []
    for r in results.sources.itertuples():
        t = case.months.index(r.month)
        if t in months:
            rows += [Actual(t, "mined", r.source, "", r.mined_t)]
            rows += [Actual(t, "stock", r.source, "", r.stock_t)]
    for r in results.flows.itertuples():
        t = case.months.index(r.month)
        if t in months and r.dispatched_t:
            rows += [Actual(t, "shipped", r.route, "", r.dispatched_t)]
    for r in results.yard.itertuples():
        t = case.months.index(r.month)
        if t in months and r.feed_t:
            rows += [Actual(t, "fed", r.smelter, r.source, r.feed_t)]
        if t in months and r.stock_t:
            rows += [Actual(t, "stock", r.smelter, r.source, r.stock_t)]
    return tuple(rows)


def cycle_case() -> Case:
    """Four months, two sources, a truck, a 1-month barge, a rail lane, yard and stockpile
    room, seasonal supply: a plan with stock carried between months."""
    H = 4
    return make_case(
        H,
        sources=[
            source("Mine", horizon=H, max_t=[80, 0, 120, 90], stock_cap=200.0, holding=1.0),
            source("Lot", horizon=H, max_t=50.0, grade=30.0, cost=100.0, domestic=False),
        ],
        smelters=[
            smelter("TF", horizon=H, capacity=70.0, yard_cap=100.0, holding=2.0),
            smelter("MX", horizon=H, capacity=60.0, price=900.0),
        ],
        routes=[
            route("Truck", "Mine", "TF", horizon=H, capacity=90.0),
            route("Barge", "Lot", "MX", horizon=H, transit=1, cost=20.0),
            route("Rail", "Mine", "MX", horizon=H, capacity=40.0, cost=30.0),
        ],
        rate=8.0,
    )


def test_actuals_equal_to_the_optimum_leave_the_objective_unchanged() -> None:
    case = cycle_case()
    plan = solved(case)
    locked = dataclasses.replace(case, actuals=_actuals_from(plan, case, range(2)))
    assert solved(locked).objective_usd == pytest.approx(plan.objective_usd, rel=1e-9)


def test_a_locked_month_follows_the_actuals() -> None:
    """Closing 2027-01 with 30 t mined and fed at TF (the optimum mines 80): the plan must
    take 30 t then, and a missing row (Rail, Barge) means nothing was shipped there."""
    case = cycle_case()
    actuals = (
        Actual(0, "mined", "Mine", "", 30.0),
        Actual(0, "shipped", "Truck", "", 20.0),
        Actual(0, "shipped", "Truck", "", 10.0),  # rows add up
        Actual(0, "fed", "TF", "Mine", 30.0),
    )
    results = solved(dataclasses.replace(case, actuals=actuals))
    jan = results.flows[results.flows["month"] == "2027-01"].set_index("route")["dispatched_t"]
    assert jan.to_dict() == pytest.approx({"Truck": 30.0, "Barge": 0.0, "Rail": 0.0})
    assert solved(case).objective_usd > results.objective_usd


def _actuals_rows(*rows) -> list[list]:
    return [["month", "kind", "id", "origin", "tonnes"], *map(list, rows)]


def test_actuals_validation_names_each_bad_row() -> None:
    rows = minimal_rows()
    rows["Actuals"] = _actuals_rows(
        ("2027-01", "mined", "AK-1", None, 10),  # unknown source
        ("2027-01", "fed", "TF", None, 10),  # origin missing
        ("2027-01", "fed", "TF", "BUY", 10),  # no lane BUY -> TF
        ("2027-01", "shipped", "AK1-TF", "BUY", 10),  # a route's own ore
        ("2026-12", "stock", "AK1", None, 5),  # before the start: fine (used by roll)
    )
    case, problems = validate(raw_book(rows))
    assert case is None
    errors = {(p.cell, p.rule.split(":")[0]) for p in problems if p.is_error}
    assert errors == {
        ("C2", "unknown id for kind mined"),
        ("D3", "a fed row at smelter TF needs the ore's origin"),
        ("D4", "no route or opening stock brings BUY ore to TF"),
        ("D5", "a shipped row of AK1-TF carries its own ore"),
    }
    assert any("did you mean" in p.hint.lower() or "AK1" in p.hint for p in problems)


def test_actual_above_route_capacity_is_explained_at_its_row(tmp_path, capsys) -> None:
    """2027-01 is closed: AK1 mined 100 t (its max) on top of 500 t in its stockpile and
    dispatched 250 t on AK1-TF, whose limit is 200 t/month: infeasible, and explain names the
    Actuals row (C3 holds 250) and the route's capacity."""
    rows = minimal_rows()
    rows["OpeningStock"] = [["location", "source", "tonnes"], ["AK1", "AK1", 500]]
    rows["Actuals"] = _actuals_rows(
        ("2027-01", "mined", "AK1", None, 100), ("2027-01", "shipped", "AK1-TF", None, 250)
    )
    book = write_book(tmp_path / "case.xlsx", rows)
    assert main(["explain", str(book)]) == 3
    text = capsys.readouterr()
    text = text.out + text.err
    assert "AK1-TF dispatched 250 t (recorded in Actuals) in 2027-01 — Actuals!E3" in text
    assert "AK1-TF can dispatch at most 200 t" in text and "Routes!G2" in text
    assert main(["solve", str(book), "-o", str(tmp_path / "r.xlsx")]) == 3


def test_a_dispatch_arriving_after_the_horizon_is_ignored_with_a_warning() -> None:
    """AK1-MAD takes 2 months: ore dispatched in 2027-02 would reach Madero in 2027-04."""
    rows = minimal_rows()
    rows["Actuals"] = _actuals_rows(("2027-02", "shipped", "AK1-MAD", None, 10))
    case, problems = validate(raw_book(rows))
    assert case is not None
    (warning,) = [p for p in problems if p.sheet == "Actuals"]
    assert warning.cell == "C2" and "arrives after the horizon" in warning.rule
