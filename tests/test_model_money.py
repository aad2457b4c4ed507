"""Hand-checked tiny cases for the money families: discounting, lumpy vs continuous
expansion, grant share / award month / amount, contracts with penalized shortfall, and the
end-of-horizon stock policy. Ore is worth 500 USD/t fed unless stated (50 % Sb, recovery
100 %, spot 1,000 USD/t Sb). Each docstring computes its objective by hand.
"""

from __future__ import annotations

import pytest
from cases import (
    contract,
    dual,
    expansion,
    grant,
    make_case,
    route,
    smelter,
    solved,
    source,
)

from optimizer.case import OpeningStock


def d(t: int, rate_pct: float) -> float:
    """Discount factor of month t: (1 + rate)^(−t/12)."""
    return (1 + rate_pct / 100) ** (-t / 12)


def test_discounting_costs_at_dispatch_revenue_at_arrival():
    """12 %/year, transit 1: 100 t mined (100 USD/t) and shipped (10 USD/t) in month 0,
    sold in month 1: −11,000 + 50,000 × 1.12^(−1/12) = 38,527.09."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=[100, 0], cost=100)],
        routes=[route(horizon=2, transit=1, cost=10)],
        rate=12,
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(-11_000 + 50_000 * d(1, 12))
    assert res.cashflow["discount_factor"].iloc[1] == pytest.approx(d(1, 12))


def _expansion_case(mode: str, fixed: float):
    """1 month, base 50 t/month, supply 80; a 100 t/month project at 100 USD per t/month
    plus ``fixed`` USD (lumpy mode only)."""
    return make_case(
        1,
        sources=[source(horizon=1, max_t=80)],
        smelters=[smelter(horizon=1, capacity=50)],
        expansions=[expansion(horizon=1, max_added=100, capex=100, fixed=fixed)],
        mode=mode,
    )


def test_continuous_builds_a_fraction_and_ignores_fixed_capex():
    """Build 30 t/month: 80 × 500 − 30 × 100 = 37,000 (fixed capex ignored)."""
    res = solved(_expansion_case("continuous", 20_000))
    assert res.objective_usd == pytest.approx(37_000)
    assert res.builds["added_t_per_month"].sum() == pytest.approx(30)
    assert res.mip_gap_pct is None


def test_lumpy_builds_whole_or_not_at_all():
    """Whole project: 100 × 100 + 20,000 = 30,000 capex for 30 t × 500 = 15,000 more
    margin → not built: 50 × 500 = 25,000. Without the fixed part the whole project costs
    10,000 → built: 40,000 − 10,000 = 30,000."""
    res = solved(_expansion_case("lumpy", 20_000))
    assert res.objective_usd == pytest.approx(25_000)
    assert res.builds.empty
    res = solved(_expansion_case("lumpy", 0))
    assert res.objective_usd == pytest.approx(30_000)
    assert list(res.builds["added_t_per_month"]) == pytest.approx([100])
    assert res.mip_gap_pct is not None and res.mip_gap_pct <= 0.01 + 1e-9


def test_lumpy_marginal_values_come_from_the_fixed_lp():
    """Not built (first case above): capacity binds, so one more t/month of it is worth the
    500 USD the extra ore would make; the duals exist although the model is a MILP."""
    res = solved(_expansion_case("lumpy", 20_000))
    assert dual(res, "Smelter_Capacity[Smelter, 2027-01]") == pytest.approx(500)
    assert "Expansion_Whole" in set(res.duals["family"])


def test_lumpy_project_starts_at_most_once():
    """2 months, no base capacity, a free 10 t/month project (lead 0): built once in month 0
    it runs both months: 2 × 10 × 500 = 10,000 (starting it again in month 1 would add
    5,000 and is not allowed)."""
    h = 2
    case = make_case(
        h,
        smelters=[smelter(horizon=h, capacity=0)],
        expansions=[expansion(horizon=h, max_added=10)],
        mode="lumpy",
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(10_000)
    assert len(res.builds) == 1


def _grant_case(rate=0.0, **grant_kw):
    """4 months, no base capacity, supply 100 t/month, one 100 t/month project at
    1,000 USD per t/month (lead 0); ``grant_kw`` configure one grant (none if empty)."""
    h = 4
    grants = [grant(**grant_kw)] if grant_kw else []
    return make_case(
        h,
        smelters=[smelter(horizon=h, capacity=0)],
        expansions=[expansion(horizon=h, max_added=100, capex=1000)],
        grants=grants,
        rate=rate,
    )


def test_no_grant_builds_at_once():
    """Built in month 0: 4 × 100 × 500 − 100,000 = 100,000."""
    assert solved(_grant_case()).objective_usd == pytest.approx(100_000)


def test_grant_share_from_the_award_month():
    """A 60 % grant awarded for month 1: building then earns 3 × 50,000 − 40,000 = 110,000,
    more than month 0's 100,000 (per t/month: 1,500 − 400 > 2,000 − 1,000)."""
    res = solved(_grant_case(share=60, award=1))
    assert res.objective_usd == pytest.approx(110_000)
    assert list(res.builds["month"]) == ["2027-02"]
    assert res.grant_use["paid_usd"].sum() == pytest.approx(60_000)


def test_grant_awarded_before_the_horizon_pays_from_month_0():
    """Award 3 months before the start: month 0 is eligible: 200,000 − 40,000 = 160,000."""
    assert solved(_grant_case(share=60, award=-3)).objective_usd == pytest.approx(160_000)


def test_grant_amount_caps_the_money():
    """Same 60 % grant, but only 30,000 USD: it funds 50 t/month started in month 1
    (1,500 − 400 = 1,100 per t/month); the other 50 start in month 0 (2,000 − 1,000 =
    1,000): 55,000 + 50,000 = 105,000. One more grant dollar moves 1/600 t/month from
    month 0 to month 1: (1,100 − 1,000) / 600 = 1/6 USD."""
    res = solved(_grant_case(share=60, award=1, amount=30_000))
    assert res.objective_usd == pytest.approx(105_000)
    assert dual(res, "Grant_Amount[DPA]") == pytest.approx(1 / 6)


def test_grant_money_is_discounted_with_the_capex():
    """12 %/year, 60 % grant from month 1: build in month 1 for
    50,000 × (d1 + d2 + d3) − 40,000 × d1 = 107,576 (month 0 would give
    50,000 × (1 + d1 + d2 + d3) − 100,000 = 97,200)."""
    res = solved(_grant_case(rate=12, share=60, award=1))
    expected = 50_000 * (d(1, 12) + d(2, 12) + d(3, 12)) - 40_000 * d(1, 12)
    assert res.objective_usd == pytest.approx(expected)


def test_grants_together_pay_at_most_the_capex():
    """Two 80 % grants from month 0 could pay 160 % of the capex; together they are capped
    at 100 %, so the project is free: 4 × 50,000 = 200,000."""
    h = 4
    case = make_case(
        h,
        smelters=[smelter(horizon=h, capacity=0)],
        expansions=[expansion(horizon=h, max_added=100, capex=1000)],
        grants=[grant("G1", share=80), grant("G2", share=80)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(200_000)
    assert res.grant_use["paid_usd"].sum() == pytest.approx(100_000)


def test_contract_shortfall_is_penalized_not_infeasible():
    """50 t ore → 25 t Sb; contract min 30 t Sb at 2,000 USD, penalty 3,000 USD/t short:
    25 × 2,000 − 5 × 3,000 = 35,000."""
    case = make_case(
        1,
        smelters=[smelter(horizon=1, capacity=50)],
        contracts=[contract(horizon=1, min_t=30, price=2000)],
        penalty=3000,
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(35_000)
    assert res.contracts["shortfall_t"].sum() == pytest.approx(5)


def test_contract_max_and_spot_for_the_rest():
    """25 t Sb; contract max 10 t at 2,000, the rest at spot 1,000:
    20,000 + 15,000 = 35,000; one more t of contract allowance is worth 1,000."""
    case = make_case(
        1,
        smelters=[smelter(horizon=1, capacity=50)],
        contracts=[contract(horizon=1, max_t=10, price=2000)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(35_000)
    assert dual(res, "Contract_Max[DLA, 2027-01]") == pytest.approx(1000)


def test_contract_any_smelter_limits_the_sum():
    """Two smelters make 25 t Sb each; an 'any' contract takes at most 30 t at 2,000 in
    total: 30 × 2,000 + 20 × 1,000 = 80,000."""
    case = make_case(
        1,
        sources=[source(horizon=1, max_t=100)],
        smelters=[smelter("S1", horizon=1, capacity=50), smelter("S2", horizon=1, capacity=50)],
        routes=[route("R1", dst="S1", horizon=1), route("R2", dst="S2", horizon=1)],
        contracts=[contract(at="any", horizon=1, max_t=30, price=2000)],
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(80_000)
    assert res.contract_deliveries["delivered_t"].sum() == pytest.approx(30)


def test_contract_active_months_only():
    """3 months, 25 t Sb a month; contract active in month 1 only, min 40 at 2,000,
    penalty 3,000: months 0 and 2 sell 25,000 at spot each; month 1 earns
    50,000 − 15 × 3,000 = 5,000: total 55,000."""
    h = 3
    case = make_case(
        h,
        smelters=[smelter(horizon=h, capacity=50)],
        contracts=[contract(horizon=h, start=1, end=1, min_t=40, price=2000)],
        penalty=3000,
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(55_000)
    assert list(res.contracts["month"]) == ["2027-02"]


def test_end_stock_keep_opening():
    """50 t of opening stock at the mine (not charged), no supply, holding 1 USD/t-month.
    free: ship and sell it: 25,000. keep_opening: it must stay, paying one month-end of
    holding: −50. Ending with 1 t less would be worth 500 + 1."""

    def case(policy):
        return make_case(
            1,
            sources=[source(horizon=1, max_t=0, stock_cap=100, holding=1)],
            opening=[OpeningStock("Mine", "Mine", 50)],
            policy=policy,
        )

    assert solved(case("free")).objective_usd == pytest.approx(25_000)
    res = solved(case("keep_opening"))
    assert res.objective_usd == pytest.approx(-50)
    assert dual(res, "End_Stock[Mine]") == pytest.approx(501)
