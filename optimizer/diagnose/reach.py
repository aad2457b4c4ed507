"""Upper bounds on what a case can deliver — capacity, route dispatch, supply — by month,
from the input alone (no LP): a requirement above one of them cannot be met."""

from __future__ import annotations

from optimizer.case import Case
from optimizer.model.lookup import Lookup


def expansion_online(case: Case, lk: Lookup, p: str, t: int) -> float:
    """Most expansion capacity that can be online at ``p`` (a smelter, or a source for
    mine-side projects) in month ``t``."""
    total = 0.0
    for e in lk.projects_at.get(p, ()):
        lead = case.expansions[e].lead_time_months
        if any(start + lead <= t for start in lk.starts(e)):
            total += case.expansions[e].max_added_t_per_month
    return total


def capacity_max(case: Case, lk: Lookup, p: str, t: int) -> float:
    """Most ore smelter ``p`` can be fed in month ``t`` (base × availability + expansions)."""
    sm = case.smelters[p]
    return sm.base_capacity_t_per_month * sm.availability_pct[t] / 100.0 + expansion_online(
        case, lk, p, t
    )


def route_cap(case: Case, r: str, t: int) -> float:
    route = case.routes[r]
    return route.capacity_t_per_month * route.availability_pct[t] / 100.0


def dispatch_cum(case: Case, lk: Lookup, r: str, last_sent: int) -> float:
    """Most ore route ``r`` can dispatch in months 0..``last_sent`` (arriving in the horizon)."""
    H = lk.horizon - case.routes[r].transit_months
    return sum(route_cap(case, r, t) for t in range(min(last_sent + 1, H)))


def supply_cum(case: Case, lk: Lookup, s: str, t: int, *, opening: bool = True) -> float:
    """Most ore source ``s`` can have had by the end of month ``t`` (stock + supply max,
    raised by mine-side projects in months whose max is > 0)."""
    base = lk.opening_source_t.get(s, 0.0) if opening else 0.0
    top = case.sources[s].supply_max_t
    return base + sum(
        top[u] + (expansion_online(case, lk, s, u) if top[u] > 0 else 0.0) for u in range(t + 1)
    )


def out_cum(case: Case, lk: Lookup, s: str, t: int) -> float:
    """Most ore that can leave source ``s`` on its routes in months 0..``t``."""
    return sum(dispatch_cum(case, lk, r, t) for r in lk.routes_from.get(s, ()))
