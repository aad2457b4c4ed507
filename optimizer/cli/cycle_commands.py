"""The monthly-cycle commands: ``roll`` (next month's case from this one and what happened)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.case import Case
from optimizer.cli.pipeline import check_output, load_raw, print_problems
from optimizer.errors import UsageError
from optimizer.inputs.rawbook import RawBook, RawSheet, clean_text


def with_actuals(raw: RawBook, actuals: Path) -> RawBook:
    """``raw`` with the rows of the ``Actuals`` sheet of workbook ``actuals`` added (matched by
    header) to its own ``Actuals`` rows."""
    extra = load_raw(actuals).sheets.get("Actuals")
    if extra is None:
        raise UsageError(f"{actuals} has no sheet named Actuals: record what happened there")
    out = raw.copy()
    own = out.sheets.get("Actuals")
    if own is None or not own.rows:
        out.sheets["Actuals"] = extra.copy()
        return out
    headers = [clean_text(h) for h in own.headers]
    theirs = [clean_text(h) for h in extra.headers]
    for row, number in zip(extra.rows, extra.row_numbers, strict=True):
        by_name = dict(zip(theirs, row, strict=False))
        own.rows.append([by_name.get(h) for h in headers])
        own.row_numbers.append(number)
    out.sheets["Actuals"] = RawSheet("Actuals", own.headers, own.rows, own.row_numbers)
    return out


def _valid(raw: RawBook, err_console: Console) -> Case | None:
    """The validated case of ``raw``, printing every problem (None when invalid)."""
    from optimizer.inputs.validate import validate

    case, problems = validate(raw)
    print_problems(list(raw.warnings) + problems, err_console)
    if case is None:
        err_console.print(f"[red]Invalid input[/red] — {escape(raw.source)}", soft_wrap=True)
    return case


def run_roll(
    input: Path,
    *,
    to: str,
    actuals: Path | None,
    output: Path,
    console: Console,
    err_console: Console,
) -> int:
    """Write the case starting ``to`` (see :mod:`optimizer.cycle.roll`) to ``output``; the
    input (and the actuals workbook) is only read. Exit 0 written, 1 usage, 2 invalid input,
    3 when the case (with its actuals) has no plan to roll from."""
    from optimizer.cycle.roll import months_to_roll, roll_raw
    from optimizer.inputs.template import write_template
    from optimizer.solve.run import solve_case

    check_output(output, input)
    if actuals is not None:
        check_output(output, actuals)
    raw = load_raw(input)
    if actuals is not None:
        raw = with_actuals(raw, actuals)
    case = _valid(raw, err_console)
    if case is None:
        return errors.EXIT_INVALID
    months_to_roll(case, to)
    with err_console.status(f"Solving '{escape(case.settings.case_name)}' to roll it…"):
        plan = solve_case(case)
    if not plan.has_solution:
        from optimizer.cli.pipeline import exit_code
        from optimizer.diagnose.explain import diagnose, print_diagnosis

        code = exit_code(plan.status)
        err_console.print(
            f"[red]No plan to roll from[/red]: {escape(plan.status)} {escape(plan.message)}"
        )
        if code == errors.EXIT_INFEASIBLE:
            print_diagnosis(diagnose(case), err_console)
        return code
    rolled = roll_raw(raw, case, plan, to)
    if _valid(rolled.raw, err_console) is None:  # a bug: roll must write a valid case
        return errors.EXIT_SOLVER
    written = write_template(rolled.raw, output, rolled.review)
    for line in rolled.done:
        console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    console.print(
        f"{len(rolled.review)} carried cell(s) to review (orange; listed on the README sheet)",
        markup=False,
        highlight=False,
    )
    console.print(f"Next case: {written}", markup=False, highlight=False, soft_wrap=True)
    return errors.EXIT_OK
