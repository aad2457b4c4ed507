"""The monthly-cycle commands: ``roll`` (next month's case from this one and what happened)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.case import Case
from optimizer.cli.pipeline import check_output, load_raw, print_json, print_problems
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
    force: bool = False,
    console: Console,
    err_console: Console,
) -> int:
    """Write the case starting ``to`` (see :mod:`optimizer.cycle.roll`) to ``output``; the
    input (and the actuals workbook) is only read. Exit 0 written, 1 usage, 2 invalid input,
    3 when the case (with its actuals) has no plan to roll from."""
    from optimizer.cycle.roll import months_to_roll, roll_raw
    from optimizer.inputs.template import write_template
    from optimizer.solve.run import solve_case

    check_output(output, input, force=force)
    if actuals is not None:
        check_output(output, actuals, force=force)
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


def run_compare(
    old: Path,
    new: Path,
    *,
    output: Path | None,
    json_out: bool,
    jobs: int,
    force: bool = False,
    console: Console,
    err_console: Console,
) -> int:
    """Compare two cases of the same start month: changed cells, key figures, actions and
    the margin change by group (exact Shapley). Exit 0, 1 (usage: other start months), 2
    (an invalid workbook)."""
    import time

    from optimizer.cycle.compare import check_comparable, compare

    tick = time.perf_counter()
    if output is not None:
        check_output(output, old, force=force)
        check_output(output, new, force=force)
    raws = [load_raw(old), load_raw(new)]
    cases = [_valid(raw, err_console) for raw in raws]
    if cases[0] is None or cases[1] is None:
        return errors.EXIT_INVALID
    check_comparable(cases[0], cases[1], (old.name, new.name))
    with err_console.status("Solving both plans and every mix of their changes…"):
        result = compare(raws[0], cases[0], raws[1], cases[1], jobs=jobs)
    written = None
    if output is not None:
        from optimizer.cycle.compare_workbook import write_changes

        written = write_changes(result, output, [old, new])
    result.timings_s["total"] = time.perf_counter() - tick
    data = comparison_data(result, written)
    if json_out:
        print_json(data)
    else:
        for line in comparison_lines(data):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    return errors.EXIT_OK


def comparison_data(result, written: Path | None) -> dict:
    """The comparison as JSON data (what ``--json`` prints)."""
    from optimizer.report.console import json_number

    shares = result.attribution.shares
    return {
        "old": result.old_name,
        "new": result.new_name,
        "start_month": result.start_month,
        "old_margin_usd": json_number(result.old_margin_usd),
        "new_margin_usd": json_number(result.new_margin_usd),
        "total_change_usd": json_number(result.attribution.total),
        "attribution_usd": (
            {g: json_number(v) for g, v in shares.items()} if shares is not None else None
        ),
        "changed_cells": [
            {
                "sheet": d.sheet,
                "cell": d.cell,
                "row": d.row_id,
                "column": d.column,
                "old": d.old,
                "new": d.new,
                "group": d.group,
            }
            for d in result.cells
        ],
        "key_figures": {
            k: {"old": json_number(a), "new": json_number(b)}
            for k, (a, b) in result.figures.items()
        },
        "solves": len(result.attribution.values),
        "timings_s": {k: round(v, 3) for k, v in result.timings_s.items()},
        "report": str(written) if written else None,
    }


def comparison_lines(data: dict) -> list[str]:
    """The comparison for the terminal."""
    from optimizer.planner_words import usd

    out = [f"Compare {data['old']} → {data['new']} (both from {data['start_month']})"]
    out.append(f"  {len(data['changed_cells'])} input cell(s) differ")
    if data["old_margin_usd"] is None or data["new_margin_usd"] is None:
        out.append("  one of the plans has no solution: nothing to attribute")
        return out
    out.append(
        f"  margin {usd(data['old_margin_usd'])} → {usd(data['new_margin_usd'])}: "
        f"{usd(data['total_change_usd'] or 0.0)}"
    )
    shares = data["attribution_usd"]
    if shares is None:
        out.append("  a mix of old and new inputs has no plan: the change is not attributed")
    for group, value in (shares or {}).items():
        out.append(f"    {group}: {usd(value)}")
    out.append(f"  ({data['solves']} solves)")
    if data["report"]:
        out.append(f"Changes: {data['report']}")
    return out
