"""The two-stage theory the risk command must obey (SPEC §6.4), on the newsvendor case of
:mod:`risk_cases` where every figure has a closed form in the drawn capacities c_s:

- a sample alone buys x = c_s: WS = mean(10,000·c_s);
- the stochastic plan buys the x maximizing mean(m(x, c_s)), a concave piecewise-linear
  function whose maximum sits at one of the c_s (or 0 / 100): RP = that maximum;
- the EV plan buys mean(c_s): EEV = mean(m(mean c, c_s));
- the deterministic plan (the workbook as typed: 100 t of capacity) buys 100 t;
- committing both months forces the feed of month 1 too, the same in every sample: the best
  single plan buys and feeds min(c_s), RP = 10,000·min(c_s).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing

import numpy as np
import pytest
from risk_cases import capacity_factor, margin, newsvendor

from optimizer.inputs.uncertainty import read_factors
from optimizer.inputs.validate import validate
from optimizer.risk.run import RiskOptions, RiskResult, run_risk
from optimizer.solve.run import solve_case

REL = 1e-7


def risk(raw, samples: int | None = None, executor=None, evaluate: int = 0) -> RiskResult:
    case, problems = validate(raw)
    assert case is not None, [str(p) for p in problems]
    factors, bad = read_factors(raw)
    assert not bad, [str(p) for p in bad]
    return run_risk(raw, case, factors, RiskOptions.of(case, samples, evaluate), executor=executor)


def capacities(result: RiskResult) -> np.ndarray:
    return np.array([s.draws["capacity"] for s in result.samples])


def best_expected(c: np.ndarray) -> float:
    candidates = [0.0, 100.0, *c]
    return max(np.mean([margin(x, ci) for ci in c]) for x in candidates)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rp_ws_eev_match_their_closed_forms_and_evpi_vss_are_nonnegative(seed):
    result = risk(newsvendor(commit_months=1, risk_samples=8, risk_seed=seed))
    c = capacities(result)
    assert result.wait_and_see_usd == pytest.approx(10_000 * c.mean(), rel=REL)
    assert result.expected_margin_usd == pytest.approx(best_expected(c), rel=REL)
    eev = np.mean([margin(c.mean(), ci) for ci in c])
    assert result.expected_value_plan_usd == pytest.approx(eev, rel=REL)
    assert result.evpi_usd >= -1e-6
    assert result.vss_usd >= -1e-6
    typed = np.mean([margin(100, ci) for ci in c])  # as typed: 100 t of capacity, buy 100 t
    assert result.typed_plan_usd == pytest.approx(typed, rel=REL)
    assert result.typed_plan_usd <= result.expected_margin_usd + 1e-6
    assert result.vss_usd > 1_000  # the newsvendor buys less than the mean capacity
    margins = sorted(s.margin_usd for s in result.samples)
    assert result.percentiles_usd[1] == pytest.approx(np.percentile(margins, 50), rel=REL)


def test_one_sample_gives_the_deterministic_optimum_of_that_sample():
    raw = newsvendor(commit_months=1, risk_samples=1)
    result = risk(raw)
    c = capacities(result)[0]
    assert result.expected_margin_usd == pytest.approx(10_000 * c, rel=1e-9)
    assert result.evpi_usd == pytest.approx(0, abs=1e-6)
    assert result.vss_usd == pytest.approx(0, abs=1e-6)


def test_no_spread_gives_the_deterministic_optimum_of_the_workbook():
    """Availability set to 60 % in every sample: buy and feed 60 t, 10,000 × 60 = 600,000."""
    raw = newsvendor([capacity_factor("uniform", 60, 60)], commit_months=1, risk_samples=5)
    result = risk(raw)
    fixed = newsvendor([capacity_factor("uniform", 60, 60)])
    fixed.sheets["SmelterAvailability"].rows[0][2] = 60
    deterministic = solve_case(validate(fixed)[0]).objective_usd
    assert deterministic == pytest.approx(600_000, rel=1e-9)
    assert result.expected_margin_usd == pytest.approx(deterministic, rel=1e-9)
    assert result.wait_and_see_usd == pytest.approx(deterministic, rel=1e-9)
    assert result.expected_value_plan_usd == pytest.approx(deterministic, rel=1e-9)


def test_commit_zero_months_has_no_value_of_information():
    result = risk(newsvendor(commit_months=0, risk_samples=6))
    assert result.commit_plan == {}
    assert result.evpi_usd == pytest.approx(0, abs=1e-6)


def test_commit_whole_horizon_gives_the_best_single_plan():
    result = risk(newsvendor(commit_months=2, risk_samples=6))
    c = capacities(result)
    assert result.expected_margin_usd == pytest.approx(10_000 * c.min(), rel=REL)


def test_risk_aversion_one_maximizes_cvar_against_brute_force():
    """λ = 1, α = 25 % of 8 samples: CVaR is the mean of the 2 worst margins; brute force over
    every breakpoint x (0, 100 and each c_s) of that concave piecewise-linear function."""
    raw = newsvendor(commit_months=1, risk_samples=8, risk_aversion=1, cvar_alpha_pct=25)
    result = risk(raw)
    c = capacities(result)

    def worst_two(x: float) -> float:
        return float(np.mean(sorted(margin(x, ci) for ci in c)[:2]))

    brute = max(worst_two(x) for x in [0.0, 100.0, *c])
    assert result.cvar_usd == pytest.approx(brute, rel=REL)
    neutral = risk(newsvendor(commit_months=1, risk_samples=8, cvar_alpha_pct=25))
    assert result.cvar_usd >= neutral.cvar_usd - 1e-6
    assert result.expected_margin_usd <= neutral.expected_margin_usd + 1e-6


def test_same_seed_same_numbers_other_seed_other_samples():
    a = risk(newsvendor(commit_months=1, risk_samples=5))
    b = risk(newsvendor(commit_months=1, risk_samples=5))
    assert [s.draws for s in a.samples] == [s.draws for s in b.samples]
    assert a.expected_margin_usd == b.expected_margin_usd
    assert a.vss_usd == b.vss_usd
    c = risk(newsvendor(commit_months=1, risk_samples=5, risk_seed=7))
    assert [s.draws for s in c.samples] != [s.draws for s in a.samples]


def _figures(r: RiskResult) -> tuple:
    ev = r.evaluation
    return (
        r.expected_margin_usd,
        r.wait_and_see_usd,
        r.expected_value_plan_usd,
        [(s.margin_usd, s.wait_and_see_usd, s.ev_plan_usd) for s in r.samples],
        [(s.margin_usd, s.ev_plan_usd) for s in ev.samples],
        ev.stochastic,
        ev.difference,
    )


@pytest.mark.slow
def test_serial_equals_process_pool_equals_dask():
    distributed = pytest.importorskip("distributed")
    raw = newsvendor(commit_months=1, risk_samples=4)
    serial = _figures(risk(raw, evaluate=3))
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=spawn) as pool:
        parallel = _figures(risk(raw, evaluate=3, executor=pool))
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = _figures(risk(raw, evaluate=3, executor=client.get_executor()))
    assert serial == parallel == on_dask


def test_evaluate_scores_both_plans_on_fresh_samples():
    """Fresh samples come from the seed's evaluation stream: not the planning samples, and
    each plan's out-of-sample mean is the closed form on those capacities."""
    result = risk(newsvendor(commit_months=1, risk_samples=6), evaluate=5)
    ev = result.evaluation
    fresh = np.array([s.draws["capacity"] for s in ev.samples])
    assert not set(fresh) & set(capacities(result))
    x_commit = result.commit_plan[("Mined_t", ("ORE", 0))]
    x_ev = result.ev_plan[("Mined_t", ("ORE", 0))]
    assert ev.stochastic[0] == pytest.approx(np.mean([margin(x_commit, c) for c in fresh]), rel=REL)
    assert ev.ev_plan[0] == pytest.approx(np.mean([margin(x_ev, c) for c in fresh]), rel=REL)
