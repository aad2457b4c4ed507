"""The runs of a scenario comparison, validated before any solve: the base case and every
scenario's case, with the input cells each scenario changes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from optimizer.case import Case
from optimizer.errors import InputError, Problem
from optimizer.inputs.rawbook import RawBook, clean_text
from optimizer.inputs.scenario import (
    SCENARIOS,
    CellChange,
    apply_scenario_with_changes,
    scenario_names,
)

Prepared = tuple[str | None, Case, tuple[CellChange, ...]]  # a run already validated


@dataclass
class Plan:
    """The validated runs: the workbook, the scenario names, every run's case and changes."""

    raw: RawBook
    names: list[str]
    cases: dict[str | None, Case]
    changes: dict[str, list[CellChange]]
    warnings: list[Problem]

    def prepared(self, scenario: str | None) -> Prepared:
        return scenario, self.cases[scenario], tuple(self.changes.get(scenario or "", ()))


def prepare(raw: RawBook, names: list[str] | None = None) -> Plan:
    """Validate the base case and every scenario (all of ``raw``'s unless ``names``).

    Raises InputError listing every problem of every run, each scenario's prefixed with its
    name, so a planner fixes them all in one pass.
    """
    from optimizer.inputs.validate import validate

    names = scenario_names(raw) if names is None else names
    problems: list[Problem] = []
    cases: dict[str | None, Case] = {}
    changes: dict[str, list[CellChange]] = {}
    case, found = validate(raw)
    warnings = list(raw.warnings) + [p for p in found if not p.is_error]
    problems += [p for p in found if p.is_error]
    if case is not None:
        cases[None] = case
    for name in names:
        try:
            book, changes[name] = apply_scenario_with_changes(raw, name)
        except InputError as exc:
            problems += exc.problems
            continue
        case, found = validate(book)
        problems += [replace(p, rule=f"scenario '{name}': {p.rule}") for p in found if p.is_error]
        if case is not None:
            cases[name] = case
    if problems or None not in cases:
        n = sum(p.is_error for p in problems)
        raise InputError(
            f"{n} error{'s' * (n != 1)} in {raw.source} or its scenarios", warnings + problems
        )
    return Plan(raw, names, cases, changes, warnings)


def scenario_notes(raw: RawBook) -> dict[str, str]:
    """Each scenario's first non-blank ``note`` on the Scenarios sheet (its description)."""
    sheet = raw.sheets.get(SCENARIOS)
    if sheet is None:
        return {}
    headers = [clean_text(h) for h in sheet.headers]
    if "scenario" not in headers or "note" not in headers:
        return {}
    name_at, note_at = headers.index("scenario"), headers.index("note")
    notes: dict[str, str] = {}
    for cells in sheet.rows:
        name = clean_text(cells[name_at]) if name_at < len(cells) else ""
        note = clean_text(cells[note_at]) if note_at < len(cells) else ""
        if name and note:
            notes.setdefault(name, note)
    return notes


def validated(book: RawBook) -> Case:
    """The case of ``book``; InputError (its first errors in the message) when invalid."""
    from optimizer.inputs.validate import validate

    case, problems = validate(book)
    errors = [p for p in problems if p.is_error]
    if case is None or errors:
        raise InputError(
            f"{len(errors)} input error(s): " + "; ".join(map(str, errors[:3])), errors
        )
    return case
