"""Solve a case with HiGHS and return :class:`~optimizer.results.Results`.

Uses Pyomo's current HiGHS interface (``pyomo.contrib.solver``), one thread for reproducible
results, the case's time limit and MIP gap; LPs are solved by interior point with crossover
(see :meth:`_Highs.run`). Status handling:

- optimal → results with primal tables and marginal values;
- infeasible / unbounded → re-checked with presolve off first (presolve can misjudge);
- time limit with an incumbent → ``feasible`` with its gap;
- no incumbent, or a solver error → ``no_solution``.

In lumpy mode (MILP) the marginal values come from the LP re-solved with every start
decision fixed at its MILP value; its solution is the one reported (same objective).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.common.util import NoDualsError

from optimizer.case import Case
from optimizer.errors import InfeasibleError
from optimizer.marginals import dual_table
from optimizer.model import MONEY_SCALE_USD, build_model
from optimizer.results import (
    STATUS_FEASIBLE,
    STATUS_INFEASIBLE,
    STATUS_NO_SOLUTION,
    STATUS_OPTIMAL,
    STATUS_UNBOUNDED,
    Results,
)
from optimizer.solution import tables

_INFEASIBLE = (TerminationCondition.provenInfeasible,
               TerminationCondition.infeasibleOrUnbounded)
_HAS_SOLUTION = (SolutionStatus.optimal, SolutionStatus.feasible)
_SIZE = re.compile(r"(?:LP|MIP)\s+has (\d+) rows; (\d+) cols; (\d+) nonzeros"
                   r"(?:; (\d+) integer variables)?")


@dataclass
class _Run:
    """One HiGHS run: Pyomo's results plus wall time."""

    res: object
    seconds: float

    @property
    def condition(self) -> TerminationCondition:
        return self.res.termination_condition

    @property
    def has_solution(self) -> bool:
        return self.res.solution_status in _HAS_SOLUTION


class _Highs:
    """A persistent HiGHS solver bound to one model, with the case's options."""

    def __init__(self, *, threads: int, time_limit_s: float, mip_gap_pct: float):
        self.solver = SolverFactory("highs")
        self.options = dict(
            threads=threads, time_limit=time_limit_s, rel_gap=mip_gap_pct / 100.0,
            load_solutions=False, raise_exception_on_nonoptimal_result=False,
        )
        self.runs: list[_Run] = []

    def run(self, model: pyo.ConcreteModel, *, lp: bool, **solver_options) -> _Run:
        """One HiGHS run; LPs use the interior-point method with crossover (a basic optimal
        solution, so vertex duals), which on long multi-period cases is an order of
        magnitude faster than dual simplex. MILPs keep HiGHS's own choice: there the
        ``solver`` option would drop the integrality."""
        if lp:
            solver_options = {"solver": "ipm", "run_crossover": "on", **solver_options}
        tick = time.perf_counter()
        res = self.solver.solve(model, **self.options, solver_options=solver_options)
        run = _Run(res, time.perf_counter() - tick)
        self.runs.append(run)
        return run

    @property
    def log(self) -> str:
        """Every run's HiGHS log, the main solve first."""
        return "\n".join(r.res.solver_log or "" for r in self.runs)

    @property
    def version(self) -> str:
        return "HiGHS " + ".".join(str(x) for x in self.solver.version())


def solve_case(case: Case, *, threads: int = 1, time_limit_s: float | None = None,
               mip_gap_pct: float | None = None) -> Results:
    """Build and solve ``case``; never raises for an infeasible or unsolved case."""
    tick = time.perf_counter()
    try:
        model = build_model(case)
    except InfeasibleError as exc:
        return _empty(case, STATUS_INFEASIBLE, str(exc), {"build": time.perf_counter() - tick})
    built = time.perf_counter()
    results = solve_model(model, threads=threads, time_limit_s=time_limit_s,
                          mip_gap_pct=mip_gap_pct)
    results.timings_s = {"build": built - tick, **results.timings_s,
                         "total": time.perf_counter() - tick}
    return results


def solve_model(model: pyo.ConcreteModel, *, threads: int = 1,
                time_limit_s: float | None = None,
                mip_gap_pct: float | None = None, highs: _Highs | None = None,
                with_duals: bool = True) -> Results:
    """Solve a model from :func:`optimizer.model.build_model` and read off its results.

    ``highs``: a solver to reuse (scenario re-solves keep HiGHS's copy of a mutable model,
    see :mod:`optimizer.scenarios_run`); its own options then apply. ``with_duals=False`` skips
    the marginal values (the scenario comparison does not show them).
    """
    case: Case = model.case
    settings = case.settings
    if highs is None:
        highs = _Highs(
            threads=threads,
            time_limit_s=time_limit_s if time_limit_s is not None else settings.time_limit_s,
            mip_gap_pct=mip_gap_pct if mip_gap_pct is not None else settings.mip_gap_pct)
    lumpy = model.lookup.lumpy
    run = highs.run(model, lp=not lumpy)
    recheck = ""
    if run.condition in _INFEASIBLE or run.condition == TerminationCondition.unbounded:
        run = highs.run(model, lp=not lumpy, presolve="off")
        recheck = ", re-checked with presolve off"
    timings = {"solve": sum(r.seconds for r in highs.runs)}
    log = highs.log

    if run.condition == TerminationCondition.unbounded:
        return _empty(case, STATUS_UNBOUNDED, "proven unbounded by HiGHS" + recheck + ": some "
                      "margin can grow without limit", timings, highs.version, log)
    if run.condition in _INFEASIBLE and not run.has_solution:
        return _empty(case, STATUS_INFEASIBLE, "proven infeasible by HiGHS" + recheck,
                      timings, highs.version, log)
    if not run.has_solution:
        if run.condition == TerminationCondition.maxTimeLimit:
            why = (f"the time limit ({highs.options['time_limit']:g} s) ran out before HiGHS "
                   "found a feasible plan; raise time_limit_s in Settings")
        else:
            why = f"HiGHS stopped ({run.condition.name}) without a feasible plan"
        return _empty(case, STATUS_NO_SOLUTION, why, timings, highs.version, log)

    optimal = run.condition == TerminationCondition.convergenceCriteriaSatisfied
    bound = run.res.objective_bound
    incumbent = run.res.incumbent_objective
    message = "" if optimal else (f"HiGHS stopped ({run.condition.name}) before proving "
                                  "this plan optimal")
    dual_run: _Run | None = run
    if lumpy:
        dual_run, note = _fixed_lp(model, highs, run)
        message = "; ".join(x for x in (message, note) if x)
        if dual_run is not None:
            incumbent = dual_run.res.incumbent_objective
    else:
        run.res.solution_loader.load_vars()
    timings["solve"] = sum(r.seconds for r in highs.runs)
    tick = time.perf_counter()
    duals = None
    try:
        if dual_run is not None and with_duals:
            duals = dual_run.res.solution_loader.get_duals()
    except NoDualsError:
        message = "; ".join(x for x in (message, "no marginal values (no dual solution)") if x)
    results = Results(
        status=STATUS_OPTIMAL if optimal else STATUS_FEASIBLE,
        case_name=settings.case_name,
        months=case.months,
        objective_usd=incumbent * MONEY_SCALE_USD,
        best_bound_usd=None if bound is None else bound * MONEY_SCALE_USD,
        mip_gap_pct=_gap_pct(incumbent, bound) if lumpy or not optimal else None,
        expansion_mode=settings.expansion_mode,
        solver_version=highs.version,
        message=message,
        model_size=_size(highs.log, model),
        solver_log=highs.log,
        **tables(model),
    )
    if duals is not None:
        results.duals = dual_table(model, duals)
    timings["results"] = time.perf_counter() - tick
    results.timings_s = timings
    return results


def _fixed_lp(model: pyo.ConcreteModel, highs: _Highs, mip: _Run) -> tuple[_Run | None, str]:
    """Re-solve the LP with every ``Start`` fixed at its MILP value, for marginal values.

    The model is restored (starts unfixed and binary) afterwards; variable values stay those
    of the fixed LP, which the results report — or the MILP's (and no run to take marginal
    values from) if that LP does not solve to optimality.
    """
    mip.res.solution_loader.load_vars()
    starts = list(model.Start.values())
    for v in starts:
        v.domain = pyo.NonNegativeReals
        v.fix(1.0 if (v.value or 0.0) > 0.5 else 0.0)
    try:
        lp = highs.run(model, lp=True)
        if lp.condition == TerminationCondition.convergenceCriteriaSatisfied:
            lp.res.solution_loader.load_vars()
            return lp, ""
        return None, f"the fixed-start LP ended {lp.condition.name}: no marginal values"
    finally:
        for v in starts:
            value = v.value
            v.unfix()
            v.domain = pyo.Binary
            v.set_value(value)


def _gap_pct(incumbent: float | None, bound: float | None) -> float | None:
    """Relative gap between the best plan and the best bound, in percent (HiGHS's formula)."""
    if incumbent is None or bound is None:
        return None
    return max(0.0, abs(bound - incumbent) / max(abs(incumbent), 1e-9) * 100.0)


def _size(log: str, model: pyo.ConcreteModel) -> dict[str, int]:
    """Rows, columns, nonzeros (and integers) as HiGHS received them."""
    match = _SIZE.search(log)
    if match:
        rows, cols, nnz, ints = match.groups()
        return {"constraints": int(rows), "variables": int(cols), "nonzeros": int(nnz),
                "integer_variables": int(ints or 0)}
    return {"constraints": model.nconstraints(), "variables": model.nvariables()}


def _empty(case: Case, status: str, message: str, timings: dict[str, float],
           version: str = "", log: str = "") -> Results:
    return Results(status=status, case_name=case.settings.case_name, months=case.months,
                   expansion_mode=case.settings.expansion_mode, solver_version=version,
                   message=message, timings_s=timings, solver_log=log)
