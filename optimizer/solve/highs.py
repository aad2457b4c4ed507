"""Run HiGHS (highspy) on a compiled model and read its answer back by position.

:class:`HighsLp` passes the arrays of a :class:`~optimizer.solve.compile.LinearProgram` to
HiGHS in a few array calls (columns, rows, sense; one ``changeColsIntegrality`` for the
integer columns), runs it with each run's options and returns a :class:`RunResult`: Pyomo's
termination condition and solution status (mapped as Pyomo's HiGHS interface maps them),
objective and bound, HiGHS's log (captured through its logging callback, never printed, so
solves in threads don't mix their logs) and the solution as arrays. Between runs it fixes
and restores columns (lumpy mode's fixed-start LP) and pushes changed data
(:meth:`HighsLp.update`). Every command — solve, scenarios, explain — reaches HiGHS this way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import highspy
import numpy as np
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.core.expr.numvalue import value

from optimizer import interrupts
from optimizer.solve.compile import LinearProgram, evaluate_parts
from optimizer.solve.status import Status

_STATUS = highspy.HighsModelStatus
_CONDITION = {
    _STATUS.kOptimal: TerminationCondition.convergenceCriteriaSatisfied,
    _STATUS.kInfeasible: TerminationCondition.provenInfeasible,
    _STATUS.kUnboundedOrInfeasible: TerminationCondition.infeasibleOrUnbounded,
    _STATUS.kUnbounded: TerminationCondition.unbounded,
    _STATUS.kObjectiveBound: TerminationCondition.objectiveLimit,
    _STATUS.kObjectiveTarget: TerminationCondition.objectiveLimit,
    _STATUS.kTimeLimit: TerminationCondition.maxTimeLimit,
    _STATUS.kIterationLimit: TerminationCondition.iterationLimit,
    _STATUS.kSolutionLimit: TerminationCondition.iterationLimit,
    _STATUS.kLoadError: TerminationCondition.error,
    _STATUS.kModelError: TerminationCondition.error,
    _STATUS.kPresolveError: TerminationCondition.error,
    _STATUS.kSolveError: TerminationCondition.error,
    _STATUS.kPostsolveError: TerminationCondition.error,
}
"""HiGHS model status → Pyomo's termination condition, as Pyomo's HiGHS interface maps it
(anything else: unknown)."""


_STOP_WAIT_S = 5.0
"""Longest wait for HiGHS to stop after an interrupt before the process exits anyway."""


@dataclass
class RunResult:
    """One HiGHS run, read off as soon as it ends (objective values in model units)."""

    termination_condition: TerminationCondition
    solution_status: SolutionStatus
    incumbent_objective: float | None
    objective_bound: float | None
    solver_log: str
    col_value: np.ndarray | None = None  # None: no primal solution
    col_dual: np.ndarray | None = None  # None: no dual solution
    row_value: np.ndarray | None = None
    row_dual: np.ndarray | None = None


class HighsLp:
    """A HiGHS instance holding one compiled model; every run's options are set afresh."""

    def __init__(self, lp: LinearProgram):
        self.lp = lp
        self.highs = h = highspy.Highs()
        self._log: list[str] = []
        self._stop = threading.Event()
        h.cbLogging += self._capture
        h.cbSimplexInterrupt += self._interrupt
        h.cbIpmInterrupt += self._interrupt
        h.cbMipInterrupt += self._interrupt
        self._quiet()
        empty_i, empty_d = np.zeros(0, dtype=np.int32), np.zeros(0)
        h.addCols(lp.num_col, lp.cost, lp.col_lower, lp.col_upper, 0, empty_i, empty_i, empty_d)
        h.addRows(
            lp.num_row,
            lp.row_lower,
            lp.row_upper,
            len(lp.index),
            lp.starts[:-1],
            lp.index,
            lp.values,
        )
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize
        )
        h.changeObjectiveOffset(lp.offset)
        if len(lp.integer):
            h.changeColsIntegrality(
                len(lp.integer),
                lp.integer,
                np.full(len(lp.integer), int(highspy.HighsVarType.kInteger), dtype=np.uint8),
            )

    def close(self) -> None:
        """Free HiGHS (its copy of the model, its solution); the arrays of ``lp`` stay."""
        self.highs = None

    def _capture(self, event) -> None:
        self._log.append(event.message)

    def _interrupt(self, event) -> None:
        if self._stop.is_set():
            event.interrupt()

    def _quiet(self) -> None:
        self.highs.setOptionValue("output_flag", True)  # the log goes to the callback only
        self.highs.setOptionValue("log_to_console", False)

    def run(self, options: dict) -> RunResult:
        """Run HiGHS with HiGHS's defaults plus ``options`` (name → value). ``time_limit``
        is this run's own: HiGHS's clock counts every run of the instance, so the limit
        passed on is the time already run plus this one (a re-solve after a long first run
        — lumpy mode's marginal-value LP, a re-check — is not left with no time)."""
        h = self.highs
        h.resetOptions()
        self._quiet()
        for name, option in options.items():
            if name == "time_limit":
                option = h.getRunTime() + float(option)
            h.setOptionValue(name, option)
        self._run_interruptibly()
        result = self._result()
        self._log.clear()  # messages from now on (changes, the next run) go with the next run
        return result

    def _run_interruptibly(self) -> None:
        """Run HiGHS in a thread while this one waits, so Ctrl-C / SIGTERM (a
        KeyboardInterrupt here) stops HiGHS at its next interrupt check and is raised on,
        rather than being swallowed by HiGHS as a solver error."""
        interrupts.check()
        self._stop.clear()
        failure: list[BaseException] = []

        def solve() -> None:
            try:
                self.highs.run()
            except BaseException as exc:  # handed to the waiting thread
                failure.append(exc)
            finally:
                # HiGHS's task scheduler belongs to the thread that ran it: release it here
                # (as highspy's own threaded solve does), or the process aborts at exit
                highspy.Highs.resetGlobalScheduler(False)

        worker = threading.Thread(target=solve, name="highs", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.1)
        except KeyboardInterrupt:
            self._stop.set()
            worker.join(_STOP_WAIT_S)  # HiGHS stops promptly; never hang the exit on it
            if not worker.is_alive():
                self.close()  # freed before the interpreter's shutdown, which it would abort
            raise
        if failure:
            raise failure[0]

    def _result(self) -> RunResult:
        h = self.highs
        status = h.getModelStatus()
        info = h.getInfo()
        has_primal = info.primal_solution_status == 2  # 2: feasible
        condition = _CONDITION.get(status, TerminationCondition.unknown)
        solution_status = (
            SolutionStatus.optimal
            if status == _STATUS.kOptimal
            else SolutionStatus.feasible
            if has_primal
            else SolutionStatus.noSolution
        )
        incumbent = info.objective_function_value if has_primal else None
        if info.mip_node_count == -1:  # an LP: its bound is its optimum
            optimal = condition == TerminationCondition.convergenceCriteriaSatisfied
            bound = info.objective_function_value if has_primal and optimal else None
        else:
            bound = info.mip_dual_bound
        result = RunResult(condition, solution_status, incumbent, bound, "".join(self._log))
        if has_primal:
            solution = h.getSolution()
            result.col_value = np.asarray(solution.col_value)
            result.row_value = np.asarray(solution.row_value)
            if solution.dual_valid:
                result.col_dual = np.asarray(solution.col_dual)
                result.row_dual = np.asarray(solution.row_dual)
        return result

    # --- changes between runs ---

    def fix_columns(self, columns: np.ndarray, values: np.ndarray) -> None:
        """Fix ``columns`` at ``values`` as continuous columns (an LP with those decisions
        made); :meth:`restore_columns` undoes it."""
        n = len(columns)
        h = self.highs
        h.changeColsIntegrality(
            n, columns, np.full(n, int(highspy.HighsVarType.kContinuous), dtype=np.uint8)
        )
        h.changeColsBounds(n, columns, values, values)

    def restore_columns(self, columns: np.ndarray) -> None:
        """Bounds and integrality of ``columns`` back as compiled."""
        lp, h, n = self.lp, self.highs, len(columns)
        h.changeColsBounds(n, columns, lp.col_lower[columns], lp.col_upper[columns])
        kinds = np.where(
            np.isin(columns, lp.integer),
            int(highspy.HighsVarType.kInteger),
            int(highspy.HighsVarType.kContinuous),
        ).astype(np.uint8)
        h.changeColsIntegrality(n, columns, kinds)

    def update(self, params: list) -> None:
        """Push the entries that use one of the changed mutable ``params`` (the model must
        have been compiled with ``track=True``)."""
        lp, h = self.lp, self.highs
        found = lp.tracked.users(params)
        for i, j in found.get("coef", ()):
            h.changeCoeff(i, j, evaluate_parts(lp.tracked.coefs[(i, j)]))
        columns = np.array(sorted(found.get("cost", ())), dtype=np.int32)
        if len(columns):
            lp.cost[columns] = [evaluate_parts(lp.tracked.costs[j]) for j in columns]
            h.changeColsCost(len(columns), columns, lp.cost[columns])
        self._push_bounds(
            found.get("row_bound", ()),
            lp.tracked.row_bounds,
            lp.row_lower,
            lp.row_upper,
            lp.row_constant,
            h.changeRowsBounds,
        )
        self._push_bounds(
            found.get("col_bound", ()),
            lp.tracked.col_bounds,
            lp.col_lower,
            lp.col_upper,
            None,
            h.changeColsBounds,
        )

    @staticmethod
    def _push_bounds(
        keys, exprs: dict, lower: np.ndarray, upper: np.ndarray, constant: np.ndarray | None, change
    ) -> None:
        """Re-evaluate the bounds ``keys`` ((row or column, 0 lower | 1 upper)) and push
        both bounds of each row or column they belong to."""
        touched = set()
        for k, side in keys:
            x = value(exprs[(k, side)]) - (constant[k] if constant is not None else 0.0)
            (lower if side == 0 else upper)[k] = x
            touched.add(k)
        if touched:
            idx = np.array(sorted(touched), dtype=np.int32)
            change(len(idx), idx, lower[idx], upper[idx])

    def load_values(self, values: np.ndarray) -> None:
        """Set every column's variable in the Pyomo model to its value in ``values``."""
        for var, x in zip(self.lp.variables, values.tolist(), strict=True):
            var.set_value(x, skip_validation=True)


RECHECK = (
    TerminationCondition.provenInfeasible,
    TerminationCondition.infeasibleOrUnbounded,
    TerminationCondition.unbounded,
)
"""HiGHS answers that are re-checked with presolve off before they are believed: presolve
can misjudge, and without it an infeasible-or-unbounded answer is decided."""


def status_of(condition: TerminationCondition, has_solution: bool) -> Status:
    """The status of one HiGHS run (after the presolve-off re-check of :data:`RECHECK`)."""
    if condition == TerminationCondition.unbounded:
        return Status.UNBOUNDED
    if condition in RECHECK and not has_solution:
        return Status.INFEASIBLE
    if not has_solution:
        return Status.NO_SOLUTION
    if condition == TerminationCondition.convergenceCriteriaSatisfied:
        return Status.OPTIMAL
    return Status.FEASIBLE
