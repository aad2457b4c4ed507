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

import hashlib
import json
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from optimizer import errors
from optimizer.case import Case
from optimizer.errors import InputError, Problem, UsageError
from optimizer.inputs.rawbook import RawBook

if TYPE_CHECKING:
    from optimizer.diagnose.explain import Diagnosis


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
    input: Path | None,
    scenario: str | None = None,
    sample: int | None = None,
    *,
    every_scenario: bool = False,
) -> tuple[Case, RawBook, list[Problem]]:
    """Read, apply ``scenario`` (then the draws of risk ``sample`` K) and validate. Raises
    InputError listing every problem — of every scenario when ``every_scenario`` (what
    ``validate`` checks); otherwise another scenario's bad row is only a warning."""
    from optimizer.inputs.validate import validate

    raw = load_raw(input)
    if scenario is not None:
        from optimizer.inputs.scenario import apply_scenario

        raw = apply_scenario(raw, scenario)
    if sample is not None:
        from optimizer.inputs.sampling import sample_book

        raw = sample_book(raw, sample)
    case, problems = validate(raw)
    if not every_scenario:
        problems = _other_scenarios_said(raw, problems, scenario)
    problems = list(raw.warnings) + list(problems)
    errs = [p for p in problems if p.is_error]
    if errs or case is None:
        raise InputError(f"{len(errs)} error{'s' * (len(errs) != 1)} in {raw.source}", problems)
    return case, raw, [p for p in problems if not p.is_error]


def _other_scenarios_said(
    raw: RawBook, problems: list[Problem], scenario: str | None
) -> list[Problem]:
    """``problems``, with errors on the ``Scenarios`` rows of *other* scenarios turned into
    warnings: one invalid Scenarios row marks only its own scenario invalid (SPEC §6.5), so
    the base case and every other scenario still solve. Rows of no scenario stay errors."""
    from dataclasses import replace

    from optimizer.inputs.scenario import SCENARIOS, scenario_of_rows

    owner = scenario_of_rows(raw)
    said = []
    for p in problems:
        name = owner.get(p.row) if p.is_error and p.sheet == SCENARIOS else None
        if name is not None and name != scenario:
            p = replace(
                p, severity="warning", rule=f"scenario '{name}' is invalid (not solved): {p.rule}"
            )
        said.append(p)
    return said


def print_json(data: dict) -> None:
    """``data`` as one line of JSON on stdout; non-ASCII text escaped when stdout cannot
    encode it (e.g. ``LC_ALL=C``), so the JSON stays valid either way."""
    encoding = (sys.stdout.encoding or "ascii").lower().replace("-", "")
    text = json.dumps(data, ensure_ascii=encoding not in ("utf8", "utf16", "utf32"))
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


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


def check_output(output: Path | None, input: Path | None, *, force: bool = False) -> None:
    """Refuse (exit 1) an ``-o`` the run could not write or must not replace — the input, a
    folder, not ``.xlsx``, an unwritable folder, a name too long, or an existing file that is
    not one of the tool's own outputs (unless ``force``) — before any work is done. Every
    command with ``-o`` calls this first."""
    if output is not None:
        from optimizer.files import check_output_target

        check_output_target(output, [input] if input is not None else [], force=force)


def check_folder_option(folder: Path | None, option: str) -> None:
    """Refuse (exit 1) an output folder option (``--csv``, ``--reports``) that names a file or
    a folder the run cannot write into — before any work is done."""
    if folder is not None:
        from optimizer.files import check_folder

        check_folder(folder, option)


def diagnose_with_progress(case: Case, err_console: Console) -> Diagnosis:
    """:func:`optimizer.diagnose.explain.diagnose` with a spinner naming the step it is on
    and the seconds so far (a big case takes a minute)."""
    from optimizer.diagnose.explain import diagnose

    tick = time.perf_counter()
    name = escape(case.settings.case_name)
    with err_console.status(f"Explaining why '{name}' has no plan…") as status:

        def progress(step: str) -> None:
            seconds = time.perf_counter() - tick
            status.update(f"Explaining why '{name}' has no plan: {step} ({seconds:.0f} s)…")

        return diagnose(case, progress=progress)


def exit_code(status: str) -> int:
    """0 with a plan, 3 when the case is infeasible or unbounded, 4 when the solver found none."""
    from optimizer.solve.status import Status

    if status in (Status.INFEASIBLE, Status.UNBOUNDED):
        return errors.EXIT_INFEASIBLE
    return errors.EXIT_OK if status in (Status.OPTIMAL, Status.FEASIBLE) else errors.EXIT_SOLVER


_STEM_MAX = 100  # characters of a case or scenario name kept in a default file name


def _file_part(name: str, *, distinct: bool) -> str:
    """``name`` with only file-name-safe characters; with ``distinct``, when cleaning loses
    something, a short hash of ``name`` keeps distinct names apart (``a/b`` and ``a_b``)."""
    part = re.sub(r"[^\w.-]+", "_", name, flags=re.ASCII).strip("._")[:_STEM_MAX]
    if distinct and part != name:
        part = "_".join(x for x in (part, hashlib.sha1(name.encode()).hexdigest()[:6]) if x)
    return part


def default_report_path(case: Case, scenario: str | None) -> Path:
    """``outputs/<case>[_<scenario>]_report.xlsx`` with file-name-safe parts; a scenario's
    name never equals the base case's."""
    stem = _file_part(case.settings.case_name, distinct=False) or "case"
    if scenario is not None:
        stem += f"_{_file_part(scenario, distinct=True)}"
    return Path("outputs") / f"{stem}_report.xlsx"


def unique_report_paths(
    folder: Path, case: Case, names: list[str | None]
) -> dict[str | None, Path]:
    """Each run's report file in ``folder``: its default name, numbered on a collision
    (case-insensitively, as some file systems compare names), so no report replaces another."""
    taken: set[str] = set()
    paths: dict[str | None, Path] = {}
    for name in names:
        path = folder / default_report_path(case, name).name
        n = 2
        while path.name.casefold() in taken:
            stem = default_report_path(case, name).stem
            path = folder / f"{stem}-{n}.xlsx"
            n += 1
        taken.add(path.name.casefold())
        paths[name] = path
    return paths
