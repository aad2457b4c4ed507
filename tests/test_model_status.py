"""Solve statuses: infeasible (re-checked with presolve off), a requirement nothing can meet,
time limit with and without a plan, and the numerics contract (noise zeroed, k$ scaling)."""

from __future__ import annotations

import re

import pyomo.environ as pyo
import pytest
from cases import expansion, make_case, smelter, solved, source
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from residuals import assert_plan_holds

from optimizer.cli.pipeline import load_case
from optimizer.model.build import build_model
from optimizer.solve import run as solve
from optimizer.solve.run import solve_case
from optimizer.solve.status import Status


def test_infeasible_case_is_reported_after_a_presolve_off_recheck():
    """A 100 t minimum feed at a 50 t/month smelter cannot be met."""
    case = make_case(1, smelters=[smelter(horizon=1, capacity=50, min_feed=100)])
    res = solve_case(case)
    assert res.status == Status.INFEASIBLE
    assert "presolve off" in res.message
    assert not res.has_solution and res.objective_usd is None


def test_minimum_feed_at_an_unreachable_smelter_is_named():
    """'Idle' has a minimum feed but no route or opening stock: infeasible before solving,
    with the smelter and the column in the message."""
    case = make_case(1, smelters=[smelter(horizon=1), smelter("Idle", horizon=1, min_feed=5)])
    res = solve_case(case)
    assert res.status == Status.INFEASIBLE
    assert "'Idle'" in res.message and "min_feed_t_per_month" in res.message


def test_time_limit_without_a_plan_is_no_solution():
    """A time limit of 1e-9 s stops HiGHS before it has any plan for the default case."""
    case, _, _ = load_case(None)
    res = solve_case(case, time_limit_s=1e-9)
    assert res.status == Status.NO_SOLUTION
    assert "time limit" in res.message and res.objective_usd is None


def test_time_limit_with_a_plan_reports_it_with_its_gap(monkeypatch):
    """HiGHS answering 'time limit, feasible plan, bound 10 % above' gives status feasible,
    the plan (still passing the residual check) and its gap."""
    real = solve.HighsSession.run

    def stopped_early(self, model, **options):
        run = real(self, model, **options)
        if not self.runs[:-1]:  # the first (MILP) run only
            run.res.termination_condition = TerminationCondition.maxTimeLimit
            run.res.solution_status = SolutionStatus.feasible
            run.res.objective_bound = run.res.incumbent_objective * 1.1
        return run

    monkeypatch.setattr(solve.HighsSession, "run", stopped_early)
    case = make_case(
        1,
        smelters=[smelter(horizon=1, capacity=50)],
        expansions=[expansion(horizon=1, max_added=100, capex=100)],
        mode="lumpy",
    )
    res = solve_case(case)
    assert res.status == Status.FEASIBLE and res.has_solution
    assert res.mip_gap_pct == pytest.approx(10)
    assert res.objective_usd == pytest.approx(40_000)
    assert not res.duals.empty


def test_lumpy_plan_without_a_fixed_lp_has_no_marginal_values(monkeypatch):
    """If the fixed-start LP fails, the MILP's plan is still reported (same objective,
    residual check passes) but without marginal values, and the message says so."""
    real = solve.HighsSession.run

    def lp_fails(self, model, **options):
        run = real(self, model, **options)
        if self.runs[:-1]:  # the second (fixed-start LP) run
            run.res.termination_condition = TerminationCondition.maxTimeLimit
            run.res.solution_status = SolutionStatus.noSolution
        return run

    monkeypatch.setattr(solve.HighsSession, "run", lp_fails)
    case = make_case(
        1,
        smelters=[smelter(horizon=1, capacity=50)],
        expansions=[expansion(horizon=1, max_added=100, capex=100)],
        mode="lumpy",
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(40_000)
    assert res.duals.empty and "no marginal values" in res.message


def test_solver_noise_is_zeroed_and_money_is_in_usd():
    """Every reported number is exactly 0 or at least 1e-9 in size; the model's objective is
    in k$: 3 × 100 × (500 − 123.456) = 112,963.2 USD = 112.9632 k$."""
    case = make_case(3, sources=[source(horizon=3, cost=123.456, stock_cap=10, holding=0.7)])
    built = build_model(case)
    model = built.model
    res = solve.solve_model(built)
    assert_plan_holds(res, case)
    for name in ("flows", "sources", "yard", "smelters", "cashflow"):
        numbers = getattr(res, name).select_dtypes("number").to_numpy().ravel()
        small = [x for x in numbers if x == x and 0 < abs(x) < 1e-9]
        assert not small, name
    duals = res.duals["dual_usd_per_unit"]
    assert not ((duals != 0) & (duals.abs() < 1e-9)).any()
    assert res.objective_usd == pytest.approx(112_963.2)
    assert pyo.value(model.Discounted_Margin_kusd) == pytest.approx(112.9632)


def test_model_size_and_coefficient_ranges():
    """The HiGHS log of the default-sized tiny case keeps matrix coefficients within
    [1e-4, 1e3] thanks to k$ money (no 1e5 USD prices against 1 t bounds)."""
    case = make_case(
        2,
        sources=[source(horizon=2, cost=400)],
        smelters=[smelter(horizon=2, price=60_000, capacity=100)],
    )
    res = solved(case)
    assert res.model_size["variables"] > 0 and res.model_size["nonzeros"] > 0
    ranges = re.search(r"Matrix\s+\[([\de.+-]+), ([\de.+-]+)\]", res.solver_log)
    assert ranges, res.solver_log
    low, high = map(float, ranges.groups())
    assert low >= 1e-4 and high <= 1e3
    cost = re.search(r"Cost\s+\[([\de.+-]+), ([\de.+-]+)\]", res.solver_log)
    assert float(cost.group(2)) <= 1e3
