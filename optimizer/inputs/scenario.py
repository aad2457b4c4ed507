"""What-if scenarios: the ``Scenarios`` sheet's overrides applied to the raw workbook.

A scenario is the set of ``Scenarios`` rows sharing a name. Its rows apply in sheet order to
the raw sheets, *before* validation, so a scenario that breaks a rule is reported like any
other bad input. Each row names a ``sheet``, a ``key`` (the row id, the setting name on
``Settings``, every row of a source on ``Supply``, or ``*`` for every row), a ``column`` (a
column name, a month ``YYYY-MM``, or ``*`` for every month of a monthly sheet) and an
``action``: ``set`` the value, ``scale`` by a factor, or ``add`` an amount. ``scale``/``add`` on
a blank cell start from the column's documented default; ``set`` of an absent setting adds it.
What a row may change is decided by :mod:`optimizer.inputs.targets`, as in validation.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from optimizer.errors import InputError, Problem, UsageError
from optimizer.inputs import schema, targets
from optimizer.inputs.cells import number_in
from optimizer.inputs.rawbook import (
    PercentNumber,
    RawBook,
    RawSheet,
    clean_text,
    column_letter,
    month_key,
)
from optimizer.inputs.targets import FIELDS, SCENARIOS


@dataclass(frozen=True)
class CellChange:
    """One input cell a scenario changed (for the comparison's input-diff sheet)."""

    scenario: str
    sheet: str
    key: str
    column: str
    old: Any
    new: Any
    scenario_row: int  # Excel row of the Scenarios sheet that made the change
    cell: str = ""  # Excel address of the changed cell on ``sheet`` (e.g. "D4")


@dataclass(frozen=True)
class _Override:
    row: int
    sheet: str
    key: str
    column: str
    action: str
    value: Any


def scenario_names(raw: RawBook) -> list[str]:
    """Scenario names in the order they first appear on the ``Scenarios`` sheet."""
    names: list[str] = []
    for override_name, _ in _rows(raw):
        if override_name and override_name not in names:
            names.append(override_name)
    return names


def apply_scenario(raw: RawBook, name: str) -> RawBook:
    """A copy of ``raw`` with scenario ``name`` applied (the input is never modified)."""
    return apply_scenario_with_changes(raw, name)[0]


def apply_scenario_with_changes(raw: RawBook, name: str) -> tuple[RawBook, list[CellChange]]:
    """Apply scenario ``name``; also return every cell it changed, in application order.

    Raises UsageError (exit 1) for an unknown scenario name and InputError (exit 2) listing
    every bad ``Scenarios`` row.
    """
    names = scenario_names(raw)
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        known = ", ".join(names) if names else "none (the workbook has no Scenarios rows)"
        raise UsageError(f"unknown scenario '{name}'.{hint} Scenarios in this workbook: {known}")
    book = raw.copy()
    book.source = f"{raw.source} [scenario {name}]"
    problems: list[Problem] = []
    changes: list[CellChange] = []
    for override_name, override in _rows(raw):
        if override_name != name:
            continue
        if isinstance(override, Problem):
            problems.append(override)
            continue
        _apply(book, name, override, problems, changes)
    if problems:
        raise InputError(f"scenario '{name}' has {len(problems)} bad row(s)", problems)
    return book, changes


def _rows(raw: RawBook) -> list[tuple[str, _Override | Problem]]:
    """The Scenarios sheet's rows, parsed; a malformed row becomes a located Problem."""
    sheet = raw.sheets.get(SCENARIOS)
    if sheet is None:
        return []
    headers = [clean_text(h) for h in sheet.headers]
    index = {h: i for i, h in enumerate(headers) if h}
    out: list[tuple[str, _Override | Problem]] = []
    for cells, row in zip(sheet.rows, sheet.row_numbers, strict=True):
        get = {
            f: (cells[index[f]] if f in index and index[f] < len(cells) else None) for f in FIELDS
        }
        name = clean_text(get["scenario"])
        missing = [f for f in FIELDS[:5] if clean_text(get[f]) == ""]
        if missing:
            out.append(
                (
                    name,
                    Problem(
                        SCENARIOS,
                        f"a scenario row needs {', '.join(missing)}",
                        row=row,
                        column=missing[0],
                    ),
                )
            )
            continue
        action = clean_text(get["action"]).lower()
        column = month_key(get["column"]) or clean_text(get["column"])
        out.append(
            (
                name,
                _Override(
                    row,
                    clean_text(get["sheet"]),
                    clean_text(get["key"]),
                    column,
                    action,
                    get["value"],
                ),
            )
        )
    return out


def _apply(
    book: RawBook, name: str, o: _Override, problems: list[Problem], changes: list[CellChange]
) -> None:
    def bad(rule: str, column: str, value: Any, hint: str = "") -> None:
        problems.append(Problem(SCENARIOS, rule, row=o.row, column=column, value=value, hint=hint))

    spec = targets.changeable_sheet(o.sheet)
    if isinstance(spec, targets.Miss):
        bad(spec.rule, spec.field, spec.value, spec.hint)
        return
    if o.action not in targets.ACTIONS:
        bad("action must be set, scale or add", "action", o.action)
        return
    number = number_in(o.value)
    if o.action != "set" and number is None:
        bad(f"{o.action} needs a number", "value", o.value)
        return
    sheet = book.sheets.get(o.sheet) or _new_monthly_sheet(book, spec)
    if sheet is None:
        bad(
            f"the workbook has no '{o.sheet}' sheet to change",
            "sheet",
            o.sheet,
            "add the sheet to the workbook first",
        )
        return
    if o.sheet == "Settings":
        _apply_setting(sheet, name, o, number, bad, changes)
        return
    rows = _matching_rows(sheet, spec, o.key, book)
    if not rows:
        bad(
            f"no row of '{o.sheet}' has id '{o.key}'", "key", o.key, _hint(o.key, _ids(sheet, spec))
        )
        return
    changed = targets.column_target(spec, o.column, month_key(o.column))
    if isinstance(changed, targets.Miss):
        bad(changed.rule, changed.field, changed.value, changed.hint)
        return
    cols = _matching_columns(sheet, spec, o.column)
    if not cols:
        bad(
            f"'{o.sheet}' has no column or month '{o.column}'",
            "column",
            o.column,
            _hint(o.column, [clean_text(h) for h in sheet.headers]),
        )
        return
    for r in rows:
        key = _row_id(sheet, spec, r)
        for c in cols:
            column_spec = _column_spec(spec, sheet.headers[c])
            old = sheet.rows[r][c] if c < len(sheet.rows[r]) else None
            try:
                new = _combine(old, o, number, column_spec)
            except _CannotCombine as exc:
                where = f"{o.sheet}!{column_letter(c)}{sheet.row_numbers[r]}"
                bad(f"{exc} (cell {where})", "value", old)
                continue
            while len(sheet.rows[r]) <= c:
                sheet.rows[r].append(None)
            sheet.rows[r][c] = new
            header = month_key(sheet.headers[c]) or clean_text(sheet.headers[c])
            changes.append(
                CellChange(
                    name,
                    o.sheet,
                    key,
                    header,
                    old,
                    new,
                    o.row,
                    f"{column_letter(c)}{sheet.row_numbers[r]}",
                )
            )


def _apply_setting(
    sheet: RawSheet, name: str, o: _Override, number: float | None, bad, changes: list[CellChange]
) -> None:
    headers = [clean_text(h) for h in sheet.headers]
    if "setting" not in headers or "value" not in headers:
        bad("the Settings sheet needs 'setting' and 'value' columns", "sheet", o.sheet)
        return
    misses = targets.setting_misses(o.key, o.column)
    for miss in misses:
        bad(miss.rule, miss.field, miss.value, miss.hint)
    if misses:
        return
    ks, vs = headers.index("setting"), headers.index("value")
    spec = schema.SETTINGS_BY_NAME[o.key]
    rows = [
        i
        for i, cells in enumerate(sheet.rows)
        if ks < len(cells) and clean_text(cells[ks]) == o.key
    ]
    if not rows:
        row = [None] * len(headers)
        row[ks] = o.key
        sheet.rows.append(row)
        sheet.row_numbers.append((sheet.row_numbers[-1] if sheet.row_numbers else 1) + 1)
        rows = [len(sheet.rows) - 1]
    for r in rows:
        cells = sheet.rows[r]
        while len(cells) <= vs:
            cells.append(None)
        old = cells[vs]
        try:
            new = _combine(old, o, number, spec)
        except _CannotCombine as exc:
            bad(f"{exc} (setting '{o.key}')", "value", old)
            continue
        cells[vs] = new
        changes.append(
            CellChange(
                name,
                "Settings",
                o.key,
                "value",
                old,
                new,
                o.row,
                f"{column_letter(vs)}{sheet.row_numbers[r]}",
            )
        )


class _CannotCombine(ValueError):
    """A scale/add that has no number to start from."""


def _combine(old: Any, o: _Override, number: float | None, spec: schema.Column | None) -> Any:
    """The new cell value after ``o``'s action."""
    if o.action == "set":
        return o.value
    base = old
    if base is None or (isinstance(base, str) and clean_text(base) == ""):
        default = spec.default if spec is not None else None
        if not isinstance(default, int | float) or isinstance(default, bool):
            raise _CannotCombine(
                f"{o.action} needs a number in the cell or a numeric default; it is blank"
            )
        base = default
    base_number = number_in(base)
    if base_number is None:
        raise _CannotCombine(f"{o.action} needs a number in the cell; it holds {base!r}")
    assert number is not None
    if isinstance(base, PercentNumber):  # the cell shows a % format: it holds a fraction
        result = base_number * number if o.action == "scale" else base_number + number / 100
        return PercentNumber(result)
    return base_number * number if o.action == "scale" else base_number + number


def _ids(sheet: RawSheet, spec: schema.Sheet) -> list[str]:
    return [_row_id(sheet, spec, r) for r in range(len(sheet.rows))]


def _row_id(sheet: RawSheet, spec: schema.Sheet, r: int) -> str:
    idcol = spec.row_key
    headers = [clean_text(h) for h in sheet.headers]
    if idcol not in headers:
        return ""
    i = headers.index(idcol)
    cells = sheet.rows[r]
    return clean_text(cells[i]) if i < len(cells) else ""


def _matching_rows(sheet: RawSheet, spec: schema.Sheet, key: str, book: RawBook) -> list[int]:
    if key == "*":
        return list(range(len(sheet.rows)))
    rows = [r for r in range(len(sheet.rows)) if _row_id(sheet, spec, r) == key]
    if not rows and key in targets.row_ids(spec, (), _owner_ids(spec, book)):
        # The sheet may gain a row for an id of the sheet it refers to (availability rows
        # may be absent: 100 % every month).
        sheet.rows.append([key] + [None] * (len(sheet.headers) - 1))
        sheet.row_numbers.append((sheet.row_numbers[-1] if sheet.row_numbers else 1) + 1)
        rows = [len(sheet.rows) - 1]
    return rows


def _owner_ids(spec: schema.Sheet, book: RawBook) -> dict[str, list[str]]:
    """The ids of the sheets ``spec``'s new rows may take their id from, as typed."""
    return {
        name: _ids(book.sheets[name], schema.SHEETS_BY_NAME[name])
        for name in targets.owner_sheets(spec)
        if name in book.sheets
    }


def _matching_columns(sheet: RawSheet, spec: schema.Sheet, column: str) -> list[int]:
    fixed = set(spec.column_names)
    if column == "*":
        return [
            i
            for i, h in enumerate(sheet.headers)
            if month_key(h) is not None and clean_text(h) not in fixed
        ]
    wanted = month_key(column)
    out = []
    for i, h in enumerate(sheet.headers):
        if clean_text(h) == column or (wanted is not None and month_key(h) == wanted):
            out.append(i)
    return out


def _column_spec(spec: schema.Sheet, header: Any) -> schema.Column | None:
    if spec.monthly and month_key(header) is not None:
        return spec.month_values
    name = clean_text(header)
    return next((c for c in spec.columns if c.name == name), None)


def _new_monthly_sheet(book: RawBook, spec: schema.Sheet) -> RawSheet | None:
    """An absent optional monthly sheet, created empty with Prices' month headers."""
    prices = book.sheets.get("Prices")
    if not targets.grows(spec) or prices is None:
        return None
    months = [h for h in prices.headers if month_key(h) is not None]
    sheet = RawSheet(spec.name, [spec.id_column, *months], [], [])
    book.sheets[spec.name] = sheet
    return sheet


def _hint(value: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(value, [c for c in candidates if c], n=1)
    return f"did you mean '{close[0]}'?" if close else ""


def scenario_of_rows(raw: RawBook) -> dict[int, str]:
    """Excel row number → the scenario named on that row of the Scenarios sheet."""
    sheet = raw.sheets.get(SCENARIOS)
    if sheet is None:
        return {}
    headers = [clean_text(h) for h in sheet.headers]
    if "scenario" not in headers:
        return {}
    at = headers.index("scenario")
    found = {}
    for number, cells in zip(sheet.row_numbers, sheet.rows, strict=True):
        name = clean_text(cells[at]) if at < len(cells) else ""
        if name:
            found[number] = name
    return found
