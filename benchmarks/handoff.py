"""Pyomo → HiGHS hand-offs compared on one model: which way in and out is fastest?

    .venv/bin/python benchmarks/run.py --handoffs 120x50x10x3 [--repeat N]

Every method gets a freshly built model (``optimizer.model.build.build_model``) in a fresh process,
solves it with the same HiGHS options, and ends in the same state the product needs: every
variable's value loaded into the Pyomo model and a ``{constraint: dual}`` mapping.

``contrib``        the product today: ``pyomo.contrib.solver`` persistent HiGHS interface
                   (``solve``, ``load_vars``, ``get_duals``). It walks every constraint with
                   ``generate_standard_repn`` and registers variables one constraint at a
                   time, each registration a small highspy call.
``standard_form``  Pyomo's ``LinearStandardFormCompiler`` (one pass of the fast linear
                   walker over the model into CSC arrays), passed straight to highspy with
                   one ``passModel``; values and duals mapped back by position. Needs scipy.
``direct``         the product (:mod:`optimizer.solve.highs`): each constraint's terms read
                   straight from its expression tree into row-wise arrays, passed in a few
                   array calls; rows and columns in the contrib interface's order, so HiGHS
                   gets the very same LP.

Reported per method: hand-off in (model → HiGHS), HiGHS run, hand-off out (values and duals
→ Pyomo), objective, and the peak resident memory growth over the built model.
"""

from __future__ import annotations

import gc
import importlib.util
import pickle
import time
from pathlib import Path

import numpy as np


def _highs(options: dict):
    """A quiet highspy instance with ``options`` (``solver: choose`` = HiGHS's default)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, option in options.items():
        if (key, option) != ("solver", "choose"):
            h.setOptionValue(key, option)
    return h


def contrib(model, options: dict) -> tuple[dict, float, dict]:
    """The product's current path; returns (times, objective in model units, duals)."""
    from pyomo.contrib.solver.common.factory import SolverFactory

    times: dict[str, float] = {}
    solver = SolverFactory("highs")
    start = time.perf_counter()
    extra = {k: v for k, v in options.items() if k != "threads" and (k, v) != ("solver", "choose")}
    res = solver.solve(
        model,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        threads=options["threads"],
        solver_options=extra,
    )
    solved = time.perf_counter()
    res.solution_loader.load_vars()
    duals = res.solution_loader.get_duals()
    times["out"] = time.perf_counter() - solved
    times["in+run"] = solved - start
    return times, res.incumbent_objective, duals


def standard_form(model, options: dict) -> tuple[dict, float, dict]:
    """Standard-form compiler → arrays → one ``passModel``; values and duals by position."""
    import highspy
    import pyomo.environ as pyo
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    times: dict[str, float] = {}
    start = time.perf_counter()
    form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    sense = form.objectives[0].sense
    columns = form.columns
    n_col, n_row = len(columns), form.A.shape[0]
    cost = np.zeros(n_col)
    c = form.c.tocoo()
    cost[c.col] = c.data
    lower = np.fromiter((-np.inf if v.lb is None else v.lb for v in columns), float, n_col)
    upper = np.fromiter((np.inf if v.ub is None else v.ub for v in columns), float, n_col)
    kind = np.fromiter((r.bound_type for r in form.rows), np.int8, n_row)
    rhs = np.asarray(form.rhs, dtype=float)
    row_lower = np.where(kind <= 0, rhs, -np.inf)  # 0: ==, -1: >=, 1: <=
    row_upper = np.where(kind >= 0, rhs, np.inf)
    integrality = np.fromiter((v.is_integer() for v in columns), np.int32, n_col)
    a = form.A
    h = _highs(options)
    h.passModel(
        n_col,
        n_row,
        a.nnz,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize if sense == pyo.maximize else highspy.ObjSense.kMinimize),
        float(form.c_offset[0]),
        cost,
        lower,
        upper,
        row_lower,
        row_upper,
        a.indptr.astype(np.int32),
        a.indices.astype(np.int32),
        a.data,
        integrality,
    )
    times["in"] = time.perf_counter() - start
    start = time.perf_counter()
    h.run()
    times["run"] = time.perf_counter() - start
    start = time.perf_counter()
    solution = h.getSolution()
    for v, x in zip(columns, solution.col_value, strict=True):
        v.set_value(x, skip_validation=True)
    duals: dict = {}
    for row, y in zip(form.rows, solution.row_dual, strict=True):  # ranged rows appear twice
        duals[row.constraint] = duals.get(row.constraint, 0.0) + y
    times["out"] = time.perf_counter() - start
    return times, h.getInfo().objective_function_value, duals


def direct(model, options: dict) -> tuple[dict, float, dict]:
    """The product's hand-off (:mod:`optimizer.solve.highs`): terms read straight from the
    expressions into row-wise arrays, passed in a few array calls; values loaded back by
    position, duals kept as arrays (here mapped to the constraints, as the others end)."""
    from optimizer.solve.compile import compile_model
    from optimizer.solve.highs import HighsLp

    times: dict[str, float] = {}
    start = time.perf_counter()
    hl = HighsLp(compile_model(model))
    times["in"] = time.perf_counter() - start
    start = time.perf_counter()
    extra = {k: v for k, v in options.items() if (k, v) != ("solver", "choose")}
    res = hl.run(extra)
    times["run"] = time.perf_counter() - start
    start = time.perf_counter()
    hl.load_values(res.col_value)
    duals = dict(zip(hl.lp.constraints, res.row_dual.tolist(), strict=True))
    times["out"] = time.perf_counter() - start
    return times, res.incumbent_objective, duals


METHODS = {"contrib": contrib, "standard_form": standard_form, "direct": direct}


def worker(method: str, case_pickle: str, solver: str) -> dict:
    """One method on a freshly built model, in this (fresh) process."""
    import highspy

    from benchmarks.run import peak_mb, rss_mb
    from optimizer.model.build import build_model
    from optimizer.model.lookup import MONEY_SCALE_USD

    run_time = {"run": 0.0}
    original = highspy.Highs.run

    def timed_run(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            run_time["run"] += time.perf_counter() - start

    highspy.Highs.run = timed_run
    model = build_model(pickle.loads(Path(case_pickle).read_bytes())).model
    gc.collect()
    rss_before = rss_mb()
    times, objective, duals = METHODS[method](model, {"threads": 1, "solver": solver})
    times["run"] = run_time["run"]
    if "in+run" in times:
        times["in"] = times.pop("in+run") - times["run"]
    return {
        "times": times,
        "objective_usd": objective * MONEY_SCALE_USD,
        "duals": len(duals),
        "peak_mb": peak_mb(),
        "model_peak_growth_mb": peak_mb() - rss_before,
    }


def compare(workbook: Path, repeat: int = 1, solver: str = "ipm") -> None:
    from benchmarks.run import best_of, spawn

    prep = spawn("prepare", workbook, workbook.with_suffix(".case.pkl"))
    print(
        f"{workbook.name}: read+validate {prep['times']['read'] + prep['times']['validate']:.2f}"
        f" s; HiGHS LP solver: {solver}"
    )
    print(f"{'method':<15}{'in':>8}{'HiGHS':>8}{'out':>8}{'in+out':>8}{'mem MB':>8}  objective")
    for method in METHODS:
        if method == "standard_form" and importlib.util.find_spec("scipy") is None:
            print(f"{method:<15}skipped: needs scipy (pip install -e '.[bench]')")
            continue
        runs = [
            spawn("handoff", method, workbook.with_suffix(".case.pkl"), solver)
            for _ in range(repeat)
        ]
        best = best_of(runs)
        t = best["times"]
        print(
            f"{method:<15}{t['in']:8.2f}{t['run']:8.2f}{t['out']:8.2f}"
            f"{t['in'] + t['out']:8.2f}{best['model_peak_growth_mb']:8.0f}"
            f"  {best['objective_usd']:,.0f}  ({best['duals']} duals)"
        )
