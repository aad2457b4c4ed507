"""The pipeline, one way: read workbook → validate → apply scenario → build model → solve →
results → report.

This module holds what every command does first: read, apply a scenario and validate, with
every problem printed, and check an output path before any work is done. The commands
themselves (``run_*``, each returning its exit code) are :mod:`optimizer.cli.solve_command`,
:mod:`optimizer.cli.scenarios_command` and :mod:`optimizer.cli.input_commands`.

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

import re
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.case import Case
from optimizer.errors import InputError, Problem, UsageError
from optimizer.inputs.rawbook import RawBook


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
    input: Path | None, scenario: str | None = None, sample: int | None = None
) -> tuple[Case, RawBook, list[Problem]]:
    """Read, apply ``scenario`` (then the draws of risk ``sample`` K) and validate. Raises
    InputError listing every problem."""
    from optimizer.inputs.validate import validate

    raw = load_raw(input)
    if scenario is not None:
        from optimizer.inputs.scenario import apply_scenario

        raw = apply_scenario(raw, scenario)
    if sample is not None:
        from optimizer.inputs.sampling import sample_book

        raw = sample_book(raw, sample)
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


def load_or_report(
    input: Path | None, scenario: str | None, err_console: Console, sample: int | None = None
) -> tuple[Case, RawBook] | None:
    """:func:`load_case`, printing warnings; on invalid input print every problem and
    return None (the caller exits 2)."""
    try:
        case, raw, warnings = load_case(input, scenario, sample)
    except InputError as exc:
        print_problems(exc.problems, err_console)
        err_console.print(f"[red]Invalid input[/red] — {escape(str(exc))}", soft_wrap=True)
        return None
    print_problems(warnings, err_console)
    return case, raw


def check_output(output: Path | None, input: Path | None) -> None:
    """Refuse (exit 1) an ``-o`` that is the input, a folder or not ``.xlsx`` — before any
    work is done."""
    if output is not None:
        from optimizer.files import check_target

        check_target(output, [input] if input is not None else [], ".xlsx")


def exit_code(status: str) -> int:
    """0 with a plan, 3 when the case is infeasible or unbounded, 4 when the solver found none."""
    from optimizer.solve.status import Status

    if status in (Status.INFEASIBLE, Status.UNBOUNDED):
        return errors.EXIT_INFEASIBLE
    return errors.EXIT_OK if status in (Status.OPTIMAL, Status.FEASIBLE) else errors.EXIT_SOLVER


def default_report_path(case: Case, scenario: str | None) -> Path:
    """``outputs/<case>[_<scenario>]_report.xlsx`` with file-name-safe parts."""
    stem = case.settings.case_name + (f"_{scenario}" if scenario else "")
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "case"
    return Path("outputs") / f"{stem}_report.xlsx"
