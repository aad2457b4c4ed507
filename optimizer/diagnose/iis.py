"""The allocation model as a plain HiGHS LP, for diagnosis: status, IIS, elastic relaxation,
unbounded ray — each row and column mapped back to its Pyomo constraint or variable.

``compile_lp`` compiles the Pyomo model from :func:`optimizer.model.build.build_model` (by default
every limit a row: the LP the solve stage hands HiGHS, with single-variable limits as rows
instead of bounds) with Pyomo's public standard-form compiler and passes it to a
``highspy.Highs`` of our own, so row ``i`` is ``rows[i]`` and column ``j`` is ``columns[j]``.
Integrality is dropped: in lumpy mode the diagnosis is of the LP relaxation.

HiGHS's IIS (``Highs.getIis``, bit-mask ``iis_strategy`` from HiGHS 1.13 on; highspy 1.15 is
required and tested) returns an irreducible set of rows and column bounds that cannot hold
together. The elastic LP adds one non-negative "slack" column per *knob* — a set of rows
one input value moves together — and minimizes the knobs' total, so a run with only some
knobs open answers "what is the smallest change of this input that makes the case feasible".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from optimizer.errors import SolverError

INF = highspy.kHighsInf
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
_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
}


@dataclass
class LpForm:
    """One model as a HiGHS LP: row ``i`` is ``rows[i]`` (``sense[i]``, ``rhs[i]``), column
    ``j`` is ``columns[j]``."""

    highs: highspy.Highs
    model: pyo.ConcreteModel
    rows: list[pyo.ConstraintData]
    sense: list[int]
    rhs: np.ndarray
    columns: list[pyo.VarData]
    lumpy: bool


@dataclass(frozen=True)
class Iis:
    """An irreducible infeasible subset: (row, side) and (column, side) pairs."""

    rows: tuple[tuple[int, str], ...]
    columns: tuple[tuple[int, str], ...]


def compile_lp(model: pyo.ConcreteModel, *, time_limit_s: float = 60.0) -> LpForm:
    """``model`` as a silent, single-thread HiGHS LP with its row and column maps."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit_s))
    columns = list(info.columns)
    lb = np.array([-INF if v.lb is None else v.lb for v in columns], dtype=np.double)
    ub = np.array([INF if v.ub is None else v.ub for v in columns], dtype=np.double)
    h.addVars(len(columns), lb, ub)
    cost = info.c.toarray()[0] if info.c.shape[0] else np.zeros(len(columns))
    nz = np.flatnonzero(cost)
    if len(nz):
        h.changeColsCost(len(nz), nz.astype(np.int32), cost[nz].astype(np.double))
    sense = [int(r.bound_type) for r in info.rows]
    rhs = np.asarray(info.rhs, dtype=np.double)
    lower = np.where(np.array(sense) <= EQUAL, rhs, -INF) if sense else rhs
    upper = np.where(np.array(sense) >= EQUAL, rhs, INF) if sense else rhs
    a = info.A.tocsr()
    if len(sense):
        h.addRows(
            len(sense),
            lower,
            upper,
            a.nnz,
            a.indptr[:-1].astype(np.int32),
            a.indices.astype(np.int32),
            a.data.astype(np.double),
        )
    rows = [r.constraint for r in info.rows]
    lumpy = bool(getattr(getattr(model, "lookup", None), "lumpy", False))
    return LpForm(h, model, rows, sense, rhs, columns, lumpy)


def run(form: LpForm) -> str:
    """Solve; returns optimal | infeasible | unbounded | other (an undecided status is
    re-run with presolve off, which tells infeasible from unbounded)."""
    h = form.highs
    h.run()
    status = _STATUS.get(h.getModelStatus(), "other")
    if status == "infeasible_or_unbounded":
        h.setOptionValue("presolve", "off")
        h.clearSolver()
        h.run()
        h.setOptionValue("presolve", "choose")
        status = _STATUS.get(h.getModelStatus(), "other")
        if status == "infeasible_or_unbounded":
            status = "other"
    return status


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
        if run(self.form) != "optimal":
            return None
        values = np.asarray(h.getSolution().col_value)
        amounts = {
            k: float(values[self.first + k]) for k in allowed if values[self.first + k] > 1e-7
        }
        return amounts, values[: self.first]
