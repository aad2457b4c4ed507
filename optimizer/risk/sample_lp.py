"""One sample's LP as arrays, with its non-anticipative columns named (SPEC §6.4).

A sample's case is built exactly as ``solve`` builds a case (``build_model(case,
limits_as_bounds=True)``, the same constraint families) and compiled through the one hand-off
(:func:`optimizer.solve.compile.compile_model`). Only the arrays are kept — not the Pyomo model
— so memory grows with the samples' arrays alone. The non-anticipative columns are those of
the first ``commit_months`` months of :data:`COMMITTED`, keyed by (variable, index) so that
every sample, and the expected-value plan, name the same decision the same way.

A first-stage plan is ``{key: value}``; :func:`solve_with` solves a sample alone, optionally
with a plan's decisions fixed (wait-and-see, EEV, out-of-sample evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.case import Case
from optimizer.errors import InfeasibleError
from optimizer.model.build import build_model
from optimizer.model.lookup import MONEY_SCALE_USD
from optimizer.solve.compile import LinearProgram, compile_model
from optimizer.solve.highs import RECHECK, HighsLp

#: Decisions committed in the first ``commit_months`` months: mined, shipped and fed tonnes,
#: project builds and starts (each indexed with its month last).
COMMITTED = ("Mined_t", "Ship_t", "Feed_t", "Build_t_per_month", "Start")
FIX_TOLERANCE = 1e-7  # a plan's decision this small counts as none (solver noise)

Key = tuple[str, tuple]
Plan = dict[Key, float]


@dataclass
class SampleLp:
    """A sample's LP arrays (objective in k$, maximized) and its committed columns."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    values: np.ndarray
    integer: np.ndarray
    offset: float
    committed_cols: np.ndarray  # local columns of committed decisions
    committed_keys: list[Key]

    @property
    def num_col(self) -> int:
        return len(self.cost)

    def margin_usd(self, x: np.ndarray) -> float:
        """This sample's discounted margin (USD) of its column values ``x``."""
        return (float(self.cost @ x) + self.offset) * MONEY_SCALE_USD

    def program(self, col_lower=None, col_upper=None) -> LinearProgram:
        """The arrays as a :class:`LinearProgram` HiGHS can load (no Pyomo model)."""
        return arrays_program(
            self.cost,
            self.col_lower if col_lower is None else col_lower,
            self.col_upper if col_upper is None else col_upper,
            self.row_lower,
            self.row_upper,
            self.starts,
            self.index,
            self.values,
            self.integer,
            self.offset,
        )


def sample_lp(case: Case, commit_months: int) -> SampleLp:
    """``case``'s LP as ``solve`` builds it; raises InfeasibleError like build_model."""
    built = build_model(case, limits_as_bounds=True)
    lp = compile_model(built.model, limits=built.bound_families)
    if not lp.maximize:
        raise ValueError("the allocation model maximizes its margin")
    cols, keys = [], []
    for j, var in enumerate(lp.variables):
        name = var.parent_component().local_name
        if name in COMMITTED:
            index = var.index()
            if index[-1] < commit_months:
                cols.append(j)
                keys.append((name, index))
    return SampleLp(
        cost=lp.cost,
        col_lower=lp.col_lower,
        col_upper=lp.col_upper,
        row_lower=lp.row_lower,
        row_upper=lp.row_upper,
        starts=lp.starts,
        index=lp.index,
        values=lp.values,
        integer=lp.integer,
        offset=lp.offset,
        committed_cols=np.array(cols, dtype=np.int64),
        committed_keys=keys,
    )


def arrays_program(
    cost, col_lower, col_upper, row_lower, row_upper, starts, index, values, integer, offset
) -> LinearProgram:
    """A maximizing :class:`LinearProgram` of bare arrays (no Pyomo model behind it)."""
    return LinearProgram(
        model=None,
        variables=range(len(cost)),
        constraints=range(len(row_lower)),
        maximize=True,
        offset=offset,
        cost=cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=row_upper,
        row_constant=np.zeros(len(row_lower)),
        starts=starts,
        index=index,
        values=values,
        integer=integer,
    )


def run_program(lp: LinearProgram, options: dict) -> np.ndarray | None:
    """HiGHS's optimal column values of ``lp``, or None when it has no feasible plan
    (an infeasible answer is re-checked with presolve off, as ``solve`` does)."""
    hl = HighsLp(lp)
    res = hl.run(options)
    if res.termination_condition in RECHECK:
        res = hl.run({**options, "presolve": "off"})
    if res.col_value is None or res.termination_condition in RECHECK:
        return None
    return res.col_value


def solve_with(s: SampleLp, plan: Plan | None, options: dict) -> float | None:
    """The sample's optimal margin (USD) alone (``plan`` None) or with ``plan``'s committed
    decisions fixed (decisions the plan lacks: 0); None when infeasible — also when the plan
    commits to a decision this sample does not have."""
    if plan is None:
        x = run_program(s.program(), options)
        return None if x is None else s.margin_usd(x)
    missing = set(plan) - set(s.committed_keys)
    if any(plan[k] > FIX_TOLERANCE for k in missing):
        return None
    lower, upper = s.col_lower.copy(), s.col_upper.copy()
    fixed = np.array([plan.get(k, 0.0) for k in s.committed_keys])
    low, high = lower[s.committed_cols], upper[s.committed_cols]
    if np.any(fixed < low - FIX_TOLERANCE) or np.any(fixed > high + FIX_TOLERANCE):
        return None  # the plan mines, ships or builds more than this sample allows
    fixed = np.clip(fixed, low, high)
    integer = np.isin(s.committed_cols, s.integer)
    fixed[integer] = np.round(fixed[integer])
    lower[s.committed_cols] = fixed
    upper[s.committed_cols] = fixed
    x = run_program(s.program(lower, upper), options)
    return None if x is None else s.margin_usd(x)


def case_lp(case: Case, commit_months: int) -> SampleLp | None:
    """:func:`sample_lp`, or None when the case plainly cannot be met (InfeasibleError)."""
    try:
        return sample_lp(case, commit_months)
    except InfeasibleError:
        return None
