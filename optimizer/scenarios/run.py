"""Solve the base case and its scenarios: one self-contained task per run, on any executor.

:func:`run_one` takes the raw workbook and a scenario name (``None`` = the base case) and
returns a :class:`RunRecord`: the key figures the comparison shows, the monthly allocation by
smelter, and the input cells the scenario changed. Arguments and result are plain picklable
data, so :func:`run_all` runs the same function here, in a process pool (``--jobs``) or on a
Dask cluster — any executor with a ``concurrent.futures``-style ``submit``.

A worker keeps the base case's model (:mod:`optimizer.scenarios.warm`), so a scenario that
only changes data is re-solved rather than built again.

Workers: processes, or Dask workers with one thread each (``dask worker --nthreads 1``): the
runs are CPU-bound, one HiGHS thread each.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.case import Case
from optimizer.errors import InfeasibleError, InputError, UsageError
from optimizer.inputs.rawbook import RawBook
from optimizer.inputs.scenario import CellChange, apply_scenario_with_changes
from optimizer.model.build import build_model, update_model
from optimizer.report.console import json_number
from optimizer.scenarios.plan import Plan, Prepared, validated
from optimizer.scenarios.warm import Warm, release, warm_state
from optimizer.solve.kpis import Build, key_figures
from optimizer.solve.results import Results
from optimizer.solve.run import no_plan, solve_case, solve_model
from optimizer.solve.status import Status

BASE = "base case"  # how the base run is labelled in tables and progress

METHOD_RESOLVED = "re-solved"  # base model updated in place, warm-started from the base basis
METHOD_REBUILT = "rebuilt"  # the scenario changes the model's shape: built and solved cold
METHOD_COLD = "cold"  # built and solved from scratch (the base case; persistence off)


@dataclass(frozen=True)
class RunOptions:
    """How every run is solved; plain data, shipped to each worker with the task."""

    persistent: bool = True
    reports: dict[str | None, Path] = field(default_factory=dict)  # run -> report path
    provenance: dict[str, Any] = field(default_factory=dict)  # for the full reports


@dataclass
class RunRecord:
    """What one run produced, as plain data (key figures, allocation, input changes)."""

    scenario: str | None  # None: the base case
    status: Status
    message: str = ""
    objective_usd: float | None = None
    months: tuple[str, ...] = ()
    sb_t: dict[str, float] = field(default_factory=dict)  # per smelter
    allocated_t: dict[str, float] = field(default_factory=dict)  # ore dispatched per smelter
    utilization_pct: dict[str, float | None] = field(default_factory=dict)
    alaska_shipped_t: float | None = None  # own claims (Sources kind = mine)
    grant_used_usd: dict[str, float] = field(default_factory=dict)
    built_t: dict[str, float] = field(default_factory=dict)  # t/month per project, all stages
    stages: tuple[Build, ...] = ()  # every expansion stage, in Results.builds order
    shortfall_t_sb: float | None = None
    allocation: dict[str, tuple[float, ...]] = field(default_factory=dict)  # t per month
    changes: tuple[CellChange, ...] = ()
    method: str = METHOD_COLD
    seconds: float = 0.0
    report: str | None = None

    @property
    def label(self) -> str:
        return self.scenario if self.scenario is not None else BASE

    @property
    def solved(self) -> bool:
        return self.objective_usd is not None


# --- one run ----------------------------------------------------------------------------------


def run_one(
    raw: RawBook,
    scenario: str | None,
    options: RunOptions = RunOptions(),
    prepared: Prepared | None = None,
) -> RunRecord:
    """Solve the base case (``scenario=None``) or one scenario of ``raw``; never raises for
    an invalid, infeasible or unsolved run (its status says so).

    ``prepared``: this run's case and changes from :meth:`Plan.prepared`, which spares
    applying and validating the scenario again.
    """
    tick = time.perf_counter()
    changes: list[CellChange] = []
    try:
        if prepared is not None and prepared[0] == scenario:
            case, changes = prepared[1], list(prepared[2])
        else:
            book = raw
            if scenario is not None:
                book, changes = apply_scenario_with_changes(raw, scenario)
            case = validated(book)
    except (InputError, UsageError) as exc:
        return RunRecord(
            scenario,
            Status.INVALID,
            message=str(exc),
            changes=tuple(changes),
            seconds=time.perf_counter() - tick,
        )
    report = options.reports.get(scenario)
    warm = warm_state(raw) if options.persistent and report is None else None
    results, method = _solve(warm, case, scenario, with_duals=report is not None)
    written = None
    if report is not None and results.has_solution:
        from optimizer.report.workbook import write_report

        provenance = {**options.provenance, "scenario": scenario or ""}
        written = str(write_report(results, case, report, provenance))
    return _record(scenario, results, case, changes, method, time.perf_counter() - tick, written)


def _solve(
    warm: Warm | None, case: Case, scenario: str | None, *, with_duals: bool
) -> tuple[Results, str]:
    if warm is not None and scenario is None:
        return warm.base, METHOD_COLD
    if warm is not None and warm.basis is not None:
        try:
            changed = update_model(warm.built, case)
        except InfeasibleError as exc:
            return no_plan(case, Status.INFEASIBLE, str(exc)), METHOD_RESOLVED
        if changed is not None:
            return warm.resolve(changed), METHOD_RESOLVED
        return _cold(case, with_duals), METHOD_REBUILT
    return _cold(case, with_duals), METHOD_COLD


def _cold(case: Case, with_duals: bool) -> Results:
    """Build and solve from scratch, as ``solve`` does (marginal values only for reports)."""
    if with_duals:
        return solve_case(case)
    try:
        built = build_model(case)
    except InfeasibleError as exc:
        return no_plan(case, Status.INFEASIBLE, str(exc))
    return solve_model(built, with_duals=False)


# --- key figures ------------------------------------------------------------------------------


def _record(
    scenario: str | None,
    results: Results,
    case: Case,
    changes: list[CellChange],
    method: str,
    seconds: float,
    report: str | None,
) -> RunRecord:
    record = RunRecord(
        scenario,
        results.status,
        message=results.message,
        objective_usd=results.objective_usd,
        months=case.months,
        changes=tuple(changes),
        method=method,
        seconds=seconds,
        report=report,
    )
    if not results.has_solution:
        return record
    # figures a scenario's delta is taken of are rounded as in --json, so that equal figures
    # of two runs show a zero change rather than float noise
    kpis = key_figures(results, case)
    record.sb_t = {p: json_number(kpis.sb_t.get(p, 0.0)) for p in case.smelters}
    record.grant_used_usd = {g: json_number(kpis.grant_used_usd.get(g, 0.0)) for g in case.grants}
    record.shortfall_t_sb = json_number(kpis.shortfall_t_sb)
    record.built_t = {e: json_number(v) for e, v in kpis.built_t_per_month.items()}
    record.stages = kpis.builds
    record.utilization_pct = {p: kpis.utilization_pct(p) for p in case.smelters}
    record.alaska_shipped_t = kpis.alaska_shipped_t
    record.allocation = kpis.allocation_t
    record.allocated_t = {p: sum(series) for p, series in kpis.allocation_t.items()}
    return record


# --- many runs ----------------------------------------------------------------------------------


def run_all(
    plan: Plan,
    options: RunOptions = RunOptions(),
    *,
    executor: concurrent.futures.Executor | None = None,
    progress: Callable[[RunRecord], None] | None = None,
) -> list[RunRecord]:
    """The base case, then every scenario of ``plan``, in that order.

    ``executor`` is anything with ``submit(fn, *args)`` returning ``concurrent.futures``
    futures (a process pool, Dask's ``Client.get_executor()``); None runs them here, one
    after another. ``progress`` is called with each record as it finishes.
    """
    runs: list[str | None] = [None, *plan.names]
    done: list[RunRecord | None] = [_invalid(n, plan.invalid.get(n or "")) for n in runs]
    todo = [i for i, record in enumerate(done) if record is None]
    if progress is not None:
        for record in done:
            if record is not None:
                progress(record)
    if executor is None:
        for i in todo:
            done[i] = run_one(plan.raw, runs[i], options, plan.prepared(runs[i]))
            if progress is not None:
                progress(done[i])
        release()  # this process is done with the workbook: free its model
        return [r for r in done if r is not None]
    futures = {
        executor.submit(run_one, plan.raw, runs[i], options, plan.prepared(runs[i])): i
        for i in todo
    }
    for future in concurrent.futures.as_completed(futures):
        done[futures[future]] = record = future.result()
        if progress is not None:
            progress(record)
    return [r for r in done if r is not None]


def _invalid(scenario: str | None, problems: list | None) -> RunRecord | None:
    """The record of a scenario that is not solved because its input is invalid."""
    if scenario is None or problems is None:
        return None
    return RunRecord(
        scenario, Status.INVALID, message="; ".join(str(p) for p in problems[:3]) or "invalid"
    )


@contextmanager
def executor_for(
    jobs: int, dask_scheduler: str | None, runs: int
) -> Iterator[concurrent.futures.Executor | None]:
    """The executor ``--jobs`` / ``--dask-scheduler`` ask for (None: run in this process).

    Worker processes are started with ``spawn``: forking a process that already ran HiGHS
    (whose thread pool does not survive a fork) can hang.
    """
    if dask_scheduler is not None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise UsageError(
                "--dask-scheduler needs Dask: pip install 'ore-optimizer[distributed]'"
            ) from exc
        try:
            client = Client(dask_scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {dask_scheduler}: {exc}") from exc
        try:
            yield client.get_executor()
        finally:
            client.close()
        return
    workers = min(jobs, runs)
    if workers <= 1:
        yield None
        return
    context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_ignore_interrupts
    )
    try:
        yield pool
    except BaseException:  # Ctrl-C, SIGTERM, an error: no worker outlives this process
        _kill_workers(pool)
        raise
    pool.shutdown(wait=True)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C (sent to the whole terminal process group) to the parent, which
    stops them all and says so once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _kill_workers(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes now (``shutdown`` alone waits for the runs in
    progress to finish). Python 3.11 has no public call for this: the pool's process table
    is read directly."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
