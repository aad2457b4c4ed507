"""Hand-checked tiny cases for projects as planners build them (SPEC §6.1): capex paid over
``capex_months``, starts only where every payment falls in the horizon, committed projects
(built whole from a decided start, possibly before the horizon, charged only for payments
inside it) and grants paying per payment.

Unless stated: 4 months, no base capacity, supply 100 t/month, ore worth 500 USD/t fed
(50 % Sb, recovery 100 %, spot 1,000 USD/t Sb), one 100 t/month project at 1,000 USD per
t/month (100,000 USD whole), lead 0, no discounting.
"""

from __future__ import annotations

import pytest
from cases import expansion, grant, make_case, smelter, solved, source

H = 4


def d(t: int, rate_pct: float = 12.0) -> float:
    """Discount factor of month t: (1 + rate)^(−t/12)."""
    return (1 + rate_pct / 100) ** (-t / 12)


def _case(h=H, *, rate=0.0, mode="continuous", grants=(), supply=100.0, **project):
    project = {"max_added": 100, "capex": 1000, **project}
    return make_case(
        h,
        sources=[source(horizon=h, max_t=supply)],
        smelters=[smelter(horizon=h, capacity=0)],
        expansions=[expansion(horizon=h, **project)],
        grants=list(grants),
        rate=rate,
        mode=mode,
    )


def test_capex_paid_evenly_over_capex_months_is_discounted_per_payment():
    """12 %/year, capex over 2 months, built in month 0: 50,000 × (1 + d1 + d2 + d3) −
    50,000 × (1 + d1) = 50,000 × (d2 + d3) (a later start earns less: month 1 gives
    50,000 × d3)."""
    res = solved(_case(rate=12, capex_months=2))
    assert res.objective_usd == pytest.approx(50_000 * (d(2) + d(3)))
    assert list(res.payments["capex_usd"]) == pytest.approx([50_000, 50_000])
    assert list(res.payments["month"]) == ["2027-01", "2027-02"]
    assert list(res.cashflow["capex_usd"]) == pytest.approx([50_000, 50_000, 0, 0])


def test_a_decided_start_needs_all_its_payments_in_the_horizon():
    """2 months, capex over 4 months: no start has all its payments inside the horizon, so
    nothing is built: 0 (a start in month 0 charged only 2 of 4 payments would have earned
    2 × 50,000 − 50,000 = 50,000)."""
    res = solved(_case(2, capex_months=4))
    assert res.objective_usd == pytest.approx(0)
    assert res.builds.empty


def test_committed_project_is_built_whole_and_charged_inside_the_horizon():
    """Committed start 2 months before the horizon, lead 3 → online from month 1; capex over
    4 months (25,000 each at −2, −1, 0, 1): only months 0 and 1 are charged. Revenue
    3 × 50,000 − 50,000 = 100,000 (fixed capex ignored in continuous mode)."""
    res = solved(_case(committed=-2, lead=3, capex_months=4, fixed=20_000))
    assert res.objective_usd == pytest.approx(100_000)
    (row,) = res.builds.itertuples()
    assert (row.month, row.online_month, row.committed) == ("2026-11", "2027-02", True)
    assert row.added_t_per_month == pytest.approx(100)
    assert row.capex_usd == pytest.approx(50_000)


def test_committed_project_in_lumpy_mode_pays_the_fixed_part():
    """As above in lumpy mode: whole price 120,000, 30,000 a payment: 150,000 − 60,000 =
    90,000."""
    res = solved(_case(mode="lumpy", committed=-2, lead=3, capex_months=4, fixed=20_000))
    assert res.objective_usd == pytest.approx(90_000)


def test_committed_project_is_built_even_when_it_loses_money():
    """No supply: the committed project earns nothing and its two in-horizon payments cost
    2 × 25,000 = 50,000; its capacity is still online."""
    res = solved(_case(supply=0, committed=-2, lead=3, capex_months=4))
    assert res.objective_usd == pytest.approx(-50_000)
    assert res.smelters["expansion_online_t"].tolist() == pytest.approx([0, 100, 100, 100])


def test_committed_start_after_the_horizon_start_cannot_be_moved():
    """Committed in month 2 (lead 0, one payment): online months 2 and 3 only, although
    month 0 would earn more: 2 × 50,000 − 100,000 = 0."""
    res = solved(_case(committed=2))
    assert res.objective_usd == pytest.approx(0)
    assert list(res.builds["month"]) == ["2027-03"]


@pytest.mark.parametrize(
    ("award", "amount", "expected"),
    [
        (-3, 1e12, 100_000 + 30_000),  # 60 % of both in-horizon payments
        (-1, 1e12, 100_000),  # started before the award: no grant on any payment
        (-3, 10_000, 100_000 + 10_000),  # amount caps the nominal total
    ],
)
def test_grant_pays_a_share_of_each_payment_of_a_committed_start(award, amount, expected):
    """Committed case above (100,000 before grants); a 60 % grant pays ≤ 15,000 of each
    25,000 payment in months 0 and 1 when the start (−2) is on or after its award."""
    res = solved(
        _case(
            committed=-2,
            lead=3,
            capex_months=4,
            grants=[grant(award=award, amount=amount, share=60)],
        )
    )
    assert res.objective_usd == pytest.approx(expected)


def test_grant_money_arrives_with_each_payment():
    """12 %/year, committed as above, 60 % grant from before the start: the company pays
    40 % of 25,000 in months 0 and 1: 50,000 × (d1 + d2 + d3) − 10,000 × (1 + d1)."""
    res = solved(
        _case(rate=12, committed=-2, lead=3, capex_months=4, grants=[grant(award=-3, share=60)])
    )
    expected = 50_000 * (d(1) + d(2) + d(3)) - 10_000 * (1 + d(1))
    assert res.objective_usd == pytest.approx(expected)
    assert list(res.grant_use["month"]) == ["2027-01", "2027-02"]
    assert list(res.grant_use["start_month"]) == ["2026-11", "2026-11"]


def test_grant_with_the_amount_left_pays_the_earliest_payments():
    """12 %/year, decided start in month 0 (award month 0), capex over 2 months, 60 % grant
    capped at 30,000: the money goes to the month-0 payment (worth more undiscounted):
    50,000 × (1 + d1 + d2 + d3) − 20,000 − 50,000 × d1 = 30,000 + 50,000 × (d2 + d3)."""
    res = solved(_case(rate=12, capex_months=2, grants=[grant(award=0, amount=30_000, share=60)]))
    assert res.objective_usd == pytest.approx(30_000 + 50_000 * (d(2) + d(3)))
    assert list(res.grant_use["month"]) == ["2027-01"]


# --- single mode: one start, any size between min_added and max_added -------------------


def _staging_case(mode: str, **project):
    """4 months, no base capacity, 100 t/month of supply in months 0–1 and 300 t/month in
    months 2–3; a 300 t/month project at 1,000 USD per t/month + 10,000 fixed, lead 0.
    Continuous builds 100 in month 0 (4 × 500 − 1,000 = 1,000 a t/month) and 200 more in
    month 2 (2 × 500 − 1,000 = 0: indifferent; any amount 0..200): 100,000 − 0 = 100,000,
    fixed capex ignored."""
    h = 4
    return make_case(
        h,
        sources=[source(horizon=h, max_t=[100, 100, 300, 300])],
        smelters=[smelter(horizon=h, capacity=0)],
        expansions=[expansion(horizon=h, max_added=300, capex=1000, fixed=10_000, **project)],
        mode=mode,
    )


def test_single_starts_once_at_any_size():
    """Single: one start. Month 0 with size x: revenue 500 × (2 × min(x, 100) +
    2 × min(x, 300)) − 1,000 x − 10,000: x = 100 gives 200,000 − 100,000 − 10,000 = 90,000;
    x = 300 gives 100,000 + 300,000 − 300,000 − 10,000 = 90,000 (a tie; 100..300 all give
    90,000). Month 2 with x = 300: 300,000 − 310,000 < 0. Optimum 90,000, one row."""
    res = solved(_staging_case("single"))
    assert res.objective_usd == pytest.approx(90_000)
    assert len(res.builds) == 1 and list(res.builds["month"]) == ["2027-01"]


def test_single_respects_the_smallest_size():
    """min_added 50 against a project worth building only at ≥ 20 t/month: unchanged 90,000.
    min_added 300 (whole): month 0 with 300: 90,000 as above."""
    assert solved(_staging_case("single", min_added=50)).objective_usd == pytest.approx(90_000)
    res = solved(_staging_case("single", min_added=300))
    assert res.objective_usd == pytest.approx(90_000)
    assert list(res.builds["added_t_per_month"]) == pytest.approx([300])


def test_single_minimum_size_can_make_a_project_not_worth_building():
    """1 month, base 0, supply 80, 100 t/month project at 100 USD per t/month (no fixed):
    single with min_added 100 must build 100 to use 80: 40,000 − 10,000 = 30,000 (vs
    continuous: 80 × 500 − 8,000 = 32,000); at 500 USD per t/month, min 100 costs 50,000 >
    40,000, so nothing is built: 0."""

    def case(capex, mode="single"):
        return make_case(
            1,
            sources=[source(horizon=1, max_t=80)],
            smelters=[smelter(horizon=1, capacity=0)],
            expansions=[expansion(horizon=1, max_added=100, capex=capex, min_added=100)],
            mode=mode,
        )

    assert solved(case(100)).objective_usd == pytest.approx(30_000)
    assert solved(case(100, "continuous")).objective_usd == pytest.approx(32_000)
    assert solved(case(500)).objective_usd == pytest.approx(0)


def test_single_marginal_values_come_from_the_fixed_start_lp():
    """Single, min 100 at 100 USD per t/month (the case above): with the start fixed, the
    binding smallest size costs 20 t/month of unused capacity at 100 USD: lowering it by
    1 t/month is worth 100 USD."""
    case = make_case(
        1,
        sources=[source(horizon=1, max_t=80)],
        smelters=[smelter(horizon=1, capacity=0)],
        expansions=[expansion(horizon=1, max_added=100, capex=100, min_added=100)],
        mode="single",
    )
    res = solved(case)
    row = res.duals[res.duals["constraint"] == "Expansion_Size_Min[Expand, 2027-01]"]
    assert float(row["dual_usd_per_unit"].iloc[0]) == pytest.approx(100)


def test_committed_project_in_single_mode_is_whole_with_its_fixed_part():
    """Committed as in the first tests (−2, lead 3, 4 payments) in single mode: whole price
    100,000 + 20,000 → 30,000 a payment: 150,000 − 60,000 = 90,000."""
    res = solved(_case(mode="single", committed=-2, lead=3, capex_months=4, fixed=20_000))
    assert res.objective_usd == pytest.approx(90_000)


# --- mine-side projects: raise a source's supply max where it is > 0 -----------------------


def _mine_case(**kw):
    """3 months; the mine may supply 50, 0 (closed season), 50 t; the smelter takes 200 t a
    month; a mine-side project adds up to 100 t/month at 300 USD per t/month (lead 0)."""
    h = 3
    return make_case(
        h,
        sources=[source(horizon=h, max_t=[50, 0, 50])],
        smelters=[smelter(horizon=h, capacity=200)],
        expansions=[expansion(at=None, source="Mine", horizon=h, max_added=100, capex=300)],
        **kw,
    )


def test_mine_side_project_raises_supply_only_in_open_months():
    """Built in month 0 at full size: 2 open months × 100 t × 500 = 100,000 for 30,000
    capex; with the base 2 × 50 × 500 = 50,000: 120,000. The closed month stays at 0."""
    res = solved(_mine_case())
    assert res.objective_usd == pytest.approx(120_000)
    assert res.sources["mined_t"].tolist() == pytest.approx([150, 0, 150])
    assert res.sources["expansion_online_t"].tolist() == pytest.approx([100, 0, 100])
    (row,) = res.builds.itertuples()
    assert (row.source, row.smelter) == ("Mine", "")


def test_mine_side_project_is_grant_eligible():
    """A 50 % grant pays 15,000 of the 30,000: 135,000."""
    res = solved(_mine_case(grants=[grant(share=50)]))
    assert res.objective_usd == pytest.approx(135_000)
    assert res.grant_use["paid_usd"].sum() == pytest.approx(15_000)
