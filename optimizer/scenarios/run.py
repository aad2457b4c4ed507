"""Solve the base case and its scenarios: one self-contained task per run, on any executor.

:func:`run_one` takes the raw workbook and a scenario name (``None`` = the base case) and
returns a :class:`RunRecord`: the key figures the comparison shows, the monthly allocation by
smelter, and the input cells the scenario changed. Arguments and result are plain picklable
data, so :func:`run_all` runs the same function here, in a process pool (``--jobs``) or on a
Dask cluster — any executor with a ``concurrent.futures``-style ``submit``.

Speed (persistent re-solve): each worker (process or thread) builds the base case once as a
mutable model (:func:`optimizer.model.build.build_model` with ``mutable=True``) and solves
it. A scenario that only changes data is loaded into that model
(:func:`optimizer.model.build.update_model`) and re-solved by the same HiGHS instance — only
the coefficients, costs and bounds that depend on a changed parameter are re-evaluated and
pushed (:meth:`optimizer.solve.highs.HighsLp.update`) —
with simplex starting from the *base* case's optimal basis. Starting every scenario from the
base basis, never from the previous scenario's, makes each result independent of which
worker ran it and in what order: serial and parallel runs agree exactly. A scenario that
changes the model's shape (horizon, build windows, transit times, expansion mode ...) is
built and solved from scratch, exactly as ``solve --scenario`` does; so is every run of a
lumpy (MILP) base case, and every run when full reports are asked for, so each report is the
one ``solve --scenario`` would write.

Workers: processes, or Dask workers with one thread each (``dask worker --nthreads 1``): the
runs are CPU-bound, one HiGHS thread each.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyomo.environ as pyo

from optimizer.case import Case
from optimizer.errors import InfeasibleError, InputError, Problem, UsageError
from optimizer.inputs.rawbook import RawBook, clean_text
from optimizer.inputs.scenario import (
    SCENARIOS,
    CellChange,
    apply_scenario_with_changes,
    scenario_names,
)
from optimizer.model.build import BuiltModel, build_model, update_model
from optimizer.report.console import json_number
from optimizer.solve.kpis import key_figures
from optimizer.solve.results import STATUS_INFEASIBLE, STATUS_OPTIMAL, Results
from optimizer.solve.run import _Highs, solve_case, solve_model

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


@dataclass(frozen=True)
class Build:
    """One project's expansion in a run: capacity added and when it starts / comes online."""

    added_t_per_month: float
    start_month: str
    online_month: str


@dataclass
class RunRecord:
    """What one run produced, as plain data (key figures, allocation, input changes)."""

    scenario: str | None  # None: the base case
    status: str  # a Results status, or "invalid"
    message: str = ""
    objective_usd: float | None = None
    months: tuple[str, ...] = ()
    sb_t: dict[str, float] = field(default_factory=dict)  # per smelter
    allocated_t: dict[str, float] = field(default_factory=dict)  # ore dispatched per smelter
    utilization_pct: dict[str, float | None] = field(default_factory=dict)
    alaska_shipped_t: float | None = None  # own claims (Sources kind = mine)
    grant_used_usd: dict[str, float] = field(default_factory=dict)
    builds: dict[str, Build] = field(default_factory=dict)  # per project that was built
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


# --- preparing: every input problem before any solve ------------------------------------------


Prepared = tuple[str | None, Case, tuple[CellChange, ...]]  # a run already validated


@dataclass
class Plan:
    """The validated runs: the workbook, the scenario names, every run's case and changes."""

    raw: RawBook
    names: list[str]
    cases: dict[str | None, Case]
    changes: dict[str, list[CellChange]]
    warnings: list[Problem]

    def prepared(self, scenario: str | None) -> Prepared:
        return scenario, self.cases[scenario], tuple(self.changes.get(scenario or "", ()))


def prepare(raw: RawBook, names: list[str] | None = None) -> Plan:
    """Validate the base case and every scenario (all of ``raw``'s unless ``names``).

    Raises InputError listing every problem of every run, each scenario's prefixed with its
    name, so a planner fixes them all in one pass.
    """
    from optimizer.inputs.validate import validate

    names = scenario_names(raw) if names is None else names
    problems: list[Problem] = []
    cases: dict[str | None, Case] = {}
    changes: dict[str, list[CellChange]] = {}
    case, found = validate(raw)
    warnings = list(raw.warnings) + [p for p in found if not p.is_error]
    problems += [p for p in found if p.is_error]
    if case is not None:
        cases[None] = case
    for name in names:
        try:
            book, changes[name] = apply_scenario_with_changes(raw, name)
        except InputError as exc:
            problems += exc.problems
            continue
        case, found = validate(book)
        problems += [replace(p, rule=f"scenario '{name}': {p.rule}") for p in found if p.is_error]
        if case is not None:
            cases[name] = case
    if problems or None not in cases:
        n = sum(p.is_error for p in problems)
        raise InputError(
            f"{n} error{'s' * (n != 1)} in {raw.source} or its scenarios", warnings + problems
        )
    return Plan(raw, names, cases, changes, warnings)


def scenario_notes(raw: RawBook) -> dict[str, str]:
    """Each scenario's first non-blank ``note`` on the Scenarios sheet (its description)."""
    sheet = raw.sheets.get(SCENARIOS)
    if sheet is None:
        return {}
    headers = [clean_text(h) for h in sheet.headers]
    if "scenario" not in headers or "note" not in headers:
        return {}
    name_at, note_at = headers.index("scenario"), headers.index("note")
    notes: dict[str, str] = {}
    for cells in sheet.rows:
        name = clean_text(cells[name_at]) if name_at < len(cells) else ""
        note = clean_text(cells[note_at]) if note_at < len(cells) else ""
        if name and note:
            notes.setdefault(name, note)
    return notes


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
            case = _validated(book)
    except (InputError, UsageError) as exc:
        return RunRecord(
            scenario,
            "invalid",
            message=str(exc),
            changes=tuple(changes),
            seconds=time.perf_counter() - tick,
        )
    report = options.reports.get(scenario)
    warm = _warm_state(raw) if options.persistent and report is None else None
    results, method = _solve(warm, case, scenario, with_duals=report is not None)
    written = None
    if report is not None and results.has_solution:
        from optimizer.report.workbook import write_report

        provenance = {**options.provenance, "scenario": scenario or ""}
        written = str(write_report(results, case, report, provenance))
    return _record(scenario, results, case, changes, method, time.perf_counter() - tick, written)


def _validated(book: RawBook) -> Case:
    from optimizer.inputs.validate import validate

    case, problems = validate(book)
    errors = [p for p in problems if p.is_error]
    if case is None or errors:
        raise InputError(
            f"{len(errors)} input error(s): " + "; ".join(map(str, errors[:3])), errors
        )
    return case


def _solve(
    warm: _Warm | None, case: Case, scenario: str | None, *, with_duals: bool
) -> tuple[Results, str]:
    if warm is not None and scenario is None:
        return warm.base, METHOD_COLD
    if warm is not None and warm.basis is not None:
        try:
            changed = update_model(warm.built, case)
        except InfeasibleError as exc:
            return _cold_infeasible(case, str(exc)), METHOD_RESOLVED
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
        return _cold_infeasible(case, str(exc))
    return solve_model(built, with_duals=False)


def _cold_infeasible(case: Case, message: str) -> Results:
    return Results(
        status=STATUS_INFEASIBLE,
        case_name=case.settings.case_name,
        months=case.months,
        expansion_mode=case.settings.expansion_mode,
        message=message,
    )


# --- the persistent base model of this worker ----------------------------------------------------


class _Session(_Highs):
    """The persistent HiGHS solver of a worker's mutable base model.

    The base model is compiled with its parameters tracked (:mod:`optimizer.solve.highs`);
    a re-solve pushes only the coefficients, costs and bounds that use a changed parameter
    and runs simplex from the base optimal basis (HiGHS skips presolve when it starts from a
    valid basis).
    """

    track = True
    basis: Any = None  # HiGHS's basis of the base optimum
    primal: bool = False  # next re-solve by primal simplex (only costs differ from the base)

    def prepare(self, case: Case) -> None:
        """Options of ``case`` (its time limit and gap) for the next solve; forget old runs."""
        self.options.update(
            time_limit=float(case.settings.time_limit_s),
            mip_rel_gap=case.settings.mip_gap_pct / 100.0,
        )
        self.runs.clear()

    def run(self, built: BuiltModel, *, lp: bool, **solver_options):
        if self.basis is None:
            return super().run(built, lp=lp, **solver_options)
        self.lp.highs.setBasis(self.basis)
        # the base basis stays primal feasible when only costs change, dual feasible when
        # limits change: continue with the simplex variant that keeps its feasibility
        strategy = _PRIMAL_SIMPLEX if self.primal else _DUAL_SIMPLEX
        return super().run(
            built, lp=lp, **{"solver": "simplex", "simplex_strategy": strategy, **solver_options}
        )

    def keep_basis(self) -> None:
        self.basis = self.lp.highs.getBasis()


_DUAL_SIMPLEX, _PRIMAL_SIMPLEX = 1, 4  # HiGHS simplex_strategy values


@dataclass
class _Warm:
    """A worker's base model, its solver and the base results, for one workbook."""

    key: str
    base: Results | None  # None: the base case is not warm-started (lumpy mode: a MILP)
    built: BuiltModel | None = None
    session: _Session | None = None
    base_values: dict[int, Any] = field(default_factory=dict)  # id(ParamData) -> base value

    def remember_base(self) -> None:
        self.session.keep_basis()
        self.base_values = {id(p): p.value for p in self._parameters()}

    def _parameters(self) -> list:
        return [
            item
            for param in self.built.model.component_objects(pyo.Param)
            if param.mutable
            for item in param.values()
        ]

    @property
    def basis(self) -> Any:
        return self.session.basis if self.session is not None else None

    def resolve(self, changed: list) -> Results:
        """Re-solve the model after :func:`update_model` changed the parameters ``changed``.

        The simplex variant depends only on how this scenario differs from the base case
        (never on the scenario solved before), so every worker picks the same one.
        """
        self.session.prepare(self.built.case)
        self.session.lp.update(changed)
        differ = [p for p in self._parameters() if p.value != self.base_values[id(p)]]
        self.session.primal = set(self.session.lp.lp.tracked.users(differ)) <= {"cost"}
        return solve_model(self.built, highs=self.session, with_duals=False)


_LOCAL = threading.local()  # one base model per worker thread (Dask threads share a process)


def _warm_state(raw: RawBook) -> _Warm | None:
    """This thread's base model for ``raw``, built and solved on first use; None when the
    base case cannot be warm-started (lumpy expansion mode: a MILP)."""
    key = hashlib.sha256(pickle.dumps(raw.sheets, protocol=5)).hexdigest()
    warm = getattr(_LOCAL, "warm", None)
    if warm is not None and warm.key == key:
        return warm if warm.base is not None else None
    _LOCAL.warm = None  # let the previous workbook's model go before building another
    case = _validated(raw)
    if case.settings.expansion_mode == "lumpy":
        _LOCAL.warm = _Warm(key, None)
        return None
    try:
        built = build_model(case, mutable=True, limits_as_bounds=True)
    except InfeasibleError as exc:
        warm = _Warm(key, _cold_infeasible(case, str(exc)))
    else:
        session = _Session(
            threads=1,
            time_limit_s=case.settings.time_limit_s,
            mip_gap_pct=case.settings.mip_gap_pct,
        )
        base = solve_model(built, highs=session, with_duals=False)
        warm = _Warm(key, base, built, session)
        if base.status == STATUS_OPTIMAL:
            warm.remember_base()
    _LOCAL.warm = warm
    return warm


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
    for b in kpis.builds:
        built = json_number(kpis.built_t_per_month[b.project])
        record.builds.setdefault(b.project, Build(built, b.start_month, b.online_month))
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
    if executor is None:
        records = []
        for name in runs:
            records.append(run_one(plan.raw, name, options, plan.prepared(name)))
            if progress is not None:
                progress(records[-1])
        _LOCAL.warm = None  # this process is done with the workbook: free its model
        return records
    futures = {
        executor.submit(run_one, plan.raw, name, options, plan.prepared(name)): i
        for i, name in enumerate(runs)
    }
    done: list[RunRecord | None] = [None] * len(runs)
    for future in concurrent.futures.as_completed(futures):
        done[futures[future]] = record = future.result()
        if progress is not None:
            progress(record)
    return [r for r in done if r is not None]


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
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool
