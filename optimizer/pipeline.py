"""The pipeline, one way: read workbook → validate → apply scenario → build model → solve →
results → report. The CLI calls the ``run_*`` functions; each returns an exit code.

Each stage lives in its own module with a small public surface:

==================  ===========================================================
stage               module
==================  ===========================================================
read workbook       :mod:`optimizer.workbook` (``read_workbook``) /
                    :mod:`optimizer.default_case` (``default_raw``)
apply scenario      :mod:`optimizer.scenario` (``apply_scenario``)
validate            :mod:`optimizer.validate` (``validate``)
build model         :mod:`optimizer.model` (``build_model``)
solve + results     :mod:`optimizer.solve` (``solve_case``)
report              :mod:`optimizer.report` (``write_report``)
==================  ===========================================================
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.case import Case
from optimizer.errors import InputError, Problem, UsageError
from optimizer.rawbook import RawBook
from optimizer.results import STATUS_FEASIBLE, STATUS_INFEASIBLE, STATUS_UNBOUNDED, Results


def load_raw(input: Path | None) -> RawBook:
    """The raw workbook at ``input``, or the embedded default case when ``input`` is None."""
    if input is None:
        from optimizer.default_case import default_raw

        return default_raw()
    from optimizer.workbook import read_workbook

    if not input.exists():
        raise UsageError(f"input workbook not found: {input}")
    if input.is_dir():
        raise UsageError(f"input is a folder, not a workbook: {input}")
    return read_workbook(input)


def load_case(input: Path | None, scenario: str | None = None) -> tuple[Case, RawBook,
                                                                        list[Problem]]:
    """Read, apply ``scenario`` and validate. Raises InputError listing every problem."""
    from optimizer.validate import validate

    raw = load_raw(input)
    if scenario is not None:
        from optimizer.scenario import apply_scenario

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


def run_validate(input: Path, *, console: Console, err_console: Console) -> int:
    """Check ``input``: every problem at once; exit 0 if clean, 2 if invalid."""
    try:
        case, _raw, warnings = load_case(input)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        n_warn = sum(not p.is_error for p in exc.problems)
        err_console.print(
            f"[red]{escape(str(input))}: invalid[/red] — {escape(str(exc))}"
            + (f", {n_warn} warning(s)" if n_warn else ""), soft_wrap=True,
        )
        return errors.EXIT_INVALID
    print_problems(warnings, err_console)
    console.print(
        f"[green]{escape(str(input))}: valid[/green] — case "
        f"'{escape(case.settings.case_name)}', {case.horizon} months from "
        f"{case.settings.start_month}, {len(case.sources)} sources, {len(case.smelters)} "
        f"smelters, {len(case.routes)} routes"
        + (f", {len(warnings)} warning(s)" if warnings else ""), soft_wrap=True,
    )
    return errors.EXIT_OK


def run_template(output: Path, *, console: Console, err_console: Console) -> int:
    from optimizer.default_case import default_raw
    from optimizer.template import write_template

    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"the template must be an .xlsx file, got {output.name}")
    write_template(default_raw(), output)
    console.print(f"Template written: {output}")
    return errors.EXIT_OK


def default_report_path(case: Case, scenario: str | None) -> Path:
    """``outputs/<case>[_<scenario>]_report.xlsx`` with file-name-safe parts."""
    stem = case.settings.case_name + (f"_{scenario}" if scenario else "")
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "case"
    return Path("outputs") / f"{stem}_report.xlsx"


def run_solve(input: Path | None, *, output: Path | None, scenario: str | None,
              json_out: bool, csv_dir: Path | None, console: Console, err_console: Console,
              argv: list[str]) -> int:
    """Solve one case, write its report, print the summary (or JSON); returns the exit code.

    Exit 0 with a plan (a time-limited plan is reported with its gap and a warning), 3 when
    the case is infeasible or unbounded, 4 when the solver found no plan.
    """
    from optimizer.solve import solve_case
    from optimizer.summary import figures, lines

    tick = time.perf_counter()
    if output is not None and input is not None and output.exists() and input.exists() \
            and output.resolve() == input.resolve():
        raise UsageError(f"-o {output} is the input workbook; choose another report path")
    try:
        case, raw, warnings = load_case(input, scenario)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        err_console.print(f"[red]Invalid input[/red] — {exc}")
        return errors.EXIT_INVALID
    print_problems(warnings, err_console)
    read_s = time.perf_counter() - tick
    results = solve_case(case)
    results.timings_s = {"read": read_s, **results.timings_s}
    data = figures(results)
    data["scenario"] = scenario
    code = errors.EXIT_OK
    if results.status in (STATUS_INFEASIBLE, STATUS_UNBOUNDED):
        code = errors.EXIT_INFEASIBLE
    elif not results.has_solution:
        code = errors.EXIT_SOLVER
    report = None
    requested = output or default_report_path(case, scenario)
    if results.has_solution:
        report = _write_outputs(results, case, raw, input, scenario, argv, requested, csv_dir)
    results.timings_s["total"] = time.perf_counter() - tick
    data["report"] = str(report) if report else None
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
            console.print(f"CSV tables: {csv_dir}", markup=False, highlight=False,
                          soft_wrap=True)
    if report is not None and report != requested:
        err_console.print(f"[yellow]warning[/yellow] {escape(str(requested))} is open in "
                          f"another program; the report was written to {escape(str(report))}")
    if results.status == STATUS_FEASIBLE:
        err_console.print(f"[yellow]warning[/yellow] the time limit stopped the solver before "
                          f"it proved this plan optimal (gap {results.mip_gap_pct or 0:.3g}%); "
                          "raise time_limit_s in Settings for a better plan")
    elif code == errors.EXIT_INFEASIBLE:
        err_console.print(f"[red]{results.status.capitalize()}[/red]: {results.message}. Check "
                          "minimums (Supply min, min_feed_t_per_month, end_stock_policy) "
                          "against capacities, route availability and transit times.")
    elif code == errors.EXIT_SOLVER:
        err_console.print(f"[red]No solution[/red]: {results.message}")
    return code


def _write_outputs(results: Results, case: Case, raw: RawBook, input: Path | None,
                   scenario: str | None, argv: list[str], path: Path,
                   csv_dir: Path | None) -> Path | None:
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
    from optimizer.report import write_report

    tick = time.perf_counter()
    written = write_report(results, case, path, provenance)
    if csv_dir is not None:
        from optimizer.csv_export import write_csv

        write_csv(results, case, csv_dir)
    results.timings_s["report"] = time.perf_counter() - tick
    return written


def run_scenarios(input: Path, **_: object) -> int:
    raise errors.SolverError("the scenarios command is not available yet")


def run_explain(input: Path, **_: object) -> int:
    raise errors.SolverError("the explain command is not available yet")
