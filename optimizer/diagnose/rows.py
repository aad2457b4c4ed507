"""Model rows and columns in planner words: which input cells set a constraint's limit,
and which input value (a *knob*) relaxes it.

Every constraint family of :mod:`optimizer.model.build` maps here to a sentence ("Thompson Falls
can be fed at most 150 t") and the cells that set its right-hand side (base capacity ×
availability + expansions; a Supply month cell; min feed; ...). Flow balances set no limit
of their own: they are the *links* that carry ore between the limits (opening stock,
transit times), and are summarized as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from optimizer.case import Case, row_key
from optimizer.model.build import Lookup
from optimizer.planner_words import cell, has_cell, pct, tonnes
from optimizer.solve.duals import FAMILIES as DUAL_FAMILIES

LINKS = ("Source_Balance", "Yard_Balance", "Sb_Sales", "Expansion_Whole")
"""Families that only carry quantities between the limits."""

# family -> how its limit is relaxed: one knob for the whole row id ("scalar": one input
# cell sets every month) or one knob per month ("monthly").
KNOBS = {
    "Min_Feed": "scalar",
    "Source_Stockpile_Capacity": "scalar",
    "Yard_Capacity": "scalar",
    "Smelter_Capacity": "monthly",
    "Route_Capacity": "monthly",
    "Extraction_Max": "monthly",
    "Extraction_Min": "monthly",
    "Feed_Grade": "monthly",
    "Feed_Arsenic": "monthly",
    "Domestic_Share": "monthly",
    "End_Stock": "per location",
    "Expansion_Build_Limit": "scalar",
}


@dataclass(frozen=True)
class Statement:
    """One limit of the conflict in planner words, with the cells that set it."""

    family: str
    ids: tuple[str, ...]  # row ids without the month
    text: str  # "Thompson Falls can be fed at most 150 t"
    cells: tuple[str, ...]
    month: str | None = None


def fields(con: pyo.ConstraintData) -> tuple[str, dict]:
    """(family name, named index) of a model constraint or variable, e.g. ``{"p": ..., "t": 3}``."""
    name = con.parent_component().name
    idx = con.index()
    index = idx if isinstance(idx, tuple) else (idx,)
    fam = DUAL_FAMILIES.get(name)
    names = fam.names if fam else tuple(f"i{n}" for n in range(len(index)))
    return name, dict(zip(names, index, strict=False))


def knob_of(con: pyo.ConstraintData, lumpy: bool) -> tuple[tuple[str, str], object] | None:
    """((family, row id), knob id) of a relaxable row, or None for a row no input relaxes."""
    name, f = fields(con)
    kind = KNOBS.get(name)
    if kind is None or (lumpy and name == "Expansion_Build_Limit"):
        return None
    if name == "End_Stock":  # one setting relaxes every location's end stock
        return (name, "*"), ((name, "*"), f["loc"])
    group = (name, str(next(v for k, v in f.items() if k != "t")))
    return group, (group if kind == "scalar" else (group, f.get("t")))


def describe(case: Case, lk: Lookup, con: pyo.ConstraintData) -> Statement | None:
    """The limit a constraint sets, in planner words; None for a link (a flow balance)."""
    name, f = fields(con)
    if name in LINKS:
        return None
    t = f.get("t")
    month = case.months[t] if t is not None else None
    ids = tuple(str(v) for k, v in f.items() if k != "t")
    text, cells = WORDS.get(name, _other(name))(case, lk, f, month)
    return Statement(name, ids, text, tuple(cells), month)


Words = tuple[str, list[str]]


def _min_feed(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"{p} must be fed at least {tonnes(case.smelters[p].min_feed_t_per_month)}",
        [cell(case, "Smelters", p, "min_feed_t_per_month")],
    )


def _smelter_capacity(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p, t = f["p"], f["t"]
    sm = case.smelters[p]
    base = sm.base_capacity_t_per_month * sm.availability_pct[t] / 100.0
    projects = lk.projects_at.get(p, [])
    online = sum(
        case.expansions[e].max_added_t_per_month
        for e in projects
        if any(s + case.expansions[e].lead_time_months <= t for s in lk.builds_of.get(e, ()))
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


def _yard_capacity(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"the {p} yard holds at most {tonnes(case.smelters[p].stockpile_capacity_t)}",
        [cell(case, "Smelters", p, "stockpile_capacity_t")],
    )


def _origins(case: Case, lk: Lookup, p: str, attr: str, unit: str) -> str:
    return ", ".join(
        f"{s} {getattr(case.sources[s], attr):g}{unit}" for s in lk.origins_at.get(p, ())
    )


def _feed_grade(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"{p} feed must average at least {pct(case.smelters[p].min_feed_grade_pct)} Sb "
        f"(ore that can reach it: {_origins(case, lk, p, 'grade_pct_sb', '%')})",
        [cell(case, "Smelters", p, "min_feed_grade_pct")],
    )


def _feed_arsenic(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    limit = case.smelters[p].max_feed_arsenic_pct or 0.0
    return (
        f"{p} feed must average at most {pct(limit)} arsenic (ore that can reach it: "
        f"{_origins(case, lk, p, 'arsenic_pct', '%')})",
        [cell(case, "Smelters", p, "max_feed_arsenic_pct")],
    )


def _domestic_share(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    p = f["p"]
    return (
        f"at least {pct(case.smelters[p].min_domestic_share_pct)} of {p} feed must be domestic",
        [cell(case, "Smelters", p, "min_domestic_share_pct")],
    )


def _extraction(bound: str):
    def words(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
        s = f["s"]
        src = case.sources[s]
        value = (src.supply_max_t if bound == "max" else src.supply_min_t)[f["t"]]
        verb = "can supply at most" if bound == "max" else "must supply at least"
        return f"{s} {verb} {tonnes(value)}", [cell(case, "Supply", row_key(s, bound), m)]

    return words


def _source_stockpile(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    s = f["s"]
    return (
        f"the {s} stockpile holds at most {tonnes(case.sources[s].stockpile_capacity_t)}",
        [cell(case, "Sources", s, "stockpile_capacity_t")],
    )


def _route_capacity(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
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


def _end_stock(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    loc = f["loc"]
    opening = sum(o.tonnes for o in case.opening_stock if o.location == loc)
    cells = [cell(case, "Settings", "end_stock_policy", "value")]
    cells += [
        cell(case, "OpeningStock", f"{o.location}|{o.source}", "tonnes")
        for o in case.opening_stock
        if o.location == loc and o.tonnes > 0
    ]
    return (
        f"{loc} must end the horizon with at least its opening {tonnes(opening)} "
        "(end_stock_policy keep_opening)",
        cells,
    )


def _build_limit(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
    e = f["e"]
    size = tonnes(case.expansions[e].max_added_t_per_month)
    text = (
        f"{e} is built whole ({size}/month) at most once"
        if lk.lumpy
        else f"{e} adds at most {size}/month"
    )
    return text, [cell(case, "Expansions", e, "max_added_t_per_month")]


def _other(name: str):
    def words(case: Case, lk: Lookup, f: dict, m: str | None) -> Words:
        sheet, key, column = DUAL_FAMILIES[name].where({**f, "m": m or ""})
        ids = ", ".join(str(v) for k, v in f.items() if k != "t")
        return f"{name.replace('_', ' ').lower()} limit of {ids}", [cell(case, sheet, key, column)]

    return words


WORDS = {
    "Min_Feed": _min_feed,
    "Smelter_Capacity": _smelter_capacity,
    "Yard_Capacity": _yard_capacity,
    "Feed_Grade": _feed_grade,
    "Feed_Arsenic": _feed_arsenic,
    "Domestic_Share": _domestic_share,
    "Extraction_Max": _extraction("max"),
    "Extraction_Min": _extraction("min"),
    "Source_Stockpile_Capacity": _source_stockpile,
    "Route_Capacity": _route_capacity,
    "End_Stock": _end_stock,
    "Expansion_Build_Limit": _build_limit,
}
"""family -> (sentence, cells) of one of its constraints; other families use ``_other``."""


def describe_link(case: Case, lk: Lookup, con: pyo.ConstraintData) -> tuple[str, list[str]]:
    """(what a flow balance links, the input cells it carries): opening stock, transit."""
    name, f = fields(con)
    t = f.get("t", -1)
    if name == "Source_Balance":
        s = f["s"]
        cells = [
            cell(case, "OpeningStock", f"{o.location}|{o.source}", "tonnes")
            for o in case.opening_stock
            if t == 0 and o.location == s and o.tonnes > 0
        ]
        return f"ore balance of the {s} stockpile", cells
    if name == "Yard_Balance":
        s, p = f["s"], f["p"]
        cells = [
            cell(case, "Routes", r, "transit_months")
            for r, route in case.routes.items()
            if route.source == s and route.smelter == p and route.transit_months > 0
        ]
        cells += [
            cell(case, "OpeningStock", f"{o.location}|{o.source}", "tonnes")
            for o in case.opening_stock
            if t == 0 and o.location == p and o.source == s and o.tonnes > 0
        ]
        lanes = [
            f"{r} ({route.transit_months} month{'s' * (route.transit_months != 1)} in transit)"
            for r, route in case.routes.items()
            if route.source == s and route.smelter == p
        ]
        via = f" via {', '.join(lanes)}" if lanes else " (no route: only opening stock)"
        return f"{s} ore reaching the {p} yard{via}", cells
    if name == "Sb_Sales":
        return f"Sb produced at {f['p']} is sold", []
    if name == "Expansion_Whole":
        return f"{f['e']} is built whole", [
            cell(case, "Expansions", f["e"], "max_added_t_per_month")
        ]
    return name, []


def describe_bound(case: Case, var: pyo.VarData, side: str) -> Statement | None:
    """A variable bound in the conflict, when an input sets it (contract shortfall ≤ the
    contract's minimum); None for plain non-negativity."""
    if side == "lower" or var.parent_component().name != "Shortfall_Sb_t":
        return None
    k = str(var.index()[0])
    c = case.contracts[k]
    return Statement(
        "Shortfall",
        (k,),
        f"contract {k} can be short at most its {tonnes(c.min_t_sb_per_month)} Sb minimum",
        (cell(case, "Contracts", k, "min_t_sb_per_month"),),
        case.months[var.index()[1]],
    )
