"""``ore-optimizer scenarios``: the base case and every scenario (or a sweep) solved and
compared."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.cli.pipeline import (
    check_folder_option,
    check_output,
    default_report_path,
    exit_code,
    load_raw,
    print_json,
    print_problems,
    unique_report_paths,
)
from optimizer.errors import InputError, UsageError


def run_scenarios(
    input: Path,
    *,
    output: Path | None,
    jobs: int,
    json_out: bool,
    sweep: str | None,
    reports: Path | None,
    dask_scheduler: str | None,
    force: bool = False,
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

    tick = time.perf_counter()
    spec = parse_sweep(sweep) if sweep is not None else None
    if jobs > 1 and dask_scheduler is not None:
        raise UsageError("use either --jobs or --dask-scheduler, not both")
    check_output(output, input, force=force)
    check_folder_option(reports, "--reports")
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
    for name, problems in plan.invalid.items():
        print_problems(problems, err_console)
        err_console.print(
            f"[red]Scenario '{escape(name)}' is invalid[/red] and is not solved; "
            "the other runs are",
            soft_wrap=True,
        )
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
        {} if reports is None else unique_report_paths(reports, case, [None, *plan.names])
    )
    for path in report_paths.values():
        check_output(path, input, force=force)
    default = default_report_path(
        case, spec.kind.replace("-", "_") if spec is not None else "scenarios"
    )
    requested = output or default.with_name(default.name.replace("_report.", "_comparison."))
    if output is None:
        check_output(requested, input, force=force)
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
        levels = [None, *spec.variants]
        table = sweep_rows(
            spec,
            case,
            {x: (r.status, r.objective_usd) for x, r in zip(levels, records, strict=True)},
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
    written = write_comparison(comparison, requested, [input])
    base = records[0]
    code = exit_code(base.status)
    if json_out:
        data = as_json(comparison)
        data.update(
            comparison=str(written), exit_code=code, seconds=round(time.perf_counter() - tick, 4)
        )
        print_json(data)
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
