"""The direct Pyomo → HiGHS hand-off (optimizer/solve/highs.py): terms and constants read off
the expressions, limits held as bounds, statuses, the captured log, lumpy start fixing, and
re-solves that push only what changed parameters touch (checked against a fresh compile)."""

from __future__ import annotations

from dataclasses import replace

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest
from cases import make_case, route, smelter, source
from pyomo.contrib.solver.common.results import TerminationCondition

from optimizer.inputs.default_case import default_raw
from optimizer.model.build import build_model, update_model
from optimizer.scenarios.plan import prepare
from optimizer.solve.compile import INF, compile_model
from optimizer.solve.highs import HighsLp

LP = {"solver": "ipm", "run_crossover": "on", "threads": 1}


def _tiny() -> pyo.ConcreteModel:
    """max x + y + 2z + 5 s.t. x + 2y − 3 ≤ 7, p × (2x + y)/4 − z ≥ 1 (p = 4), y ∈ [1, 5],
    z ∈ {0..3}, x ≥ 0; a deactivated x ≤ 1 is no row.

    z = 3 at best; then x + y = 10 − y is largest at y = 1, x = 8 (2·8 + 1 − 3 = 14 ≥ 1):
    8 + 1 + 6 + 5 = 20. The LP relaxation has the same optimum."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.NonNegativeReals)
    m.y = pyo.Var(bounds=(1, 5))
    m.z = pyo.Var(within=pyo.Integers, bounds=(0, 3))
    m.p = pyo.Param(initialize=4.0)
    m.e = pyo.Expression(expr=(2 * m.x + m.y) / 4)
    m.c1 = pyo.Constraint(expr=m.x + 2 * m.y - 3 <= 7)
    m.c2 = pyo.Constraint(expr=m.p * m.e - m.z >= 1)
    m.off = pyo.Constraint(expr=m.x <= 1)
    m.off.deactivate()
    m.obj = pyo.Objective(expr=m.x + m.y + 2 * m.z + 5, sense=pyo.maximize)
    return m


def test_terms_constants_and_named_expressions_read_off_the_tree(capfd):
    m = _tiny()
    lp = compile_model(m)
    assert [v.name for v in lp.variables] == ["x", "y", "z"]  # the model's order
    assert lp.constraints == [m.c1, m.c2]
    assert list(lp.starts[:-1]) == [0, 2] and list(lp.index) == [0, 1, 0, 1, 2]
    assert list(lp.values) == pytest.approx([1, 2, 2, 1, -1])
    assert list(lp.row_lower) == [-INF, 1] and list(lp.row_upper) == [10, INF]
    assert list(lp.row_constant) == [-3, 0]  # moved into the bounds: 7 − (−3) = 10
    assert list(lp.col_lower) == [0, 1, 0] and list(lp.col_upper) == [INF, 5, 3]
    assert list(lp.cost) == [1, 1, 2] and lp.offset == 5 and lp.maximize
    assert list(lp.integer) == [2] and lp.blocks == {
        "c1": range(0, 1),
        "c2": range(1, 2),
        "off": range(2, 2),
    }
    res = HighsLp(lp).run({"threads": 1})
    assert res.termination_condition == TerminationCondition.convergenceCriteriaSatisfied
    assert res.incumbent_objective == pytest.approx(20)
    assert list(res.col_value) == pytest.approx([8, 1, 3])
    assert "Running HiGHS" in res.solver_log and "MIP" in res.solver_log
    assert capfd.readouterr().out == ""  # the log is captured, never printed


def test_other_linear_terms_go_through_pyomos_walker_and_nonlinear_ones_are_refused():
    """w fixed at 2: w × (x + y) ≤ 30 is the row 2x + 2y ≤ 30; x × y is not linear."""
    m = _tiny()
    m.w = pyo.Var(initialize=2.0)
    m.w.fix()
    m.c3 = pyo.Constraint(expr=m.w * (m.x + m.y) <= 30)
    lp = compile_model(m)
    row = lp.blocks["c3"][0]
    cols = lp.index[lp.starts[row] : lp.starts[row + 1]]
    assert [lp.variables[j].name for j in cols] == ["x", "y"]
    assert list(lp.values[lp.starts[row] : lp.starts[row + 1]]) == [2, 2]
    assert lp.row_upper[row] == 30
    m.c4 = pyo.Constraint(expr=m.x * m.y <= 1)
    with pytest.raises(ValueError, match="not a linear expression"):
        compile_model(m)


def test_fixing_the_integers_gives_an_lp_with_duals_then_restores_them():
    """With z fixed at 3 the LP's duals exist: c1 binds (one more unit of its right-hand
    side lets x grow by 1: +1); releasing z restores its integrality and bounds."""
    hl = HighsLp(compile_model(_tiny()))
    mip = hl.run({"threads": 1})
    assert mip.row_dual is None  # a MIP has no duals
    hl.fix_columns(hl.lp.integer, np.array([3.0]))
    lp = hl.run(LP)
    assert lp.incumbent_objective == pytest.approx(20)
    assert list(lp.row_dual) == pytest.approx([1, 0])
    hl.restore_columns(hl.lp.integer)
    model = hl.highs.getLp()
    assert list(model.col_lower_) == [0, 1, 0] and list(model.col_upper_) == [INF, 5, 3]
    assert [int(k) for k in model.integrality_] == [0, 0, 1]


def test_infeasible_model_has_no_solution():
    m = _tiny()
    m.no = pyo.Constraint(expr=m.x + m.y >= 100)  # x + 2y ≤ 10 with y ≥ 1 allows ≤ 9
    res = HighsLp(compile_model(m)).run({**LP, "presolve": "off"})
    assert res.termination_condition == TerminationCondition.provenInfeasible
    assert res.col_value is None and res.incumbent_objective is None


def test_a_limit_that_pins_its_variable_becomes_a_row_of_its_own():
    """Supply [100, 0] and the route closed in month 0 pin Mined_t[1] and Ship_t[0] at 0:
    those two limits become rows, each where its family's rows would be (Extraction_Max
    first, Route_Capacity after Source_Balance's two rows); the other limits stay column
    bounds. Mine 60 t in month 0 (the stockpile holds 60), ship them in month 1:
    60 × 500 = 30,000 USD = 30 k$, as with every limit a row."""
    case = make_case(
        2,
        sources=[source(horizon=2, max_t=[100, 0], stock_cap=60)],
        routes=[route(horizon=2, availability=[0, 100])],
    )
    built = build_model(case, limits_as_bounds=True)
    lp = compile_model(built.model, limits=built.bound_families)
    rows = {name: list(r) for name, r in lp.limit_rows.items()}
    assert rows == {
        "Extraction_Max": [-1, 0],
        "Extraction_Min": [],
        "Source_Stockpile_Capacity": [-1, -1],
        "Route_Capacity": [3, -1],
    }
    assert lp.blocks["Source_Balance"] == range(1, 3)
    assert lp.num_row == sum(len(r) for r in lp.blocks.values()) + 2
    pinned = lp.limit_cols["Extraction_Max"][1]
    assert (lp.col_lower[pinned], lp.col_upper[pinned]) == (0, INF)  # the row is the limit
    free = lp.limit_cols["Extraction_Max"][0]
    assert (lp.col_lower[free], lp.col_upper[free]) == (0, 100)
    assert HighsLp(lp).run(LP).incumbent_objective == pytest.approx(30)
    assert HighsLp(compile_model(build_model(case).model)).run(
        LP
    ).incumbent_objective == pytest.approx(30)


def _lp_arrays(hl: HighsLp) -> dict:
    """HiGHS's copy of the model: costs, bounds and {(row, column): coefficient}."""
    lp = hl.highs.getLp()
    a = lp.a_matrix_
    by_row = a.format_ == highspy.MatrixFormat.kRowwise
    start, index, values = list(a.start_), list(a.index_), list(a.value_)  # copies, once
    matrix = {}
    for major in range(lp.num_row_ if by_row else lp.num_col_):
        for k in range(start[major], start[major + 1]):
            if values[k]:
                matrix[(major, index[k]) if by_row else (index[k], major)] = values[k]
    return {
        "cost": np.array(lp.col_cost_),
        "col_lower": np.array(lp.col_lower_),
        "col_upper": np.array(lp.col_upper_),
        "row_lower": np.array(lp.row_lower_),
        "row_upper": np.array(lp.row_upper_),
        "matrix": matrix,
    }


def _same(a: dict, b: dict) -> None:
    for key in ("cost", "col_lower", "col_upper", "row_lower", "row_upper"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-12, err_msg=key)
    assert a["matrix"].keys() == b["matrix"].keys()
    np.testing.assert_allclose(
        [a["matrix"][k] for k in a["matrix"]], [b["matrix"][k] for k in a["matrix"]], rtol=1e-12
    )


def test_resolves_push_exactly_what_the_changed_parameters_touch():
    """The default case's data-only scenarios, one after another in one HiGHS: after each
    update HiGHS holds the very LP a fresh compile of that scenario gives."""
    plan = prepare(default_raw())
    base = plan.cases[None]
    built = build_model(base, mutable=True, limits_as_bounds=True)
    hl = HighsLp(compile_model(built.model, track=True, limits=built.bound_families))
    checked = 0
    more = [
        replace(
            base,
            sources={
                s: replace(x, cost_usd_per_t=x.cost_usd_per_t * 1.3)
                for s, x in base.sources.items()
            },
        )
    ]
    for case in [plan.cases[name] for name in plan.names] + more:
        changed = update_model(built, case)
        if changed is None:  # another shape: rebuilt, not re-solved
            continue
        hl.update(changed)
        fresh = build_model(case, mutable=True, limits_as_bounds=True)
        _same(
            _lp_arrays(hl),
            _lp_arrays(
                HighsLp(compile_model(fresh.model, track=True, limits=fresh.bound_families))
            ),
        )
        checked += 1
    assert checked >= 5
    res = hl.run(LP)
    fresh_built = build_model(more[0], limits_as_bounds=True)
    fresh_res = HighsLp(compile_model(fresh_built.model, limits=fresh_built.bound_families)).run(LP)
    assert res.incumbent_objective == pytest.approx(fresh_res.incumbent_objective, rel=1e-9)


def test_a_parameter_in_a_constant_term_cannot_be_tracked():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.NonNegativeReals)
    m.p = pyo.Param(initialize=2.0, mutable=True)
    m.c = pyo.Constraint(expr=m.x + m.p <= 5)
    m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
    assert compile_model(m).row_upper[0] == 3  # untracked: evaluated
    with pytest.raises(ValueError, match="constant term"):
        compile_model(m, track=True)


def test_limit_values_from_reduced_costs_and_pinned_rows():
    """Supply [50, 100], route 80 t/month closed in month 1, smelter 60 t/month: month 0
    mines, ships and feeds all 50 t (25,000 USD); month 1 ships nothing. One more t of
    supply in month 0 is worth 500 (a column bound: its reduced cost); one more t/month of
    route capacity in month 1 is worth 500 too (a pinned limit: its own row). The model with
    every limit a row gives the same objective and the same value for every limit."""
    from optimizer.solve.run import solve_case, solve_model

    case = make_case(
        2,
        sources=[source(horizon=2, max_t=[50, 100])],
        smelters=[smelter(horizon=2, capacity=60)],
        routes=[route(horizon=2, availability=[100, 0], capacity=80)],
    )
    as_bounds = solve_case(case)
    assert as_bounds.objective_usd == pytest.approx(25_000)
    value = dict(
        zip(as_bounds.duals["constraint"], as_bounds.duals["dual_usd_per_unit"], strict=True)
    )
    assert value["Extraction_Max[Mine, 2027-01]"] == pytest.approx(500)
    assert value["Route_Capacity[Truck, 2027-02]"] == pytest.approx(500)
    assert value["Route_Capacity[Truck, 2027-01]"] == 0
    as_rows = solve_model(build_model(case))
    assert as_rows.objective_usd == pytest.approx(25_000)
    assert list(as_bounds.duals["constraint"]) == list(as_rows.duals["constraint"])
    limits = as_rows.duals["kind"] == "limit"
    np.testing.assert_allclose(
        as_bounds.duals.loc[limits, "dual_usd_per_unit"],
        as_rows.duals.loc[limits, "dual_usd_per_unit"],
    )
