"""The allocation model as a plain HiGHS LP, for diagnosis: status, IIS, elastic relaxation,
unbounded ray — each row and column mapped back to its Pyomo constraint or variable.

:func:`load` hands a Pyomo model (for ``explain``: built with every limit a row) to HiGHS
through the same hand-off as ``solve`` (:func:`optimizer.solve.compile.compile_model` →
:class:`optimizer.solve.highs.HighsLp`), so row ``i`` is ``rows[i]`` and column ``j`` is
``columns[j]``. Integrality is dropped: in lumpy mode the diagnosis is of the LP relaxation.

HiGHS's IIS (``Highs.getIis``, bit-mask ``iis_strategy`` from HiGHS 1.13 on; highspy 1.15 is
required and tested) returns an irreducible set of rows and column bounds that cannot hold
together. The elastic LP adds one non-negative "slack" column per *knob* — a set of rows
one input value moves together — and minimizes the knobs' total, so a run with only some
knobs open answers "what is the smallest change of this input that makes the case feasible".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo

from optimizer.errors import SolverError
from optimizer.solve.compile import INF, compile_model
from optimizer.solve.highs import RECHECK, HighsLp, status_of
from optimizer.solve.status import Status

LOWER, EQUAL, UPPER = -1, 0, 1  # row sense: body ≥ rhs, body = rhs, body ≤ rhs
# From the whole LP (2) + reduce to an irreducible set (4); see HiGHS' iis_strategy option.
IIS_STRATEGY = int(highspy.IisStrategy.kIisStrategyFromLp) | int(
    highspy.IisStrategy.kIisStrategyIrreducible
)
_BOUND_SIDE = {
    int(highspy.IisBoundStatus.kIisBoundStatusLower): "lower",
    int(highspy.IisBoundStatus.kIisBoundStatusUpper): "upper",
    int(highspy.IisBoundStatus.kIisBoundStatusBoxed): "both",
}


@dataclass
class LpForm:
    """A model in HiGHS as an LP, with each row's sense (:data:`LOWER`, :data:`EQUAL` or
    :data:`UPPER`; a ranged row counts as an equality: it cannot be relaxed one way) and
    whether the model it relaxes is a lumpy (MILP) one."""

    hl: HighsLp
    sense: np.ndarray
    options: dict
    lumpy: bool = False

    @property
    def model(self) -> pyo.ConcreteModel:
        return self.hl.lp.model

    @property
    def highs(self) -> highspy.Highs:
        return self.hl.highs

    @property
    def rows(self) -> list:
        return self.hl.lp.constraints

    @property
    def columns(self) -> list:
        return self.hl.lp.variables


@dataclass(frozen=True)
class Iis:
    """An irreducible infeasible subset: (row, side) and (column, side) pairs."""

    rows: tuple[tuple[int, str], ...]
    columns: tuple[tuple[int, str], ...]


def load(model: pyo.ConcreteModel, *, time_limit_s: float = 60.0, lumpy: bool = False) -> LpForm:
    """``model`` as a silent, single-thread HiGHS LP (its integer columns relaxed)."""
    lp = dataclasses.replace(compile_model(model), integer=np.zeros(0, dtype=np.int32))
    lower, upper = lp.row_lower, lp.row_upper
    sense = np.where(
        lower == upper,
        EQUAL,
        np.where(upper >= INF, LOWER, np.where(lower <= -INF, UPPER, EQUAL)),
    )
    options = {"threads": 1, "time_limit": float(time_limit_s)}
    return LpForm(HighsLp(lp), sense, options, lumpy)


def run(form: LpForm) -> Status:
    """Solve; a run that ends infeasible or unbounded is re-run with presolve off (which also
    tells infeasible from unbounded); an undecided answer is :attr:`Status.NO_SOLUTION`."""
    res = form.hl.run(form.options)
    if res.termination_condition in RECHECK:
        res = form.hl.run({**form.options, "presolve": "off"})
    return status_of(res.termination_condition, res.col_value is not None)


def find_iis(form: LpForm) -> Iis:
    """HiGHS's irreducible infeasible subset of an LP :func:`run` found infeasible."""
    h = form.highs
    h.setOptionValue("iis_strategy", IIS_STRATEGY)
    status, iis = h.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        raise SolverError("HiGHS could not compute the conflicting constraints (IIS)")
    rows = tuple(
        (int(i), _BOUND_SIDE.get(int(b), "both"))
        for i, b in zip(iis.row_index_, iis.row_bound_, strict=True)
    )
    cols = tuple(
        (int(j), _BOUND_SIDE.get(int(b), "both"))
        for j, b in zip(iis.col_index_, iis.col_bound_, strict=True)
    )
    return Iis(rows, cols)


def primal_ray(form: LpForm) -> dict[int, float]:
    """Column → direction of an unbounded ray (only the non-zero entries)."""
    status, has_ray, ray = form.highs.getPrimalRay()
    if status == highspy.HighsStatus.kError or not has_ray:
        return {}
    scale = max((abs(x) for x in ray), default=0.0) or 1.0
    return {j: float(x) / scale for j, x in enumerate(ray) if abs(x) > 1e-9 * scale}


class Elastic:
    """The elastic LP: one slack column per knob, objective Σ weight × slack, minimized.

    A knob is a list of ``(row, size)``: one unit of the knob moves each of its rows' bounds
    ``size`` units in the relaxing direction (a ≥ row down, a ≤ row up). Equality rows cannot
    be relaxed. The original objective is dropped (this is a feasibility question).
    """

    def __init__(
        self, form: LpForm, knobs: Sequence[Sequence[tuple[int, float]]], weights: Sequence[float]
    ):
        h = form.highs
        h.clearSolver()
        n = len(form.columns)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.form = form
        self.first = n
        self.count = len(knobs)
        for knob, weight in zip(knobs, weights, strict=True):
            index, value = [], []
            for row, size in knob:
                if form.sense[row] == EQUAL:
                    raise ValueError(f"row {form.rows[row].name} is an equality")
                index.append(row)
                value.append(size if form.sense[row] == LOWER else -size)
            h.addCol(
                float(weight),
                0.0,
                INF,
                len(index),
                np.array(index, dtype=np.int32),
                np.array(value, dtype=np.double),
            )

    def solve(self, open_knobs: Iterable[int]) -> tuple[dict[int, float], np.ndarray] | None:
        """Smallest weighted relaxation using only ``open_knobs``: (knob → amount, column
        values of the original variables), or None if those knobs cannot make it feasible."""
        h = self.form.highs
        allowed = set(open_knobs)
        idx = np.arange(self.first, self.first + self.count, dtype=np.int32)
        ub = np.array([INF if k in allowed else 0.0 for k in range(self.count)])
        h.changeColsBounds(self.count, idx, np.zeros(self.count), ub)
        if run(self.form) != Status.OPTIMAL:
            return None
        values = np.asarray(h.getSolution().col_value)
        amounts = {
            k: float(values[self.first + k]) for k in allowed if values[self.first + k] > 1e-7
        }
        return amounts, values[: self.first]
