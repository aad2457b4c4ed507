"""The family registry (optimizer.model.families) matches the model's constraint families
both ways: every constraint component and bound family the build makes has an entry with the
right index names and bound, and every entry appears in some model. A family added to the
model without an entry, or an entry with no component, fails here."""

from __future__ import annotations

import dataclasses

import pyomo.environ as pyo
import pytest
from cases import contract, expansion, grant, make_case, route, smelter, source

from optimizer.case import Actual, Case, OpeningStock
from optimizer.inputs.default_case import default_raw
from optimizer.inputs.validate import validate
from optimizer.model.build import BuiltModel, build_model
from optimizer.model.families import FAMILIES, Bound

SHAPES = [
    {},
    {"limits_as_bounds": True},
    {"mutable": True},
    {"mutable": True, "limits_as_bounds": True},
]


def every_family_case(mode: str) -> Case:
    """Two months with a foreign low-grade arsenical source, blend, share and feed minimums,
    opening stocks kept to the end, an expansion two grants may fund more than fully, a
    mine-side project, a contract with a minimum and a closed first month: every family has
    rows."""
    h = 2
    case = make_case(
        h,
        sources=[
            source("Mine", horizon=h, min_t=10, stock_cap=50),
            source("Import", horizon=h, grade=20, arsenic=5, domestic=False, kind="purchase"),
        ],
        smelters=[
            smelter(
                horizon=h,
                min_grade=30,
                max_arsenic=2,
                domestic_share=50,
                min_feed=10,
                yard_cap=100,
            )
        ],
        routes=[route(horizon=h), route("Ship", "Import", horizon=h)],
        opening=[OpeningStock("Mine", "Mine", 5), OpeningStock("Smelter", "Import", 5)],
        expansions=[
            expansion(horizon=h, capex=10, fixed=100, min_added=5),
            expansion("Pit", None, source="Import", horizon=h, capex=10),
        ],
        grants=[grant("DPA", share=60), grant("DOE", share=60)],
        contracts=[contract(horizon=h, min_t=5)],
        policy="keep_opening",
        mode=mode,
    )
    return dataclasses.replace(case, actuals=(Actual(0, "mined", "Mine", "", 10.0),))


def _default_case() -> Case:
    case, problems = validate(default_raw())
    assert case is not None, problems
    return case


def _families(b: BuiltModel) -> dict[str, list]:
    """Family name -> its members' indices: the constraint components and bound families."""
    found = {c.local_name: list(c.keys()) for c in b.model.component_objects(pyo.Constraint)}
    for name, bf in b.bound_families.items():
        assert name not in found, f"{name} is both rows and bounds"
        found[name] = list(bf.index)
    return found


def _check(b: BuiltModel) -> set[str]:
    """Every family of ``b`` has an entry that reads its index and bound; returns the
    families with members."""
    present = set()
    for name, index in _families(b).items():
        assert name in FAMILIES, f"{name}: a constraint family with no registry entry"
        fam = FAMILIES[name]
        for idx in index:
            assert len(idx if isinstance(idx, tuple) else (idx,)) == len(fam.names), name
        if name in b.bound_families:
            bf = b.bound_families[name]
            assert fam.bound == Bound(bf.var, bf.side), name
        if index:
            present.add(name)
        if fam.var_bound is not None and index:
            var = b.model.component(fam.var_bound.var)
            assert isinstance(var, pyo.Var), name
            for idx in var:
                assert len(idx) == len(fam.names), name
    return present


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "+".join(s) or "rows")
def test_default_case_families_have_entries(shape):
    assert _check(build_model(_default_case(), **shape))


def test_every_entry_is_a_family_of_the_model():
    """Over the small cases in every expansion mode and every model shape, each entry has
    members as rows, and — exactly where it has a bound — as a bound family."""
    rows, bounds = set(), set()
    for mode in ("continuous", "single", "lumpy"):
        case = every_family_case(mode)
        for shape in SHAPES:
            b = build_model(case, **shape)
            present = _check(b)
            bounds |= present & set(b.bound_families)
            rows |= present - set(b.bound_families)
    assert rows == set(FAMILIES)
    assert bounds == {name for name, fam in FAMILIES.items() if fam.bound}
