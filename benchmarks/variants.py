"""Model variants measured by the benchmark without touching :mod:`optimizer.model`.

``singleton_bounds()`` patches the model builder so the single-variable limits become
variable bounds instead of one-variable constraint rows — ``Extraction_Max/Min`` on
``Mined_t``, ``Source_Stockpile_Capacity`` on ``Source_Stock_t``, ``Route_Capacity`` on
``Ship_t`` — about 45 % of the rows at 120×50×10×3. The LP's optimum is unchanged (HiGHS's
presolve turns such rows into bounds anyway); what changes is the Pyomo work and memory
before HiGHS. Their marginal values would then come from the variables' reduced costs
(HiGHS ``col_dual``), which equal the duals of the singleton rows they replace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyomo.environ as pyo

import optimizer.model as model_module

_ORIGINAL = {name: getattr(model_module, name) for name in
             ("add_extraction_bounds", "add_source_stockpile", "add_route_capacity")}


def _extraction_bounds(m: pyo.ConcreteModel, lk) -> None:
    for (s, t), v in m.Mined_t.items():
        v.setlb(pyo.value(m.supply_min_t[s, t]))
        v.setub(pyo.value(m.supply_max_t[s, t]))


def _source_stockpile(m: pyo.ConcreteModel, lk) -> None:
    """The product's stockpile family, then its capacity rows swapped for bounds (built and
    dropped, so the saving measured here is a lower bound)."""
    _ORIGINAL["add_source_stockpile"](m, lk)
    m.del_component(m.Source_Stockpile_Capacity)
    for (s, _), v in m.Source_Stock_t.items():
        v.setub(pyo.value(m.source_stockpile_capacity_t[s]))


def _route_capacity(m: pyo.ConcreteModel, lk) -> None:
    for (r, t), v in m.Ship_t.items():
        v.setub(pyo.value(m.route_capacity_t[r, t]))


@contextmanager
def singleton_bounds() -> Iterator[None]:
    """Within the block, ``build_model`` puts single-variable limits on the variables."""
    patches = {"add_extraction_bounds": _extraction_bounds,
               "add_source_stockpile": _source_stockpile,
               "add_route_capacity": _route_capacity}
    try:
        for name, func in patches.items():
            setattr(model_module, name, func)
        yield
    finally:
        for name, func in _ORIGINAL.items():
            setattr(model_module, name, func)
