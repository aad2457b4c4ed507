"""``ore-optimizer solve``: one case solved, its report written and its key figures printed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.case import Case
from optimizer.cli.pipeline import (
    check_folder_option,
    check_output,
    default_report_path,
    diagnose_with_progress,
    exit_code,
    load_or_report,
    print_json,
)
from optimizer.inputs.rawbook import RawBook

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.solve.results import Results


def run_solve(
    input: Path | None,
    *,
    output: Path | None,
    scenario: str | None,
    json_out: bool,
    csv_dir: Path | None,
    force: bool = False,
    console: Console,
    err_console: Console,
    argv: list[str],
    sample: int | None = None,
) -> int:
    """Solve one case, write its report, print the summary (or JSON); returns the exit code.

    Exit 0 with a plan (a time-limited plan is reported with its gap and a warning), 3 when
    the case is infeasible or unbounded, 4 when the solver found no plan.
    """
    from optimizer.report.console import figures, lines
    from optimizer.solve.run import solve_case
    from optimizer.solve.staging import check_single, staged_projects
    from optimizer.solve.status import Status

    tick = time.perf_counter()
    check_output(output, input, force=force)
    check_folder_option(csv_dir, "--csv")
    loaded = load_or_report(input, scenario, err_console, sample)
    if loaded is None:
        return errors.EXIT_INVALID
    case, raw = loaded
    requested = output or default_report_path(case, scenario)
    if output is None:
        check_output(requested, input, force=force)
    read_s = time.perf_counter() - tick
    with err_console.status(
        f"Solving '{escape(case.settings.case_name)}' with HiGHS "
        f"({case.horizon} months, {len(case.routes)} routes)…"
    ):
        results = solve_case(case)
    if staged_projects(results):
        with err_console.status("Continuous mode staged a project: re-solving in single mode…"):
            results.single_check = check_single(case, results)
    results.timings_s = {"read": read_s, **results.timings_s}
    data = figures(results, case)
    data["scenario"] = scenario
    first_month = _first_month_actions(results, case)
    if first_month is not None:
        data["actions"] = first_month.to_dict("records")
    code = exit_code(results.status)
    report = None
    csv_files: list[Path] = []
    if results.has_solution:
        with err_console.status("Writing the report…"):
            report, csv_files = _write_outputs(
                results, case, raw, input, scenario, argv, requested, csv_dir
            )
    elif code == errors.EXIT_INFEASIBLE:
        data["diagnosis"] = _diagnose(case, output, err_console)
    results.timings_s["total"] = time.perf_counter() - tick
    data["report"] = str(report) if report else None
    if csv_dir is not None:
        data["csv"] = [str(p) for p in csv_files]
    data["timings_s"] = {k: round(v, 4) for k, v in results.timings_s.items()}
    data["exit_code"] = code
    if json_out:
        print_json(data)
    else:
        for line in lines(data):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if first_month is not None:
            _print_actions(first_month, case, console)
        if report:
            console.print(f"Report: {report}", markup=False, highlight=False, soft_wrap=True)
        if csv_files:
            console.print(
                f"CSV tables: {len(csv_files)} files in {csv_dir}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    if csv_dir is not None:
        from optimizer.report.csv_export import csv_warnings

        for line in csv_warnings(csv_dir, csv_files):
            err_console.print(f"[yellow]warning[/yellow] {escape(line)}", soft_wrap=True)
    if report is not None and report != requested:
        err_console.print(
            f"[yellow]warning[/yellow] {escape(str(requested))} is open in "
            f"another program; the report was written to {escape(str(report))}"
        )
    if results.status == Status.FEASIBLE:
        err_console.print(
            f"[yellow]warning[/yellow] the time limit stopped the solver before "
            f"it proved this plan optimal (gap {results.mip_gap_pct or 0:.3g}%); "
            "raise time_limit_s in Settings for a better plan"
        )
    elif code == errors.EXIT_SOLVER:
        err_console.print(f"[red]No solution[/red]: {results.message}")
    return code


def _first_month_actions(results: Results, case: Case) -> pd.DataFrame | None:
    """The plan's actions for its first month (None without a plan)."""
    if not results.has_solution:
        return None
    from optimizer.report.actions import plan_actions

    return plan_actions(results, case, case.months[:1])


def _print_actions(actions: pd.DataFrame, case: Case, console: Console) -> None:
    from optimizer.report.actions import action_lines

    console.print(
        f"Actions for {case.months[0]} (all three months: sheet Actions):",
        markup=False,
        highlight=False,
    )
    for line in action_lines(actions) or [f"{case.months[0]} nothing to do"]:
        console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


def _diagnose(case: Case, output: Path | None, err_console: Console) -> dict:
    """Print why ``case`` is infeasible; with ``-o``, write the diagnosis workbook there
    instead of a report (never a half-written report). Returns the diagnosis as JSON data
    (cells, messages, fixes) with the workbook's path (``workbook``, None without ``-o``)."""
    from optimizer.diagnose.as_json import diagnosis_data
    from optimizer.diagnose.explain import print_diagnosis, write_diagnosis

    diagnosis = diagnose_with_progress(case, err_console)
    print_diagnosis(diagnosis, err_console)
    data = diagnosis_data(diagnosis)
    data["workbook"] = None
    if output is None:
        return data
    written = write_diagnosis(diagnosis, output)
    err_console.print(
        f"Diagnosis workbook (no plan to report): {escape(str(written))}",
        highlight=False,
        soft_wrap=True,
    )
    data["workbook"] = str(written)
    return data


def _write_outputs(
    results: Results,
    case: Case,
    raw: RawBook,
    input: Path | None,
    scenario: str | None,
    argv: list[str],
    path: Path,
    csv_dir: Path | None,
) -> tuple[Path, list[Path]]:
    """The Excel report (and CSV tables when asked); returns where the report and the
    tables went."""
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
    tables: list[Path] = []
    if csv_dir is not None:
        from optimizer.report.csv_export import write_csv

        tables = write_csv(results, case, csv_dir)
    results.timings_s["report"] = time.perf_counter() - tick
    return written, tables
