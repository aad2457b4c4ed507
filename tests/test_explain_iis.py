"""The diagnosis machinery below the CLI: HiGHS's IIS and elastic LP on hand-made LPs, the
unbounded direction in input words, and the screens' promise (a screened conflict is a proof:
never raised on a feasible case) over random cases."""

from __future__ import annotations

from dataclasses import replace

import highspy
import pyomo.environ as pyo
import pytest
from cases import make_case, route, smelter, source
from test_random_cases import random_case

from optimizer.diagnose.explain import diagnose, lines
from optimizer.diagnose.findings import CONFLICT
from optimizer.diagnose.fixes import apply_edits, is_feasible
from optimizer.diagnose.iis import Elastic, find_iis, load, run
from optimizer.diagnose.screens import run_screens
from optimizer.model.build import build_model
from optimizer.planner_words import month_ranges
from optimizer.solve.status import Status


def _tiny_lp() -> pyo.ConcreteModel:
    """x + y ≥ 10 with x ≤ 3 and y ≤ 4 cannot hold (at most 7); z ≤ 5 is unrelated."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.NonNegativeReals)
    m.y = pyo.Var(within=pyo.NonNegativeReals)
    m.z = pyo.Var(within=pyo.NonNegativeReals)
    m.need = pyo.Constraint(expr=m.x + m.y >= 10)
    m.x_cap = pyo.Constraint(expr=m.x <= 3)
    m.y_cap = pyo.Constraint(expr=m.y <= 4)
    m.z_cap = pyo.Constraint(expr=m.z <= 5)
    m.obj = pyo.Objective(expr=m.x + m.y + m.z)
    return m


def test_highspy_version_has_a_working_iis():
    """getIis with the bit-mask iis_strategy needs HiGHS ≥ 1.13 (pinned highspy 1.15.1)."""
    assert (highspy.HIGHS_VERSION_MAJOR, highspy.HIGHS_VERSION_MINOR) >= (1, 13)
    form = load(_tiny_lp())
    assert run(form) == "infeasible"
    iis = find_iis(form)
    names = {form.rows[i].name for i, _ in iis.rows}
    assert names == {"need", "x_cap", "y_cap"}
    sides = {form.rows[i].name: side for i, side in iis.rows}
    assert sides == {"need": "lower", "x_cap": "upper", "y_cap": "upper"}


def test_elastic_finds_the_smallest_relaxation():
    """Short by 10 − (3 + 4) = 3: lower the need by 3, or raise either cap by 3."""
    form = load(_tiny_lp())
    run(form)
    row = {con.name: i for i, con in enumerate(form.rows)}
    elastic = Elastic(
        form, [[(row["need"], 1.0)], [(row["x_cap"], 1.0)], [(row["z_cap"], 1.0)]], [1.0, 1.0, 1.0]
    )
    for knob in (0, 1):
        amounts, _ = elastic.solve([knob])
        assert amounts == {knob: pytest.approx(3.0)}
    assert elastic.solve([2]) is None, "z's cap is not part of the conflict"


def test_unbounded_direction_in_input_words():
    """With the supply, route and smelter limits removed from the model, selling Sb at
    1,000 USD/t at zero cost grows without limit: mining, shipping, feeding, selling."""
    case = make_case(1)
    built = build_model(case)
    for name in ("Extraction_Max", "Route_Capacity", "Smelter_Capacity"):
        getattr(built.model, name).deactivate()
    diagnosis = diagnose(case, built)
    assert diagnosis.status == Status.UNBOUNDED
    text = "\n".join(lines(diagnosis))
    for words in (
        "unbounded",
        "ore mined at Mine (2027-01)",
        "ore shipped on route Truck",
        "Sb sold at spot at Smelter",
    ):
        assert words in text, text


def test_lumpy_relaxation_diagnosed():
    """A lumpy case whose only way out is raising the smelter's capacity: 150 t needed,
    100 t possible; the fix is found on the LP relaxation and holds for the lumpy case."""
    h = 2
    case = make_case(
        h,
        mode="lumpy",
        sources=[source(horizon=h, max_t=300)],
        smelters=[smelter(horizon=h, capacity=100, min_feed=150)],
        routes=[route(horizon=h)],
    )
    diagnosis = diagnose(case)
    assert diagnosis.status == Status.INFEASIBLE and diagnosis.lumpy
    assert any("lumpy mode" in line for line in lines(diagnosis))
    for fix in diagnosis.fixes:
        assert is_feasible(apply_edits(case, fix.edits))


def test_month_ranges():
    months = ("2027-01", "2027-02", "2027-03", "2027-04", "2027-05")
    assert (
        month_ranges(["2027-03", "2027-01", "2027-02", "2027-05"], months)
        == "2027-01 to 2027-03, 2027-05"
    )


def _stressed(seed: int):
    """A random case with every smelter's minimum feed raised: many become infeasible."""
    case = random_case(seed)
    smelters = {
        p: replace(sm, min_feed_t_per_month=sm.min_feed_t_per_month + 20 * (seed % 4))
        for p, sm in case.smelters.items()
    }
    return replace(case, smelters=smelters)


@pytest.mark.parametrize("seed", range(40))
def test_screens_never_flag_a_feasible_case_and_fixes_hold(seed):
    """A screened conflict is a proof of infeasibility; every suggested fix solves."""
    case = _stressed(seed)
    feasible = is_feasible(case)
    conflicts = [f for f in run_screens(case) if f.kind == CONFLICT]
    assert not (feasible and conflicts), [f.title for f in conflicts]
    diagnosis = diagnose(case)
    assert (diagnosis.status == Status.INFEASIBLE) == (not feasible)
    if not feasible:
        assert diagnosis.conflicts or diagnosis.limits
        for fix in diagnosis.fixes:
            assert is_feasible(apply_edits(case, fix.edits)), fix.text
