"""The runs of a scenario comparison, validated before any solve: the base case and every
scenario's case, with the input cells each scenario changes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from optimizer.case import Case
from optimizer.errors import InputError, Problem
from optimizer.inputs.rawbook import RawBook, clean_text
from optimizer.inputs.scenario import (
    SCENARIOS,
    CellChange,
    apply_scenario_with_changes,
    scenario_names,
    scenario_of_rows,
)

Prepared = tuple[str | None, Case, tuple[CellChange, ...]]  # a run already validated


@dataclass
class Plan:
    """The validated runs: the workbook, the scenario names, every valid run's case and
    changes, the scenarios that are invalid (with their problems: they are not solved) and
    the warnings."""

    raw: RawBook
    names: list[str]
    cases: dict[str | None, Case]
    changes: dict[str, list[CellChange]]
    warnings: list[Problem]
    invalid: dict[str, list[Problem]] = field(default_factory=dict)

    def prepared(self, scenario: str | None) -> Prepared:
        return scenario, self.cases[scenario], tuple(self.changes.get(scenario or "", ()))


def prepare(raw: RawBook, names: list[str] | None = None) -> Plan:
    """Validate the base case and every scenario (all of ``raw``'s unless ``names``).

    A scenario with a bad ``Scenarios`` row, or whose changes break an input rule, is invalid
    on its own: its problems are kept in :attr:`Plan.invalid` (each reported once, at its
    row) and every other run still solves. Raises InputError when the base case itself is
    invalid, or a ``Scenarios`` problem belongs to no scenario (a row without a name, a
    missing column).
    """
    from optimizer.inputs.validate import validate

    names = scenario_names(raw) if names is None else names
    problems: list[Problem] = []
    cases: dict[str | None, Case] = {}
    changes: dict[str, list[CellChange]] = {}
    invalid: dict[str, list[Problem]] = {}
    case, found = validate(raw)
    warnings = list(raw.warnings) + [p for p in found if not p.is_error]
    owner = scenario_of_rows(raw)
    for p in found:
        if not p.is_error:
            continue
        name = owner.get(p.row) if p.sheet == SCENARIOS else None
        if p.sheet != SCENARIOS or name is None:
            problems.append(p)
        elif name in names:
            invalid.setdefault(name, []).append(p)
        else:  # a scenario this run does not solve (a sweep): said, not fatal
            warnings.append(replace(p, severity="warning"))
    if case is not None and not problems:
        cases[None] = case
    for name in names:
        if name in invalid:
            continue
        try:
            book, changes[name] = apply_scenario_with_changes(raw, name)
        except InputError as exc:
            invalid[name] = list(exc.problems)
            continue
        case, found = validate(book)
        broken = [
            replace(p, rule=f"scenario '{name}': {p.rule}")
            for p in found
            if p.is_error and p.sheet != SCENARIOS  # the Scenarios rows: checked above
        ]
        if broken or case is None:
            invalid[name] = broken
            continue
        cases[name] = case
    if problems or None not in cases:
        n = sum(p.is_error for p in problems)
        raise InputError(f"{n} error{'s' * (n != 1)} in {raw.source}", warnings + problems)
    return Plan(raw, names, cases, changes, warnings, invalid)


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
    """The case of ``book``; InputError (its first errors in the message) when invalid. A bad
    ``Scenarios`` row concerns its own scenario only (see :func:`prepare`), not this case."""
    from optimizer.inputs.validate import validate

    case, problems = validate(book)
    errors = [p for p in problems if p.is_error and p.sheet != SCENARIOS]
    if case is None or errors:
        raise InputError(
            f"{len(errors)} input error(s): " + "; ".join(map(str, errors[:3])), errors
        )
    return case
