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

from optimizer.case import Case, split_row_key
from optimizer.diagnose.iis import LpForm, load, run
from optimizer.errors import InfeasibleError
from optimizer.model.build import build_model
from optimizer.model.families import FAMILIES, Family
from optimizer.model.lookup import Lookup
from optimizer.planner_words import cell, has_cell, month_ranges, pct, possessive, tonnes
from optimizer.solve.status import Status

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
    knob id (the group itself for one-cell inputs, ``(group, t)`` per month otherwise), as
    the family's :class:`~optimizer.model.families.Knob` says."""
    name, ident = group
    by_month = {
        k[1]: x
        for k, x in amounts.items()
        if isinstance(k, tuple) and len(k) == 2 and isinstance(k[1], int)
    }
    total = sum(amounts.values())
    fam = FAMILIES.get(name)
    if total <= 0 or fam is None or fam.knob is None:
        return None
    knob = fam.knob
    if knob.edit == "cell":
        return _scalar(case, fam, ident, total if knob.relax == "raise" else -total)
    if knob.edit == "supply":
        return _supply(case, fam, ident, by_month)
    if knob.edit == "capacity":
        return _capacity(case, fam, ident, by_month)
    if knob.edit == "blend":
        return _blend(case, lk, form, fam, ident, by_month, values)
    sheet, key, column = fam.where({})
    old = getattr(case.settings, key)
    return Fix(knob.text, (Edit(sheet, key, column, cell(case, sheet, key, column), old, knob.to),))


def _input(case: Case, fam: Family, ident: str) -> tuple[str, str, object]:
    """(sheet, column, entity) of the one-per-row-id input cell of family ``fam``."""
    sheet, key, column = fam.where({fam.names[0]: ident, "m": ""})
    tables = {
        "Smelters": case.smelters,
        "Sources": case.sources,
        "Routes": case.routes,
        "Expansions": case.expansions,
    }
    return sheet, column, tables[sheet][key]


def _scalar(case: Case, fam: Family, key: str, change: float) -> Fix:
    sheet, column, entity = _input(case, fam, key)
    old = getattr(entity, column)
    new = _up(old + change, 1.0) if change > 0 else _down(old + change, 1.0)
    where = cell(case, sheet, key, column)
    text = fam.knob.text.format(
        id=key, id_s=possessive(key), old=show_value(old), new=show_value(new), cell=where
    )
    return Fix(text, (Edit(sheet, key, column, where, old, new),))


def _supply(case: Case, fam: Family, s: str, by_month: dict[int, float]) -> Fix:
    src = case.sources[s]
    is_max = fam.knob.relax == "raise"
    series = src.supply_max_t if is_max else src.supply_min_t
    edits = []
    for t, delta in sorted(by_month.items()):
        sheet, key, m = fam.where({fam.names[0]: s, "m": case.months[t]})
        new = _up(series[t] + delta, 1.0) if is_max else _down(series[t] - delta, 1.0)
        edits.append(Edit(sheet, key, m, cell(case, sheet, key, m), series[t], new))
    months = month_ranges([case.months[t] for t in by_month], case.months)
    amount = tonnes(sum(abs(e.new - e.old) for e in edits))
    return Fix(
        fam.knob.text.format(id=s, id_s=possessive(s), amount=amount, months=months),
        tuple(edits),
    )


def _capacity(case: Case, fam: Family, key: str, by_month: dict[int, float]) -> Fix:
    """Per-month capacity increases as availability edits where the base allows it, else
    one edit of the base capacity (raised enough for every month that needs it)."""
    sheet, column, entity = _input(case, fam, key)
    base_value, avail = getattr(entity, column), entity.availability_pct
    avail_sheet = fam.knob.availability
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
    most = tonnes(_up(max(by_month.values()), 0.1))
    return Fix(
        fam.knob.text.format(id=key, id_s=possessive(key), months=months, amount=most)
        + (" (the most in one month)" if len(by_month) > 1 else ""),
        tuple(edits),
    )


def _blend(
    case: Case,
    lk: Lookup,
    form: LpForm,
    fam: Family,
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
    sheet, column, smelter = _input(case, fam, p)
    old = getattr(smelter, column)
    if fam.knob.relax == "raise":
        new = min(100.0, _up(old + change, 0.1))
    else:
        new = _down(old - change, 0.1)
    where = cell(case, sheet, p, column)
    text = fam.knob.text.format(id=p, id_s=possessive(p), old=pct(old), new=pct(new), cell=where)
    return Fix(text, (Edit(sheet, p, column, where, old, new),))


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
            source, bound = split_row_key(e.key, 2)
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
        built = build_model(case)
    except InfeasibleError:
        return False
    status = run(load(built.model, time_limit_s=case.settings.time_limit_s))
    return status in (Status.OPTIMAL, Status.UNBOUNDED)
