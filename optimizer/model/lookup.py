"""What every constraint family needs from the case, derived once in plain Python.

Index sets are sparse: a route has dispatch months only while its arrival falls inside the
horizon; a yard (origin, smelter) pair exists only when a route or opening stock links them;
a decided project has start months only between its earliest and latest start, while it
would come online inside the horizon and all its capex payments fall inside it (a later
start adds no capacity and only costs money). A committed project has no start decision:
its one start (possibly before the horizon) brings its whole size online after its lead
time, and only its payments inside the horizon are charged. A mine-side project raises its
source's supply max in ``expanded_supply``: the source-months whose max is > 0 (a closed
season stays closed).

Numerics: money inside the model is in k$ (``MONEY_SCALE_USD`` USD) so HiGHS sees tame
coefficient ranges; tonnes stay tonnes, percentages stay percent. Results are in USD.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from optimizer.case import Case
from optimizer.inputs.schema import ANY_SMELTER

MONEY_SCALE_USD = 1000.0  # one model money unit (k$) in USD


@dataclass
class Lookup:
    """Sparse index sets and adjacency derived once from the case (plain Python)."""

    horizon: int
    lumpy: bool  # project starts are binary decisions (single and lumpy modes: a MILP)
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
    projects_at: dict[str, list[str]]  # smelter or source (mine-side) -> its projects
    payments: list[tuple[str, int, int]]  # (e, start, payment month) charged in the horizon
    grant_payments: list[tuple[str, str, int, int]]  # (g, e, start, payment month)
    grants_for: dict[tuple[str, int, int], list[str]] = field(default_factory=dict)
    committed: dict[str, int] = field(default_factory=dict)  # project -> decided start
    mode: str = "continuous"  # expansion_mode: continuous | single | lumpy
    committed_payment_kusd: dict[tuple[str, int, int], float] = field(default_factory=dict)
    committed_online_t: dict[tuple[str, int], float] = field(default_factory=dict)  # (site, t)
    expanded_supply: list[tuple[str, int]] = field(default_factory=list)  # (s, t), see below
    contract_months: list[tuple[str, int]] = field(default_factory=list)
    shortfall_months: list[tuple[str, int]] = field(default_factory=list)
    deliveries: list[tuple[str, str, int]] = field(default_factory=list)
    contract_smelters: dict[str, list[str]] = field(default_factory=dict)
    contracts_at: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    in_transit_t: dict[tuple[str, str, int], float] = field(default_factory=dict)  # (s, p, t)
    actuals_t: dict[tuple[str, str, str, int], float] = field(default_factory=dict)
    """Locked decisions (kind, id, origin, t) -> tonnes: see :func:`locked_actuals`."""

    def starts(self, e: str) -> list[int]:
        """Every month project ``e`` may start in (ascending): its committed start, or its
        decided start months."""
        return [self.committed[e]] if e in self.committed else self.builds_of.get(e, [])


def discount_factor(rate_pct_per_year: float, month: int) -> float:
    """``(1 + rate)^(-month / 12)``: month 0 is undiscounted."""
    return (1.0 + rate_pct_per_year / 100.0) ** (-month / 12.0)


def build_lookup(case: Case, *, mutable: bool = False) -> Lookup:
    """Every sparse index the families need, computed in one pass over the case.

    ``payments`` holds (e, start, u): the capex of project e started in ``start`` paid in month
    u (decided starts and the committed start). ``grant_payments`` holds (g, e, start, u) for
    the payments of projects eligible for g started on or after g's award month — or of any
    start for a ``mutable`` model (the ``grant_open`` parameter then closes the starts before
    the award, so a new award month is new data).
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
    payments: list[tuple[str, int, int]] = []
    committed: dict[str, int] = {}
    committed_payment: dict[tuple[str, int, int], float] = {}
    committed_online: dict[tuple[str, int], float] = defaultdict(float)
    lumpy = case.settings.expansion_mode != "continuous"
    for e, x in case.expansions.items():
        projects_at[x.site].append(e)
        if x.committed_start is not None:
            c = committed[e] = x.committed_start
            payments += [(e, c, u) for u in x.payment_months(c)]
            whole = x.capex_usd_per_t_per_month * x.max_added_t_per_month
            whole += x.fixed_capex_usd if lumpy else 0.0
            for u in x.payment_months(c):
                committed_payment[(e, c, u)] = whole / x.capex_months / MONEY_SCALE_USD
            for t in range(max(c + x.lead_time_months, 0), H):
                committed_online[(x.site, t)] += x.max_added_t_per_month
            continue
        last = min(x.latest_start, H - 1 - x.lead_time_months, H - x.capex_months)
        for t in range(max(x.earliest_start, 0), last + 1):
            build_months.append((e, t))
            builds_of[e].append(t)
            payments += [(e, t, u) for u in x.payment_months(t)]
    payments = [(e, t, u) for e, t, u in payments if 0 <= u < H]
    committed_payment = {k: v for k, v in committed_payment.items() if 0 <= k[2] < H}

    grant_payments: list[tuple[str, str, int, int]] = []
    grants_for: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for g, grant in case.grants.items():
        eligible = set(grant.eligible_projects)
        for e, t, u in payments:
            if e in eligible and (mutable or t >= grant.award):
                grant_payments.append((g, e, t, u))
                grants_for[(e, t, u)].append(g)

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

    in_transit: dict[tuple[str, str, int], float] = defaultdict(float)
    for x in case.in_transit:
        route = case.routes[x.route]
        if 0 <= x.arrival < H:
            in_transit[(route.source, route.smelter, x.arrival)] += x.tonnes

    rate = case.settings.discount_rate_pct_per_year
    return Lookup(
        horizon=H,
        lumpy=lumpy,
        mode=case.settings.expansion_mode,
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
        expanded_supply=[
            (s, t)
            for s, source in case.sources.items()
            if projects_at.get(s)
            for t in months
            if source.supply_max_t[t] > 0
        ],
        payments=payments,
        grant_payments=grant_payments,
        grants_for=dict(grants_for),
        committed=committed,
        committed_payment_kusd=committed_payment,
        committed_online_t=dict(committed_online),
        contract_months=contract_months,
        shortfall_months=shortfall_months,
        deliveries=deliveries,
        contract_smelters=contract_smelters,
        contracts_at=dict(contracts_at),
        in_transit_t=dict(in_transit),
        actuals_t=locked_actuals(case, route_months, pairs),
    )


def locked_actuals(
    case: Case, route_months: list[tuple[str, int]], pairs: list[tuple[str, str]]
) -> dict[tuple[str, str, str, int], float]:
    """The decisions ``Actuals`` lock, (kind, id, origin, t) -> tonnes, in the months of the
    horizon with any Actuals row: every mined (source), shipped (route, where it can be
    dispatched) and fed (smelter, origin) decision of such a month — the sum of its rows, 0
    without one — and each month-end stock with a row (a source's stockpile: origin ""; a
    smelter yard: by origin)."""
    H = case.horizon
    given: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for a in case.actuals:
        if 0 <= a.month < H:
            by_origin = a.kind == "fed" or (a.kind == "stock" and a.id in case.smelters)
            origin = a.origin if by_origin else ""
            given[(a.kind, a.id, origin, a.month)] += a.tonnes
    locked = sorted({t for *_, t in given})
    out: dict[tuple[str, str, str, int], float] = {}
    for t in locked:
        for s in case.sources:
            out[("mined", s, "", t)] = given.get(("mined", s, "", t), 0.0)
        for r, u in route_months:
            if u == t:
                out[("shipped", r, "", t)] = given.get(("shipped", r, "", t), 0.0)
        for s, p in pairs:
            out[("fed", p, s, t)] = given.get(("fed", p, s, t), 0.0)
    out.update({key: v for key, v in given.items() if key[0] == "stock"})
    return out
