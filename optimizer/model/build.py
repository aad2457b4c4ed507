"""Build the allocation model (SPEC §3) of a case, and reload it with another case's data.

``build_model(case)`` turns a validated :class:`~optimizer.case.Case` into a
:class:`BuiltModel` (the Pyomo ``ConcreteModel`` with the case and index lookup it was built
from): index sets, parameters and variables (:mod:`optimizer.model.components`), one function
per constraint family (:mod:`optimizer.model.constraints`), the objective
(:mod:`optimizer.model.objective`). It never reads a file and never solves, so ``solve``,
``explain`` and scenario re-solves can all reuse it.

Re-solving with new data (scenarios): ``build_model(case, mutable=True)`` makes every
parameter mutable and keeps every data-dependent row and objective term (a zero limit or
price may become non-zero), and enforces grant award months through the ``grant_open``
parameter rather than the index sets. ``update_model(built, other_case)`` loads another
case's data into that model in place when both need the same rows and columns, so a
persistent solver only pushes changed coefficients and re-solves from its basis.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pyomo.core as pyo

from optimizer.case import Case
from optimizer.gc_pause import gc_paused
from optimizer.model.components import add_params, add_sets, add_variables
from optimizer.model.constraints import (
    BoundFamily,
    Bounds,
    add_actuals,
    add_blend,
    add_domestic_share,
    add_end_stock,
    add_expansion_limits,
    add_extraction_bounds,
    add_grant_funding,
    add_min_feed,
    add_production_and_contracts,
    add_route_capacity,
    add_smelter_capacity,
    add_source_stockpile,
    add_supply_expansion,
    add_yard,
    check_reachable,
)
from optimizer.model.lookup import Lookup, build_lookup
from optimizer.model.objective import add_objective


@dataclass
class BuiltModel:
    """A case's Pyomo model with what later stages read it by: the case and its
    :class:`Lookup` (to key results by the input's ids) and the single-variable limit families
    held as variable bounds (empty when they are rows). ``structure``: what shapes a mutable
    model (None otherwise), so :func:`update_model` can tell new data from a new shape."""

    model: pyo.ConcreteModel
    case: Case
    lookup: Lookup
    bound_families: dict[str, BoundFamily] = field(default_factory=dict)
    structure: tuple | None = None


@gc_paused()
def build_model(case: Case, *, mutable: bool = False, limits_as_bounds: bool = False) -> BuiltModel:
    """The Pyomo model of ``case``: sets, parameters, variables, every family, objective.

    Raises :class:`InfeasibleError` when a requirement plainly cannot be met (a minimum feed
    at a smelter nothing can reach). ``mutable=True`` builds a model whose data
    :func:`update_model` can replace.

    ``limits_as_bounds=True`` (how the solve stage builds it) makes the single-variable
    limits — ``Extraction_Max``/``Extraction_Min`` on Mined_t, ``Source_Stockpile_Capacity``
    on Source_Stock_t, ``Route_Capacity`` on Ship_t, 45 % of the rows of a large case —
    bounds of their variable instead of rows (``bound_families`` names them): the same LP for
    fewer Pyomo objects, a smaller hand-off and a faster HiGHS run (benchmarks/README.md).
    Their marginal values are the columns' reduced costs, or the duals of the rows the
    hand-off makes of the limits that pin their variable
    (:func:`optimizer.solve.compile.compile_model`). By default they are rows, as ``explain``
    needs them: its IIS names rows and its elastic LP relaxes rows.
    """
    lk = build_lookup(case, mutable=mutable)
    m = pyo.ConcreteModel(name=case.settings.case_name)
    bounds: Bounds = {} if limits_as_bounds else None
    add_sets(m, case, lk)
    add_params(m, case, lk)
    add_variables(m, lk)
    add_extraction_bounds(m, lk, bounds)
    add_supply_expansion(m, lk)
    add_source_stockpile(m, lk, bounds)
    add_route_capacity(m, lk, bounds)
    add_yard(m, lk)
    add_smelter_capacity(m, lk)
    add_min_feed(m, case, lk)
    add_blend(m, lk)
    add_domestic_share(m, lk)
    add_production_and_contracts(m, lk)
    add_expansion_limits(m, lk)
    add_grant_funding(m, lk)
    add_end_stock(m, case, lk)
    add_actuals(m, case, lk)
    add_objective(m, lk)
    structure = _structure(case, lk) if mutable else None
    return BuiltModel(m, case, lk, bounds or {}, structure)


# --- re-solving with new data ----------------------------------------------------------------


def _structure(case: Case, lk: Lookup) -> tuple:
    """What shapes a mutable model's sets, rows and terms; everything else is parameter data."""
    return (
        dataclasses.replace(lk, discount=[]),
        tuple(case.sources),
        tuple(case.smelters),
        tuple(case.routes),
        tuple(case.expansions),
        tuple(case.grants),
        tuple(case.contracts),
        tuple(p for p, x in case.smelters.items() if x.max_feed_arsenic_pct is not None),
        tuple(x.lead_time_months for x in case.expansions.values()),
        case.settings.end_stock_policy,
    )


def update_model(built: BuiltModel, case: Case) -> list | None:
    """Load ``case``'s data into ``built`` (built with ``mutable=True``) in place.

    Returns the parameter values (``ParamData``) that changed, so a persistent solver can
    push just those; or None, leaving the model untouched, when ``case`` needs other rows or
    columns (other ids, horizon, transit times, build windows, opening stocks, expansion
    mode ...): build a new model then. Raises :class:`InfeasibleError` like
    :func:`build_model`.
    """
    lk = build_lookup(case, mutable=True)
    if built.structure is None or _structure(case, lk) != built.structure:
        return None
    check_reachable(case, lk)
    data = pyo.ConcreteModel()
    fixed = dataclasses.replace(lk, mutable=False)
    add_sets(data, case, fixed)
    add_params(data, case, fixed)
    changed = []
    for param in built.model.component_objects(pyo.Param):
        if not param.mutable:
            continue
        values = data.component(param.local_name).extract_values()
        for key, item in param.items():
            if item.value != values[key]:
                item.set_value(values[key])
                changed.append(item)
    built.case, built.lookup = case, lk
    return changed
