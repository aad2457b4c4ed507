"""Each constraint family's rows in planner words, from the case's own data.

A function per family (reached through its :data:`optimizer.model.families.FAMILIES` entry)
turns one row — its named index ``f`` and month label ``m`` — into a sentence and the input
cells behind it: for a limit, what it allows and the cells that set its right-hand side
("Thompson Falls can be fed at most 150 t": base capacity × availability + expansions); for
a flow balance or link, what it carries between the limits (opening stock, transit times).
``explain`` shows them for the rows of an infeasible case's conflict.
"""

from __future__ import annotations

from collections.abc import Callable

from optimizer.case import Case, row_key
from optimizer.model.lookup import Lookup
from optimizer.planner_words import cell, has_cell, pct, tonnes

Words = tuple[str, list[str]]
WordsFn = Callable[[Case, Lookup, dict, "str | None"], Words]
"""(case, lookup, named index, month label or None) -> (sentence, input cells)."""


def min_feed(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"{p} must be fed at least {tonnes(case.smelters[p].min_feed_t_per_month)}",
        [cell(case, "Smelters", p, "min_feed_t_per_month")],
    )


def smelter_capacity(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p, t = f["p"], f["t"]
    sm = case.smelters[p]
    base = sm.base_capacity_t_per_month * sm.availability_pct[t] / 100.0
    projects = lk.projects_at.get(p, [])
    online = sum(
        case.expansions[e].max_added_t_per_month
        for e in projects
        if any(s + case.expansions[e].lead_time_months <= t for s in lk.starts(e))
    )
    cells = [cell(case, "Smelters", p, "base_capacity_t_per_month")]
    how = f"base {tonnes(sm.base_capacity_t_per_month)} × {pct(sm.availability_pct[t])} available"
    if has_cell(case, "SmelterAvailability", p, m):
        cells.append(cell(case, "SmelterAvailability", p, m))
    if projects:
        how += (
            f", plus up to {tonnes(online)} from expansions online by then"
            if online
            else f"; {' or '.join(projects)} cannot be online by then"
        )
        cells += [cell(case, "Expansions", e, "max_added_t_per_month") for e in projects]
    return f"{p} can be fed at most {tonnes(base + online)} ({how})", cells


def yard_capacity(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"the {p} yard holds at most {tonnes(case.smelters[p].stockpile_capacity_t)}",
        [cell(case, "Smelters", p, "stockpile_capacity_t")],
    )


def _origins(case: Case, lk: Lookup, p: str, attr: str, unit: str) -> str:
    return ", ".join(
        f"{s} {getattr(case.sources[s], attr):g}{unit}" for s in lk.origins_at.get(p, ())
    )


def feed_grade(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"{p} feed must average at least {pct(case.smelters[p].min_feed_grade_pct)} Sb "
        f"(ore that can reach it: {_origins(case, lk, p, 'grade_pct_sb', '%')})",
        [cell(case, "Smelters", p, "min_feed_grade_pct")],
    )


def feed_arsenic(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    limit = case.smelters[p].max_feed_arsenic_pct or 0.0
    return (
        f"{p} feed must average at most {pct(limit)} arsenic (ore that can reach it: "
        f"{_origins(case, lk, p, 'arsenic_pct', '%')})",
        [cell(case, "Smelters", p, "max_feed_arsenic_pct")],
    )


def domestic_share(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"at least {pct(case.smelters[p].min_domestic_share_pct)} of {p} feed must be domestic",
        [cell(case, "Smelters", p, "min_domestic_share_pct")],
    )


def extraction(bound: str) -> WordsFn:
    """Words of the ``max`` or ``min`` Supply limit."""

    def words(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
        s = f["s"]
        src = case.sources[s]
        value = (src.supply_max_t if bound == "max" else src.supply_min_t)[f["t"]]
        verb = "can supply at most" if bound == "max" else "must supply at least"
        return f"{s} {verb} {tonnes(value)}", [cell(case, "Supply", row_key(s, bound), m)]

    return words


def extraction_expanded(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    """Words of a Supply max that mine-side projects may raise."""
    s = f["s"]
    projects = " or ".join(lk.projects_at.get(s, ()))
    value = case.sources[s].supply_max_t[f["t"]]
    return (
        f"{s} can supply at most {tonnes(value)} plus what {projects} adds once online",
        [cell(case, "Supply", row_key(s, "max"), m)],
    )


def source_stockpile(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    s = f["s"]
    return (
        f"the {s} stockpile holds at most {tonnes(case.sources[s].stockpile_capacity_t)}",
        [cell(case, "Sources", s, "stockpile_capacity_t")],
    )


def route_capacity(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    r, t = f["r"], f["t"]
    route = case.routes[r]
    cells = [cell(case, "Routes", r, "capacity_t_per_month")]
    if has_cell(case, "RouteAvailability", r, m):
        cells.append(cell(case, "RouteAvailability", r, m))
    cap = route.capacity_t_per_month * route.availability_pct[t] / 100.0
    return (
        f"route {r} can dispatch at most {tonnes(cap)} "
        f"({tonnes(route.capacity_t_per_month)}/month × {pct(route.availability_pct[t])} "
        "open)",
        cells,
    )


def _opening_cells(case: Case, location: str, source: str | None = None) -> list[str]:
    """The OpeningStock cells of ``location`` (of one ``source`` only, when given)."""
    return [
        cell(case, "OpeningStock", f"{o.location}|{o.source}", "tonnes")
        for o in case.opening_stock
        if o.location == location and source in (None, o.source) and o.tonnes > 0
    ]


def end_stock(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    loc = f["loc"]
    opening = sum(o.tonnes for o in case.opening_stock if o.location == loc)
    cells = [cell(case, "Settings", "end_stock_policy", "value"), *_opening_cells(case, loc)]
    return (
        f"{loc} must end the horizon with at least its opening {tonnes(opening)} "
        "(end_stock_policy keep_opening)",
        cells,
    )


def build_limit(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    e = f["e"]
    size = tonnes(case.expansions[e].max_added_t_per_month)
    if lk.mode == "lumpy":
        text = f"{e} is built whole ({size}/month) at most once"
    elif lk.mode == "single":
        text = f"{e} starts at most once, adding at most {size}/month"
    else:
        text = f"{e} adds at most {size}/month"
    return text, [cell(case, "Expansions", e, "max_added_t_per_month")]


def shortfall(case: Case, f: dict, m: str | None) -> Words:
    """Words of the bound Shortfall_Sb_t[k,t] ≤ the contract's minimum."""
    k = f["k"]
    minimum = case.contracts[k].min_t_sb_per_month
    return (
        f"contract {k} can be short at most its {tonnes(minimum)} Sb minimum",
        [cell(case, "Contracts", k, "min_t_sb_per_month")],
    )


def actual(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    """Words of a decision locked by ``Actuals`` (a closed month), with its rows' cells."""
    kind, rid, origin = f["kind"], f["id"], f["origin"]
    tonnes_text = tonnes(lk.actuals_t[kind, rid, origin, f["t"]])
    what = {
        "mined": f"{rid} mined",
        "shipped": f"route {rid} dispatched",
        "fed": f"{rid} fed {tonnes_text} of {origin} ore",
        "stock": f"the {rid} {'yard' if origin else 'stockpile'} held"
        + (f" {tonnes_text} of {origin} ore" if origin else ""),
    }[kind]
    if kind in ("mined", "shipped") or (kind == "stock" and not origin):
        what += f" {tonnes_text}"
    key = row_key(m, kind, rid, origin)
    cells = (
        [cell(case, "Actuals", key, "tonnes")] if has_cell(case, "Actuals", key, "tonnes") else []
    )
    recorded = "recorded in Actuals" if cells else "no Actuals row: locked at 0 in a closed month"
    return f"{what} ({recorded})", cells


# --- links: flow balances carry ore between the limits and set no limit of their own -------


def source_balance(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    s = f["s"]
    cells = _opening_cells(case, s) if f["t"] == 0 else []
    return f"ore balance of the {s} stockpile", cells


def yard_balance(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    s, p = f["s"], f["p"]
    lanes = [
        (r, route) for r, route in case.routes.items() if (route.source, route.smelter) == (s, p)
    ]
    cells = [
        cell(case, "Routes", r, "transit_months") for r, route in lanes if route.transit_months > 0
    ]
    if f["t"] == 0:
        cells += _opening_cells(case, p, s)
    via = ", ".join(
        f"{r} ({route.transit_months} month{'s' * (route.transit_months != 1)} in transit)"
        for r, route in lanes
    )
    via = f" via {via}" if via else " (no route: only opening stock)"
    return f"{s} ore reaching the {p} yard{via}", cells


def sb_sales(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    return f"Sb produced at {f['p']} is sold", []


def expansion_whole(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    e = f["e"]
    return f"{e} is built whole", [cell(case, "Expansions", e, "max_added_t_per_month")]


def size_max(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    e = f["e"]
    size = tonnes(case.expansions[e].max_added_t_per_month)
    return (
        f"{e}, if started, adds at most {size}/month",
        [cell(case, "Expansions", e, "max_added_t_per_month")],
    )


def size_min(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    e = f["e"]
    size = tonnes(case.expansions[e].min_added_t_per_month)
    return (
        f"{e}, if started, adds at least {size}/month",
        [cell(case, "Expansions", e, "min_added_t_per_month")],
    )
