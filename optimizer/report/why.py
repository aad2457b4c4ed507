"""Why the plan looks like this: the binding limits behind idle capacity and odd flows.

A planner reading the Summary asks two things the tables answer only by cross-reading:
why a smelter runs well below capacity in some months, and why own Alaska ore goes to the
farther smelter while the nearer one has room. For each such smelter-month (grouped into
month ranges with the same causes) and each such flow, this module names the limits that
bind there with a value — one sentence each, in the words of the constraint-family registry
(:data:`optimizer.model.families.FAMILIES`), with the input cells that set them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.case import Case
from optimizer.model.families import FAMILIES
from optimizer.model.lookup import Lookup, build_lookup
from optimizer.planner_words import join_cells, month_ranges, tonnes
from optimizer.report.tables import Col, Table, table_frame
from optimizer.solve.results import Results

UNDERUSED_PCT = 80.0  # a smelter-month below this share of its capacity is "well below"
SPARE_PCT = 99.0  # a smelter-month below this has room for more feed
VALUED_USD = 1e-6  # a binding limit with a smaller value is not a cause (degenerate)
SUMMARY_LINES = 20  # the Summary shows whole findings up to this many lines; sheet Why has all
SMELTER_LIMITS = ("Feed_Arsenic", "Feed_Grade", "Domestic_Share", "Yard_Capacity")
"""Limits at a smelter that can hold its feed below capacity."""


@dataclass(frozen=True)
class Cause:
    """One binding limit in planner words, with the input cells that set it."""

    family: str
    key: str
    text: str
    cells: tuple[str, ...] = field(compare=False)  # the same limit in other months: other cells

    def sentence(self, cells: list[str] | tuple[str, ...] | None = None) -> str:
        cells = self.cells if cells is None else cells
        return f"{self.text} ({join_cells(cells)})" if cells else self.text


class _Binding:
    """Binding limits with a value, by (family, row id, month label)."""

    def __init__(self, results: Results, case: Case, lk: Lookup):
        self.case, self.lk = case, lk
        d = results.duals
        if d is None or d.empty:
            self.keys: set[tuple[str, str, str]] = set()
            return
        d = d[d["binding"].astype(bool) & (d["dual_usd_per_unit"].abs() > VALUED_USD)]
        d = d[d["kind"] == "limit"]
        self.keys = set(zip(d["family"], d["keys"].astype(str), d["month"].fillna(""), strict=True))

    def cause(self, family: str, key: str, month: str) -> Cause | None:
        if (family, key, month) not in self.keys:
            return None
        fam = FAMILIES[family]
        f = {fam.names[0]: key, "m": month}
        if "t" in fam.names:
            f["t"] = self.case.months.index(month)
        if fam.words is None:
            return Cause(family, key, f"{family} {key}", ())
        text, cells = fam.words(self.case, self.lk, f, month)
        return Cause(family, key, text, tuple(cells))

    def at_smelter(self, p: str, month: str) -> list[Cause]:
        found = (self.cause(name, p, month) for name in SMELTER_LIMITS if name in FAMILIES)
        return [c for c in found if c is not None]

    def supply_of(self, p: str, month: str) -> list[Cause]:
        found = (self.cause("Extraction_Max", s, month) for s in self.lk.origins_at.get(p, ()))
        return [c for c in found if c is not None]


def _grouped(rows: list[tuple[str, tuple[Cause, ...]]]) -> dict[tuple[Cause, ...], tuple]:
    """Months by the set of causes that hold them, with each cause's cells over those
    months (a Supply limit has a cell per month)."""
    out: dict[tuple[Cause, ...], tuple[list[str], list[list[str]]]] = {}
    for month, causes in rows:
        months, cells = out.setdefault(causes, ([], [[] for _ in causes]))
        months.append(month)
        for bucket, cause in zip(cells, causes, strict=True):
            bucket.extend(c for c in cause.cells if c not in bucket)
    return out


def idle_capacity(results: Results, case: Case, why: _Binding) -> list[str]:
    """Smelter-months well below capacity, grouped by cause: a heading line and one
    sentence per binding limit."""
    sm = results.smelters
    if sm is None or sm.empty:
        return []
    out = []
    for p, rows in sm.groupby("smelter", sort=False):
        low = rows[(rows["capacity_t"] > 0) & (rows["utilization_pct"] < UNDERUSED_PCT)]
        found = []
        for month in low["month"]:
            causes = why.at_smelter(p, month) or why.supply_of(p, month)
            found.append((month, tuple(causes)))
        for causes, (months, cells) in _grouped(found).items():
            util = low[low["month"].isin(months)]["utilization_pct"]
            low_pct, high_pct = f"{util.min():.0f}", f"{util.max():.0f}"
            share = f"{low_pct}%" if low_pct == high_pct else f"{low_pct}–{high_pct}%"
            head = f"{p} runs at {share} of capacity in {month_ranges(months, case.months)}"
            if not causes:
                out.append(head + ": no limit binds there; its ore earns more elsewhere.")
                continue
            out.append(head + ", because:")
            out += [f"  – {c.sentence(x)}" for c, x in zip(causes, cells, strict=True)]
    return out


def odd_flows(results: Results, case: Case, why: _Binding) -> list[str]:
    """Own ore sent to a farther smelter while a nearer one (by the source's route distance)
    has spare capacity on arrival; the binding limits at the nearer smelter or on its
    route, one sentence each."""
    flows, sm = results.flows, results.smelters
    if flows is None or flows.empty or sm is None or sm.empty:
        return []
    keys = zip(sm["smelter"], sm["month"], strict=True)
    util = dict(zip(keys, sm["utilization_pct"], strict=True))
    month_at = {m: t for t, m in enumerate(case.months)}
    out = []
    own = [s for s, src in case.sources.items() if src.kind == "mine"]
    shipped = flows[flows["source"].isin(own) & (flows["dispatched_t"] > 1e-6)]
    for (s, far), rows in shipped.groupby(["source", "smelter"], sort=False):
        far_km = min(case.routes[r].distance_km for r in rows["route"].unique())
        nearer = [r for r in why.lk.routes_from.get(s, ()) if case.routes[r].distance_km < far_km]
        for r in nearer:
            near = case.routes[r].smelter
            if near == far:
                continue
            spare, causes = [], {}
            for month in rows["month"]:
                t = month_at[month] + case.routes[r].transit_months
                if t >= case.horizon:
                    continue
                arrive = case.months[t]
                if util.get((near, arrive), 100.0) >= SPARE_PCT:
                    continue
                spare.append(month)
                found = why.at_smelter(near, arrive)
                route = why.cause("Route_Capacity", r, month)
                for c in found + ([route] if route else []):
                    causes.setdefault(c, []).append(month)
            if not spare:
                continue
            tonnage = rows[rows["month"].isin(spare)]["dispatched_t"].sum()
            total = rows["dispatched_t"].sum()
            rest = f" of {tonnes(total)}; the rest when {near} is full" if total > tonnage else ""
            out.append(
                f"{s} ore goes to {far} ({tonnes(tonnage)}{rest}) in "
                f"{month_ranges(spare, case.months)} although {near} is nearer and has "
                "spare capacity, because:"
            )
            out += [
                f"  – {c.sentence()}, in {month_ranges(ms, case.months)}"
                for c, ms in causes.items()
            ]
            free = [m for m in spare if not any(m in ms for ms in causes.values())]
            if free:
                out.append(
                    f"  – in {month_ranges(free, case.months)} no limit binds at {near}: "
                    f"the ore earns more at {far}"
                )
    return out


def why_lines(results: Results, case: Case) -> list[str]:
    """The Summary's "why the plan looks like this" lines (empty when nothing stands out)."""
    if not results.has_solution:
        return []
    why = _Binding(results, case, build_lookup(case))
    return idle_capacity(results, case, why) + odd_flows(results, case, why)


def findings(lines: list[str]) -> list[list[str]]:
    """``lines`` as findings: a heading line with the cause lines (``  – …``) under it."""
    out: list[list[str]] = []
    for line in lines:
        if line.startswith("  ") and out:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def summary_why(lines: list[str]) -> list[str]:
    """The Summary's share of ``lines``: the first whole findings that fit in
    :data:`SUMMARY_LINES` (at least one), then where the rest are."""
    groups = findings(lines)
    shown: list[str] = []
    kept = 0
    for group in groups:
        if shown and len(shown) + len(group) > SUMMARY_LINES:
            break
        shown += group
        kept += 1
    if kept < len(groups):
        shown.append(
            f"… {len(groups) - kept} more findings: sheet Why lists all {len(groups)}, "
            "in this order."
        )
    return shown


WHY_COLUMNS = [
    Col("finding", "Finding", "int"),
    Col("text", "Why the plan looks like this", "text", max_width=120),
]


def why_table(lines: list[str]) -> Table:
    """Every finding's lines, numbered by finding (filter one finding to read it whole)."""
    rows = [(i, line) for i, group in enumerate(findings(lines), 1) for line in group]
    frame = pd.DataFrame(rows, columns=["finding", "text"]) if rows else None
    return Table(
        "Why",
        WHY_COLUMNS,
        table_frame(frame, WHY_COLUMNS),
        note="Nothing stands out: no smelter runs well below capacity and no own ore passes "
        "a nearer smelter with room.",
    )
