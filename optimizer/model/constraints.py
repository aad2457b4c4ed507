"""The constraint families of SPEC §3: one ``add_*`` function per family.

Each constraint component is named after its family — the name the report's MarginalValues
sheet shows and the key of its entry in :mod:`optimizer.model.families` — and each function's
docstring states its inequality and units. Constraints that cannot bind (no limit set, or
every origin already meets a blend limit) are left out; the residual checker in the tests
still verifies them. A mutable model keeps every data-dependent row (a zero limit may become
non-zero).

Single-variable limits (``Extraction_Max/Min``, ``Source_Stockpile_Capacity``,
``Route_Capacity``) are rows, as ``explain`` needs them, or bounds of their variable, as the
solve stage builds them (see :func:`optimizer.model.build.build_model`). Hot loops read
parameters and variables from plain dicts (:func:`members_of`), not through Pyomo's indexing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyomo.core as pyo

from optimizer.case import Case
from optimizer.errors import InfeasibleError
from optimizer.model.lookup import MONEY_SCALE_USD, Lookup


@dataclass(frozen=True)
class BoundFamily:
    """A family of single-variable limits held as bounds of variable ``var`` (no rows): its
    ``side`` (upper | lower) bound at each index of ``index``. ``follows``: the constraint
    component declared just before the family (None: none), where its rows would be — the
    solve stage hands HiGHS each limit as a row there
    (:func:`optimizer.solve.highs.compile_model`)."""

    var: str
    side: str
    index: list
    follows: str | None


def members_of(component) -> dict:
    """Index → member of a Pyomo component as a plain dict: the build reads hundreds of
    thousands of members, and a dict access costs a fraction of a Pyomo ``__getitem__``.
    An immutable parameter's members are its plain values."""
    return dict(component.items())


Bounds = dict[str, BoundFamily] | None
"""Where single-variable limit families go: None makes them rows; a dict makes them bounds
of their variable and records each family there."""


def _limit(
    m: pyo.ConcreteModel,
    bounds: Bounds,
    family: str,
    var: str,
    side: str,
    index: list,
    limit: dict,
) -> None:
    """Family ``family``: ``var[i] ≤ limit[i]`` (upper) or ``≥`` (lower) for ``i`` in
    ``index``; bounds of the variable when ``bounds`` is a dict, else a row each."""
    members = getattr(m, var)
    if bounds is not None:
        variables = members_of(members)
        for i in index:
            if side == "upper":
                variables[i].setub(limit[i])
            else:
                variables[i].setlb(limit[i])
        declared = [c.local_name for c in m.component_objects(pyo.Constraint)]
        bounds[family] = BoundFamily(var, side, index, declared[-1] if declared else None)
        return
    if side == "upper":
        rule = lambda m, *i: members[i] <= limit[i]  # noqa: E731
    else:
        rule = lambda m, *i: members[i] >= limit[i]  # noqa: E731
    setattr(m, family, pyo.Constraint(index, rule=rule))


def add_extraction_bounds(m: pyo.ConcreteModel, lk: Lookup, bounds: Bounds) -> None:
    """Extraction / purchase bounds (t ore per month).

    ``Extraction_Max[s,t]``: Mined_t[s,t] ≤ supply_max_t[s,t]   (except where a mine-side
    project may raise the max: :func:`add_supply_expansion`)
    ``Extraction_Min[s,t]``: Mined_t[s,t] ≥ supply_min_t[s,t]   (only where the min is > 0)
    """
    low = members_of(m.supply_min_t)
    upper = members_of(m.supply_max_t)
    expanded = set(lk.expanded_supply)
    fixed = [st for st in m.SOURCE_MONTHS if st not in expanded]
    _limit(m, bounds, "Extraction_Max", "Mined_t", "upper", fixed, upper)
    mins = [st for st in m.SOURCE_MONTHS if lk.mutable or low[st] > 0]
    _limit(m, bounds, "Extraction_Min", "Mined_t", "lower", mins, low)


def _online(build: dict, lead: dict, lk: Lookup, site: str, t: int) -> list:
    """The Build_t_per_month members (``build``) of the decided projects at ``site`` (a
    smelter, or a source for mine-side projects) online in month ``t``."""
    online = []
    for e in lk.projects_at.get(site, ()):
        for start in lk.builds_of.get(e, ()):  # ascending
            if start + lead[e] > t:
                break
            online.append(build[e, start])
    return online


def add_supply_expansion(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Supply max raised by mine-side projects, where the month's max is > 0 (t ore).

    ``Extraction_Expanded_Max[s,t]``: Mined_t[s,t] − Σ_{e at s} Σ_{t' ≤ t − lead_time_months[e]}
    Build_t_per_month[e,t'] ≤ supply_max_t[s,t] + committed_online_t[s,t]
    for the source-months of ``expanded_supply`` (a closed mining season stays closed).
    """
    mined, upper = members_of(m.Mined_t), members_of(m.supply_max_t)
    build, lead = members_of(m.Build_t_per_month), members_of(m.lead_time_months)
    m.Extraction_Expanded_Max = pyo.Constraint(
        lk.expanded_supply,
        rule=lambda m, s, t: (
            mined[s, t] - pyo.quicksum(_online(build, lead, lk, s, t))
            <= upper[s, t] + lk.committed_online_t.get((s, t), 0.0)
        ),
    )


def add_source_stockpile(m: pyo.ConcreteModel, lk: Lookup, bounds: Bounds) -> None:
    """Source stockpile balance and capacity (t ore, end of month).

    ``Source_Balance[s,t]``: Source_Stock_t[s,t] − Source_Stock_t[s,t−1] − Mined_t[s,t]
    + Σ_{r from s} Ship_t[r,t] = opening_source_t[s] if t = 0 else 0.
    (The right-hand side is ore appearing in the stockpile: its dual is the value of one more
    tonne of ore at ``s`` in month ``t``.)
    ``Source_Stockpile_Capacity[s,t]``: Source_Stock_t[s,t] ≤ source_stockpile_capacity_t[s]
    """
    routes_from = lk.routes_from
    stock, mined, ship = members_of(m.Source_Stock_t), members_of(m.Mined_t), members_of(m.Ship_t)
    opening = members_of(m.opening_source_t)

    def balance(m, s, t):
        shipped = pyo.quicksum(ship[r, t] for r in routes_from.get(s, ()) if (r, t) in ship)
        previous = stock[s, t - 1] if t > 0 else 0.0
        inflow = opening[s] if t == 0 else 0.0
        return stock[s, t] - previous - mined[s, t] + shipped == inflow

    m.Source_Balance = pyo.Constraint(m.SOURCE_MONTHS, rule=balance)
    capacity = members_of(m.source_stockpile_capacity_t)
    _limit(
        m,
        bounds,
        "Source_Stockpile_Capacity",
        "Source_Stock_t",
        "upper",
        list(m.SOURCE_MONTHS),
        {(s, t): capacity[s] for s, t in m.SOURCE_MONTHS},
    )


def add_route_capacity(m: pyo.ConcreteModel, lk: Lookup, bounds: Bounds) -> None:
    """Route capacity with availability (t ore dispatched per month).

    ``Route_Capacity[r,t]``: Ship_t[r,t] ≤ capacity_t_per_month[r] × availability_pct[r,t] / 100.
    Ore dispatched in t arrives in t + transit_months[r]; months whose arrival would fall
    after the horizon have no Ship_t variable (they cannot be dispatched).
    """
    capacity = members_of(m.route_capacity_t)
    _limit(m, bounds, "Route_Capacity", "Ship_t", "upper", list(m.ROUTE_MONTHS), capacity)


def add_yard(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Smelter yard balance by origin, and yard capacity (t ore, end of month).

    ``Yard_Balance[s,p,t]``: Yard_Stock_t[s,p,t] − Yard_Stock_t[s,p,t−1]
    − Σ_{r: s→p} Ship_t[r, t − transit_months[r]] + Feed_t[s,p,t]
    = (opening_yard_t[s,p] if t = 0 else 0) + in_transit_t[s,p,t]
    (``InTransit`` ore dispatched before the start, arriving in t: no cost, no route use).
    ``Yard_Capacity[p,t]``: Σ_s Yard_Stock_t[s,p,t] ≤ yard_capacity_t[p]
    """
    arrivals, in_transit = lk.arrivals, lk.in_transit_t
    stock, ship, feed = members_of(m.Yard_Stock_t), members_of(m.Ship_t), members_of(m.Feed_t)
    opening, capacity = members_of(m.opening_yard_t), members_of(m.yard_capacity_t)

    def balance(m, s, p, t):
        arrived = pyo.quicksum(ship[r, sent] for r, sent in arrivals.get((s, p, t), ()))
        previous = stock[s, p, t - 1] if t > 0 else 0.0
        inflow = (opening[s, p] if t == 0 else 0.0) + in_transit.get((s, p, t), 0.0)
        return stock[s, p, t] - previous - arrived + feed[s, p, t] == inflow

    m.Yard_Balance = pyo.Constraint(m.PAIR_MONTHS, rule=balance)
    index = [(p, t) for p, t in m.SMELTER_MONTHS if lk.origins_at.get(p)]
    m.Yard_Capacity = pyo.Constraint(
        index,
        rule=lambda m, p, t: pyo.quicksum(stock[s, p, t] for s in lk.origins_at[p]) <= capacity[p],
    )


def _feed(feed: dict, lk: Lookup, p: str, t: int, coef=None):
    """Σ_s coef(s) × Feed_t[s,p,t] over the origins with a yard account at ``p`` (``feed``:
    the Feed_t members by index)."""
    origins = lk.origins_at.get(p, ())
    if coef is None:
        return pyo.quicksum(feed[s, p, t] for s in origins)
    return pyo.quicksum(coef(s) * feed[s, p, t] for s in origins)


def add_smelter_capacity(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Smelter capacity with expansions online after their lead time (t ore fed per month).

    ``Smelter_Capacity[p,t]``: Σ_s Feed_t[s,p,t] − Σ_{e at p} Σ_{t' ≤ t − lead_time_months[e]}
    Build_t_per_month[e,t'] ≤ base_capacity_t_per_month[p] × availability_pct[p,t] / 100
    + committed_online_t[p,t] (the whole size of each committed project at p online by t).
    Expansion capacity is not scaled by availability (lead 0: online in the start month).
    """
    feed, base = members_of(m.Feed_t), members_of(m.base_capacity_t)
    build, lead = members_of(m.Build_t_per_month), members_of(m.lead_time_months)

    def capacity(m, p, t):
        online = pyo.quicksum(_online(build, lead, lk, p, t))
        return _feed(feed, lk, p, t) - online <= base[p, t] + lk.committed_online_t.get((p, t), 0.0)

    index = [(p, t) for p, t in m.SMELTER_MONTHS if lk.origins_at.get(p)]
    m.Smelter_Capacity = pyo.Constraint(index, rule=capacity)


def add_min_feed(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """Minimum feed (t ore per month, not scaled by availability).

    ``Min_Feed[p,t]``: Σ_s Feed_t[s,p,t] ≥ min_feed_t_per_month[p]   (only where it is > 0)
    """
    check_reachable(case, lk)
    feed, minimum = members_of(m.Feed_t), members_of(m.min_feed_t)
    index = [
        (p, t)
        for p, t in m.SMELTER_MONTHS
        if (lk.mutable and lk.origins_at.get(p)) or (not lk.mutable and minimum[p] > 0)
    ]
    m.Min_Feed = pyo.Constraint(index, rule=lambda m, p, t: _feed(feed, lk, p, t) >= minimum[p])


def check_reachable(case: Case, lk: Lookup) -> None:
    """Raise InfeasibleError when a smelter with a minimum feed cannot receive any ore."""
    for p, smelter in case.smelters.items():
        if smelter.min_feed_t_per_month > 0 and not lk.origins_at.get(p):
            raise InfeasibleError(
                f"smelter '{p}' must be fed at least {smelter.min_feed_t_per_month:g} t every "
                f"month (Smelters: min_feed_t_per_month), but no route and no opening stock "
                f"brings ore to it"
            )


def add_blend(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Feed grade and arsenic blend limits, linear in the feed (t ore × percentage points).

    ``Feed_Grade[p,t]``: Σ_s Feed_t[s,p,t] × (grade_pct_sb[s] − min_feed_grade_pct[p]) ≥ 0
    ``Feed_Arsenic[p,t]``: Σ_s Feed_t[s,p,t] × (max_feed_arsenic_pct[p] − arsenic_pct[s]) ≥ 0
    A month with no feed meets both. A smelter gets a family only when some origin could
    break it (a blank arsenic limit means none).
    """
    feed = members_of(m.Feed_t)
    grade, min_grade = members_of(m.grade_pct_sb), members_of(m.min_feed_grade_pct)
    arsenic, max_arsenic = members_of(m.arsenic_pct), members_of(m.max_feed_arsenic_pct)
    grade_index, arsenic_index = [], []
    for p in m.SMELTERS:
        origins = lk.origins_at.get(p, ())
        if (lk.mutable and origins) or (
            not lk.mutable and any(grade[s] < min_grade[p] for s in origins)
        ):
            grade_index += [(p, t) for t in m.MONTHS]
        if p in max_arsenic and (
            (lk.mutable and origins)
            or (not lk.mutable and any(arsenic[s] > max_arsenic[p] for s in origins))
        ):
            arsenic_index += [(p, t) for t in m.MONTHS]
    m.Feed_Grade = pyo.Constraint(
        grade_index,
        rule=lambda m, p, t: _feed(feed, lk, p, t, lambda s: grade[s] - min_grade[p]) >= 0,
    )
    m.Feed_Arsenic = pyo.Constraint(
        arsenic_index,
        rule=lambda m, p, t: _feed(feed, lk, p, t, lambda s: max_arsenic[p] - arsenic[s]) >= 0,
    )


def add_domestic_share(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Domestic share of each month's feed (t ore × percentage points).

    ``Domestic_Share[p,t]``: Σ_s Feed_t[s,p,t] × (domestic_pct[s] − min_domestic_share_pct[p])
    ≥ 0, with domestic_pct = 100 for domestic sources, 0 otherwise. Only where some origin
    is foreign and the share is > 0.
    """
    feed = members_of(m.Feed_t)
    domestic, share = members_of(m.domestic_pct), members_of(m.min_domestic_share_pct)
    index = []
    for p in m.SMELTERS:
        origins = lk.origins_at.get(p, ())
        if lk.mutable:
            needed = bool(origins)
        else:
            needed = share[p] > 0 and any(domestic[s] < share[p] for s in origins)
        if needed:
            index += [(p, t) for t in m.MONTHS]
    m.Domestic_Share = pyo.Constraint(
        index, rule=lambda m, p, t: _feed(feed, lk, p, t, lambda s: domestic[s] - share[p]) >= 0
    )


def add_production_and_contracts(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Production sold in its month, contract deliveries with penalized shortfall (t Sb).

    ``Sb_Sales[p,t]``: Spot_Sb_t[p,t] + Σ_k Delivered_Sb_t[k,p,t]
    − Σ_s Feed_t[s,p,t] × grade_pct_sb[s]/100 × recovery_pct[p]/100 = 0
    (the right-hand side is extra Sb to sell: its dual is the value of one more t of Sb).
    ``Contract_Min[k,t]``: Σ_p Delivered_Sb_t[k,p,t] + Shortfall_Sb_t[k,t] ≥ min_t_sb[k]
    ``Contract_Max[k,t]``: Σ_p Delivered_Sb_t[k,p,t] ≤ max_t_sb[k]
    with 0 ≤ Shortfall_Sb_t[k,t] ≤ min_t_sb[k]; a contract with smelter ``any`` may be served
    by every smelter, its limits applying to the sum; active from start to end inclusive.
    """
    feed, spot = members_of(m.Feed_t), members_of(m.Spot_Sb_t)
    delivered, shortfall = members_of(m.Delivered_Sb_t), members_of(m.Shortfall_Sb_t)
    grade, recovery = members_of(m.grade_pct_sb), members_of(m.recovery_pct)
    low, high = members_of(m.contract_min_t_sb), members_of(m.contract_max_t_sb)

    def sales(m, p, t):
        produced = _feed(feed, lk, p, t, lambda s: grade[s] * recovery[p] / 1e4)
        sold = pyo.quicksum(delivered[k, p, t] for k in lk.contracts_at.get((p, t), ()))
        return spot[p, t] + sold - produced == 0

    m.Sb_Sales = pyo.Constraint(m.SMELTER_MONTHS, rule=sales)

    def total(k, t):
        return pyo.quicksum(delivered[k, p, t] for p in lk.contract_smelters[k])

    m.Contract_Min = pyo.Constraint(
        m.SHORTFALL_MONTHS, rule=lambda m, k, t: total(k, t) + shortfall[k, t] >= low[k]
    )
    m.Contract_Max = pyo.Constraint(m.CONTRACT_MONTHS, rule=lambda m, k, t: total(k, t) <= high[k])


def add_expansion_limits(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Expansion build limits (t/month of capacity) of the projects the model decides.

    Continuous: ``Expansion_Build_Limit[e]``: Σ_t Build_t_per_month[e,t] ≤ max_added[e].
    Single and lumpy: ``Expansion_Build_Limit[e]``: Σ_t Start[e,t] ≤ 1 (starts at most once).
    Lumpy: ``Expansion_Whole[e,t]``: Build_t_per_month[e,t] − max_added[e] × Start[e,t] = 0
    (built whole or not at all).
    Single: ``Expansion_Size_Max[e,t]``: Build_t_per_month[e,t] − max_added[e] × Start[e,t]
    ≤ 0 and ``Expansion_Size_Min[e,t]``: Build_t_per_month[e,t] − min_added[e] × Start[e,t]
    ≥ 0 (only where min_added > 0): one start, any size between the two.
    """
    projects = [e for e in m.PROJECTS if lk.builds_of.get(e)]
    build, start = m.Build_t_per_month, getattr(m, "Start", None)
    if not lk.lumpy:
        m.Expansion_Build_Limit = pyo.Constraint(
            projects,
            rule=lambda m, e: (
                pyo.quicksum(build[e, t] for t in lk.builds_of[e]) <= m.max_added_t_per_month[e]
            ),
        )
        return
    m.Expansion_Build_Limit = pyo.Constraint(
        projects, rule=lambda m, e: pyo.quicksum(start[e, t] for t in lk.builds_of[e]) <= 1
    )
    high, low = m.max_added_t_per_month, m.min_added_t_per_month
    if lk.mode == "lumpy":
        m.Expansion_Whole = pyo.Constraint(
            m.BUILD_MONTHS, rule=lambda m, e, t: build[e, t] - high[e] * start[e, t] == 0
        )
        return
    m.Expansion_Size_Max = pyo.Constraint(
        m.BUILD_MONTHS, rule=lambda m, e, t: build[e, t] - high[e] * start[e, t] <= 0
    )
    sized = [(e, t) for e, t in m.BUILD_MONTHS if lk.mutable or pyo.value(low[e]) > 0]
    m.Expansion_Size_Min = pyo.Constraint(
        sized, rule=lambda m, e, t: build[e, t] - low[e] * start[e, t] >= 0
    )


def add_grant_funding(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Grant funding of capex payments (k$, nominal; the money arrives with each payment).

    A payment (e, s, t) is the capex of project e started in month s paid in month t
    (Payment_kusd: an even share over capex_months; a committed start's are data).
    ``Grant_Share[g,e,s,t]``: Grant_Paid_kusd[g,e,s,t] ≤ grant_open[g,e,s,t] ×
    max_share_pct[g]/100 × Payment_kusd[e,s,t], for the payments of projects eligible for g
    started on or after its award month (committed starts too); grant_open is 1 for starts
    on and after the award month, 0 before (only mutable models hold earlier starts).
    ``Grant_Capex_Cap[e,s,t]``: Σ_g Grant_Paid_kusd[g,e,s,t] ≤ Payment_kusd[e,s,t] (only where
    the eligible grants' shares add up to more than 100 %).
    ``Grant_Amount[g]``: Σ_{e,s,t} Grant_Paid_kusd[g,e,s,t] ≤ amount_usd[g] / 1000.
    """
    m.Grant_Share = pyo.Constraint(
        m.GRANT_PAYMENTS,
        rule=lambda m, g, e, s, t: (
            m.Grant_Paid_kusd[g, e, s, t]
            - m.grant_open[g, e, s, t] * m.grant_max_share_pct[g] / 100.0 * m.Payment_kusd[e, s, t]
            <= 0
        ),
    )
    cap_index = [
        est
        for est, gs in lk.grants_for.items()
        if lk.mutable or sum(m.grant_max_share_pct[g] for g in gs) > 100.0
    ]
    m.Grant_Capex_Cap = pyo.Constraint(
        cap_index,
        rule=lambda m, e, s, t: (
            pyo.quicksum(m.Grant_Paid_kusd[g, e, s, t] for g in lk.grants_for[(e, s, t)])
            - m.Payment_kusd[e, s, t]
            <= 0
        ),
    )
    paid_by: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for g, e, s, t in lk.grant_payments:
        paid_by[g].append((e, s, t))
    m.Grant_Amount = pyo.Constraint(
        list(paid_by),
        rule=lambda m, g: (
            pyo.quicksum(m.Grant_Paid_kusd[g, e, s, t] for e, s, t in paid_by[g])
            <= m.grant_amount_usd[g] / MONEY_SCALE_USD
        ),
    )


def add_end_stock(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """End-of-horizon stock policy (t ore).

    ``keep_opening``: ``End_Stock[location]``: end-of-horizon stock at the location (a source's
    stockpile, or the sum over origins of a smelter's yard) ≥ its opening stock.
    ``free``: no constraint.
    """
    if case.settings.end_stock_policy != "keep_opening":
        return
    last = lk.horizon - 1
    opening: dict[str, float] = defaultdict(float)
    for s, tonnes in lk.opening_source_t.items():
        opening[s] += tonnes
    for (_, p), tonnes in lk.opening_yard_t.items():
        opening[p] += tonnes
    locations = [loc for loc, tonnes in opening.items() if tonnes > 0]

    def end_stock(m, loc):
        if loc in case.smelters:
            held = pyo.quicksum(m.Yard_Stock_t[s, loc, last] for s in lk.origins_at[loc])
        else:
            held = m.Source_Stock_t[loc, last]
        return held >= opening[loc]

    m.End_Stock = pyo.Constraint(locations, rule=end_stock)


ACTUAL_VARS = {"mined": "Mined_t", "shipped": "Ship_t", "fed": "Feed_t"}


def add_actuals(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """Closed months: decisions locked to what ``Actuals`` recorded (t ore).

    ``Actual_Locked[kind,id,origin,t]``: the decision = the recorded tonnes, for every
    mined (Mined_t[id,t]), shipped (Ship_t[id,t]) and fed (Feed_t[origin,id,t]) decision of
    a month with any Actuals row, and for each recorded month-end stock (Source_Stock_t[id,t],
    or Yard_Stock_t[origin,id,t] at a smelter). Sales, deliveries, starts and grant draws
    stay free.
    """

    def decision(kind: str, rid: str, origin: str, t: int):
        if kind in ACTUAL_VARS:
            var = getattr(m, ACTUAL_VARS[kind])
            return var[origin, rid, t] if kind == "fed" else var[rid, t]
        if rid in case.smelters:
            return m.Yard_Stock_t[origin, rid, t]
        return m.Source_Stock_t[rid, t]

    actuals = lk.actuals_t
    m.Actual_Locked = pyo.Constraint(
        list(actuals),
        rule=lambda m, kind, rid, origin, t: (
            decision(kind, rid, origin, t) == actuals[kind, rid, origin, t]
        ),
    )
