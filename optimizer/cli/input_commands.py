"""The commands about an input workbook itself: ``validate`` (every problem at once),
``template`` (a blank workbook to fill in) and ``explain`` (why a case has no plan)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.cli.pipeline import (
    check_output,
    diagnose_with_progress,
    load_case,
    load_or_report,
    print_problems,
)
from optimizer.errors import InputError, UsageError


def run_validate(input: Path, *, console: Console, err_console: Console) -> int:
    """Check ``input``: every problem at once; exit 0 if clean, 2 if invalid."""
    try:
        case, _raw, warnings = load_case(input, every_scenario=True)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        n_warn = sum(not p.is_error for p in exc.problems)
        err_console.print(
            f"[red]{escape(str(input))}: invalid[/red] — {escape(str(exc))}"
            + (f", {n_warn} warning(s)" if n_warn else ""),
            soft_wrap=True,
        )
        return errors.EXIT_INVALID
    from optimizer.inputs.uncertainty import read_factors

    factor_problems = read_factors(_raw)[1]
    print_problems(warnings + factor_problems, err_console)
    if any(p.is_error for p in factor_problems):
        err_console.print(
            f"[red]{escape(str(input))}: invalid Uncertainty rows[/red] — the case solves; "
            "risk leaves those factors out",
            soft_wrap=True,
        )
        return errors.EXIT_INVALID
    console.print(
        f"[green]{escape(str(input))}: valid[/green] — case "
        f"'{escape(case.settings.case_name)}', {case.horizon} months from "
        f"{case.settings.start_month}, {len(case.sources)} sources, {len(case.smelters)} "
        f"smelters, {len(case.routes)} routes"
        + (f", {len(warnings)} warning(s)" if warnings else ""),
        soft_wrap=True,
    )
    return errors.EXIT_OK


def run_template(output: Path, *, force: bool, console: Console, err_console: Console) -> int:
    """Write the default case as a template to ``output``; an existing file there (a
    planner's edited case) is refused (exit 1, nothing written) unless ``force``."""
    from optimizer.files import check_folder, check_name, check_new
    from optimizer.inputs.default_case import default_raw
    from optimizer.inputs.template import write_template

    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"the template must be an .xlsx file, got {output.name}")
    check_folder(output.parent, "the folder of the template")
    check_name(output, "the template")
    if not output.is_dir():
        check_new(output, force=force)
    written = write_template(default_raw(), output)
    console.print(f"Template written: {written}")
    return errors.EXIT_OK


def run_explain(
    input: Path,
    *,
    scenario: str | None,
    output: Path | None,
    force: bool = False,
    console: Console,
    err_console: Console,
    sample: int | None = None,
) -> int:
    """Say why ``input`` is infeasible or unbounded (conflicting input cells, smallest fixes);
    exit 0 if it is feasible, 3 if not, 4 if HiGHS cannot tell. ``-o`` also writes the
    diagnosis as a small workbook."""
    from optimizer.diagnose.explain import print_diagnosis, write_diagnosis
    from optimizer.solve.status import Status

    check_output(output, input, force=force)
    loaded = load_or_report(input, scenario, err_console, sample)
    if loaded is None:
        return errors.EXIT_INVALID
    case, _raw = loaded
    diagnosis = diagnose_with_progress(case, err_console)
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
