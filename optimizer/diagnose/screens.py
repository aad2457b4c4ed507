"""Pre-solve screens: fast checks on a validated Case that catch the usual causes of an
infeasible case and name the input cells involved, before any LP is built.

Each screen compares a requirement with an *upper bound* on what the case can deliver
(capacities, route limits, transit lags, supply), so a conflict it reports is a proof of
infeasibility — a screen never flags a feasible case. Cases it cannot settle are left to
the HiGHS IIS (:mod:`optimizer.diagnose.explain`). The upper bounds are in
:mod:`optimizer.diagnose.reach`; :func:`run_screens` also adds the *notes* of
:mod:`optimizer.diagnose.notes`: inputs that cannot make a case infeasible but almost certainly
are not what the planner meant.
"""

from __future__ import annotations

import math

import highspy
import numpy as np

from optimizer.case import Case
from optimizer.diagnose.findings import CONFLICT, NOTE, TOL, Finding
from optimizer.diagnose.notes import windows
from optimizer.diagnose.reach import (
    capacity_max,
    dispatch_cum,
    expansion_online,
    out_cum,
    route_cap,
    supply_cum,
)
from optimizer.model.lookup import Lookup, build_lookup
from optimizer.planner_words import (
    cell,
    has_cell,
    month_ranges,
    months_word,
    pct,
    possessive,
    span,
    tonnes,
)


def min_feed_capacity(case: Case, lk: Lookup) -> list[Finding]:
    """Minimum feed above the most a smelter can take in a month."""
    out = []
    for p, sm in case.smelters.items():
        need = sm.min_feed_t_per_month
        bad = [t for t in range(lk.horizon) if need > capacity_max(case, lk, p, t) + TOL]
        if need <= 0 or not bad:
            continue
        t0 = min(bad, key=lambda t: capacity_max(case, lk, p, t))
        months = [case.months[t] for t in bad]
        cap0 = capacity_max(case, lk, p, t0)
        cells = [
            cell(case, "Smelters", p, "min_feed_t_per_month"),
            cell(case, "Smelters", p, "base_capacity_t_per_month"),
        ]
        avail = f"{pct(sm.availability_pct[t0])} available"
        if has_cell(case, "SmelterAvailability", p, case.months[t0]):
            avail += f" ({cell(case, 'SmelterAvailability', p, case.months[t0])})"
            cells.append(cell(case, "SmelterAvailability", p, case.months[t0]))
        extra = expansion_online(case, lk, p, t0)
        projects = lk.projects_at.get(p, [])
        detail = (
            f"{p} must be fed at least {tonnes(need)} every month ({cells[0]}), but in "
            f"{case.months[t0]} it can take at most {tonnes(cap0)}: base capacity "
            f"{tonnes(sm.base_capacity_t_per_month)}/month ({cells[1]}) × {avail}"
        )
        if extra:
            detail += f" + {tonnes(extra)} from expansions online by then"
        elif projects:
            detail += f"; no expansion ({', '.join(projects)}) can be online by then"
            cells += [cell(case, "Expansions", e, "earliest_start_month") for e in projects]
        out.append(
            Finding(
                CONFLICT,
                f"{p} cannot take its minimum feed in {month_ranges(months, case.months)}",
                detail + ".",
                f"{_lower_to(cells[0], cap0)}, or raise "
                f"{possessive(p)} capacity or availability in "
                f"{month_ranges(months, case.months)}.",
                tuple(cells),
                tuple(months),
            )
        )
    return out


def _lower_to(where: str, most: float) -> str:
    """``lower min_feed_t_per_month (Smelters!I2) to at most 100 t`` (or ``set ... to 0``)."""
    most = math.floor(most + TOL)
    if most <= 0:
        return f"set min_feed_t_per_month ({where}) to 0"
    return f"lower min_feed_t_per_month ({where}) to at most {tonnes(most)}"


def _reach(
    case: Case, lk: Lookup, p: str, t: int, opening: bool
) -> tuple[float, list[str], list[str]]:
    """Most ore that can have reached smelter ``p`` by the end of month ``t``, with the
    planner words and cells of each contribution."""
    parts, cells = [], []
    total = 0.0
    yard = sum(x for (s, q), x in lk.opening_yard_t.items() if q == p) if opening else 0.0
    if yard:
        total += yard
        parts.append(f"opening stock {tonnes(yard)} in its yard (OpeningStock)")
    lanes: dict[str, list[str]] = {}
    for r, route in case.routes.items():
        if route.smelter == p:
            lanes.setdefault(route.source, []).append(r)
    for s, routes in lanes.items():
        by_route = {r: dispatch_cum(case, lk, r, t - case.routes[r].transit_months) for r in routes}
        lag = min(case.routes[r].transit_months for r in routes)
        supply = supply_cum(case, lk, s, t - lag, opening=opening)
        amount = min(sum(by_route.values()), supply)
        total += amount
        for r in routes:
            route = case.routes[r]
            cap_cell = cell(case, "Routes", r, "capacity_t_per_month")
            tr_cell = cell(case, "Routes", r, "transit_months")
            cells += [cap_cell, tr_cell]
            text = (
                f"route {r} ≤ {tonnes(by_route[r])} dispatched in time (capacity "
                f"{tonnes(route.capacity_t_per_month)}/month {cap_cell}, transit "
                f"{months_word(route.transit_months)} {tr_cell}"
            )
            if any(a < 100 for a in route.availability_pct[: t + 1]):
                avail = span(case, "RouteAvailability", r, case.months[: t + 1])
                text += f", availability {avail}"
                cells.append(avail)
            parts.append(text + ")")
        if supply < sum(by_route.values()) - TOL:
            supply_cells = span(case, "Supply", f"{s}|max", case.months[: max(t - lag, 0) + 1])
            parts.append(f"{s} can supply only {tonnes(supply)} in time ({supply_cells})")
            cells.append(supply_cells)
    if not parts:
        parts.append(f"no route and no opening stock brings ore to {p}")
    return total, parts, cells


def min_feed_reach(case: Case, lk: Lookup) -> list[Finding]:
    """Minimum feed above the ore that can have reached a smelter by each month (routes,
    availability, transit lags, supply; under keep_opening, not the opening stocks)."""
    out = []
    keep = case.settings.end_stock_policy == "keep_opening"
    for p, sm in case.smelters.items():
        need = sm.min_feed_t_per_month
        if need <= 0:
            continue
        checks = [(t, True) for t in range(lk.horizon)]
        if keep:
            checks.append((lk.horizon - 1, False))
        for t, opening in checks:
            reach, parts, cells = _reach(case, lk, p, t, opening)
            if need * (t + 1) <= reach + TOL:
                continue
            m = case.months[t]
            mf = cell(case, "Smelters", p, "min_feed_t_per_month")
            detail = (
                f"{p} must be fed at least {tonnes(need)} every month ({mf}), "
                f"{tonnes(need * (t + 1))} by the end of {m}, but at most "
                f"{tonnes(reach)} of ore can have reached it by then: " + "; ".join(parts) + "."
            )
            fix = (
                f"{_lower_to(mf, reach / (t + 1))}, or bring ore sooner: more "
                f"route capacity or availability, opening stock at {p}, or a faster route."
            )
            if not opening:
                policy = cell(case, "Settings", "end_stock_policy", "value")
                detail += (
                    f" end_stock_policy keep_opening ({policy}) means the opening stocks "
                    "must be back in place at the end, so they cannot be fed."
                )
                fix = fix[:-1] + f", or set end_stock_policy to free ({policy})."
                cells.append(policy)
            out.append(
                Finding(
                    CONFLICT,
                    f"{p} cannot be fed its minimum: not enough ore can reach it by {m}",
                    detail,
                    fix,
                    (mf, *cells),
                    (m,),
                )
            )
            break
    return out


def _mix_possible(rows: list[list[float]]) -> bool:
    """Is there a mix w ≥ 0, Σw = 1 with Σ w × row ≥ 0 for every row (one column per ore)?"""
    n = len(rows[0])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.addRow(1.0, 1.0, n, np.arange(n, dtype=np.int32), np.ones(n))
    for row in rows:
        h.addRow(
            0.0, highspy.kHighsInf, n, np.arange(n, dtype=np.int32), np.array(row, dtype=np.double)
        )
    h.run()
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def blend_limits(case: Case, lk: Lookup) -> list[Finding]:
    """A smelter that must be fed every month but no mix of the ore that can reach it meets
    its grade, arsenic and domestic-share limits."""
    out = []
    for p, sm in case.smelters.items():
        origins = lk.origins_at.get(p, [])
        if sm.min_feed_t_per_month <= 0 or not origins:
            continue
        src = [case.sources[s] for s in origins]
        limits: list[tuple[str, list[float], str]] = []
        if sm.min_feed_grade_pct > 0:
            best = max(src, key=lambda x: x.grade_pct_sb)
            limits.append(
                (
                    f"average grade ≥ {pct(sm.min_feed_grade_pct)} Sb "
                    f"({cell(case, 'Smelters', p, 'min_feed_grade_pct')}); the best ore that can "
                    f"reach it is {best.source} at {pct(best.grade_pct_sb)} "
                    f"({cell(case, 'Sources', best.source, 'grade_pct_sb')})",
                    [x.grade_pct_sb - sm.min_feed_grade_pct for x in src],
                    "min_feed_grade_pct",
                )
            )
        if sm.max_feed_arsenic_pct is not None:
            low = min(src, key=lambda x: x.arsenic_pct)
            limits.append(
                (
                    f"average arsenic ≤ {pct(sm.max_feed_arsenic_pct)} "
                    f"({cell(case, 'Smelters', p, 'max_feed_arsenic_pct')}); the cleanest ore that "
                    f"can reach it is {low.source} at {pct(low.arsenic_pct)} "
                    f"({cell(case, 'Sources', low.source, 'arsenic_pct')})",
                    [sm.max_feed_arsenic_pct - x.arsenic_pct for x in src],
                    "max_feed_arsenic_pct",
                )
            )
        if sm.min_domestic_share_pct > 0:
            domestic = [x.source for x in src if x.domestic]
            limits.append(
                (
                    f"domestic share ≥ {pct(sm.min_domestic_share_pct)} "
                    f"({cell(case, 'Smelters', p, 'min_domestic_share_pct')}); domestic ore that "
                    f"can reach it: {', '.join(domestic) or 'none'}",
                    [(100.0 if x.domestic else 0.0) - sm.min_domestic_share_pct for x in src],
                    "min_domestic_share_pct",
                )
            )
        if not limits or _mix_possible([row for _, row, _ in limits]):
            continue
        alone = [x for x in limits if not _mix_possible([x[1]])] or limits
        mf = cell(case, "Smelters", p, "min_feed_t_per_month")
        how = "none of them meets" if len(alone) == 1 else "no mix meets together"
        detail = (
            f"{p} must be fed at least {tonnes(sm.min_feed_t_per_month)} every month "
            f"({mf}), but of the ore that can reach it ({', '.join(origins)}) {how}: "
            + "; ".join(text for text, _, _ in alone)
            + "."
        )
        columns = [c for _, _, c in alone]
        fix = (
            f"relax {', '.join(cell(case, 'Smelters', p, c) for c in columns)}, set "
            f"min_feed_t_per_month to 0 ({mf}), or add a route from a source that meets "
            "the limits."
        )
        cells = (mf, *(cell(case, "Smelters", p, c) for c in columns))
        out.append(
            Finding(
                CONFLICT, f"no ore mix that can reach {p} meets its feed limits", detail, fix, cells
            )
        )
    return out


def opening_stock(case: Case, lk: Lookup) -> list[Finding]:
    """Opening stock above a stockpile or yard plus what can leave it in the first month."""
    out = []
    m0 = case.months[0]
    for s, stock in lk.opening_source_t.items():
        src = case.sources[s]
        leave = out_cum(case, lk, s, 0)
        if stock <= src.stockpile_capacity_t + leave + TOL:
            continue
        rows = _opening_cells(case, s)
        cap = cell(case, "Sources", s, "stockpile_capacity_t")
        out.append(
            Finding(
                CONFLICT,
                f"opening stock at {s} does not fit its stockpile",
                f"{tonnes(stock)} of ore start in the {s} stockpile ({', '.join(rows)}), but it "
                f"holds {tonnes(src.stockpile_capacity_t)} ({cap}) and at most {tonnes(leave)} can "
                f"be shipped out in {m0}.",
                f"lower the opening stock to at most {tonnes(src.stockpile_capacity_t + leave)} or "
                f"raise stockpile_capacity_t ({cap}) to at least "
                f"{tonnes(math.ceil(stock - leave))}.",
                (*rows, cap),
                (m0,),
            )
        )
    for p, sm in case.smelters.items():
        stock = sum(x for (s, q), x in lk.opening_yard_t.items() if q == p)
        fed = capacity_max(case, lk, p, 0)
        if stock <= sm.stockpile_capacity_t + fed + TOL:
            continue
        rows = _opening_cells(case, p)
        cap = cell(case, "Smelters", p, "stockpile_capacity_t")
        out.append(
            Finding(
                CONFLICT,
                f"opening stock at {p} does not fit its yard",
                f"{tonnes(stock)} of ore start in the {p} yard ({', '.join(rows)}), but it holds "
                f"{tonnes(sm.stockpile_capacity_t)} ({cap}) and at most {tonnes(fed)} can be fed "
                f"in {m0}.",
                f"lower the opening stock to at most {tonnes(sm.stockpile_capacity_t + fed)} or "
                f"raise stockpile_capacity_t ({cap}) to at least {tonnes(math.ceil(stock - fed))}.",
                (*rows, cap),
                (m0,),
            )
        )
    return out


def _opening_cells(case: Case, location: str) -> list[str]:
    return [
        cell(case, "OpeningStock", f"{o.location}|{o.source}", "tonnes")
        for o in case.opening_stock
        if o.location == location and o.tonnes > 0
    ]


def _lanes(case: Case, lk: Lookup, s: str) -> str:
    """Each route out of ``s``: its monthly limit, closures and last useful dispatch month."""
    parts = []
    for r in lk.routes_from.get(s, []):
        route = case.routes[r]
        text = (
            f"{r} ≤ {tonnes(route.capacity_t_per_month)}/month "
            f"({cell(case, 'Routes', r, 'capacity_t_per_month')}"
        )
        if any(a < 100 for a in route.availability_pct):
            text += f", availability {span(case, 'RouteAvailability', r, case.months)}"
        last = lk.horizon - route.transit_months - 1
        if route.transit_months and last < lk.horizon - 1:
            text += (f", nothing after {case.months[last]}" if last >= 0 else ", never") + (
                f": {months_word(route.transit_months)} in transit "
                f"({cell(case, 'Routes', r, 'transit_months')}) would arrive after the horizon"
            )
        parts.append(text + ")")
    return "; ".join(parts) or "it has no route"


def supply_min(case: Case, lk: Lookup, skip: set[str]) -> list[Finding]:
    """A supply minimum that no route or stockpile can absorb. Month by month, ship as much
    as the routes allow (shipping more never hurts this source later): whatever the stockpile
    cannot then hold has nowhere to go — exact for the source alone, downstream ignored."""
    out = []
    for s, src in case.sources.items():
        if s in skip or not any(src.supply_min_t):
            continue
        cap = src.stockpile_capacity_t
        stock = held = peak = lk.opening_source_t.get(s, 0.0)  # held: with no stockpile limit
        excess, bad = 0.0, []
        for t in range(lk.horizon):
            leave = sum(
                route_cap(case, r, t)
                for r in lk.routes_from.get(s, ())
                if t < lk.horizon - case.routes[r].transit_months
            )
            stock = max(0.0, stock + src.supply_min_t[t] - leave)
            held = max(0.0, held + src.supply_min_t[t] - leave)
            peak = max(peak, held)
            if stock > cap + TOL:
                excess += stock - cap
                bad.append(case.months[t])
                stock = cap
        if not bad:
            continue
        mins = span(case, "Supply", f"{s}|min", case.months)
        where = cell(case, "Sources", s, "stockpile_capacity_t")
        opening = lk.opening_source_t.get(s, 0.0)
        when = month_ranges(bad, case.months)
        detail = (
            f"{s} must produce its Supply min every month ({mins})"
            + (f" on top of {tonnes(opening)} opening stock" if opening else "")
            + f", but its routes can take only: {_lanes(case, lk, s)}; and its stockpile "
            f"holds {tonnes(cap)} ({where}). Even shipping all it can, {tonnes(excess)} "
            f"have nowhere to go in {when}."
        )
        out.append(
            Finding(
                CONFLICT,
                f"the supply minimum of {s} cannot be absorbed in {when}",
                detail,
                f"lower the Supply min of {s} by at least "
                f"{tonnes(math.ceil(excess - TOL))} in total "
                f"up to {bad[-1]} ({mins}), raise stockpile_capacity_t ({where}) to at least "
                f"{tonnes(math.ceil(peak - TOL))}, or raise its route capacity.",
                (mins, where),
                tuple(bad),
            )
        )
    return out


def run_screens(case: Case) -> list[Finding]:
    """Every screen, conflicts first (in the order a planner would check them), then notes."""
    lk = build_lookup(case)
    opening = opening_stock(case, lk)
    flagged = {
        s
        for s, stock in lk.opening_source_t.items()
        if stock > case.sources[s].stockpile_capacity_t + out_cum(case, lk, s, 0) + TOL
    }
    found = (
        min_feed_capacity(case, lk)
        + min_feed_reach(case, lk)
        + blend_limits(case, lk)
        + opening
        + supply_min(case, lk, flagged)
        + windows(case, lk)
    )
    return [f for f in found if f.kind == CONFLICT] + [f for f in found if f.kind == NOTE]
