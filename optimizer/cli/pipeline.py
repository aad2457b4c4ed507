"""The pipeline, one way: read workbook → validate → apply scenario → build model → solve →
results → report. The CLI calls the ``run_*`` functions; each returns an exit code.

Each stage lives in its own module with a small public surface:

==================  ===========================================================
stage               module
==================  ===========================================================
read workbook       :mod:`optimizer.inputs.workbook` (``read_workbook``) /
                    :mod:`optimizer.inputs.default_case` (``default_raw``)
apply scenario      :mod:`optimizer.inputs.scenario` (``apply_scenario``)
validate            :mod:`optimizer.inputs.validate` (``validate``)
build model         :mod:`optimizer.model.build` (``build_model``)
solve + results     :mod:`optimizer.solve.run` (``solve_case``)
report              :mod:`optimizer.report.workbook` (``write_report``)
==================  ===========================================================
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.case import Case
from optimizer.errors import InputError, Problem, UsageError
from optimizer.inputs.rawbook import RawBook

if TYPE_CHECKING:  # the results module needs pandas: `validate` starts faster without it
    from optimizer.solve.results import Results


def load_raw(input: Path | None) -> RawBook:
    """The raw workbook at ``input``, or the embedded default case when ``input`` is None."""
    if input is None:
        from optimizer.inputs.default_case import default_raw

        return default_raw()
    from optimizer.inputs.workbook import read_workbook

    if not input.exists():
        raise UsageError(f"input workbook not found: {input}")
    if input.is_dir():
        raise UsageError(f"input is a folder, not a workbook: {input}")
    return read_workbook(input)


def load_case(
    input: Path | None, scenario: str | None = None
) -> tuple[Case, RawBook, list[Problem]]:
    """Read, apply ``scenario`` and validate. Raises InputError listing every problem."""
    from optimizer.inputs.validate import validate

    raw = load_raw(input)
    if scenario is not None:
        from optimizer.inputs.scenario import apply_scenario

        raw = apply_scenario(raw, scenario)
    case, problems = validate(raw)
    problems = list(raw.warnings) + list(problems)
    errs = [p for p in problems if p.is_error]
    if errs or case is None:
        raise InputError(f"{len(errs)} error{'s' * (len(errs) != 1)} in {raw.source}", problems)
    return case, raw, [p for p in problems if not p.is_error]


def print_problems(problems: list[Problem], console: Console) -> None:
    """Every problem on its own line, errors first, then warnings, each as
    ``error Sheet!C7 [column]: rule (found 'value') — hint``."""
    for p in sorted(problems, key=lambda p: (p.severity != "error",)):
        tag = "[red]error[/red]" if p.is_error else "[yellow]warning[/yellow]"
        console.print(f"{tag} {escape(str(p))}", markup=True, highlight=False, soft_wrap=True)


def _load_or_report(
    input: Path | None, scenario: str | None, err_console: Console
) -> tuple[Case, RawBook] | None:
    """:func:`load_case`, printing warnings; on invalid input print every problem and
    return None (the caller exits 2)."""
    try:
        case, raw, warnings = load_case(input, scenario)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        err_console.print(f"[red]Invalid input[/red] — {escape(str(exc))}", soft_wrap=True)
        return None
    print_problems(warnings, err_console)
    return case, raw


def _check_output(output: Path | None, input: Path | None) -> None:
    """Refuse (exit 1) an ``-o`` that is the input, a folder or not ``.xlsx`` — before any
    work is done."""
    if output is not None:
        from optimizer.files import check_target

        check_target(output, [input] if input is not None else [], ".xlsx")


def run_validate(input: Path, *, console: Console, err_console: Console) -> int:
    """Check ``input``: every problem at once; exit 0 if clean, 2 if invalid."""
    try:
        case, _raw, warnings = load_case(input)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        n_warn = sum(not p.is_error for p in exc.problems)
        err_console.print(
            f"[red]{escape(str(input))}: invalid[/red] — {escape(str(exc))}"
            + (f", {n_warn} warning(s)" if n_warn else ""),
            soft_wrap=True,
        )
        return errors.EXIT_INVALID
    print_problems(warnings, err_console)
    console.print(
        f"[green]{escape(str(input))}: valid[/green] — case "
        f"'{escape(case.settings.case_name)}', {case.horizon} months from "
        f"{case.settings.start_month}, {len(case.sources)} sources, {len(case.smelters)} "
        f"smelters, {len(case.routes)} routes"
        + (f", {len(warnings)} warning(s)" if warnings else ""),
        soft_wrap=True,
    )
    return errors.EXIT_OK


def run_template(output: Path, *, console: Console, err_console: Console) -> int:
    from optimizer.inputs.default_case import default_raw
    from optimizer.inputs.template import write_template

    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"the template must be an .xlsx file, got {output.name}")
    written = write_template(default_raw(), output)
    console.print(f"Template written: {written}")
    return errors.EXIT_OK


def default_report_path(case: Case, scenario: str | None) -> Path:
    """``outputs/<case>[_<scenario>]_report.xlsx`` with file-name-safe parts."""
    stem = case.settings.case_name + (f"_{scenario}" if scenario else "")
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "case"
    return Path("outputs") / f"{stem}_report.xlsx"


def run_solve(
    input: Path | None,
    *,
    output: Path | None,
    scenario: str | None,
    json_out: bool,
    csv_dir: Path | None,
    console: Console,
    err_console: Console,
    argv: list[str],
) -> int:
    """Solve one case, write its report, print the summary (or JSON); returns the exit code.

    Exit 0 with a plan (a time-limited plan is reported with its gap and a warning), 3 when
    the case is infeasible or unbounded, 4 when the solver found no plan.
    """
    from optimizer.report.console import figures, lines
    from optimizer.solve.results import STATUS_FEASIBLE, STATUS_INFEASIBLE, STATUS_UNBOUNDED
    from optimizer.solve.run import solve_case

    tick = time.perf_counter()
    _check_output(output, input)
    loaded = _load_or_report(input, scenario, err_console)
    if loaded is None:
        return errors.EXIT_INVALID
    case, raw = loaded
    read_s = time.perf_counter() - tick
    with err_console.status(
        f"Solving '{escape(case.settings.case_name)}' with HiGHS "
        f"({case.horizon} months, {len(case.routes)} routes)…"
    ):
        results = solve_case(case)
    results.timings_s = {"read": read_s, **results.timings_s}
    data = figures(results, case)
    data["scenario"] = scenario
    code = errors.EXIT_OK
    if results.status in (STATUS_INFEASIBLE, STATUS_UNBOUNDED):
        code = errors.EXIT_INFEASIBLE
    elif not results.has_solution:
        code = errors.EXIT_SOLVER
    report = diagnosis = None
    requested = output or default_report_path(case, scenario)
    if results.has_solution:
        with err_console.status("Writing the report…"):
            report = _write_outputs(results, case, raw, input, scenario, argv, requested, csv_dir)
    elif code == errors.EXIT_INFEASIBLE:
        diagnosis = _diagnose(case, output, err_console)
    results.timings_s["total"] = time.perf_counter() - tick
    data["report"] = str(report) if report else None
    if diagnosis is not None:
        data["diagnosis"] = str(diagnosis)
    data["timings_s"] = {k: round(v, 4) for k, v in results.timings_s.items()}
    data["exit_code"] = code
    if json_out:
        print(json.dumps(data, ensure_ascii=False))
    else:
        for line in lines(data):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if report:
            console.print(f"Report: {report}", markup=False, highlight=False, soft_wrap=True)
        if report and csv_dir is not None:
            console.print(f"CSV tables: {csv_dir}", markup=False, highlight=False, soft_wrap=True)
    if report is not None and report != requested:
        err_console.print(
            f"[yellow]warning[/yellow] {escape(str(requested))} is open in "
            f"another program; the report was written to {escape(str(report))}"
        )
    if results.status == STATUS_FEASIBLE:
        err_console.print(
            f"[yellow]warning[/yellow] the time limit stopped the solver before "
            f"it proved this plan optimal (gap {results.mip_gap_pct or 0:.3g}%); "
            "raise time_limit_s in Settings for a better plan"
        )
    elif code == errors.EXIT_SOLVER:
        err_console.print(f"[red]No solution[/red]: {results.message}")
    return code


def _diagnose(case: Case, output: Path | None, err_console: Console) -> Path | None:
    """Print why ``case`` is infeasible; with ``-o``, write the diagnosis workbook there
    instead of a report (never a half-written report)."""
    from optimizer.diagnose.explain import diagnose, print_diagnosis, write_diagnosis

    diagnosis = diagnose(case)
    print_diagnosis(diagnosis, err_console)
    if output is None:
        return None
    written = write_diagnosis(diagnosis, output)
    err_console.print(
        f"Diagnosis workbook (no plan to report): {escape(str(written))}",
        highlight=False,
        soft_wrap=True,
    )
    return written


def _write_outputs(
    results: Results,
    case: Case,
    raw: RawBook,
    input: Path | None,
    scenario: str | None,
    argv: list[str],
    path: Path,
    csv_dir: Path | None,
) -> Path | None:
    """The Excel report (and CSV tables when asked); returns where the report went."""
    provenance = {
        "input": raw.source if input is None else input.name,
        "input_path": str(input) if input is not None else "",
        "input_sha256": raw.sha256,
        "scenario": scenario or "",
        "command_line": " ".join(argv),
        "threads": 1,
        "time_limit_s": case.settings.time_limit_s,
        "mip_gap_pct": case.settings.mip_gap_pct,
    }
    from optimizer.report.workbook import write_report

    tick = time.perf_counter()
    written = write_report(results, case, path, provenance)
    if csv_dir is not None:
        from optimizer.report.csv_export import write_csv

        write_csv(results, case, csv_dir)
    results.timings_s["report"] = time.perf_counter() - tick
    return written


def run_scenarios(
    input: Path,
    *,
    output: Path | None,
    jobs: int,
    json_out: bool,
    sweep: str | None,
    reports: Path | None,
    dask_scheduler: str | None,
    console: Console,
    err_console: Console,
    argv: list[str],
) -> int:
    """Solve the base case and every scenario (or a built-in ``--sweep``), write the
    comparison workbook and print the runs side by side (or one JSON object).

    Exit 0 when the base case solved (an infeasible scenario is reported in its row), 1 for
    usage errors (unknown sweep, ``-o`` naming the input), 2 for invalid input (every bad
    Scenarios row and every rule a scenario breaks, located), 3 / 4 when the base case
    itself is infeasible / unsolved (the comparison is still written).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from optimizer.scenarios.comparison import Comparison
    from optimizer.scenarios.comparison_text import as_json, summary_lines
    from optimizer.scenarios.comparison_workbook import write_comparison
    from optimizer.scenarios.plan import prepare, scenario_notes
    from optimizer.scenarios.run import RunOptions, executor_for, run_all
    from optimizer.scenarios.sweep import parse_sweep, sweep_book, sweep_rows
    from optimizer.solve.results import STATUS_INFEASIBLE, STATUS_UNBOUNDED

    tick = time.perf_counter()
    spec = parse_sweep(sweep) if sweep is not None else None
    if jobs > 1 and dask_scheduler is not None:
        raise UsageError("use either --jobs or --dask-scheduler, not both")
    _check_output(output, input)
    raw = load_raw(input)
    try:
        plan = prepare(raw, [] if spec is not None else None)
        if spec is not None:
            book, names = sweep_book(raw, plan.cases[None], spec)
            plan = prepare(book, names)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        err_console.print(f"[red]Invalid input[/red] — {escape(str(exc))}")
        return errors.EXIT_INVALID
    print_problems(plan.warnings, err_console)
    case = plan.cases[None]
    if not plan.names:
        err_console.print(
            "[yellow]warning[/yellow] the workbook has no Scenarios rows: the "
            "comparison holds the base case alone"
        )
    provenance = {
        "input": input.name,
        "input_path": str(input),
        "input_sha256": raw.sha256,
        "command_line": " ".join(argv),
    }
    report_paths = (
        {}
        if reports is None
        else {name: reports / default_report_path(c, name).name for name, c in plan.cases.items()}
    )
    options = RunOptions(reports=report_paths, provenance=provenance)
    runs = 1 + len(plan.names)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=err_console) as bar,
        executor_for(jobs, dask_scheduler, runs) as executor,
    ):
        task = bar.add_task(f"Solving {runs} run(s)", total=runs)
        records = run_all(
            plan,
            options,
            executor=executor,
            progress=lambda r: bar.update(task, advance=1, description=f"Solved {r.label}"),
        )
    table = None
    if spec is not None:
        delays = [0, *(d for d in spec.delays if d)]
        table = sweep_rows(
            spec,
            case,
            {d: (r.status, r.objective_usd) for d, r in zip(delays, records, strict=True)},
        )
    where = (
        "this process"
        if executor is None
        else f"{min(jobs, runs)} worker processes"
        if dask_scheduler is None
        else f"Dask scheduler {dask_scheduler}"
    )
    about = {
        "Input file": input.name,
        "Input SHA-256": raw.sha256,
        "Command line": " ".join(argv),
        "Sweep": str(spec) if spec else "(none)",
        "Runs solved in": where,
        "Full reports": str(reports) if reports is not None else "(not asked for)",
    }
    comparison = Comparison(records, case, scenario_notes(plan.raw), table, about)
    default = default_report_path(case, "grant_delay" if spec is not None else "scenarios")
    requested = output or default.with_name(default.name.replace("_report.", "_comparison."))
    written = write_comparison(comparison, requested, [input])
    base = records[0]
    code = errors.EXIT_OK
    if base.status in (STATUS_INFEASIBLE, STATUS_UNBOUNDED):
        code = errors.EXIT_INFEASIBLE
    elif not base.solved:
        code = errors.EXIT_SOLVER
    if json_out:
        data = as_json(comparison)
        data.update(
            comparison=str(written), exit_code=code, seconds=round(time.perf_counter() - tick, 4)
        )
        print(json.dumps(data, ensure_ascii=False))
    else:
        for line in summary_lines(comparison):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        console.print(f"Comparison: {written}", markup=False, highlight=False, soft_wrap=True)
        if reports is not None:
            console.print(f"Reports: {reports}", markup=False, highlight=False, soft_wrap=True)
    if written != requested:
        err_console.print(
            f"[yellow]warning[/yellow] {escape(str(requested))} is open in "
            f"another program; the comparison was written to "
            f"{escape(str(written))}"
        )
    if code != errors.EXIT_OK:
        err_console.print(f"[red]The base case is {base.status}[/red]: {escape(base.message)}")
    return code


def run_explain(
    input: Path,
    *,
    scenario: str | None,
    output: Path | None,
    console: Console,
    err_console: Console,
) -> int:
    """Say why ``input`` is infeasible or unbounded (conflicting input cells, smallest fixes);
    exit 0 if it is feasible, 3 if not, 4 if HiGHS cannot tell. ``-o`` also writes the
    diagnosis as a small workbook."""
    from optimizer.diagnose.explain import diagnose, print_diagnosis, write_diagnosis
    from optimizer.solve.status import Status

    _check_output(output, input)
    loaded = _load_or_report(input, scenario, err_console)
    if loaded is None:
        return errors.EXIT_INVALID
    case, _raw = loaded
    diagnosis = diagnose(case)
    print_diagnosis(diagnosis, console)
    if output is not None:
        written = write_diagnosis(diagnosis, output)
        console.print(
            f"Diagnosis workbook: {written}", markup=False, highlight=False, soft_wrap=True
        )
    if diagnosis.status == Status.FEASIBLE:
        return errors.EXIT_OK
    if diagnosis.status == Status.NO_SOLUTION:
        return errors.EXIT_SOLVER
    return errors.EXIT_INFEASIBLE
