"""Smallest input changes that make an infeasible case feasible, as concrete cell edits.

The elastic LP (:class:`optimizer.diagnose.iis.Elastic`) says by how much each relaxed limit must
move; this module turns those amounts into edits of the planner's own cells — a new min
feed, a new availability percentage, a new Supply month value — rounded in the relaxing
direction (so the rounded edit is at least as loose as the LP's), and checks each fix by
applying it to the case and re-solving before it is offered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from optimizer.case import Case, row_key
from optimizer.diagnose.iis import LpForm, compile_lp, run
from optimizer.errors import InfeasibleError
from optimizer.model.build import Lookup, build_model
from optimizer.planner_words import cell, has_cell, month_ranges, pct, possessive, tonnes

FUZZ = 1e-6  # solver noise tolerated before rounding to the next step


@dataclass(frozen=True)
class Edit:
    """Change one input cell: ``Case.locations`` key (sheet, row id, column), old → new."""

    sheet: str
    key: str
    column: str
    cell: str  # "Smelters!I2"
    old: object
    new: object

    def __str__(self) -> str:
        return f"{self.cell}: {show_value(self.old)} → {show_value(self.new)}"


@dataclass(frozen=True)
class Fix:
    """One way out: a sentence and the cell edits that carry it out."""

    text: str
    edits: tuple[Edit, ...]


def show_value(x: object) -> str:
    """A cell value as a planner reads it: ``1,250``, ``37.8``, ``free``."""
    return f"{x:,.6g}" if isinstance(x, float | int) else str(x)


def _up(x: float, step: float) -> float:
    return round(math.ceil(x / step - FUZZ) * step, 6)


def _down(x: float, step: float) -> float:
    return max(0.0, round(math.floor(x / step + FUZZ) * step, 6))


def to_fix(
    case: Case,
    lk: Lookup,
    form: LpForm,
    group: tuple[str, str],
    amounts: dict[object, float],
    values: np.ndarray,
) -> Fix | None:
    """The edits relaxing ``group`` (family, row id) by the elastic ``amounts``, keyed by
    knob id (the group itself for one-cell inputs, ``(group, t)`` per month otherwise)."""
    name, ident = group
    by_month = {
        k[1]: x
        for k, x in amounts.items()
        if isinstance(k, tuple) and len(k) == 2 and isinstance(k[1], int)
    }
    total = sum(amounts.values())
    if total <= 0:
        return None
    if name == "Min_Feed":
        return _scalar(
            case,
            "Smelters",
            ident,
            "min_feed_t_per_month",
            -total,
            f"lower {possessive(ident)} minimum feed",
            "t/month",
        )
    if name == "Source_Stockpile_Capacity":
        return _scalar(
            case,
            "Sources",
            ident,
            "stockpile_capacity_t",
            total,
            f"raise the {ident} stockpile capacity",
            "t",
        )
    if name == "Yard_Capacity":
        return _scalar(
            case,
            "Smelters",
            ident,
            "stockpile_capacity_t",
            total,
            f"raise the {ident} yard capacity",
            "t",
        )
    if name == "Expansion_Build_Limit":
        return _scalar(
            case,
            "Expansions",
            ident,
            "max_added_t_per_month",
            total,
            f"let {ident} add more capacity",
            "t/month",
        )
    if name in ("Extraction_Max", "Extraction_Min"):
        return _supply(case, ident, name == "Extraction_Max", by_month)
    if name == "Smelter_Capacity":
        sm = case.smelters[ident]
        return _capacity(
            case,
            by_month,
            ident,
            f"{possessive(ident)} capacity",
            ("Smelters", "base_capacity_t_per_month", sm.base_capacity_t_per_month),
            "SmelterAvailability",
            sm.availability_pct,
        )
    if name == "Route_Capacity":
        route = case.routes[ident]
        return _capacity(
            case,
            by_month,
            ident,
            f"route {possessive(ident)} capacity",
            ("Routes", "capacity_t_per_month", route.capacity_t_per_month),
            "RouteAvailability",
            route.availability_pct,
        )
    if name in ("Feed_Grade", "Feed_Arsenic", "Domestic_Share"):
        return _blend(case, lk, form, name, ident, by_month, values)
    if name == "End_Stock":
        return Fix(
            "set end_stock_policy to free, so stocks may end below their opening level",
            (
                Edit(
                    "Settings",
                    "end_stock_policy",
                    "value",
                    cell(case, "Settings", "end_stock_policy", "value"),
                    "keep_opening",
                    "free",
                ),
            ),
        )
    return None


def _scalar(
    case: Case, sheet: str, key: str, column: str, change: float, verb: str, unit: str
) -> Fix:
    entity = {"Smelters": case.smelters, "Sources": case.sources, "Expansions": case.expansions}[
        sheet
    ][key]
    old = getattr(entity, column)
    new = _up(old + change, 1.0) if change > 0 else _down(old + change, 1.0)
    where = cell(case, sheet, key, column)
    return Fix(
        f"{verb} from {show_value(old)} to {show_value(new)} {unit} ({where})",
        (Edit(sheet, key, column, where, old, new),),
    )


def _supply(case: Case, s: str, is_max: bool, by_month: dict[int, float]) -> Fix:
    src = case.sources[s]
    bound = "max" if is_max else "min"
    series = src.supply_max_t if is_max else src.supply_min_t
    edits = []
    for t, delta in sorted(by_month.items()):
        m = case.months[t]
        new = _up(series[t] + delta, 1.0) if is_max else _down(series[t] - delta, 1.0)
        edits.append(
            Edit(
                "Supply",
                row_key(s, bound),
                m,
                cell(case, "Supply", row_key(s, bound), m),
                series[t],
                new,
            )
        )
    months = month_ranges([case.months[t] for t in by_month], case.months)
    amount = tonnes(sum(abs(e.new - e.old) for e in edits))
    text = (
        f"let {s} supply {amount} more in {months}"
        if is_max
        else f"lower {possessive(s)} supply minimum by {amount} in {months}"
    )
    return Fix(text, tuple(edits))


def _capacity(
    case: Case,
    by_month: dict[int, float],
    key: str,
    what: str,
    base: tuple[str, str, float],
    avail_sheet: str,
    avail: tuple[float, ...],
) -> Fix:
    """Per-month capacity increases as availability edits where the base allows it, else
    one edit of the base capacity (raised enough for every month that needs it)."""
    sheet, column, base_value = base
    edits, need_base = [], base_value
    for t, delta in sorted(by_month.items()):
        m = case.months[t]
        needed = base_value * avail[t] / 100.0 + delta
        if avail[t] < 100 and needed <= base_value and has_cell(case, avail_sheet, key, m):
            new = min(100.0, _up(needed / base_value * 100.0, 0.1))
            edits.append(Edit(avail_sheet, key, m, cell(case, avail_sheet, key, m), avail[t], new))
            continue
        if avail[t] <= 0:
            edits.append(
                Edit(avail_sheet, key, m, cell(case, avail_sheet, key, m), avail[t], 100.0)
            )
            need_base = max(need_base, needed)
        else:
            need_base = max(need_base, needed * 100.0 / avail[t])
    if need_base > base_value:
        edits.append(
            Edit(
                sheet, key, column, cell(case, sheet, key, column), base_value, _up(need_base, 1.0)
            )
        )
    months = month_ranges([case.months[t] for t in by_month], case.months)
    most = max(by_month.values())
    return Fix(
        f"raise {what} in {months} by {tonnes(_up(most, 0.1))}"
        + (" (the most in one month)" if len(by_month) > 1 else ""),
        tuple(edits),
    )


def _blend(
    case: Case,
    lk: Lookup,
    form: LpForm,
    name: str,
    p: str,
    by_month: dict[int, float],
    values: np.ndarray,
) -> Fix | None:
    """Blend rows are relaxed in t × percentage points; with the relaxed plan's feed that is
    a change of the percentage itself (the same plan then meets the edited limit)."""
    column_of = {id(v): j for j, v in enumerate(form.columns)}
    change = 0.0
    for t, delta in by_month.items():
        feed = [form.model.Feed_t[s, p, t] for s in lk.origins_at.get(p, ())]
        fed = sum(values[column_of[id(v)]] for v in feed if id(v) in column_of)
        if fed > FUZZ:
            change = max(change, delta / fed)
    if change <= 0:
        return None
    sm = case.smelters[p]
    column, old, verb = {
        "Feed_Grade": ("min_feed_grade_pct", sm.min_feed_grade_pct, "lower"),
        "Feed_Arsenic": ("max_feed_arsenic_pct", sm.max_feed_arsenic_pct, "raise"),
        "Domestic_Share": ("min_domestic_share_pct", sm.min_domestic_share_pct, "lower"),
    }[name]
    new = min(100.0, _up(old + change, 0.1)) if verb == "raise" else _down(old - change, 0.1)
    where = cell(case, "Smelters", p, column)
    label = {
        "Feed_Grade": "minimum feed grade",
        "Feed_Arsenic": "arsenic limit",
        "Domestic_Share": "minimum domestic share",
    }[name]
    return Fix(
        f"{verb} {possessive(p)} {label} from {pct(old)} to {pct(new)} ({where})",
        (Edit("Smelters", p, column, where, old, new),),
    )


def apply_edits(case: Case, edits: tuple[Edit, ...] | list[Edit]) -> Case:
    """``case`` with ``edits`` applied, as if the planner had typed them in."""
    tables = {
        "Smelters": dict(case.smelters),
        "Sources": dict(case.sources),
        "Routes": dict(case.routes),
        "Expansions": dict(case.expansions),
    }
    series: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
    settings = case.settings
    for e in edits:
        if e.sheet in tables:
            tables[e.sheet][e.key] = replace(tables[e.sheet][e.key], **{e.column: e.new})
        elif e.sheet == "Settings":
            settings = replace(settings, **{e.key: e.new})
        elif e.sheet == "Supply":
            source, bound = e.key.rsplit("|", 1)
            series[("Sources", source, f"supply_{bound}_t")][case.months.index(e.column)] = float(
                e.new
            )
        else:  # SmelterAvailability / RouteAvailability
            table = "Smelters" if e.sheet == "SmelterAvailability" else "Routes"
            series[(table, e.key, "availability_pct")][case.months.index(e.column)] = float(e.new)
    for (table, key, attr), changes in series.items():
        entity = tables[table][key]
        values = list(getattr(entity, attr))
        for t, x in changes.items():
            values[t] = x
        tables[table][key] = replace(entity, **{attr: tuple(values)})
    return replace(
        case,
        settings=settings,
        smelters=tables["Smelters"],
        sources=tables["Sources"],
        routes=tables["Routes"],
        expansions=tables["Expansions"],
    )


def is_feasible(case: Case) -> bool:
    """Does the LP (relaxation) of ``case`` have a feasible plan?"""
    try:
        model = build_model(case)
    except InfeasibleError:
        return False
    return run(compile_lp(model, time_limit_s=case.settings.time_limit_s)) in (
        "optimal",
        "unbounded",
    )
