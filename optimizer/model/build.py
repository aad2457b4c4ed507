"""The allocation model (SPEC §3): one function per constraint family, then the objective.

``build_model(case)`` turns a validated :class:`~optimizer.case.Case` into a
:class:`BuiltModel` (the Pyomo ``ConcreteModel`` with the case and index lookup it was built
from); it never reads a file and never solves, so ``solve``, ``explain`` and scenario
re-solves can all reuse it.

Names follow STYLE.md: sets UPPER, parameters snake_case with units, variables Title_Case
with units, and each constraint component is named after its family — the name the report's
MarginalValues sheet shows. Each family's docstring states its inequality and units.

Numerics: money inside the model is in k$ (``MONEY_SCALE_USD`` USD) so HiGHS sees tame
coefficient ranges; tonnes stay tonnes, percentages stay percent. Results are in USD.

Index sets are sparse: a route has dispatch months only while its arrival falls inside the
horizon; a yard (origin, smelter) pair exists only when a route or opening stock links them;
a project has start months only between its earliest and latest start and while it would
come online inside the horizon (a later start adds no capacity and only costs money).
Constraints that cannot bind (no limit set, or every origin already meets a blend limit)
are left out; the residual checker in the tests still verifies them.

Single-variable limits (``Extraction_Max/Min``, ``Source_Stockpile_Capacity``,
``Route_Capacity``) are rows by default, as ``explain`` needs them; the solve stage builds them
as variable bounds (``limits_as_bounds=True``, see :func:`build_model`). Hot loops read
parameters and variables from plain dicts (:func:`_data`), not through Pyomo's indexing.

Re-solving with new data (scenarios): ``build_model(case, mutable=True)`` makes every
parameter mutable and keeps every data-dependent row and objective term (a zero limit or
price may become non-zero), and enforces grant award months through the ``grant_open``
parameter rather than the index sets. ``update_model(built, other_case)`` loads another
case's data into that model in place when both need the same rows and columns, so a
persistent solver only pushes changed coefficients and re-solves from its basis.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

import pyomo.environ as pyo

from optimizer.case import Case
from optimizer.errors import InfeasibleError
from optimizer.inputs.schema import ANY_SMELTER

MONEY_SCALE_USD = 1000.0  # one model money unit (k$) in USD


@dataclass
class Lookup:
    """Sparse index sets and adjacency derived once from the case (plain Python)."""

    horizon: int
    lumpy: bool
    mutable: bool  # keep every data-dependent row and term: the data may change (re-solves)
    discount: list[float]
    route_months: list[tuple[str, int]]
    routes_from: dict[str, list[str]]
    pairs: list[tuple[str, str]]  # (origin source, smelter) with a yard account
    origins_at: dict[str, list[str]]  # smelter -> origins with a yard account there
    arrivals: dict[tuple[str, str, int], list[tuple[str, int]]]  # (s, p, t) -> [(r, sent)]
    opening_source_t: dict[str, float]
    opening_yard_t: dict[tuple[str, str], float]
    build_months: list[tuple[str, int]]
    builds_of: dict[str, list[int]]
    projects_at: dict[str, list[str]]
    grant_builds: list[tuple[str, str, int]]
    grants_for: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    contract_months: list[tuple[str, int]] = field(default_factory=list)
    shortfall_months: list[tuple[str, int]] = field(default_factory=list)
    deliveries: list[tuple[str, str, int]] = field(default_factory=list)
    contract_smelters: dict[str, list[str]] = field(default_factory=dict)
    contracts_at: dict[tuple[str, int], list[str]] = field(default_factory=dict)


def discount_factor(rate_pct_per_year: float, month: int) -> float:
    """``(1 + rate)^(-month / 12)``: month 0 is undiscounted."""
    return (1.0 + rate_pct_per_year / 100.0) ** (-month / 12.0)


def build_lookup(case: Case, *, mutable: bool = False) -> Lookup:
    """Every sparse index the families need, computed in one pass over the case.

    ``grant_builds`` holds (g, e, t) for builds of projects eligible for g started on or after
    g's award month — or in any month for a ``mutable`` model (the ``grant_open`` parameter
    then closes the months before the award, so a new award month is new data).
    """
    H = case.horizon
    months = range(H)
    routes_from: dict[str, list[str]] = defaultdict(list)
    route_months: list[tuple[str, int]] = []
    pair_set: dict[tuple[str, str], None] = {}
    arrivals: dict[tuple[str, str, int], list[tuple[str, int]]] = defaultdict(list)
    for r, route in case.routes.items():
        routes_from[route.source].append(r)
        pair_set[(route.source, route.smelter)] = None
        for t in range(H - route.transit_months):
            route_months.append((r, t))
            arrivals[(route.source, route.smelter, t + route.transit_months)].append((r, t))

    opening_source: dict[str, float] = defaultdict(float)
    opening_yard: dict[tuple[str, str], float] = defaultdict(float)
    for o in case.opening_stock:
        if o.location in case.smelters:
            opening_yard[(o.source, o.location)] += o.tonnes
            pair_set[(o.source, o.location)] = None
        else:  # a source's stockpile: its ore ships as that source's ore
            opening_source[o.location] += o.tonnes
    source_order = {s: i for i, s in enumerate(case.sources)}
    smelter_order = {p: i for i, p in enumerate(case.smelters)}
    pairs = sorted(pair_set, key=lambda sp: (smelter_order[sp[1]], source_order[sp[0]]))
    origins_at: dict[str, list[str]] = defaultdict(list)
    for s, p in pairs:
        origins_at[p].append(s)

    build_months: list[tuple[str, int]] = []
    builds_of: dict[str, list[int]] = defaultdict(list)
    projects_at: dict[str, list[str]] = defaultdict(list)
    for e, x in case.expansions.items():
        projects_at[x.smelter].append(e)
        last = min(x.latest_start, H - 1 - x.lead_time_months)
        for t in range(max(x.earliest_start, 0), last + 1):
            build_months.append((e, t))
            builds_of[e].append(t)

    grant_builds: list[tuple[str, str, int]] = []
    grants_for: dict[tuple[str, int], list[str]] = defaultdict(list)
    for g, grant in case.grants.items():
        first = 0 if mutable else max(grant.award, 0)
        for e in grant.eligible_projects:
            for t in builds_of.get(e, ()):
                if t >= first:
                    grant_builds.append((g, e, t))
                    grants_for[(e, t)].append(g)

    contract_months: list[tuple[str, int]] = []
    shortfall_months: list[tuple[str, int]] = []
    deliveries: list[tuple[str, str, int]] = []
    contract_smelters: dict[str, list[str]] = {}
    contracts_at: dict[tuple[str, int], list[str]] = defaultdict(list)
    for k, c in case.contracts.items():
        smelters = list(case.smelters) if c.smelter == ANY_SMELTER else [c.smelter]
        contract_smelters[k] = smelters
        for t in range(max(c.start, 0), min(c.end, H - 1) + 1):
            contract_months.append((k, t))
            if c.min_t_sb_per_month > 0:
                shortfall_months.append((k, t))
            for p in smelters:
                deliveries.append((k, p, t))
                contracts_at[(p, t)].append(k)

    rate = case.settings.discount_rate_pct_per_year
    return Lookup(
        horizon=H,
        lumpy=case.settings.expansion_mode == "lumpy",
        mutable=mutable,
        discount=[discount_factor(rate, t) for t in months],
        route_months=route_months,
        routes_from=dict(routes_from),
        pairs=pairs,
        origins_at=dict(origins_at),
        arrivals=dict(arrivals),
        opening_source_t=dict(opening_source),
        opening_yard_t=dict(opening_yard),
        build_months=build_months,
        builds_of=dict(builds_of),
        projects_at=dict(projects_at),
        grant_builds=grant_builds,
        grants_for=dict(grants_for),
        contract_months=contract_months,
        shortfall_months=shortfall_months,
        deliveries=deliveries,
        contract_smelters=contract_smelters,
        contracts_at=dict(contracts_at),
    )


# --- sets, parameters, variables -----------------------------------------------------------


def add_sets(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """Index sets (UPPER case), all ordered as in the input."""
    H = lk.horizon
    m.MONTHS = pyo.Set(initialize=range(H), ordered=True)
    m.SOURCES = pyo.Set(initialize=list(case.sources), ordered=True)
    m.SMELTERS = pyo.Set(initialize=list(case.smelters), ordered=True)
    m.ROUTES = pyo.Set(initialize=list(case.routes), ordered=True)
    m.PROJECTS = pyo.Set(initialize=list(case.expansions), ordered=True)
    m.GRANTS = pyo.Set(initialize=list(case.grants), ordered=True)
    m.CONTRACTS = pyo.Set(initialize=list(case.contracts), ordered=True)
    m.SOURCE_MONTHS = pyo.Set(
        initialize=[(s, t) for s in case.sources for t in range(H)], dimen=2, ordered=True
    )
    m.SMELTER_MONTHS = pyo.Set(
        initialize=[(p, t) for p in case.smelters for t in range(H)], dimen=2, ordered=True
    )
    m.ROUTE_MONTHS = pyo.Set(initialize=lk.route_months, dimen=2, ordered=True)
    m.PAIRS = pyo.Set(initialize=lk.pairs, dimen=2, ordered=True)
    m.PAIR_MONTHS = pyo.Set(
        initialize=[(s, p, t) for s, p in lk.pairs for t in range(H)], dimen=3, ordered=True
    )
    m.BUILD_MONTHS = pyo.Set(initialize=lk.build_months, dimen=2, ordered=True)
    m.GRANT_BUILDS = pyo.Set(initialize=lk.grant_builds, dimen=3, ordered=True)
    m.CONTRACT_MONTHS = pyo.Set(initialize=lk.contract_months, dimen=2, ordered=True)
    m.SHORTFALL_MONTHS = pyo.Set(initialize=lk.shortfall_months, dimen=2, ordered=True)
    m.DELIVERIES = pyo.Set(initialize=lk.deliveries, dimen=3, ordered=True)


def add_params(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """Input data as parameters (snake_case with units); mutable in a mutable model, except
    lead times, which shape the index sets."""
    S, P, R = case.sources, case.smelters, case.routes
    E, G, K = case.expansions, case.grants, case.contracts

    def param(index, values, mutable=lk.mutable):
        return pyo.Param(index, initialize=values, within=pyo.Reals, mutable=mutable)

    m.discount_factor = param(m.MONTHS, dict(enumerate(lk.discount)))
    m.supply_max_t = param(
        m.SOURCE_MONTHS, {(s, t): S[s].supply_max_t[t] for s, t in m.SOURCE_MONTHS}
    )
    m.supply_min_t = param(
        m.SOURCE_MONTHS, {(s, t): S[s].supply_min_t[t] for s, t in m.SOURCE_MONTHS}
    )
    m.ore_cost_usd_per_t = param(m.SOURCES, {s: S[s].cost_usd_per_t for s in S})
    m.source_stockpile_capacity_t = param(m.SOURCES, {s: S[s].stockpile_capacity_t for s in S})
    m.source_holding_usd_per_t_month = param(
        m.SOURCES, {s: S[s].holding_cost_usd_per_t_month for s in S}
    )
    m.grade_pct_sb = param(m.SOURCES, {s: S[s].grade_pct_sb for s in S})
    m.arsenic_pct = param(m.SOURCES, {s: S[s].arsenic_pct for s in S})
    m.domestic_pct = param(m.SOURCES, {s: 100.0 if S[s].domestic else 0.0 for s in S})
    m.opening_source_t = param(m.SOURCES, {s: lk.opening_source_t.get(s, 0.0) for s in S})
    m.opening_yard_t = param(m.PAIRS, {sp: lk.opening_yard_t.get(sp, 0.0) for sp in lk.pairs})

    m.route_capacity_t = param(
        m.ROUTE_MONTHS,
        {
            (r, t): R[r].capacity_t_per_month * R[r].availability_pct[t] / 100.0
            for r, t in lk.route_months
        },
    )
    m.freight_usd_per_t = param(m.ROUTES, {r: R[r].cost_usd_per_t for r in R})

    m.base_capacity_t = param(
        m.SMELTER_MONTHS,
        {
            (p, t): P[p].base_capacity_t_per_month * P[p].availability_pct[t] / 100.0
            for p, t in m.SMELTER_MONTHS
        },
    )
    m.processing_usd_per_t = param(m.SMELTERS, {p: P[p].processing_cost_usd_per_t for p in P})
    m.recovery_pct = param(m.SMELTERS, {p: P[p].recovery_pct for p in P})
    m.min_feed_grade_pct = param(m.SMELTERS, {p: P[p].min_feed_grade_pct for p in P})
    limited = [p for p in P if P[p].max_feed_arsenic_pct is not None]
    m.max_feed_arsenic_pct = param(limited, {p: P[p].max_feed_arsenic_pct for p in limited})
    m.min_domestic_share_pct = param(m.SMELTERS, {p: P[p].min_domestic_share_pct for p in P})
    m.min_feed_t = param(m.SMELTERS, {p: P[p].min_feed_t_per_month for p in P})
    m.yard_capacity_t = param(m.SMELTERS, {p: P[p].stockpile_capacity_t for p in P})
    m.yard_holding_usd_per_t_month = param(
        m.SMELTERS, {p: P[p].holding_cost_usd_per_t_month for p in P}
    )
    m.spot_price_usd_per_t_sb = param(
        m.SMELTER_MONTHS, {(p, t): P[p].prices_usd_per_t_sb[t] for p, t in m.SMELTER_MONTHS}
    )

    m.max_added_t_per_month = param(m.PROJECTS, {e: E[e].max_added_t_per_month for e in E})
    m.capex_usd_per_t_per_month = param(m.PROJECTS, {e: E[e].capex_usd_per_t_per_month for e in E})
    m.fixed_capex_usd = param(m.PROJECTS, {e: E[e].fixed_capex_usd for e in E})
    m.lead_time_months = param(m.PROJECTS, {e: E[e].lead_time_months for e in E}, mutable=False)

    m.grant_amount_usd = param(m.GRANTS, {g: G[g].amount_usd for g in G})
    m.grant_max_share_pct = param(m.GRANTS, {g: G[g].max_share_pct for g in G})
    m.grant_open = param(
        m.GRANT_BUILDS,
        {(g, e, t): 1.0 if t >= max(G[g].award, 0) else 0.0 for g, e, t in lk.grant_builds},
    )

    m.contract_min_t_sb = param(m.CONTRACTS, {k: K[k].min_t_sb_per_month for k in K})
    m.contract_max_t_sb = param(m.CONTRACTS, {k: K[k].max_t_sb_per_month for k in K})
    m.contract_price_usd_per_t_sb = param(m.CONTRACTS, {k: K[k].price_usd_per_t_sb for k in K})
    m.shortfall_penalty_usd_per_t_sb = pyo.Param(
        initialize=case.settings.shortfall_penalty_usd_per_t_sb,
        within=pyo.Reals,
        mutable=lk.mutable,
    )


def add_variables(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Decisions (Title_Case with units), all ≥ 0; ``Start`` is binary in lumpy mode only."""
    nonneg = pyo.NonNegativeReals
    m.Mined_t = pyo.Var(m.SOURCE_MONTHS, within=nonneg)
    m.Source_Stock_t = pyo.Var(m.SOURCE_MONTHS, within=nonneg)
    m.Ship_t = pyo.Var(m.ROUTE_MONTHS, within=nonneg)
    m.Feed_t = pyo.Var(m.PAIR_MONTHS, within=nonneg)
    m.Yard_Stock_t = pyo.Var(m.PAIR_MONTHS, within=nonneg)
    m.Spot_Sb_t = pyo.Var(m.SMELTER_MONTHS, within=nonneg)
    m.Delivered_Sb_t = pyo.Var(m.DELIVERIES, within=nonneg)
    m.Shortfall_Sb_t = pyo.Var(
        m.SHORTFALL_MONTHS, within=nonneg, bounds=lambda m, k, t: (0.0, m.contract_min_t_sb[k])
    )
    m.Build_t_per_month = pyo.Var(m.BUILD_MONTHS, within=nonneg)
    if lk.lumpy:
        m.Start = pyo.Var(m.BUILD_MONTHS, within=pyo.Binary)
    m.Grant_Paid_kusd = pyo.Var(m.GRANT_BUILDS, within=nonneg)

    def capex_kusd(m, e, t):
        """Capex of project ``e`` started in month ``t`` (k$)."""
        cost = m.capex_usd_per_t_per_month[e] * m.Build_t_per_month[e, t]
        if lk.lumpy and (lk.mutable or m.fixed_capex_usd[e]):
            cost = cost + m.fixed_capex_usd[e] * m.Start[e, t]
        return cost / MONEY_SCALE_USD

    m.Capex_kusd = pyo.Expression(m.BUILD_MONTHS, rule=capex_kusd)


# --- constraint families -------------------------------------------------------------------


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


def _data(component) -> dict:
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
        variables = _data(members)
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

    ``Extraction_Max[s,t]``: Mined_t[s,t] ≤ supply_max_t[s,t]
    ``Extraction_Min[s,t]``: Mined_t[s,t] ≥ supply_min_t[s,t]   (only where the min is > 0)
    """
    low = _data(m.supply_min_t)
    upper = _data(m.supply_max_t)
    _limit(m, bounds, "Extraction_Max", "Mined_t", "upper", list(m.SOURCE_MONTHS), upper)
    mins = [st for st in m.SOURCE_MONTHS if lk.mutable or low[st] > 0]
    _limit(m, bounds, "Extraction_Min", "Mined_t", "lower", mins, low)


def add_source_stockpile(m: pyo.ConcreteModel, lk: Lookup, bounds: Bounds) -> None:
    """Source stockpile balance and capacity (t ore, end of month).

    ``Source_Balance[s,t]``: Source_Stock_t[s,t] − Source_Stock_t[s,t−1] − Mined_t[s,t]
    + Σ_{r from s} Ship_t[r,t] = opening_source_t[s] if t = 0 else 0.
    (The right-hand side is ore appearing in the stockpile: its dual is the value of one more
    tonne of ore at ``s`` in month ``t``.)
    ``Source_Stockpile_Capacity[s,t]``: Source_Stock_t[s,t] ≤ source_stockpile_capacity_t[s]
    """
    routes_from = lk.routes_from
    stock, mined, ship = _data(m.Source_Stock_t), _data(m.Mined_t), _data(m.Ship_t)
    opening = _data(m.opening_source_t)

    def balance(m, s, t):
        shipped = pyo.quicksum(ship[r, t] for r in routes_from.get(s, ()) if (r, t) in ship)
        previous = stock[s, t - 1] if t > 0 else 0.0
        inflow = opening[s] if t == 0 else 0.0
        return stock[s, t] - previous - mined[s, t] + shipped == inflow

    m.Source_Balance = pyo.Constraint(m.SOURCE_MONTHS, rule=balance)
    capacity = _data(m.source_stockpile_capacity_t)
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
    capacity = _data(m.route_capacity_t)
    _limit(m, bounds, "Route_Capacity", "Ship_t", "upper", list(m.ROUTE_MONTHS), capacity)


def add_yard(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Smelter yard balance by origin, and yard capacity (t ore, end of month).

    ``Yard_Balance[s,p,t]``: Yard_Stock_t[s,p,t] − Yard_Stock_t[s,p,t−1]
    − Σ_{r: s→p} Ship_t[r, t − transit_months[r]] + Feed_t[s,p,t]
    = opening_yard_t[s,p] if t = 0 else 0.
    ``Yard_Capacity[p,t]``: Σ_s Yard_Stock_t[s,p,t] ≤ yard_capacity_t[p]
    """
    arrivals = lk.arrivals
    stock, ship, feed = _data(m.Yard_Stock_t), _data(m.Ship_t), _data(m.Feed_t)
    opening, capacity = _data(m.opening_yard_t), _data(m.yard_capacity_t)

    def balance(m, s, p, t):
        arrived = pyo.quicksum(ship[r, sent] for r, sent in arrivals.get((s, p, t), ()))
        previous = stock[s, p, t - 1] if t > 0 else 0.0
        inflow = opening[s, p] if t == 0 else 0.0
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
    Build_t_per_month[e,t'] ≤ base_capacity_t_per_month[p] × availability_pct[p,t] / 100.
    Expansion capacity is not scaled by availability (lead 0: online in the start month).
    """
    feed, build, base = _data(m.Feed_t), _data(m.Build_t_per_month), _data(m.base_capacity_t)
    lead = _data(m.lead_time_months)

    def capacity(m, p, t):
        online = []
        for e in lk.projects_at.get(p, ()):
            for start in lk.builds_of.get(e, ()):  # ascending
                if start + lead[e] > t:
                    break
                online.append(build[e, start])
        return _feed(feed, lk, p, t) - pyo.quicksum(online) <= base[p, t]

    index = [(p, t) for p, t in m.SMELTER_MONTHS if lk.origins_at.get(p)]
    m.Smelter_Capacity = pyo.Constraint(index, rule=capacity)


def add_min_feed(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """Minimum feed (t ore per month, not scaled by availability).

    ``Min_Feed[p,t]``: Σ_s Feed_t[s,p,t] ≥ min_feed_t_per_month[p]   (only where it is > 0)
    """
    check_reachable(case, lk)
    feed, minimum = _data(m.Feed_t), _data(m.min_feed_t)
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
    feed = _data(m.Feed_t)
    grade, min_grade = _data(m.grade_pct_sb), _data(m.min_feed_grade_pct)
    arsenic, max_arsenic = _data(m.arsenic_pct), _data(m.max_feed_arsenic_pct)
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
    feed = _data(m.Feed_t)
    domestic, share = _data(m.domestic_pct), _data(m.min_domestic_share_pct)
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
    feed, spot = _data(m.Feed_t), _data(m.Spot_Sb_t)
    delivered, shortfall = _data(m.Delivered_Sb_t), _data(m.Shortfall_Sb_t)
    grade, recovery = _data(m.grade_pct_sb), _data(m.recovery_pct)
    low, high = _data(m.contract_min_t_sb), _data(m.contract_max_t_sb)

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
    """Expansion build limits (t/month of capacity).

    Continuous: ``Expansion_Build_Limit[e]``: Σ_t Build_t_per_month[e,t] ≤ max_added[e].
    Lumpy: ``Expansion_Build_Limit[e]``: Σ_t Start[e,t] ≤ 1 (starts at most once), and
    ``Expansion_Whole[e,t]``: Build_t_per_month[e,t] − max_added[e] × Start[e,t] = 0
    (built whole or not at all).
    """
    projects = [e for e in m.PROJECTS if lk.builds_of.get(e)]
    if lk.lumpy:
        m.Expansion_Build_Limit = pyo.Constraint(
            projects, rule=lambda m, e: pyo.quicksum(m.Start[e, t] for t in lk.builds_of[e]) <= 1
        )
        m.Expansion_Whole = pyo.Constraint(
            m.BUILD_MONTHS,
            rule=lambda m, e, t: (
                m.Build_t_per_month[e, t] - m.max_added_t_per_month[e] * m.Start[e, t] == 0
            ),
        )
    else:
        m.Expansion_Build_Limit = pyo.Constraint(
            projects,
            rule=lambda m, e: (
                pyo.quicksum(m.Build_t_per_month[e, t] for t in lk.builds_of[e])
                <= m.max_added_t_per_month[e]
            ),
        )


def add_grant_funding(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Grant funding of capex (k$; nominal, paid in the build's start month).

    ``Grant_Share[g,e,t]``: Grant_Paid_kusd[g,e,t] ≤ grant_open[g,e,t] × max_share_pct[g]/100
    × Capex_kusd[e,t], for projects eligible for g started on or after its award month (award
    before the horizon: from month 0); grant_open is 1 on and after the award month, 0 before
    (only mutable models hold months before the award).
    ``Grant_Capex_Cap[e,t]``: Σ_g Grant_Paid_kusd[g,e,t] ≤ Capex_kusd[e,t] (only where the
    eligible grants' shares add up to more than 100 %).
    ``Grant_Amount[g]``: Σ_{e,t} Grant_Paid_kusd[g,e,t] ≤ amount_usd[g] / 1000.
    """
    m.Grant_Share = pyo.Constraint(
        m.GRANT_BUILDS,
        rule=lambda m, g, e, t: (
            m.Grant_Paid_kusd[g, e, t]
            - m.grant_open[g, e, t] * m.grant_max_share_pct[g] / 100.0 * m.Capex_kusd[e, t]
            <= 0
        ),
    )
    cap_index = [
        et
        for et, gs in lk.grants_for.items()
        if lk.mutable or sum(m.grant_max_share_pct[g] for g in gs) > 100.0
    ]
    m.Grant_Capex_Cap = pyo.Constraint(
        cap_index,
        rule=lambda m, e, t: (
            pyo.quicksum(m.Grant_Paid_kusd[g, e, t] for g in lk.grants_for[(e, t)])
            - m.Capex_kusd[e, t]
            <= 0
        ),
    )
    paid_by: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for g, e, t in lk.grant_builds:
        paid_by[g].append((e, t))
    m.Grant_Amount = pyo.Constraint(
        list(paid_by),
        rule=lambda m, g: (
            pyo.quicksum(m.Grant_Paid_kusd[g, e, t] for e, t in paid_by[g])
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


def add_objective(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Maximize discounted margin (k$).

    ``Discounted_Margin_kusd`` = Σ_t discount_factor[t] / 1000 × [spot revenue + contract
    revenue − ore cost − freight − processing − holding − capex + grant money − shortfall
    penalty], each flow in the month it happens (freight at dispatch, capex and grant money in
    the start month, holding on every month-end stock).
    """
    discount = [m.discount_factor[t] for t in m.MONTHS] if lk.mutable else lk.discount
    d = [f / MONEY_SCALE_USD for f in discount]  # discounted k$ per USD
    keep = lk.mutable  # a mutable model keeps zero terms: the data may change
    spot, price = _data(m.Spot_Sb_t), _data(m.spot_price_usd_per_t_sb)
    delivered, contract_price = _data(m.Delivered_Sb_t), _data(m.contract_price_usd_per_t_sb)
    mined, ore_cost = _data(m.Mined_t), _data(m.ore_cost_usd_per_t)
    stock, holding = _data(m.Source_Stock_t), _data(m.source_holding_usd_per_t_month)
    ship, freight = _data(m.Ship_t), _data(m.freight_usd_per_t)
    feed, processing = _data(m.Feed_t), _data(m.processing_usd_per_t)
    yard, yard_holding = _data(m.Yard_Stock_t), _data(m.yard_holding_usd_per_t_month)
    terms = []
    for (p, t), x in spot.items():
        if keep or price[p, t]:
            terms.append(d[t] * price[p, t] * x)
    for (k, _, t), x in delivered.items():
        if keep or contract_price[k]:
            terms.append(d[t] * contract_price[k] * x)
    for (s, t), x in mined.items():
        if keep or ore_cost[s]:
            terms.append(-d[t] * ore_cost[s] * x)
    for (s, t), x in stock.items():
        if keep or holding[s]:
            terms.append(-d[t] * holding[s] * x)
    for (r, t), x in ship.items():
        if keep or freight[r]:
            terms.append(-d[t] * freight[r] * x)
    for (_, p, t), x in feed.items():
        if keep or processing[p]:
            terms.append(-d[t] * processing[p] * x)
    for (_, p, t), x in yard.items():
        if keep or yard_holding[p]:
            terms.append(-d[t] * yard_holding[p] * x)
    for e, t in m.BUILD_MONTHS:
        terms.append(-discount[t] * m.Capex_kusd[e, t])
    terms.extend(discount[t] * m.Grant_Paid_kusd[g, e, t] for g, e, t in m.GRANT_BUILDS)
    penalty = m.shortfall_penalty_usd_per_t_sb if keep else m.shortfall_penalty_usd_per_t_sb.value
    if keep or penalty:
        terms.extend(-d[t] * penalty * x for (_, t), x in _data(m.Shortfall_Sb_t).items())
    m.Discounted_Margin_kusd = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.maximize)


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
