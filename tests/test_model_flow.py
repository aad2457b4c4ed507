"""Hand-checked tiny cases for the ore-flow families: extraction bounds, source stockpile,
route capacity and transit lag, smelter yard by origin, smelter capacity, expansions.

Defaults (tests/cases.py): ore 50 % Sb, recovery 100 %, spot 1,000 USD/t Sb, so one tonne
of ore fed is worth 500 USD; every cost, holding and transit is 0 unless stated; no
discounting. Each test's docstring computes its objective by hand.
"""

from __future__ import annotations

import pytest
from cases import dual, expansion, make_case, route, smelter, solved, source

from optimizer.case import OpeningStock


def test_extraction_max_limits_mining():
    """Supply max 100 t, ore cost 100 USD/t: 100 × (500 − 100) = 40,000."""
    case = make_case(1, sources=[source(horizon=1, max_t=100, cost=100)])
    res = solved(case)
    assert res.objective_usd == pytest.approx(40_000)
    assert res.sources["mined_t"].sum() == pytest.approx(100)
    assert dual(res, "Extraction_Max[Mine, 2027-01]") == pytest.approx(400)


def test_extraction_min_forces_a_losing_month():
    """Spot 100 USD/t Sb → ore worth 50 USD/t < cost 100: without a minimum nothing is
    mined (0); a 30 t minimum forces 30 × (50 − 100) = −1,500, and lowering it by 1 t is
    worth 50."""

    def case(min_t):
        return make_case(
            1,
            sources=[source(horizon=1, cost=100, min_t=min_t)],
            smelters=[smelter(horizon=1, price=100)],
        )

    assert solved(case(0)).objective_usd == pytest.approx(0)
    res = solved(case(30))
    assert res.objective_usd == pytest.approx(-1_500)
    assert dual(res, "Extraction_Min[Mine, 2027-01]") == pytest.approx(50)


def test_transit_lag_and_no_dispatch_after_the_horizon():
    """3 months, 100 t/month, transit 1, freight 10: ore sent in month 2 would arrive after
    the horizon, so only months 0 and 1 ship: 2 × 100 × (500 − 10) = 98,000; the smelter is
    fed in months 1 and 2."""
    case = make_case(3, routes=[route(horizon=3, transit=1, cost=10)])
    res = solved(case)
    assert res.objective_usd == pytest.approx(98_000)
    assert list(res.flows["month"]) == ["2027-01", "2027-02"]
    assert list(res.flows["arrival_month"]) == ["2027-02", "2027-03"]
    assert list(res.smelters["feed_t"]) == pytest.approx([0, 100, 100])


def test_source_stockpile_carries_ore_over_a_closed_route():
    """Supply [100, 0], route closed in month 0, stockpile 60 t, holding 2 USD/t-month:
    mine 60, hold it over month 0's end, ship in month 1: 60 × 500 − 60 × 2 = 29,880.
    One more t of stockpile room is worth 500 − 2 = 498."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=[100, 0], stock_cap=60, holding=2)],
        routes=[route(horizon=2, availability=[0, 100])],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(29_880)
    assert list(res.sources["stock_t"]) == pytest.approx([60, 0])
    assert dual(res, "Source_Stockpile_Capacity[Mine, 2027-01]") == pytest.approx(498)


def test_route_capacity_scaled_by_availability():
    """Route 80 t/month at 50 % availability: 40 t × 500 = 20,000; one more t/month of
    route capacity that month is worth 500."""
    case = make_case(1, routes=[route(horizon=1, capacity=80, availability=50)])
    res = solved(case)
    assert res.objective_usd == pytest.approx(20_000)
    assert dual(res, "Route_Capacity[Truck, 2027-01]") == pytest.approx(500)


def test_opening_yard_stock_fed_over_two_months():
    """No supply; 40 t of Mine ore in the yard at the start (not charged holding), smelter
    capacity 30, yard holding 1 USD/t-month: feed 30 then 10, holding 10 t at the end of
    month 0: 40 × 500 − 10 × 1 = 19,990."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=0)],
        smelters=[smelter(horizon=2, capacity=30, yard_cap=100, holding=1)],
        opening=[OpeningStock("Smelter", "Mine", 40)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(19_990)
    assert list(res.yard["stock_t"]) == pytest.approx([10, 0])


def test_yard_capacity_limits_what_can_wait():
    """Supply [100, 0], no source stockpile, smelter 50 t/month, yard 30 t: month 0 mines
    80 (50 fed, 30 in the yard), month 1 feeds the 30: 80 × 500 = 40,000. One more t of
    yard room in month 0 is worth 500."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=[100, 0])],
        smelters=[smelter(horizon=2, capacity=50, yard_cap=30)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(40_000)
    assert dual(res, "Yard_Capacity[Smelter, 2027-01]") == pytest.approx(500)


def test_yard_keeps_origins_apart():
    """Two mines (60 % and 20 % Sb) ship to one yard; each origin's balance is separate, so
    the Sb made is the sum of each origin's own grade: 100 × 600 + 100 × 200 = 80,000."""
    h = 1
    case = make_case(
        h,
        sources=[source("Rich", horizon=h, grade=60), source("Poor", horizon=h, grade=20)],
        routes=[route("R1", "Rich", horizon=h), route("R2", "Poor", horizon=h)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(80_000)
    assert sorted(res.yard["source"]) == ["Poor", "Rich"]


def test_smelter_capacity_with_availability():
    """Capacity 100 t/month at [50 %, 100 %], supply 200: feed 50 + 100 = 150 t → 75,000.
    One more t/month of capacity in month 0 is worth 500."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=200)],
        smelters=[smelter(horizon=2, capacity=100, availability=[50, 100])],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(75_000)
    assert dual(res, "Smelter_Capacity[Smelter, 2027-01]") == pytest.approx(500)


@pytest.mark.parametrize(
    ("lead", "expected"), [(0, 130_000), (1, 105_000), (2, 80_000), (3, 75_000)]
)
def test_expansion_online_after_lead_time(lead, expected):
    """3 months, base 50 t/month, supply 100: base alone gives 3 × 50 × 500 = 75,000. A
    50 t/month project at 400 USD per t/month started in month 0 is online from month
    ``lead``: lead 0 adds 3 × 50 × 500 − 20,000 = 55,000 (130,000); lead 1 adds
    2 × 25,000 − 20,000 (105,000); lead 2 adds 25,000 − 20,000 (80,000); lead 3 would come
    online after the horizon, so it has no start month at all (75,000)."""
    h = 3
    case = make_case(
        h,
        smelters=[smelter(horizon=h, capacity=50)],
        expansions=[expansion(horizon=h, max_added=50, capex=400, lead=lead)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(expected)
    built = res.builds["added_t_per_month"].sum()
    assert built == pytest.approx(0 if lead == 3 else 50)


def test_expansion_capacity_not_scaled_by_availability():
    """Base 50 t/month fully down (0 % availability) both months; a free 30 t/month project
    (lead 0) still runs: 2 × 30 × 500 = 30,000."""
    h = 2
    case = make_case(
        h,
        smelters=[smelter(horizon=h, capacity=50, availability=0)],
        expansions=[expansion(horizon=h, max_added=30)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(30_000)
    assert list(res.smelters["capacity_t"]) == pytest.approx([30, 30])


def test_expansion_respects_start_window():
    """Earliest start month 1 (of 2), lead 0, free 40 t/month on a 0 t/month base: only
    month 1 can feed, 40 × 500 = 20,000."""
    h = 2
    case = make_case(
        h,
        smelters=[smelter(horizon=h, capacity=0)],
        expansions=[expansion(horizon=h, max_added=40, earliest=1)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(20_000)
    assert list(res.builds["month"]) == ["2027-02"]
