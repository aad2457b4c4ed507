"""Marginal values per input cell, each with the range of the input over which it holds.

A planner edits cells, not constraint rows: a smelter's base capacity drives its capacity
row in every month (× that month's availability), an arsenic limit every month's blend row,
a Supply cell one month's extraction bound. For each numeric input cell behind a limit
family of :data:`~optimizer.model.families.FAMILIES` this module reports the value of
relaxing it by one planner step and the range of the input over which that value holds.

How: the solved LP is handed to HiGHS once more with every limit as a row and one extra
column δ per input cell, fixed at 0, entering each row the cell drives with the change of
that row's bound per unit of the input (the family's ``per`` conversion × its
``rhs_per_input``; for a blend limit, the month's feed: the first-order change, as the
blend rows' coefficients hold the input). The optimal basis is the solve's; δ's reduced cost
is the value of the input (the sum of its rows' duals, weighted), and HiGHS's column-bound
ranging of δ (``getRanging().col_bound_up/dn``) says how far δ may move with the same basis —
moving every row of the cell together, as editing the cell does. In lumpy mode the start
decisions are fixed at the MILP's (the fixed-integer LP :mod:`optimizer.solve.run` solves).

A cell whose input is 0 by nature (a closed season, a route without capacity: an upper
limit at 0) keeps its row in the table but is not ranked: its value says that opening it
would pay, not that it limits the plan. Nor is a recorded actual (a closed month's figure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import highspy
import numpy as np
import pandas as pd

from optimizer.case import Case, split_row_key
from optimizer.model.build import BuiltModel
from optimizer.model.families import FAMILIES, NOISE, Family
from optimizer.model.lookup import MONEY_SCALE_USD
from optimizer.solve.compile import INF, LinearProgram

INPUT_COLUMNS = [
    "family",
    "sheet",
    "row_id",
    "column",
    "input_now",
    "direction",
    "step",
    "unit",
    "value_usd_per_step",
    "valid_from",
    "valid_to",
    "rows",
    "binding_rows",
    "ranked",
    "note",
]

STEPS = {"pp As": 0.1, "pp Sb": 0.1, "pp": 0.1, "USD": 1000.0}
"""The step a planner moves an input by, per family unit (else 1 unit)."""

RECORDED = frozenset({"Actuals"})
"""Sheets of recorded facts: their cells get a value (what a different record would have
been worth) but are never ranked — no one can change what happened."""

NET_OF_CAPEX = frozenset({"Expansion_Build_Limit", "Grant_Capex_Cap"})
"""Families whose value already pays the capex that relaxing them brings."""


def direction(fam: Family) -> str:
    """Which way the input moves to relax the limit: ``raise`` or ``lower``."""
    if fam.knob is not None:
        return fam.knob.relax
    return "raise" if fam.sign > 0 else "lower"


def input_now(case: Case, sheet: str, key: str, column: str) -> float | None:
    """The current value of input cell (sheet, row id, column); None when not numeric."""
    tables = {
        "Smelters": case.smelters,
        "Sources": case.sources,
        "Routes": case.routes,
        "Expansions": case.expansions,
        "Grants": case.grants,
        "Contracts": case.contracts,
    }
    if sheet == "Supply":
        source, bound = split_row_key(key, 2)
        series = getattr(case.sources[source], f"supply_{bound}_t")
        return float(series[case.months.index(column)])
    entity = tables.get(sheet, {}).get(key)
    x = getattr(entity, column, None) if entity is not None else None
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


class _Rows:
    """The ranging LP's rows: the solve's rows, plus one per limit held as a column bound."""

    def __init__(self, lp: LinearProgram):
        self.lp = lp
        self.col_lower = lp.col_lower.copy()
        self.col_upper = lp.col_upper.copy()
        self.extra: list[tuple[int, float, float]] = []  # (column, lower, upper)

    def limit_rows(self, name: str) -> list[int]:
        """Row of each member of limit family ``name`` held as bounds (made a row here)."""
        lp = self.lp
        rows = []
        side = None
        for i, j in zip(lp.limit_rows[name].tolist(), lp.limit_cols[name].tolist(), strict=True):
            if i >= 0:
                rows.append(i)
                continue
            side = side or self._side(name)
            low, high = self.lp.variables[j].domain.bounds()
            if side == "upper":
                self.extra.append((j, -INF, self.col_upper[j]))
                self.col_upper[j] = INF if high is None else high
            else:
                self.extra.append((j, self.col_lower[j], INF))
                self.col_lower[j] = -INF if low is None else low
            rows.append(lp.num_row + len(self.extra) - 1)
        return rows

    def _side(self, name: str) -> str:
        bound = FAMILIES[name].bound
        return bound.side if bound is not None else "upper"


def _members(b: BuiltModel, lp: LinearProgram, rows: _Rows, name: str) -> Iterable[tuple]:
    """(index, row) of each limit of family ``name`` in the ranging LP."""
    if name in lp.limit_rows:
        yield from zip(b.bound_families[name].index, rows.limit_rows(name), strict=True)
    elif name in lp.blocks:
        active = (idx for idx, con in getattr(b.model, name).items() if con.active)
        yield from zip(active, lp.blocks[name], strict=True)


def _cells(b: BuiltModel, lp: LinearProgram, rows: _Rows) -> dict[tuple, list]:
    """Input cell (family, sheet, row id, column) → [(row, δ coefficient, month)]."""
    cells: dict[tuple, list] = defaultdict(list)
    lumpy = b.lookup.lumpy
    for name, fam in FAMILIES.items():
        if fam.kind != "limit" or (lumpy and fam.lumpy_counts_starts):
            continue
        for idx, i in _members(b, lp, rows, name):
            index = idx if isinstance(idx, tuple) else (idx,)
            f = dict(zip(fam.names, index, strict=True))
            f["m"] = b.case.months[f["t"]] if "t" in f else ""
            sheet, key, column = fam.where(f)
            if sheet == "Settings":
                continue  # a policy word, not a number to step
            coef = fam.per.usd(b, f) / MONEY_SCALE_USD * fam.rhs_per_input(b, f)
            if abs(coef) > NOISE:
                cells[(name, sheet, str(key), column)].append((i, -fam.sign * coef, f["m"]))
    return cells


def _highs(lp: LinearProgram, rows: _Rows, cells: dict, fixed: dict[int, float]) -> highspy.Highs:
    """HiGHS holding the ranging LP: the solve's columns and rows, the limits held as
    bounds as rows, the fixed starts, and one δ column per cell fixed at 0."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lower, upper = rows.col_lower.copy(), rows.col_upper.copy()
    for j, x in fixed.items():
        lower[j] = upper[j] = x
    empty_i, empty_d = np.zeros(0, dtype=np.int32), np.zeros(0)
    h.addCols(lp.num_col, lp.cost, lower, upper, 0, empty_i, empty_i, empty_d)
    h.addRows(
        lp.num_row, lp.row_lower, lp.row_upper, len(lp.index), lp.starts[:-1], lp.index, lp.values
    )
    if rows.extra:
        n = len(rows.extra)
        cols = np.array([j for j, _, _ in rows.extra], dtype=np.int32)
        h.addRows(
            n,
            np.array([lo for _, lo, _ in rows.extra]),
            np.array([hi for _, _, hi in rows.extra]),
            n,
            np.arange(n, dtype=np.int32),
            cols,
            np.ones(n),
        )
    h.changeObjectiveSense(
        highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize
    )
    h.changeObjectiveOffset(lp.offset)
    starts, index, values = [], [], []
    for entries in cells.values():
        starts.append(len(index))
        index += [i for i, _, _ in entries]
        values += [c for _, c, _ in entries]
    n = len(cells)
    h.addCols(
        n,
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(values, dtype=float),
    )
    return h


def _warm_basis(lp: LinearProgram, rows: _Rows, basis, cells: int) -> highspy.HighsBasis:
    """The solve's optimal basis carried over to the ranging LP: a limit made a row is
    nonbasic at its bound where its column was (the column turns basic), else basic; the δ
    columns sit at 0. Same vertex, so HiGHS needs no iteration to prove it optimal."""
    status = highspy.HighsBasisStatus
    cols = list(basis.col_status)
    extra = []
    for j, low, _ in rows.extra:
        side = status.kLower if low > -INF else status.kUpper
        if cols[j] == side:
            extra.append(side)
            cols[j] = status.kBasic
        else:
            extra.append(status.kBasic)
    warm = highspy.HighsBasis()
    warm.col_status = cols + [status.kLower] * cells
    warm.row_status = list(basis.row_status) + extra
    warm.valid = True
    return warm


def _solve(h: highspy.Highs, warm: highspy.HighsBasis | None, time_limit_s: float) -> bool:
    """Solve the ranging LP from ``warm`` by simplex, else afresh by interior point with
    crossover (a basis either way); True when optimal."""
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit_s))
    if warm is not None:
        h.setOptionValue("solver", "simplex")
        if h.setBasis(warm) == highspy.HighsStatus.kOk:
            h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                return True
        h.clearSolver()
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "on")
    h.run()
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def input_table(
    b: BuiltModel,
    lp: LinearProgram,
    fixed: dict[int, float] | None = None,
    *,
    basis: highspy.HighsBasis | None = None,
    time_limit_s: float = 60.0,
) -> pd.DataFrame:
    """One row per input cell behind a limit (see :data:`INPUT_COLUMNS`): its value per
    planner step and the input range over which it holds, from HiGHS ranging on ``lp``
    (the solved model, compiled) with the columns ``fixed`` (column → value: lumpy mode's
    starts); ``basis``: the solve's optimal basis of ``lp``, a warm start (without it the
    ranging LP is solved afresh). Empty when HiGHS gives no basis."""
    rows = _Rows(lp)
    cells = _cells(b, lp, rows)
    if not cells:
        return pd.DataFrame(columns=INPUT_COLUMNS)
    h = _highs(lp, rows, cells, fixed or {})
    warm = _warm_basis(lp, rows, basis, len(cells)) if basis is not None and basis.valid else None
    if not _solve(h, warm, time_limit_s) or not h.getBasis().valid:
        return pd.DataFrame(columns=INPUT_COLUMNS)
    status, ranging = h.getRanging()
    if status != highspy.HighsStatus.kOk or not ranging.valid:
        return pd.DataFrame(columns=INPUT_COLUMNS)
    first = lp.num_row + len(rows.extra)
    solution = h.getSolution()
    row_value = np.asarray(solution.row_value)
    row_lower = np.concatenate([lp.row_lower, [lo for _, lo, _ in rows.extra]])
    row_upper = np.concatenate([lp.row_upper, [hi for _, _, hi in rows.extra]])
    tight = _tight(row_value[:first], row_lower, row_upper)
    reduced = np.asarray(solution.col_dual)[lp.num_col :]
    up = np.asarray(ranging.col_bound_up.value_)[lp.num_col :]
    down = np.asarray(ranging.col_bound_dn.value_)[lp.num_col :]
    table = []
    for n, ((name, sheet, key, column), entries) in enumerate(cells.items()):
        fam = FAMILIES[name]
        way = direction(fam)
        now = input_now(b.case, sheet, key, column)
        step = STEPS.get(fam.unit, 1.0)
        value = float(reduced[n]) * MONEY_SCALE_USD
        lo, hi = _range(now, way, float(down[n]), float(up[n]))
        closed = now is not None and abs(now) < NOISE and way == "raise"
        note = "input is 0 (closed): not ranked" if closed else ""
        if sheet in RECORDED:
            note = "a recorded actual: not ranked"
        if name in NET_OF_CAPEX:
            note = "; ".join(x for x in (note, "net of capex") if x)
        table.append(
            (
                name,
                sheet,
                key,
                column,
                now,
                way,
                step,
                fam.unit,
                0.0 if abs(value) < NOISE else value * step,
                lo,
                hi,
                len(entries),
                int(sum(bool(tight[i]) for i, _, _ in entries)),
                not closed and sheet not in RECORDED,
                note,
            )
        )
    return pd.DataFrame(table, columns=INPUT_COLUMNS)


def _tight(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Rows at one of their bounds (relative tolerance 1e-6)."""
    scale = np.maximum(1.0, np.abs(value))
    return (np.abs(value - upper) <= 1e-6 * scale) | (np.abs(value - lower) <= 1e-6 * scale)


def _range(now: float | None, way: str, down: float, up: float) -> tuple[float, float]:
    """The input values between which the value holds: δ moves the input ``way``."""
    if now is None:
        return np.nan, np.nan
    low = -np.inf if down <= -INF else down
    high = np.inf if up >= INF else up
    if way == "raise":
        return now + low, now + high
    return now - high, now - low
