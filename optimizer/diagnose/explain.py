"""Why a case is infeasible (or unbounded), in the planner's words.

``diagnose(case)`` runs, in order:

1. the pre-solve screens (:mod:`optimizer.diagnose.screens`): fast proofs of the usual causes, each
   naming its cells;
2. the LP itself as a HiGHS model (:mod:`optimizer.diagnose.iis`); when HiGHS proves it infeasible,
   its irreducible infeasible subset (IIS), each row mapped to its constraint family, ids
   and month and from there to the input cells that set it (:mod:`optimizer.diagnose.rows`);
3. the smallest relaxations: for every input the IIS involves, the least change of that
   input alone that makes the case feasible (an elastic LP), as cell edits checked by
   re-solving (:mod:`optimizer.diagnose.fixes`); when no single input suffices, the
   smallest combined change;
4. for an unbounded case, the variables of the unbounded direction in input terms.

In single and lumpy modes the LP relaxation is diagnosed: a project may always stay unbuilt
and building one never removes capacity, so the case is feasible exactly when its relaxation
is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape

from optimizer.case import Case
from optimizer.diagnose.findings import CONFLICT, NOTE, Finding
from optimizer.diagnose.fixes import Fix, apply_edits, is_feasible, show_value, to_fix
from optimizer.diagnose.iis import Elastic, LpForm, find_iis, load, primal_ray, run
from optimizer.diagnose.rows import (
    LINKS,
    Statement,
    describe,
    describe_bound,
    describe_link,
    fields,
    knob_of,
)
from optimizer.diagnose.screens import run_screens
from optimizer.errors import InfeasibleError, SolverError
from optimizer.model.build import BuiltModel, build_model
from optimizer.model.lookup import Lookup
from optimizer.planner_words import join_cells, month_ranges
from optimizer.solve.status import Status

MAX_FIXES = 4  # alternatives offered
MAX_SHOWN = 5  # screen conflicts printed (the -o workbook holds them all)
EMPTY = {
    "Summary": "",
    "Diagnosis": "(no pre-solve check found anything)",
    "Conflict": "(no conflict: the case is feasible, or HiGHS could not tell)",
    "Fixes": "(no change to suggest)",
}


@dataclass
class Limit:
    """One input limit of the conflict: statements of the same text merged over months."""

    text: str
    cells: tuple[str, ...]
    months: list[str] = field(default_factory=list)


@dataclass
class Diagnosis:
    """Everything ``explain`` found about one case."""

    case_name: str
    status: Status  # feasible (the case has a plan) | infeasible | unbounded | no_solution
    findings: list[Finding] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)  # the IIS, as input limits
    links: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    combined: bool = False  # the fix changes several inputs together
    unbounded: list[str] = field(default_factory=list)
    lumpy: bool = False
    months: tuple[str, ...] = ()
    error: str = ""  # why part of the diagnosis is missing
    seconds: float = 0.0

    @property
    def conflicts(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == CONFLICT]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == NOTE]


def diagnose(
    case: Case, built: BuiltModel | None = None, progress: Callable[[str], None] | None = None
) -> Diagnosis:
    """Screens, then the LP's IIS and smallest fixes (or unbounded direction). ``built`` is
    the case's model (every limit a row) when the caller already has it (built from ``case``
    otherwise). ``progress`` is told each step as it starts (a big case takes a while)."""
    tick = time.perf_counter()
    say = progress or (lambda step: None)
    say("screening the inputs")
    diag = Diagnosis(
        case.settings.case_name,
        Status.NO_SOLUTION,
        run_screens(case),
        lumpy=case.settings.expansion_mode != "continuous",
        months=case.months,
    )
    try:
        built = built if built is not None else build_model(case)
    except InfeasibleError:  # a smelter that must be fed but nothing reaches: screened
        diag.status = Status.INFEASIBLE
        diag.seconds = time.perf_counter() - tick
        return diag
    say("solving the linear program")
    form = load(built.model, time_limit_s=case.settings.time_limit_s, lumpy=built.lookup.lumpy)
    status = run(form)
    if status == Status.OPTIMAL:
        diag.status = Status.FEASIBLE
    elif status == Status.INFEASIBLE:
        diag.status = Status.INFEASIBLE
        try:
            _explain_iis(case, built.lookup, form, diag, say)
        except SolverError as exc:  # the screens' findings still stand
            diag.error = str(exc)
    elif status == Status.UNBOUNDED:
        diag.status = Status.UNBOUNDED
        diag.unbounded = _ray_words(case, form)
    diag.seconds = time.perf_counter() - tick
    return diag


def _explain_iis(
    case: Case, lk: Lookup, form: LpForm, diag: Diagnosis, say: Callable[[str], None]
) -> None:
    """The IIS as input limits and links, then the smallest fixes of its inputs."""
    say("finding the conflicting inputs (irreducible infeasible subset)")
    iis = find_iis(form)
    statements: list[Statement] = []
    links: dict[str, tuple[list[str], list[str]]] = {}
    groups: list[tuple[str, str]] = []
    for i, _side in iis.rows:
        con = form.rows[i]
        name, f = fields(con)
        if name in LINKS:
            text, cells = describe_link(case, lk, con)
            months, all_cells = links.setdefault(text, ([], []))
            if "t" in f:
                months.append(case.months[f["t"]])
            all_cells.extend(c for c in cells if c not in all_cells)
            continue
        st = describe(case, lk, con)
        if st is not None:
            statements.append(st)
        knob = knob_of(con, form.lumpy)
        if knob is not None and knob[0] not in groups:
            groups.append(knob[0])
    for j, side in iis.columns:
        st = describe_bound(case, form.columns[j], side)
        if st is not None:
            statements.append(st)
    diag.limits = _merge(statements)
    diag.links = [(text, months, cells) for text, (months, cells) in links.items()]
    say("trying the smallest fixes, each re-solved")
    diag.fixes, diag.combined = _fixes(case, lk, form, groups)


def _merge(statements: list[Statement]) -> list[Limit]:
    merged: dict[tuple, Limit] = {}
    for st in statements:
        key = (st.family, st.ids, st.text)
        limit = merged.setdefault(key, Limit(st.text, ()))
        limit.cells += tuple(c for c in st.cells if c not in limit.cells)
        if st.month and st.month not in limit.months:
            limit.months.append(st.month)
    return list(merged.values())


def _fixes(
    case: Case, lk: Lookup, form: LpForm, groups: list[tuple[str, str]]
) -> tuple[list[Fix], bool]:
    """Each IIS input on its own, smallest change first; else all inputs together."""
    knob_ids: list[object] = []
    knob_rows: dict[object, list[tuple[int, float]]] = {}
    group_of: dict[object, tuple[str, str]] = {}
    for i, con in enumerate(form.rows):
        knob = knob_of(con, form.lumpy)
        if knob is None:
            continue
        group, kid = knob
        if kid not in knob_rows:
            knob_ids.append(kid)
            knob_rows[kid] = []
            group_of[kid] = group
        knob_rows[kid].append((i, 1.0))
    if not knob_ids:
        return [], False
    elastic = Elastic(form, [knob_rows[k] for k in knob_ids], [1.0] * len(knob_ids))
    index = {k: n for n, k in enumerate(knob_ids)}
    found: list[tuple[float, Fix]] = []
    for group in groups:
        members = [index[k] for k in knob_ids if group_of[k] == group]
        fix = _relax(case, lk, form, elastic, members, knob_ids, group_of)
        if fix is not None:
            found.append(fix)
    found.sort(key=lambda x: x[0])
    checked: list[Fix] = []
    for _, fix in found:
        if len(checked) < MAX_FIXES and is_feasible(apply_edits(case, fix.edits)):
            checked.append(fix)
    if checked:
        return checked, False
    every = _relax(case, lk, form, elastic, list(range(len(knob_ids))), knob_ids, group_of)
    if every is None or not is_feasible(apply_edits(case, every[1].edits)):
        return [], True
    return [every[1]], True


def _relax(
    case: Case,
    lk,
    form: LpForm,
    elastic: Elastic,
    members: list[int],
    knob_ids: list[object],
    group_of: dict,
) -> tuple[float, Fix] | None:
    """The smallest relaxation using only ``members``, as one fix (with its size), not yet
    checked by re-solving."""
    solved = elastic.solve(members)
    if solved is None:
        return None
    amounts, values = solved
    per_group: dict[tuple[str, str], dict[object, float]] = {}
    for n, x in amounts.items():
        per_group.setdefault(group_of[knob_ids[n]], {})[knob_ids[n]] = x
    parts = [to_fix(case, lk, form, g, a, values) for g, a in per_group.items()]
    if not parts or any(p is None for p in parts):
        return None
    fix = Fix("; ".join(p.text for p in parts), tuple(e for p in parts for e in p.edits))
    return sum(amounts.values()), fix


_RAY_WORDS = {
    "Mined_t": "ore mined at {0}",
    "Ship_t": "ore shipped on route {0}",
    "Feed_t": "{0} ore fed at {1}",
    "Source_Stock_t": "stock at {0}",
    "Yard_Stock_t": "{0} ore in the {1} yard",
    "Spot_Sb_t": "Sb sold at spot at {0}",
    "Delivered_Sb_t": "Sb delivered to contract {0} from {1}",
    "Build_t_per_month": "capacity built by {0}",
    "Grant_Paid_kusd": "grant {0} paying for {1}",
}


def _ray_words(case: Case, form: LpForm) -> list[str]:
    """The unbounded direction's variables, grouped by what they are in input terms."""
    grouped: dict[str, list[str]] = {}
    for j in primal_ray(form):
        var = form.columns[j]
        name = var.parent_component().name
        idx = var.index() if isinstance(var.index(), tuple) else (var.index(),)
        month = case.months[idx[-1]] if isinstance(idx[-1], int) else None
        ids = idx[:-1] if month else idx
        text = _RAY_WORDS.get(name, name + " {0}").format(*ids, "", "")
        grouped.setdefault(text, [])
        if month:
            grouped[text].append(month)
    return [
        f"{text} ({month_ranges(ms, case.months)})" if ms else text for text, ms in grouped.items()
    ]


# --- output --------------------------------------------------------------------------------


def lines(diag: Diagnosis) -> list[str]:
    """The diagnosis as short lines a planner reads top-down: verdict, causes, fixes."""
    out: list[str] = []
    name = f"Case '{diag.case_name}'"
    if diag.status == Status.FEASIBLE:
        out.append(
            f"{name} is feasible: HiGHS found a plan that meets every constraint; "
            "nothing conflicts."
        )
    elif diag.status == Status.UNBOUNDED:
        out.append(f"{name} is unbounded: the margin can grow without limit.")
    elif diag.status == Status.INFEASIBLE:
        out.append(f"{name} is infeasible: no plan meets every constraint.")
    else:
        out.append(f"{name}: HiGHS could not decide whether a plan exists (time limit?).")
    if diag.error:
        out.append(f"({diag.error}.)")
    if diag.lumpy and diag.status in (Status.INFEASIBLE, Status.UNBOUNDED):
        out.append(
            "(single and lumpy modes: diagnosed on the LP relaxation, which is feasible "
            "exactly when the case is.)"
        )
    if diag.conflicts:
        out += ["", "What conflicts (pre-solve checks):"]
        for n, f in enumerate(diag.conflicts[:MAX_SHOWN], start=1):
            out += [f"  {n}. {_capital(f.title)}", f"     {f.detail}", f"     Change: {f.fix}"]
        if len(diag.conflicts) > MAX_SHOWN:
            out.append(
                f"  … and {len(diag.conflicts) - MAX_SHOWN} more (explain -o lists "
                "them all in a workbook)."
            )
    if diag.limits:
        out += [
            "",
            "Conflicting inputs — these limits cannot all hold (HiGHS irreducible "
            "infeasible subset):",
        ]
        for limit in diag.limits:
            when = f" in {month_ranges(limit.months, diag.months)}" if limit.months else ""
            out.append(f"  - {_capital(limit.text)}{when} — {join_cells(limit.cells)}")
        for text, months, cells in diag.links:
            if cells:  # a link that carries an input: transit time or opening stock
                when = f" in {month_ranges(months, diag.months)}" if months else ""
                out.append(f"  linked by: {text}{when} — {join_cells(cells)}")
    if diag.fixes:
        head = (
            "Smallest change that makes the case feasible (all together):"
            if diag.combined
            else "Smallest changes that make the case feasible (any one of them):"
        )
        out += ["", head]
        for n, fix in enumerate(diag.fixes):
            out.append(f"  {chr(97 + n)}. {fix.text}")
            if len(fix.edits) > 1 or fix.edits[0].cell not in fix.text:
                out += [f"     {edit}" for edit in fix.edits]
    elif diag.status == Status.INFEASIBLE and diag.limits:
        out += [
            "",
            "No change of a single input limit makes it feasible; relax one of the limits above.",
        ]
    if diag.unbounded:
        out += ["", "These can grow without limit while adding margin:"]
        out += [f"  - {text}" for text in diag.unbounded[:12]]
        out.append(
            "Give them a finite limit (Supply max, route or smelter capacity) or check "
            "prices and costs for a loop that earns money for nothing."
        )
    if diag.notes:
        out += ["", "Notes (not conflicts, but probably not what you meant):"]
        for f in diag.notes:
            out.append(f"  - {_capital(f.title)}: {f.detail} Change: {f.fix}")
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def print_diagnosis(diag: Diagnosis, console: Console) -> None:
    """:func:`lines` on ``console``: the verdict in colour, the rest as plain text."""
    colours = {Status.FEASIBLE: "green", Status.INFEASIBLE: "red", Status.UNBOUNDED: "red"}
    colour = colours.get(diag.status, "yellow")
    for n, line in enumerate(lines(diag)):
        if n == 0:
            console.print(f"[{colour}]{escape(line)}[/{colour}]", highlight=False, soft_wrap=True)
        else:
            console.print(line, markup=False, highlight=False, soft_wrap=True)


def tables(diag: Diagnosis) -> dict[str, pd.DataFrame]:
    """The diagnosis workbook's sheets as DataFrames (Diagnosis, Conflict, Fixes)."""
    findings = pd.DataFrame(
        [(f.kind, f.title, f.detail, f.fix, join_cells(f.cells)) for f in diag.findings],
        columns=["kind", "finding", "detail", "change", "cells"],
    )
    conflict = pd.DataFrame(
        [
            (
                "limit",
                x.text,
                month_ranges(x.months, diag.months) if x.months else "",
                join_cells(x.cells),
            )
            for x in diag.limits
        ]
        + [
            ("link", text, month_ranges(ms, diag.months) if ms else "", join_cells(cells))
            for text, ms, cells in diag.links
        ]
        + [("unbounded", text, "", "") for text in diag.unbounded],
        columns=["role", "constraint", "months", "cells"],
    )
    fixes = pd.DataFrame(
        [
            (chr(97 + n), fix.text, e.cell, e.sheet, e.column, show_value(e.old), show_value(e.new))
            for n, fix in enumerate(diag.fixes)
            for e in fix.edits
        ],
        columns=["option", "change", "cell", "sheet", "column", "current", "suggested"],
    )
    return {"Diagnosis": findings, "Conflict": conflict, "Fixes": fixes}


def _provenance_items(diag: Diagnosis) -> list[tuple[str, object, str]]:
    """The diagnosis workbook's Provenance rows: what it is and which tool wrote it (so a
    later ``-o`` may replace it)."""
    from datetime import UTC, datetime

    import optimizer
    from optimizer.files import OWN_MARK

    written = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    return [
        ("Workbook", "infeasibility diagnosis", "text"),
        ("Case name", diag.case_name, "text"),
        ("Written", written, "text"),
        (OWN_MARK, optimizer.__version__, "text"),
    ]


def write_diagnosis(diag: Diagnosis, path: Path) -> Path:
    """The diagnosis as a small workbook (atomically; text stays text)."""
    from optimizer.files import save_atomic
    from optimizer.report.provenance import write_provenance
    from optimizer.report.sheet_body import Workbook
    from optimizer.report.tables import Col, Table
    from optimizer.report.xlsx import write_table

    widths = {"detail": 100, "constraint": 100, "change": 80, "finding": 60, "cells": 60}

    def write(tmp: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        summary = pd.DataFrame(
            [(diag.case_name, diag.status, round(diag.seconds, 3))],
            columns=["case", "status", "seconds"],
        )
        for name, frame in {"Summary": summary, **tables(diag)}.items():
            columns = [
                Col(c, c, "seconds" if c == "seconds" else "text", widths.get(c, 40))
                for c in frame.columns
            ]
            write_table(wb.create_sheet(name), Table(name, columns, frame, note=EMPTY[name]))
        write_provenance(wb.create_sheet("Provenance"), _provenance_items(diag))
        wb.save(tmp)

    return save_atomic(write, path)
