"""Marginal values: every constraint's dual in planner units, words and input cells.

HiGHS reports, per row, the change of the objective (k$, discounted) per unit increase of
the row's right-hand side. This module turns that into ``Results.duals``: the value, in
discounted USD, of relaxing the limit by one unit of the planner's input (raising a
capacity, lowering a minimum, one more tonne of ore somewhere), so > 0 always means relaxing
is worth money. Blend, domestic-share and grant-share limits are percentages: their value
is per percentage point of the input, ``−dual × (Σ feed or capex)`` by the envelope theorem.
Each row names the input cell (sheet, row id, column) a planner would edit. A family's
sign, unit, conversions, sentence and input cell come from its
:data:`~optimizer.model.families.FAMILIES` entry.

Everything is read from HiGHS's solution arrays by position: a row's dual and activity, so
a slack needs no evaluation of the constraint's expression. The single-variable limits a
``limits_as_bounds`` model holds as variable bounds reach HiGHS as rows of their own
(:func:`optimizer.solve.highs.compile_model`) and are read the same way.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np
import pandas as pd

from optimizer.case import Case, month_label
from optimizer.model.build import BuiltModel
from optimizer.model.families import FAMILIES, NOISE
from optimizer.planner_words import money
from optimizer.solve.compile import INF, LinearProgram
from optimizer.solve.highs import RunResult

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


def _row_values(
    b: BuiltModel, lp: LinearProgram, res: RunResult, name: str
) -> Iterable[tuple[object, float, float, bool]]:
    """(index, dual, slack, binding) of each limit of family ``name``: from HiGHS's row duals
    and activities (a row's constant term is part of its bounds), or for a limit held as a
    column bound, from the column's reduced cost and value."""
    if name in lp.limit_rows:
        yield from _limit_values(
            b.bound_families[name].index,
            b.bound_families[name].side,
            lp.limit_rows[name],
            lp.limit_cols[name],
            lp,
            res,
        )
        return
    if name not in lp.blocks:
        return
    active = (idx for idx, con in getattr(b.model, name).items() if con.active)
    block = lp.blocks[name]
    rows = slice(block.start, block.stop)
    gaps, binding = _gaps(lp.row_lower[rows], lp.row_upper[rows], res.row_value[rows])
    duals = res.row_dual[rows].tolist()
    yield from zip(active, duals, gaps.tolist(), binding.tolist(), strict=True)


def _gaps(
    lower: np.ndarray, upper: np.ndarray, activity: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_gap` of a block of rows at once."""
    equal = lower == upper
    has_upper = upper < INF
    bound = np.where(has_upper, upper, lower)
    gaps = np.where(equal, 0.0, np.where(has_upper, upper - activity, activity - lower))
    binding = equal | (np.abs(gaps) <= BINDING_TOL * np.maximum(1.0, np.abs(bound)))
    return gaps, binding


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


def index_keys(case: Case, names: tuple[str, ...], f: dict) -> list[str]:
    """A row's index fields but the month, as the planner reads them (``Results.duals``
    ``keys``): a build's start month as YYYY-MM."""
    return [
        month_label(case.settings.start_month, f[n]) if n == "start" else str(f[n])
        for n in names
        if n != "t"
    ]


def dual_table(b: BuiltModel, lp: LinearProgram, res: RunResult) -> pd.DataFrame:
    """``Results.duals``: one row per limit of every family present in ``b`` — its marginal
    value in planner units and words — from HiGHS's solution ``res`` of ``b`` compiled as
    ``lp``. Built column by column (numbers in arrays): a large case has tens of thousands
    of rows. A limit that neither binds nor has a value gets no sentence (None): there is
    nothing to say about it, and the report lists only binding or valued limits."""
    months = b.case.months
    lumpy = b.lookup.lumpy
    texts = [c for c in DUAL_COLUMNS if c not in ("dual_usd_per_unit", "slack", "binding")]
    columns: dict[str, list] = {c: [] for c in texts}
    (family_, constraint_, keys_, month_, unit_, kind_, sentence_, sheet_, row_id_, column_) = (
        columns[c].append for c in texts
    )
    values, slacks, bindings = array("d"), array("d"), array("b")
    for name, fam in FAMILIES.items():
        if lumpy and fam.lumpy_counts_starts:
            continue
        for idx, dual, gap, binding in _row_values(b, lp, res, name):
            index = idx if isinstance(idx, tuple) else (idx,)
            f = dict(zip(fam.names, index, strict=True))
            month = months[f["t"]] if "t" in f else None
            f["m"] = month or ""
            value = _clean(fam.usd_per_unit(b, f, dual))
            keys = index_keys(b.case, fam.names, f)
            sheet, row_id, column = fam.where(f)
            family_(name)
            constraint_(f"{name}[{', '.join([*keys, month] if month else keys)}]")
            keys_(" / ".join(keys))
            month_(month)  # None for whole-horizon constraints
            values.append(value)
            unit_(fam.unit)
            slacks.append(_clean(fam.slack_in_units(b, f, gap)))
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
