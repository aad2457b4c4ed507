"""Command line: ``ore-optimizer solve | validate | template | scenarios | explain | roll |
compare | risk``.

Thin layer over the command modules (:mod:`optimizer.cli.pipeline` lists them). Every
planner-facing failure becomes a one-line red message and an exit code (0 solved, 1 usage,
2 invalid input, 3 infeasible/unbounded, 4 solver failure); ``--debug`` shows the traceback
instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from optimizer import errors, interrupts

app = typer.Typer(
    name="ore-optimizer",
    help="Allocate Alaskan antimony ore between the Thompson Falls and Madero smelters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

# Options several commands share, declared once.
JsonOut = Annotated[bool, typer.Option("--json", help="Print a JSON summary.")]
Jobs = Annotated[int, typer.Option("--jobs", min=1, help="Parallel processes.")]
ForceReport = Annotated[
    bool, typer.Option("--force", help="Replace an existing file that is not a report.")
]

_DEBUG = {"on": False}


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    _DEBUG["on"] = debug


SampleOpt = Annotated[
    int | None,
    typer.Option("--sample", min=1, help="Apply the draws of risk sample K (same seed)."),
]
InputArg = Annotated[
    Path | None,
    typer.Argument(
        help="Input workbook (.xlsx). Omit for the embedded default case.", show_default=False
    ),
]


@app.command()
def solve(
    input: InputArg = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Report path.")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario name.")] = None,
    json_out: JsonOut = False,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Also write CSV tables here.")
    ] = None,
    sample: SampleOpt = None,
    force: ForceReport = False,
) -> None:
    """Solve a case and write the Excel allocation report."""
    from optimizer.cli.solve_command import run_solve

    code = run_solve(
        input,
        output=output,
        scenario=scenario,
        json_out=json_out,
        csv_dir=csv_dir,
        sample=sample,
        force=force,
        console=out,
        err_console=err,
        argv=sys.argv,
    )
    raise typer.Exit(code)


@app.command()
def validate(
    input: Annotated[Path, typer.Argument(help="Input workbook (.xlsx).")],
) -> None:
    """Check a workbook and list every problem (sheet, row, column, value, rule)."""
    from optimizer.cli.input_commands import run_validate

    raise typer.Exit(run_validate(input, console=out, err_console=err))


@app.command()
def template(
    output: Annotated[Path, typer.Argument(help="Where to write the template workbook.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file at OUTPUT.")
    ] = False,
) -> None:
    """Write the default case as an editable, documented workbook (never over an existing
    file unless --force)."""
    from optimizer.cli.input_commands import run_template

    raise typer.Exit(run_template(output, force=force, console=out, err_console=err))


@app.command()
def scenarios(
    input: Annotated[Path, typer.Argument(help="Input workbook (.xlsx).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Comparison path.")] = None,
    jobs: Jobs = 1,
    json_out: JsonOut = False,
    sweep: Annotated[
        str | None,
        typer.Option(
            "--sweep",
            help="Built-in sweep: grant-delay:0..12 or domestic-share:0..100:10.",
        ),
    ] = None,
    reports: Annotated[
        Path | None, typer.Option("--reports", help="Also write each scenario's report here.")
    ] = None,
    dask_scheduler: Annotated[
        str | None, typer.Option("--dask-scheduler", help="Run on a Dask cluster (ADDRESS).")
    ] = None,
    force: ForceReport = False,
) -> None:
    """Solve the base case and every scenario, side by side."""
    from optimizer.cli.scenarios_command import run_scenarios

    raise typer.Exit(
        run_scenarios(
            input,
            output=output,
            jobs=jobs,
            json_out=json_out,
            sweep=sweep,
            reports=reports,
            dask_scheduler=dask_scheduler,
            force=force,
            console=out,
            err_console=err,
            argv=sys.argv,
        )
    )


@app.command()
def explain(
    input: Annotated[Path, typer.Argument(help="Input workbook (.xlsx).")],
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario name.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Diagnosis workbook.")
    ] = None,
    sample: SampleOpt = None,
    force: ForceReport = False,
) -> None:
    """Say why a case is infeasible, in terms of input rows and cells."""
    from optimizer.cli.input_commands import run_explain

    raise typer.Exit(
        run_explain(
            input,
            scenario=scenario,
            output=output,
            sample=sample,
            force=force,
            console=out,
            err_console=err,
        )
    )


@app.command()
def risk(
    input: Annotated[Path, typer.Argument(help="Input workbook (.xlsx).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Risk workbook.")] = None,
    samples: Annotated[
        int | None, typer.Option("--samples", min=1, help="Samples (overrides risk_samples).")
    ] = None,
    evaluate: Annotated[
        int, typer.Option("--evaluate", min=0, help="Re-evaluate both plans on M fresh samples.")
    ] = 0,
    jobs: Jobs = 1,
    dask_scheduler: Annotated[
        str | None, typer.Option("--dask-scheduler", help="Run on a Dask cluster (ADDRESS).")
    ] = None,
    json_out: JsonOut = False,
    force: ForceReport = False,
) -> None:
    """Plan the next months under uncertainty: VSS, EVPI, CVaR and the commit plan."""
    from optimizer.cli.risk_command import run_risk_command

    raise typer.Exit(
        run_risk_command(
            input,
            output=output,
            samples=samples,
            evaluate=evaluate,
            jobs=jobs,
            dask_scheduler=dask_scheduler,
            json_out=json_out,
            force=force,
            console=out,
            err_console=err,
            argv=sys.argv,
        )
    )


@app.command()
def roll(
    input: Annotated[Path, typer.Argument(help="The case to roll forward (.xlsx).")],
    to: Annotated[str, typer.Option("--to", help="New start month, YYYY-MM.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the next case.")],
    actuals: Annotated[
        Path | None, typer.Option("--actuals", help="Workbook with an Actuals sheet.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file at OUTPUT.")
    ] = False,
) -> None:
    """Write the case starting at a later month: stocks, in-transit ore and grants carried."""
    from optimizer.cli.cycle_commands import run_roll

    raise typer.Exit(
        run_roll(
            input,
            to=to,
            actuals=actuals,
            output=output,
            force=force,
            console=out,
            err_console=err,
        )
    )


@app.command()
def compare(
    old: Annotated[Path, typer.Argument(help="The earlier case (.xlsx).")],
    new: Annotated[Path, typer.Argument(help="The later case, same start month (.xlsx).")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write CHANGES.xlsx.")
    ] = None,
    json_out: JsonOut = False,
    jobs: Jobs = 1,
    force: ForceReport = False,
) -> None:
    """What changed between two plans and which input changes moved the margin."""
    from optimizer.cli.cycle_commands import run_compare

    raise typer.Exit(
        run_compare(
            old,
            new,
            output=output,
            json_out=json_out,
            jobs=jobs,
            force=force,
            console=out,
            err_console=err,
        )
    )


def main(args: list[str] | None = None) -> int:
    """Entry point; returns the exit code (tests call ``main([...])``)."""
    _DEBUG["on"] = "--debug" in (args if args is not None else sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):  # a C locale cannot print every id: escape it
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        with interrupts.handled():
            code = _run(args)
    except KeyboardInterrupt:  # one that arrived after the command's own handling
        err.print("[red]Interrupted.[/red]")
        code = errors.EXIT_INTERRUPTED
    if code == errors.EXIT_INTERRUPTED and args is None:
        # the process ends here: an interrupted HiGHS aborts the interpreter's shutdown
        # ("terminate called without an active exception"). Temporary files are gone and
        # workers killed by now; only the streams need flushing.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _run(args: list[str] | None) -> int:
    try:
        # without standalone mode, the command's typer.Exit code is returned, not raised
        code = app(args=args, prog_name="ore-optimizer", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        err.print("[red]Aborted.[/red]")
        return errors.EXIT_USAGE
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        err.print(f"[red]Usage error:[/red] {exc.format_message()}")
        err.print("Run 'ore-optimizer --help' for the commands and options.")
        return errors.EXIT_USAGE
    except errors.OptimizerError as exc:
        if _DEBUG["on"]:
            raise
        err.print(f"[red]Error:[/red] {exc}", soft_wrap=True)
        return exc.exit_code
    except OSError as exc:  # the operating system refused a file: a usage error, not a bug
        if _DEBUG["on"]:
            raise
        err.print(f"[red]Error:[/red] {errors.os_error_text(exc)}", soft_wrap=True)
        return errors.EXIT_USAGE
    except Exception as exc:  # a bug: say so plainly, never dump a traceback on a planner
        if _DEBUG["on"]:
            raise
        err.print(
            f"[red]Internal error:[/red] {type(exc).__name__}: {exc}\n"
            "This is a bug in ore-optimizer, not in your workbook. Re-run with --debug "
            "and send the output to the tool's maintainers."
        )
        return errors.EXIT_SOLVER
    if interrupts.received():  # typer turns the KeyboardInterrupt into exit code 130
        err.print("[red]Interrupted.[/red]")
        return errors.EXIT_INTERRUPTED
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
