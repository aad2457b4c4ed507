"""The direct highspy baseline (benchmarks/baseline_highspy.py) as an independent check.

First the baseline itself on tiny hand-computed cases, then the Pyomo model against the
baseline: equal optimal objectives (rel 1e-6) on the default case and on seeded generated
cases. Objectives, not primal vectors: optima need not be unique.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math

import pytest

from benchmarks.baseline_highspy import solve_case_baseline
from benchmarks.generate import generate_raw
from optimizer.case import (
    Case,
    Contract,
    Expansion,
    Grant,
    OpeningStock,
    Route,
    Settings,
    Smelter,
    Source,
)


def _case(
    horizon=1,
    *,
    supply=10.0,
    base=100.0,
    transit=0,
    rate=0.0,
    policy="free",
    opening=(),
    expansions=(),
    grants=(),
    contracts=(),
    yard_holding=0.0,
) -> Case:
    """One source (50 % Sb, 100 $/t, ≤ ``supply`` t in month 0), one smelter (200 $/t,
    80 % recovery, spot 10,000 $/t Sb), one truck route (50 $/t, capacity 100 t/month).
    A tonne mined, shipped and fed earns 0.5 × 0.8 × 10,000 − 100 − 50 − 200 = 3,650 $."""
    n = horizon
    source = Source(
        "AK",
        "mine",
        "USA",
        True,
        50.0,
        0.1,
        100.0,
        1000.0,
        0.0,
        (supply,) + (0.0,) * (n - 1),
        (0.0,) * n,
    )
    smelter = Smelter(
        "TF",
        "USA",
        base,
        200.0,
        80.0,
        0.0,
        None,
        0.0,
        0.0,
        1000.0,
        yard_holding,
        (100.0,) * n,
        (10_000.0,) * n,
    )
    route = Route("truck", "AK", "TF", "truck", 50.0, transit, 100.0, 0.0, (100.0,) * n)
    return Case(
        Settings("tiny", "2027-01", n, discount_rate_pct_per_year=rate, end_stock_policy=policy),
        tuple(f"2027-{m + 1:02d}" for m in range(n)),
        {"AK": source},
        {"TF": smelter},
        {"truck": route},
        tuple(opening),
        {e.project: e for e in expansions},
        {g.grant: g for g in grants},
        {k.contract: k for k in contracts},
    )


def _objective(case: Case) -> float:
    run = solve_case_baseline(case)
    assert run.status == "Optimal"
    return run.objective_usd


def test_baseline_one_month_margin():
    """10 t × 3,650 $/t = 36,500 $."""
    assert _objective(_case()) == pytest.approx(36_500)


def test_baseline_transit_and_discount():
    """2 months at 12 %/year, transit 1: mine and ship 10 t in month 0 (−1,500 $), feed them
    in month 1: (4 t Sb × 10,000 − 10 × 200) × 1.12^(−1/12) = 38,000 × 1.12^(−1/12)."""
    expected = -1_500 + 38_000 * 1.12 ** (-1 / 12)
    assert _objective(_case(2, transit=1, rate=12.0)) == pytest.approx(expected)


def test_baseline_expansion_paid_partly_by_grant():
    """No base capacity; a project adds ≤ 5 t/month at 1,000 $ per t/month, lead 0. Margin
    3,650 $/t > capex, so build 5 and feed 5: 18,250 − 5,000 capex + grant min(40 % ×
    5,000, 1,000 cap) = 14,250 $."""
    project = Expansion("TF-x", "TF", 5.0, 1_000.0, 0.0, 0, 0, 0)
    grant = Grant("DPA", "DoD", 1_000.0, -3, 40.0, ("TF-x",))
    assert _objective(_case(base=0.0, expansions=[project], grants=[grant])) == pytest.approx(
        14_250
    )


@pytest.mark.parametrize(
    ("minimum", "expected"),
    [
        # 3 t Sb to the contract at 20,000 + 1 t spot at 10,000 − 3,500 costs
        (3.0, 60_000 + 10_000 - 3_500),
        # all 4 t Sb to the contract, 1 t short at 100,000 $/t penalty
        (5.0, 80_000 - 3_500 - 100_000),
    ],
)
def test_baseline_contract_and_shortfall(minimum, expected):
    contract = Contract("DLA", "any", 0, 0, minimum, minimum, 20_000.0)
    assert _objective(_case(contracts=[contract])) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # 5 opening yard tonnes are fed too: 36,500 + 5 × (4,000 − 200)
        ("free", 55_500),
        # they must stay, paying 1 $/t holding at the end of the month
        ("keep_opening", 36_500 - 5),
    ],
)
def test_baseline_opening_yard_stock_and_end_policy(policy, expected):
    case = _case(policy=policy, opening=[OpeningStock("TF", "AK", 5.0)], yard_holding=1.0)
    assert _objective(case) == pytest.approx(expected)


# --- the Pyomo model against the baseline ----------------------------------------------


def _missing(module: str, name: str) -> bool:
    if importlib.util.find_spec(module) is None:
        return True
    return not hasattr(importlib.import_module(module), name)


needs_product = pytest.mark.skipif(
    _missing("optimizer.solve.run", "solve_case")
    or _missing("optimizer.inputs.validate", "validate"),
    reason="optimizer.solve.run.solve_case / optimizer.inputs.validate.validate not written yet",
)


def _mode(case: Case, mode: str) -> Case:
    settings = dataclasses.replace(case.settings, expansion_mode=mode)
    return dataclasses.replace(case, settings=settings)


def _assert_same_objective(case: Case) -> None:
    from optimizer.solve.run import solve_case

    base = solve_case_baseline(case)
    product = solve_case(case)
    assert base.status == "Optimal"
    assert product.status == "optimal", product.message
    # a MILP stops at the case's relative gap (mip_gap_pct); the baseline solves to 1e-9
    rel = 1e-6 if case.settings.expansion_mode == "continuous" else case.settings.mip_gap_pct / 100
    assert math.isclose(product.objective_usd, base.objective_usd, rel_tol=rel, abs_tol=1e-3), (
        product.objective_usd,
        base.objective_usd,
    )


@needs_product
@pytest.mark.parametrize("mode", ["continuous", "single", "lumpy"])
def test_default_case_objective_matches_baseline(mode):
    from optimizer.inputs.default_case import default_raw
    from optimizer.inputs.validate import validate

    case, problems = validate(default_raw())
    assert case is not None, problems
    _assert_same_objective(_mode(case, mode))


@needs_product
@pytest.mark.parametrize(
    ("size", "seed"),
    [
        ((6, 3, 2, 1), 1),
        ((12, 4, 2, 2), 2),
        ((12, 6, 3, 2), 3),
        ((18, 5, 3, 3), 4),
        ((24, 8, 4, 2), 5),
    ],
)
@pytest.mark.parametrize("projects", [False, True], ids=["v1", "projects"])
def test_generated_case_objective_matches_baseline(size, seed, projects):
    """``projects``: committed starts and capex over several months (SPEC §6.1) too."""
    from optimizer.inputs.validate import validate

    case, problems = validate(generate_raw(*size, seed=seed, projects=projects))
    assert case is not None, [str(p) for p in problems if p.is_error]
    _assert_same_objective(case)


@needs_product
@pytest.mark.parametrize(("size", "seed"), [((12, 6, 2, 2), 6), ((18, 8, 3, 2), 7)])
def test_generated_benchmark_priced_case_matches_baseline(size, seed):
    """Generated cases with bought feed priced on a benchmark row (SPEC §6.2)."""
    from optimizer.inputs.validate import validate

    case, problems = validate(generate_raw(*size, seed=seed, benchmark=True))
    assert case is not None, [str(p) for p in problems if p.is_error]
    assert any(s.price_basis == "benchmark" for s in case.sources.values())
    assert len(set(case.benchmark_usd_per_t_sb)) > 1
    _assert_same_objective(case)


def test_baseline_committed_project_paid_over_months_with_grant():
    """No base capacity; 10 t of supply in month 0 only, 3 months. A committed 5 t/month
    project started a month before the horizon (lead 1 → online from month 0) at 1,000 $
    per t/month paid over 3 months (1,666.67 $ at −1, 0, 1): months 0 and 1 are charged.
    Feed 5 t in month 0 and the other 5 (kept in the source stockpile, no holding cost) in
    month 1: 10 × 3,650 = 36,500, minus 3,333.33 capex, plus a 40 % grant on both in-horizon
    instalments (awarded before the start): + 1,333.33."""
    project = Expansion(
        "TF-x", "TF", 5.0, 1_000.0, 0.0, 1, 0, 2, committed_start=-1, capex_months=3
    )
    grant = Grant("DPA", "DoD", 1e9, -3, 40.0, ("TF-x",))
    case = _case(3, base=0.0, expansions=[project], grants=[grant])
    assert _objective(case) == pytest.approx(36_500 - 3_333.333333 + 1_333.333333)
    _assert_same_objective(case)
