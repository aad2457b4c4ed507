"""Marginal values: every constraint's dual in planner units, words and input cells.

HiGHS reports, per row, the change of the objective (k$, discounted) per unit increase of
the row's right-hand side. This module turns that into ``Results.duals``: the value, in
discounted USD, of relaxing the limit by one unit of the planner's input (raising a
capacity, lowering a minimum, one more tonne of ore somewhere), so > 0 always means relaxing
is worth money. Blend, domestic-share and grant-share limits are percentages: their value
is per percentage point of the input, ``−dual × (Σ feed or capex)`` by the envelope theorem.
Each row names the input cell (sheet, row id, column) a planner would edit.

Everything is read from HiGHS's solution arrays by position: a row's dual and activity, so
a slack needs no evaluation of the constraint's expression. The single-variable limits a
``limits_as_bounds`` model holds as variable bounds reach HiGHS as rows of their own
(:func:`optimizer.solve.highs.compile_model`) and are read the same way.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from optimizer.case import row_key
from optimizer.model.build import MONEY_SCALE_USD
from optimizer.planner_words import money
from optimizer.solve.highs import INF, LinearProgram, RunResult

NOISE = 1e-9  # |values| below this are solver noise and reported as 0
BINDING_TOL = 1e-6  # relative slack below which a limit counts as binding

DUAL_COLUMNS = [
    "family",
    "constraint",
    "keys",
    "month",
    "dual_usd_per_unit",
    "unit",
    "slack",
    "binding",
    "kind",
    "sentence",
    "sheet",
    "row_id",
    "column",
]


def worth(value: float) -> str:
    """``is worth $X`` for a gain, ``would cost $X`` for a loss."""
    return f"is worth {money(value)}" if value >= 0 else f"would cost {money(value)}"


@dataclass(frozen=True)
class Family:
    """How to read one constraint family's duals.

    ``names`` label the index positions (``t`` is the month offset); ``sign`` is +1 when
    raising the right-hand side relaxes the limit, −1 when lowering it does; ``scale``
    converts one unit of right-hand side into one unit of the planner's input (it gets the
    model and the named index); ``where`` gives (sheet, row id, column) of that input.
    """

    kind: str  # limit | balance | link
    names: tuple[str, ...]
    sign: int
    unit: str
    text: str  # sentence template: named index fields, {m} month label, {worth}
    where: Callable[[dict], tuple[str, str, str]]
    scale: Callable[[pyo.ConcreteModel, dict], float] | None = None  # default: k$ per unit

    def usd_per_unit(self, m: pyo.ConcreteModel, f: dict, dual: float) -> float:
        factor = self.scale(m, f) if self.scale else MONEY_SCALE_USD
        return self.sign * dual * factor


def _feed_total(m: pyo.ConcreteModel, f: dict) -> float:
    """Σ_s Feed_t[s,p,t] at the solution (t ore)."""
    p, t = f["p"], f["t"]
    return sum(m.Feed_t[s, p, t].value or 0.0 for s in m.lookup.origins_at.get(p, ()))


def _per_pp_of_feed(m: pyo.ConcreteModel, f: dict) -> float:
    return _feed_total(m, f) * MONEY_SCALE_USD


def _per_pp_of_capex(m: pyo.ConcreteModel, f: dict) -> float:
    return pyo.value(m.Capex_kusd[f["e"], f["t"]]) / 100.0 * MONEY_SCALE_USD


def _per_usd(m: pyo.ConcreteModel, f: dict) -> float:
    return 1.0  # right-hand side and objective are both k$


FAMILIES: dict[str, Family] = {
    "Extraction_Max": Family(
        "limit",
        ("s", "t"),
        +1,
        "t ore",
        "One more t of ore available from {s} in {m} {worth}",
        lambda f: ("Supply", row_key(f["s"], "max"), f["m"]),
    ),
    "Extraction_Min": Family(
        "limit",
        ("s", "t"),
        -1,
        "t ore",
        "Lowering the minimum extraction at {s} in {m} by 1 t {worth}",
        lambda f: ("Supply", row_key(f["s"], "min"), f["m"]),
    ),
    "Source_Balance": Family(
        "balance",
        ("s", "t"),
        +1,
        "t ore",
        "One more t of ore in the {s} stockpile in {m} {worth}",
        lambda f: ("Sources", f["s"], ""),
    ),
    "Source_Stockpile_Capacity": Family(
        "limit",
        ("s", "t"),
        +1,
        "t ore",
        "One more t of stockpile room at {s} in {m} {worth}",
        lambda f: ("Sources", f["s"], "stockpile_capacity_t"),
    ),
    "Route_Capacity": Family(
        "limit",
        ("r", "t"),
        +1,
        "t ore/month",
        "One more t/month of route {r} capacity in {m} {worth}",
        lambda f: ("Routes", f["r"], "capacity_t_per_month"),
    ),
    "Yard_Balance": Family(
        "balance",
        ("s", "p", "t"),
        +1,
        "t ore",
        "One more t of {s} ore in the {p} yard in {m} {worth}",
        lambda f: ("Smelters", f["p"], ""),
    ),
    "Yard_Capacity": Family(
        "limit",
        ("p", "t"),
        +1,
        "t ore",
        "One more t of yard room at {p} in {m} {worth}",
        lambda f: ("Smelters", f["p"], "stockpile_capacity_t"),
    ),
    "Smelter_Capacity": Family(
        "limit",
        ("p", "t"),
        +1,
        "t ore/month",
        "One more t/month of {p} capacity in {m} {worth}",
        lambda f: ("Smelters", f["p"], "base_capacity_t_per_month"),
    ),
    "Min_Feed": Family(
        "limit",
        ("p", "t"),
        -1,
        "t ore/month",
        "Lowering the minimum feed at {p} in {m} by 1 t {worth}",
        lambda f: ("Smelters", f["p"], "min_feed_t_per_month"),
    ),
    "Feed_Grade": Family(
        "limit",
        ("p", "t"),
        -1,
        "pp Sb",
        "Lowering the minimum feed grade at {p} in {m} by 1 percentage point {worth}",
        lambda f: ("Smelters", f["p"], "min_feed_grade_pct"),
        _per_pp_of_feed,
    ),
    "Feed_Arsenic": Family(
        "limit",
        ("p", "t"),
        -1,
        "pp As",
        "Raising the arsenic limit at {p} in {m} by 1 percentage point {worth}",
        lambda f: ("Smelters", f["p"], "max_feed_arsenic_pct"),
        _per_pp_of_feed,
    ),
    "Domestic_Share": Family(
        "limit",
        ("p", "t"),
        -1,
        "pp",
        "Lowering the minimum domestic share at {p} in {m} by 1 percentage point {worth}",
        lambda f: ("Smelters", f["p"], "min_domestic_share_pct"),
        _per_pp_of_feed,
    ),
    "Sb_Sales": Family(
        "balance",
        ("p", "t"),
        +1,
        "t Sb",
        "One more t of Sb produced at {p} in {m} {worth}",
        lambda f: ("Prices", f["p"], f["m"]),
    ),
    "Contract_Min": Family(
        "limit",
        ("k", "t"),
        -1,
        "t Sb/month",
        "Lowering the minimum of contract {k} in {m} by 1 t Sb {worth}",
        lambda f: ("Contracts", f["k"], "min_t_sb_per_month"),
    ),
    "Contract_Max": Family(
        "limit",
        ("k", "t"),
        +1,
        "t Sb/month",
        "Raising the maximum of contract {k} in {m} by 1 t Sb {worth}",
        lambda f: ("Contracts", f["k"], "max_t_sb_per_month"),
    ),
    "Expansion_Build_Limit": Family(
        "limit",
        ("e",),
        +1,
        "t ore/month",
        "One more t/month of maximum size for {e} {worth}",
        lambda f: ("Expansions", f["e"], "max_added_t_per_month"),
    ),
    "Expansion_Whole": Family(
        "link",
        ("e", "t"),
        +1,
        "t ore/month",
        "Building {e} 1 t/month bigger when started in {m} {worth}",
        lambda f: ("Expansions", f["e"], "max_added_t_per_month"),
    ),
    "Grant_Share": Family(
        "limit",
        ("g", "e", "t"),
        +1,
        "pp",
        "Raising the share of {e} capex started in {m} that {g} pays by 1 percentage point {worth}",
        lambda f: ("Grants", f["g"], "max_share_pct"),
        _per_pp_of_capex,
    ),
    "Grant_Capex_Cap": Family(
        "limit",
        ("e", "t"),
        +1,
        "USD",
        "Letting grants pay $1 more than the capex of {e} started in {m} {worth}",
        lambda f: ("Expansions", f["e"], "capex_usd_per_t_per_month"),
        _per_usd,
    ),
    "Grant_Amount": Family(
        "limit",
        ("g",),
        +1,
        "USD",
        "Each extra $1 of grant {g} {worth}",
        lambda f: ("Grants", f["g"], "amount_usd"),
        _per_usd,
    ),
    "End_Stock": Family(
        "limit",
        ("loc",),
        -1,
        "t ore",
        "Ending the horizon with 1 t less ore at {loc} {worth}",
        lambda f: ("Settings", "end_stock_policy", "value"),
    ),
}


def _clean(x: float) -> float:
    return 0.0 if abs(x) < NOISE else x


def _gap(lower: float, upper: float, activity: float) -> tuple[float, bool]:
    """Distance of ``activity`` from the limit it can reach (the upper one when there is
    one), in right-hand-side units, and whether that limit binds; an equality always binds."""
    if lower == upper:
        return 0.0, True
    if upper < INF:
        bound, gap = upper, upper - activity
    else:
        bound, gap = lower, activity - lower
    return float(gap), bool(abs(gap) <= BINDING_TOL * max(1.0, abs(bound)))


def _slack_in_units(name: str, m: pyo.ConcreteModel, f: dict, gap: float) -> float:
    """Slack in the unit the dual is quoted in (t, pp, USD)."""
    if name in ("Feed_Grade", "Feed_Arsenic", "Domestic_Share"):
        total = _feed_total(m, f)
        return gap / total if total > NOISE else 0.0
    if name == "Grant_Share":
        capex = pyo.value(m.Capex_kusd[f["e"], f["t"]])
        return gap / capex * 100.0 if capex > NOISE else 0.0
    if name in ("Grant_Capex_Cap", "Grant_Amount"):
        return gap * MONEY_SCALE_USD
    return gap


def _row_values(
    m: pyo.ConcreteModel, lp: LinearProgram, res: RunResult, name: str
) -> Iterable[tuple[object, float, float, bool]]:
    """(index, dual, slack, binding) of each limit of family ``name``: from HiGHS's row duals
    and activities (a row's constant term is part of its bounds), or for a limit held as a
    column bound, from the column's reduced cost and value."""
    if name in lp.limit_rows:
        yield from _limit_values(
            m.bound_families[name].index,
            m.bound_families[name].side,
            lp.limit_rows[name],
            lp.limit_cols[name],
            lp,
            res,
        )
        return
    if name not in lp.blocks:
        return
    active = (idx for idx, con in getattr(m, name).items() if con.active)
    for idx, i in zip(active, lp.blocks[name], strict=True):
        gap, binding = _gap(lp.row_lower[i], lp.row_upper[i], res.row_value[i])
        yield idx, float(res.row_dual[i]), gap, binding


def _limit_values(
    index: list, side: str, rows: np.ndarray, cols: np.ndarray, lp: LinearProgram, res: RunResult
) -> Iterable[tuple[object, float, float, bool]]:
    """Limits held as variable bounds: a row of their own where they pin their variable,
    else the column's bound. A column's reduced cost prices whichever of its bounds is
    active, > 0 the upper, < 0 the lower (maximization) — the dual the limit's own row would
    have; the other side gets 0."""
    upper = side == "upper"
    for idx, i, j in zip(index, rows.tolist(), cols.tolist(), strict=True):
        if i >= 0:
            gap, binding = _gap(lp.row_lower[i], lp.row_upper[i], res.row_value[i])
            yield idx, float(res.row_dual[i]), gap, binding
            continue
        d = float(res.col_dual[j])
        if upper:
            gap, binding = _gap(-INF, lp.col_upper[j], res.col_value[j])
        else:
            gap, binding = _gap(lp.col_lower[j], INF, res.col_value[j])
        yield idx, max(d, 0.0) if upper else min(d, 0.0), gap, binding


def dual_table(m: pyo.ConcreteModel, lp: LinearProgram, res: RunResult) -> pd.DataFrame:
    """``Results.duals``: one row per limit of every family present in ``m`` — its marginal
    value in planner units and words — from HiGHS's solution ``res`` of ``m`` compiled as
    ``lp``. Built column by column (numbers in arrays): a large case has tens of thousands
    of rows. A limit that neither binds nor has a value gets no sentence (None): there is
    nothing to say about it, and the report lists only binding or valued limits."""
    months = m.case.months
    lumpy = m.lookup.lumpy
    texts = [c for c in DUAL_COLUMNS if c not in ("dual_usd_per_unit", "slack", "binding")]
    columns: dict[str, list] = {c: [] for c in texts}
    (family_, constraint_, keys_, month_, unit_, kind_, sentence_, sheet_, row_id_, column_) = (
        columns[c].append for c in texts
    )
    values, slacks, bindings = array("d"), array("d"), array("b")
    for name, fam in FAMILIES.items():
        if lumpy and name == "Expansion_Build_Limit":
            continue  # lumpy starts are fixed in the dual LP: their limit has no price
        for idx, dual, gap, binding in _row_values(m, lp, res, name):
            index = idx if isinstance(idx, tuple) else (idx,)
            f = dict(zip(fam.names, index, strict=True))
            month = months[f["t"]] if "t" in f else None
            f["m"] = month or ""
            value = _clean(fam.usd_per_unit(m, f, dual))
            keys = [str(f[n]) for n in fam.names if n != "t"]
            sheet, row_id, column = fam.where(f)
            family_(name)
            constraint_(f"{name}[{', '.join([*keys, month] if month else keys)}]")
            keys_(" / ".join(keys))
            month_(month)  # None for whole-horizon constraints
            values.append(value)
            unit_(fam.unit)
            slacks.append(_clean(_slack_in_units(name, m, f, gap)))
            bindings.append(binding)
            kind_(fam.kind)
            sentence_(fam.text.format(**f, worth=worth(value)) + "." if binding or value else None)
            sheet_(sheet)
            row_id_(row_id)
            column_(column)
    numbers = {
        "dual_usd_per_unit": np.frombuffer(values),
        "slack": np.frombuffer(slacks),
        "binding": np.frombuffer(bindings, dtype=np.int8).astype(bool),
    }
    return pd.DataFrame({c: numbers[c] if c in numbers else columns[c] for c in DUAL_COLUMNS})
