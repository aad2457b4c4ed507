"""The embedded default case and every one of its scenarios: optimal, every constraint
family holds when recomputed from the reported plan, and the scenarios move the objective
the way their definition says they must (a restriction never raises the optimum)."""

from __future__ import annotations

import functools

import pytest
from residuals import assert_plan_holds

from optimizer.cli.pipeline import load_case
from optimizer.inputs.default_case import default_raw
from optimizer.inputs.scenario import scenario_names
from optimizer.solve.results import Results
from optimizer.solve.run import solve_case
from optimizer.solve.status import Status

SCENARIOS = scenario_names(default_raw())


@functools.cache
def solved(scenario: str | None) -> tuple[Results, object]:
    case, _, _ = load_case(None, scenario)
    return solve_case(case), case


@pytest.mark.parametrize("scenario", [None, *SCENARIOS])
def test_default_case_and_scenarios_solve_and_hold(scenario):
    results, case = solved(scenario)
    assert results.status == Status.OPTIMAL, results.message
    assert_plan_holds(results, case)
    assert not results.duals.empty
    assert results.duals["sentence"].str.len().min() > 0


def test_default_case_key_figures():
    """The base plan makes Sb at both smelters and ships Alaskan ore; its objective is the
    discounted sum of its own cash flow."""
    results, case = solved(None)
    assert results.objective_usd > 0
    sb = results.smelters.groupby("smelter")["sb_t"].sum()
    assert (sb > 0).all() and set(sb.index) == set(case.smelters)
    alaska = [s for s, src in case.sources.items() if src.kind == "mine"]
    assert results.flows[results.flows["source"].isin(alaska)]["dispatched_t"].sum() > 0
    assert results.cashflow["discounted_net_usd"].sum() == pytest.approx(results.objective_usd)


# scenario → the base can only be at least as good (the scenario removes options)
RESTRICTIONS = [
    "no_grant",
    "grant_delayed_6m",
    "lumpy_expansion",
    "no_tf_expansion",
    "price_minus_30",
    "madero_outage",
    "dla_orders_only",
]


@pytest.mark.parametrize("scenario", [s for s in RESTRICTIONS if s in SCENARIOS])
def test_restrictive_scenarios_never_beat_the_base(scenario):
    base, _ = solved(None)
    other, _ = solved(scenario)
    assert other.objective_usd <= base.objective_usd * (1 + 1e-7)
