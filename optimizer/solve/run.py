"""Solve a case with HiGHS and return :class:`~optimizer.solve.results.Results`.

The model goes to HiGHS through the one hand-off every command uses
(:mod:`optimizer.solve.compile` → :mod:`optimizer.solve.highs`: a few array calls, values and
duals read back by position), one thread for reproducible results, the case's time limit and
MIP gap; LPs are solved by interior point with crossover (see :meth:`HighsSession.run`). The solve
stage builds the model with its single-variable limits as variable bounds
(``build_model(..., limits_as_bounds=True)``), whose marginal values are the columns' reduced
costs. Status handling (:mod:`optimizer.solve.status`):

- optimal → results with primal tables and marginal values;
- an interior-point run that ends in error → solved again by dual simplex;
- infeasible / unbounded → re-checked with presolve off first (presolve can misjudge);
- time limit with an incumbent → ``feasible`` with its gap;
- no incumbent, or a solver error → ``no_solution``.

In single and lumpy modes (MILP) the marginal values come from the LP re-solved with every start
decision fixed at its MILP value; its solution is the one reported (same objective).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from optimizer.case import Case
from optimizer.errors import InfeasibleError
from optimizer.gc_pause import gc_paused
from optimizer.model.build import BuiltModel, build_model
from optimizer.model.lookup import MONEY_SCALE_USD
from optimizer.solve.compile import compile_model
from optimizer.solve.duals import dual_table
from optimizer.solve.highs import RECHECK, HighsLp, RunResult, status_of
from optimizer.solve.ranging import input_table
from optimizer.solve.results import Results
from optimizer.solve.solution import tables
from optimizer.solve.status import Status

_HAS_SOLUTION = (SolutionStatus.optimal, SolutionStatus.feasible)

SOLVER_FAILED = (TerminationCondition.error, TerminationCondition.unknown)
"""Interior-point endings that decide nothing (it can fail on an infeasible LP): the LP is
solved again by dual simplex, whose answer (and presolve-off re-check) stands."""
DUAL_SIMPLEX = 1  # HiGHS simplex_strategy


@dataclass
class _Run:
    """One HiGHS run: its result plus wall time."""

    res: RunResult
    seconds: float

    @property
    def condition(self) -> TerminationCondition:
        return self.res.termination_condition

    @property
    def has_solution(self) -> bool:
        return self.res.solution_status in _HAS_SOLUTION and self.res.col_value is not None


class HighsSession:
    """HiGHS holding one model (compiled on its first run), with the case's options."""

    track = False  # compile with the parameters tracked, for re-solves with new data

    def __init__(self, *, threads: int, time_limit_s: float, mip_gap_pct: float):
        self.options = dict(
            threads=threads, time_limit=float(time_limit_s), mip_rel_gap=mip_gap_pct / 100.0
        )
        self.runs: list[_Run] = []
        self.lp: HighsLp | None = None

    def load(self, built: BuiltModel) -> HighsLp:
        """``built``'s model in HiGHS (compiled once per model)."""
        if self.lp is None or self.lp.lp.model is not built.model:
            self.lp = HighsLp(
                compile_model(built.model, track=self.track, limits=built.bound_families)
            )
        return self.lp

    def run(self, built: BuiltModel, *, lp: bool, **solver_options) -> _Run:
        """One HiGHS run; LPs use the interior-point method with crossover (a basic optimal
        solution, so vertex duals), which on long multi-period cases is an order of
        magnitude faster than dual simplex. MILPs keep HiGHS's own choice: there the
        ``solver`` option would drop the integrality."""
        if lp:
            solver_options = {"solver": "ipm", "run_crossover": "on", **solver_options}
        hl = self.load(built)
        tick = time.perf_counter()
        res = hl.run({**self.options, **solver_options})
        run = _Run(res, time.perf_counter() - tick)
        self.runs.append(run)
        return run

    @property
    def log(self) -> str:
        """Every run's HiGHS log, the main solve first."""
        return "\n".join(r.res.solver_log for r in self.runs)

    @property
    def version(self) -> str:
        return (
            f"HiGHS {highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}."
            f"{highspy.HIGHS_VERSION_PATCH}"
        )


def solve_case(
    case: Case,
    *,
    threads: int = 1,
    time_limit_s: float | None = None,
    mip_gap_pct: float | None = None,
) -> Results:
    """Build and solve ``case``; never raises for an infeasible or unsolved case."""
    tick = time.perf_counter()
    try:
        built = build_model(case, limits_as_bounds=True)
    except InfeasibleError as exc:
        return no_plan(case, Status.INFEASIBLE, str(exc), {"build": time.perf_counter() - tick})
    built_at = time.perf_counter()
    results = solve_model(
        built, threads=threads, time_limit_s=time_limit_s, mip_gap_pct=mip_gap_pct
    )
    results.timings_s = {
        "build": built_at - tick,
        **results.timings_s,
        "total": time.perf_counter() - tick,
    }
    return results


@gc_paused()
def solve_model(
    built: BuiltModel,
    *,
    threads: int = 1,
    time_limit_s: float | None = None,
    mip_gap_pct: float | None = None,
    highs: HighsSession | None = None,
    with_duals: bool = True,
) -> Results:
    """Solve a model from :func:`optimizer.model.build.build_model` and read off its results.

    ``highs``: a solver to reuse (scenario re-solves keep HiGHS's copy of a mutable model,
    see :mod:`optimizer.scenarios.run`); its own options then apply. ``with_duals=False`` skips
    the marginal values (the scenario comparison does not show them).
    """
    case = built.case
    settings = case.settings
    owned = highs is None
    if highs is None:
        highs = HighsSession(
            threads=threads,
            time_limit_s=time_limit_s if time_limit_s is not None else settings.time_limit_s,
            mip_gap_pct=mip_gap_pct if mip_gap_pct is not None else settings.mip_gap_pct,
        )
    tick = time.perf_counter()
    hl = highs.load(built)
    handoff = time.perf_counter() - tick
    lumpy = built.lookup.lumpy
    run = highs.run(built, lp=not lumpy)
    recheck, method = "", {}
    if not lumpy and run.condition in SOLVER_FAILED:
        method = {"solver": "simplex", "simplex_strategy": DUAL_SIMPLEX}
        run = highs.run(built, lp=True, **method)
        recheck = ", by dual simplex after the interior-point solver failed"
    if run.condition in RECHECK:
        run = highs.run(built, lp=not lumpy, presolve="off", **method)
        recheck += ", re-checked with presolve off"
    timings = {"handoff": handoff, "solve": sum(r.seconds for r in highs.runs)}
    log = highs.log
    status = status_of(run.condition, run.has_solution)

    if status == Status.UNBOUNDED:
        return no_plan(
            case,
            Status.UNBOUNDED,
            "proven unbounded by HiGHS" + recheck + ": some margin can grow without limit",
            timings,
            highs.version,
            log,
        )
    if status == Status.INFEASIBLE:
        return no_plan(
            case,
            Status.INFEASIBLE,
            "proven infeasible by HiGHS" + recheck,
            timings,
            highs.version,
            log,
        )
    if status == Status.NO_SOLUTION:
        if run.condition == TerminationCondition.maxTimeLimit:
            why = (
                f"the time limit ({highs.options['time_limit']:g} s) ran out before HiGHS "
                "found a feasible plan; raise time_limit_s in Settings"
            )
        else:
            why = f"HiGHS stopped ({run.condition.name}) without a feasible plan"
        return no_plan(case, Status.NO_SOLUTION, why, timings, highs.version, log)

    optimal = status == Status.OPTIMAL
    bound = run.res.objective_bound
    incumbent = run.res.incumbent_objective
    message = (
        ""
        if optimal
        else (f"HiGHS stopped ({run.condition.name}) before proving this plan optimal")
    )
    dual_run: _Run | None = run
    fixed = {}
    if lumpy:
        columns = hl.lp.integer
        fixed = dict(zip(columns.tolist(), _starts(run, columns).tolist(), strict=True))
        dual_run, note = _fixed_lp(built, highs, run)
        message = "; ".join(x for x in (message, note) if x)
        if dual_run is not None:
            incumbent = dual_run.res.incumbent_objective
    else:
        hl.load_values(run.res.col_value)
    timings["solve"] = sum(r.seconds for r in highs.runs)
    basis = hl.highs.getBasis() if dual_run is not None and with_duals else None
    if owned:
        hl.close()  # HiGHS's memory back before the results tables are built
    tick = time.perf_counter()
    duals = None
    if dual_run is not None and with_duals:
        if dual_run.res.row_dual is None:
            message = "; ".join(x for x in (message, "no marginal values (no dual solution)") if x)
        else:
            duals = dual_run.res
    results = Results(
        status=status,
        case_name=settings.case_name,
        months=case.months,
        objective_usd=incumbent * MONEY_SCALE_USD,
        best_bound_usd=None if bound is None else bound * MONEY_SCALE_USD,
        mip_gap_pct=_gap_pct(incumbent, bound) if lumpy or not optimal else None,
        expansion_mode=settings.expansion_mode,
        solver_version=highs.version,
        message=message,
        model_size=_size(hl),
        solver_log=highs.log,
        **tables(built),
    )
    if duals is not None:
        results.duals = dual_table(built, hl.lp, duals)
        tick_ranging = time.perf_counter()
        results.inputs = input_table(
            built, hl.lp, fixed, basis=basis, time_limit_s=float(highs.options["time_limit"])
        )
        timings["ranging"] = time.perf_counter() - tick_ranging
    timings["results"] = time.perf_counter() - tick
    results.timings_s = timings
    return results


def _fixed_lp(built: BuiltModel, highs: HighsSession, mip: _Run) -> tuple[_Run | None, str]:
    """Re-solve the LP with every ``Start`` fixed at its MILP value, for marginal values.

    The starts are fixed in HiGHS's copy only (continuous, both bounds at 0 or 1) and
    released afterwards; the model's values are those of the fixed LP, which the results
    report — or the MILP's (and no run to take marginal values from) if that LP does not
    solve to optimality.
    """
    hl = highs.lp
    columns = hl.lp.integer
    hl.fix_columns(columns, _starts(mip, columns))
    try:
        lp = highs.run(built, lp=True)
    finally:
        hl.restore_columns(columns)
    if lp.condition == TerminationCondition.convergenceCriteriaSatisfied and lp.has_solution:
        hl.load_values(lp.res.col_value)
        return lp, ""
    hl.load_values(mip.res.col_value)
    return None, f"the fixed-start LP ended {lp.condition.name}: no marginal values"


def _starts(mip: _Run, columns: np.ndarray) -> np.ndarray:
    """The MILP's integer (start) decisions at ``columns``, rounded to 0 or 1."""
    return np.where(mip.res.col_value[columns] > 0.5, 1.0, 0.0)


def _gap_pct(incumbent: float | None, bound: float | None) -> float | None:
    """Relative gap between the best plan and the best bound, in percent (HiGHS's formula)."""
    if incumbent is None or bound is None:
        return None
    return max(0.0, abs(bound - incumbent) / max(abs(incumbent), 1e-9) * 100.0)


def _size(hl: HighsLp) -> dict[str, int]:
    """Rows, columns, nonzeros and integers as HiGHS received them."""
    lp = hl.lp
    return {
        "constraints": lp.num_row,
        "variables": lp.num_col,
        "nonzeros": len(lp.index),
        "integer_variables": len(lp.integer),
    }


def no_plan(
    case: Case,
    status: Status,
    message: str,
    timings: dict[str, float] | None = None,
    version: str = "",
    log: str = "",
) -> Results:
    """The Results of a solve that ended without a plan (infeasible, unbounded, no solution),
    with the reason in ``message``."""
    return Results(
        status=status,
        case_name=case.settings.case_name,
        months=case.months,
        expansion_mode=case.settings.expansion_mode,
        solver_version=version,
        message=message,
        timings_s=timings or {},
        solver_log=log,
    )
