"""Validate a :class:`~optimizer.inputs.rawbook.RawBook` against the schema and build the Case.

Driven by :mod:`optimizer.inputs.schema` (no column is declared here). Every problem is collected
— nothing stops at the first — as a located :class:`~optimizer.errors.Problem` (sheet,
Excel row, column header, cell, value, rule, hint). A :class:`~optimizer.case.Case` is built
only when no error was found.

``Case.locations`` is keyed ``(sheet, row id, column)``: the row id is the row's id (the
setting name on ``Settings``), ``"<source>|<bound>"`` on ``Supply`` and
``"<location>|<source>"`` on ``OpeningStock`` (see :func:`row_id`); monthly values use the
month label ``YYYY-MM`` as column, and ``column=""`` locates the whole row.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from optimizer.case import (
    Case,
    CellRef,
    Contract,
    Expansion,
    Grant,
    OpeningStock,
    Route,
    Settings,
    Smelter,
    Source,
    month_label,
    month_offset,
    row_key,
)
from optimizer.errors import Problem
from optimizer.inputs.rawbook import (
    ErrorValue,
    PercentNumber,
    RawBook,
    RawSheet,
    UncachedFormula,
    clean_text,
    column_letter,
    month_key,
)
from optimizer.inputs.schema import (
    ALL_PROJECTS,
    ANY_SMELTER,
    SETTINGS,
    SETTINGS_BY_NAME,
    SHEETS,
    SHEETS_BY_NAME,
    Column,
    Sheet,
)

DOC_SHEETS = frozenset({"readme"})  # documentation sheets the template writes: not input
NUMERIC_KINDS = frozenset({"number", "integer", "percent"})
_YES = frozenset({"yes", "true", "1"})
_NO = frozenset({"no", "false", "0"})
_BAD = object()  # a cell that failed validation (its problem is already recorded)


# --- cell helpers ------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    """An empty cell, or one holding only spaces, tabs or non-breaking spaces."""
    return value is None or (isinstance(value, str) and clean_text(value) == "")


def parse_yesno(value: Any) -> bool | None:
    """True/False for yes/no, TRUE/FALSE, 1/0 (any case); None if it is none of them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return {1: True, 0: False}.get(value)  # type: ignore[call-overload]
    if isinstance(value, str):
        text = clean_text(value).lower()
        return True if text in _YES else False if text in _NO else None
    return None


def close_match(name: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The candidate ``name`` was probably meant to be (case, spacing or a small typo)."""
    cands = [c for c in candidates if c != name]
    key = _squash(name)
    for c in cands:
        if _squash(c) == key:
            return c
    lowered = {c.lower(): c for c in cands}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


def row_id(sheet: str, values: dict[str, Any]) -> str:
    """The row id used in ``Case.locations`` (and by ``explain``) for a parsed row."""
    schema = SHEETS_BY_NAME[sheet]
    if schema.id_column:
        return str(values[schema.id_column])
    return row_key(*(values[k] for k in schema.key_columns))


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).lower()


def _shown(value: Any) -> Any:
    """A cell value as a planner would recognise it in a message."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (date, time, timedelta, ErrorValue, UncachedFormula)):
        return str(value)
    return value


def _did_you_mean(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    match = close_match(value, candidates, cutoff)
    return f"did you mean '{match}'?" if match else ""


def _month_ranges(labels: list[str]) -> str:
    """``['2027-02', '2027-03', '2027-07']`` -> ``'2027-02..2027-03, 2027-07'``."""
    parts: list[str] = []
    run: list[str] = []
    for label in labels:
        if run and month_offset(run[-1], label) != 1:
            parts.append(run[0] if len(run) == 1 else f"{run[0]}..{run[-1]}")
            run = []
        run.append(label)
    if run:
        parts.append(run[0] if len(run) == 1 else f"{run[0]}..{run[-1]}")
    return ", ".join(parts)


# --- the validator -----------------------------------------------------------------------


@dataclass(frozen=True)
class _At:
    """A cell being validated; ``subject`` prefixes rules (the setting a value belongs to)."""

    sheet: str
    row: int | None = None
    column: str | None = None
    index: int | None = None  # 0-based column index
    subject: str = ""

    @property
    def cell(self) -> str | None:
        if self.index is None or self.row is None:
            return None
        return f"{_letter(self.index)}{self.row}"

    def ref(self) -> CellRef:
        letter = None if self.index is None else _letter(self.index)
        return CellRef(self.sheet, self.row, self.column, letter)


_letter = functools.lru_cache(maxsize=None)(column_letter)


@dataclass
class _Table:
    """A present schema sheet with its header row resolved."""

    schema: Sheet
    raw: RawSheet
    cols: dict[str, int] = field(default_factory=dict)  # column name -> index
    months: dict[str, int] = field(default_factory=dict)  # month label -> index

    @property
    def name(self) -> str:
        return self.schema.name

    def rows(self) -> Iterable[tuple[int, list[Any]]]:
        """(Excel row number, cells padded to the header width) of each non-blank row."""
        width = len(self.raw.headers)
        for number, cells in zip(self.raw.row_numbers, self.raw.rows, strict=True):
            cells = list(cells) + [None] * (width - len(cells))
            if not all(is_blank(c) for c in cells):
                yield number, cells

    def at(self, number: int, name: str) -> _At:
        index = self.cols.get(name)
        return _At(self.name, number, name, index)


@dataclass
class _Row:
    """One parsed row: values by column name (``_BAD`` where invalid), monthly values by
    month label, and where each came from."""

    number: int
    values: dict[str, Any]
    months: dict[str, Any]
    at: dict[str, _At]


def validate(raw: RawBook) -> tuple[Case | None, list[Problem]]:
    """Check ``raw`` against the schema; the Case (None if any error) and every problem."""
    return _Validator(raw).run()


class _Validator:
    def __init__(self, raw: RawBook):
        self.raw = raw
        self.problems: list[Problem] = []
        self.tables: dict[str, _Table] = {}
        self.settings: dict[str, Any] = {}
        self.start: str | None = None
        self.months: tuple[str, ...] | None = None
        self.horizon_months: frozenset[str] = frozenset()
        self.ids: dict[str, dict[str, int]] = {}  # sheet -> id -> first Excel row
        self.rows: dict[str, list[_Row]] = {}
        self.locations: dict[tuple[str, str, str], CellRef] = {}

    # -- reporting

    def problem(
        self, at: _At, rule: str, value: Any = None, hint: str = "", severity: str = "error"
    ) -> None:
        self.problems.append(
            Problem(
                sheet=at.sheet,
                rule=f"{at.subject}: {rule}" if at.subject else rule,
                row=at.row,
                column=at.column,
                value=_shown(value),
                hint=hint,
                severity=severity,
                cell=at.cell,
            )
        )

    def warn(self, at: _At, rule: str, value: Any = None, hint: str = "") -> None:
        self.problem(at, rule, value, hint, severity="warning")

    # -- top level

    def run(self) -> tuple[Case | None, list[Problem]]:
        self.check_sheets()
        for schema in SHEETS:
            if schema.name in self.raw.sheets:
                self.tables[schema.name] = self.read_headers(schema, self.raw.sheets[schema.name])
        self.read_settings()
        for table in self.tables.values():
            if table.schema.monthly:
                self.check_month_columns(table)
        self.collect_ids()
        for name, table in self.tables.items():
            if name not in ("Settings", "Scenarios"):
                self.rows[name] = self.read_rows(table)
        self.check_cross_sheet()
        if "Scenarios" in self.tables:
            self.check_scenarios(self.tables["Scenarios"])
        if any(p.is_error for p in self.problems):
            return None, self.problems
        return self.build(), self.problems

    # -- sheets and headers

    def check_sheets(self) -> None:
        names = list(self.raw.sheets)
        exact = {n for n in names if n in SHEETS_BY_NAME}
        near: set[str] = set()
        for name in names:
            if name in SHEETS_BY_NAME or clean_text(name).lower() in DOC_SHEETS:
                continue
            at = _At(name)
            target = close_match(name, (s.name for s in SHEETS if s.name not in exact))
            if target:
                near.add(target)
                self.problem(
                    at,
                    "misspelt sheet name",
                    name,
                    f"rename it to '{target}' (sheet names must match exactly)",
                )
                continue
            other = close_match(name, SHEETS_BY_NAME)
            self.warn(
                at,
                "unknown sheet, ignored",
                name,
                f"it looks like '{other}', which is also present"
                if other
                else "input sheets are: " + ", ".join(SHEETS_BY_NAME),
            )
        for schema in SHEETS:
            if schema.required and schema.name not in exact and schema.name not in near:
                self.problem(
                    _At(schema.name),
                    "required sheet is missing",
                    hint=f"add a sheet named '{schema.name}' ({schema.description})",
                )

    def read_headers(self, schema: Sheet, raw: RawSheet) -> _Table:
        table = _Table(schema, raw)
        unknown: dict[str, int] = {}
        first: dict[str, int] = {}
        for j, header in enumerate(raw.headers):
            text = "" if is_blank(header) else clean_text(_shown(header))
            at = _At(schema.name, 1, text or None, j)
            if not text:
                if any(j < len(r) and not is_blank(r[j]) for r in raw.rows):
                    self.warn(
                        at,
                        "column has values but no header in row 1; ignored",
                        hint="type the column's name in row 1",
                    )
                continue
            label = month_key(header) if schema.monthly else None
            if label is not None and text not in schema.column_names:
                if label in table.months:
                    other = column_letter(table.months[label])
                    self.problem(
                        at,
                        f"duplicate month column {label} (also column {other})",
                        header,
                        "keep one column per month",
                    )
                else:
                    table.months[label] = j
                continue
            if text in first:
                if text in schema.column_names:
                    self.problem(
                        at,
                        f"duplicate column (also column {column_letter(first[text])})",
                        hint="keep one column with this header",
                    )
                continue
            first[text] = j
            if text in schema.column_names:
                table.cols[text] = j
            else:
                unknown[text] = j
        self.report_missing_columns(table, unknown)
        return table

    def report_missing_columns(self, table: _Table, unknown: dict[str, int]) -> None:
        schema = table.schema
        taken: set[str] = set()
        row1_blank = all(is_blank(h) for h in table.raw.headers)
        for column in schema.columns:
            if column.name in table.cols or column.optional_column:
                continue
            match = close_match(column.name, (u for u in unknown if u not in taken), 0.7)
            if match:
                taken.add(match)
                at = _At(schema.name, 1, match, unknown[match])
                hint = f"rename column '{match}' to '{column.name}'"
            else:
                at = _At(schema.name, 1, column.name)
                hint = (
                    "row 1 is blank: headers must be in row 1"
                    if row1_blank
                    else f"add a column headed '{column.name}' in row 1 ({column.description})"
                )
            self.problem(at, f"missing required column '{column.name}'", hint=hint)
        for text, j in unknown.items():
            if text in taken:
                continue
            hint = _did_you_mean(text, schema.column_names)
            if not hint and schema.monthly:
                hint = "month headers are text YYYY-MM or a date"
            self.warn(_At(schema.name, 1, text, j), "unknown column, ignored", hint=hint)

    # -- settings and months

    def read_settings(self) -> None:
        table = self.tables.get("Settings")
        if table is None or "setting" not in table.cols or "value" not in table.cols:
            return
        seen: dict[str, int] = {}
        near: set[str] = set()
        for number, cells in table.rows():
            at_name = table.at(number, "setting")
            name_cell = cells[table.cols["setting"]]
            if is_blank(name_cell):
                if is_blank(cells[table.cols["value"]]):
                    self.warn(_At("Settings", number), "row has no setting (only a note); ignored")
                else:
                    self.problem(
                        at_name,
                        "setting name is missing",
                        hint="one setting per row: its name in 'setting', then 'value'",
                    )
                continue
            name = clean_text(name_cell)
            if name not in SETTINGS_BY_NAME:
                match = close_match(name, SETTINGS_BY_NAME, 0.6)
                near.update([match] if match else [])
                self.problem(
                    at_name,
                    "unknown setting",
                    name,
                    f"did you mean '{match}'?"
                    if match
                    else "settings are: " + ", ".join(SETTINGS_BY_NAME),
                )
                continue
            if name in seen:
                self.problem(
                    at_name,
                    f"duplicate setting (also row {seen[name]})",
                    name,
                    "keep one row per setting",
                )
                continue
            seen[name] = number
            column = SETTINGS_BY_NAME[name]
            at = _At("Settings", number, "value", table.cols["value"], subject=name)
            self.settings[name] = self.parse(column, cells[table.cols["value"]], at)
            self.locations[("Settings", name, "value")] = at.ref()
            self.locations[("Settings", name, "")] = CellRef("Settings", number)
        for column in SETTINGS:
            if column.name in seen:
                continue
            if column.required_value:
                if column.name not in near:
                    self.problem(
                        _At("Settings"),
                        f"required setting '{column.name}' is missing",
                        hint=f"add a row: setting {column.name}, value {column.rule()}",
                    )
                self.settings[column.name] = _BAD
            else:
                self.settings[column.name] = column.default
        start, horizon = self.settings.get("start_month"), self.settings.get("horizon_months")
        if isinstance(start, str) and isinstance(horizon, int):
            self.start = start
            self.months = tuple(month_label(start, t) for t in range(horizon))
            self.horizon_months = frozenset(self.months)

    def check_month_columns(self, table: _Table) -> None:
        if self.months is None:
            return
        missing = [m for m in self.months if m not in table.months]
        if missing:
            self.problem(
                _At(table.name, 1),
                f"missing month columns: {_month_ranges(missing)}",
                hint=f"every month of the horizon ({self.months[0]} to {self.months[-1]}) needs a "
                "column headed YYYY-MM or with a date",
            )

    # -- rows

    def collect_ids(self) -> None:
        """Ids of every id column, read before the rows so references can be checked."""
        for name, table in self.tables.items():
            id_col = table.schema.id_column
            if not id_col or table.schema.column(id_col).kind != "id" or id_col not in table.cols:
                continue
            ids: dict[str, int] = {}
            for number, cells in table.rows():
                cell = cells[table.cols[id_col]]
                if not is_blank(cell) and not isinstance(cell, (ErrorValue, UncachedFormula)):
                    ids.setdefault(clean_text(cell), number)
            self.ids[name] = ids

    def read_rows(self, table: _Table) -> list[_Row]:
        schema = table.schema
        data_columns = [c for c in schema.columns if c.name != "note"]
        rows: list[_Row] = []
        keys: dict[tuple[Any, ...], int] = {}
        key_names = (schema.id_column,) if schema.id_column else schema.key_columns
        for number, cells in table.rows():
            present = [cells[table.cols[c.name]] for c in data_columns if c.name in table.cols]
            present += [cells[j] for m, j in table.months.items() if self.in_horizon(m)]
            if all(is_blank(v) for v in present):
                self.warn(
                    _At(table.name, number),
                    "row has no data (only a note or unknown columns); ignored",
                )
                continue
            row = _Row(number, {}, {}, {})
            for column in schema.columns:
                if column.name not in table.cols:
                    row.values[column.name] = column.default if column.optional_column else _BAD
                    continue
                at = table.at(number, column.name)
                row.at[column.name] = at
                row.values[column.name] = self.parse(column, cells[table.cols[column.name]], at)
                if column.kind == "ref" and row.values[column.name] is not _BAD:
                    row.values[column.name] = self.check_ref(
                        schema, column, row.values[column.name], at
                    )
            for label, j in table.months.items():
                if self.in_horizon(label):
                    at = _At(table.name, number, label, j)
                    row.at[label] = at
                    row.months[label] = self.parse(schema.month_values, cells[j], at)
            key = tuple(row.values.get(k) for k in key_names)
            if key_names and _BAD not in key:
                if key in keys:
                    at = row.at[key_names[0]]
                    what = "id" if len(key) == 1 else "row for " + "/".join(map(str, key))
                    self.problem(
                        at,
                        f"duplicate {what} (also row {keys[key]})",
                        key[0],
                        "ids must be unique in their sheet",
                    )
                else:
                    keys[key] = number
            rows.append(row)
        return rows

    def in_horizon(self, label: str) -> bool:
        return label in self.horizon_months

    def parse(self, column: Column, value: Any, at: _At) -> Any:
        """The typed value of one cell, or ``_BAD`` after recording why it is invalid."""
        if column.name == "note":  # free text, never used in the model: nothing to reject
            if is_blank(value) or isinstance(value, (ErrorValue, UncachedFormula)):
                return ""
            return clean_text(_shown(value))
        if isinstance(value, ErrorValue):
            self.problem(
                at,
                f"Excel error value in the cell: expected {column.rule()}",
                value,
                "fix the formula or type the value (an error is never read as zero)",
            )
            return _BAD
        if isinstance(value, UncachedFormula):
            self.problem(
                at,
                "formula with no saved result (the workbook was last saved by a "
                "program that does not calculate)",
                value,
                "open the workbook in Excel or LibreOffice and save it, or type the value",
            )
            return _BAD
        if is_blank(value):
            if column.required_value:
                self.problem(at, "a value is required", hint=f"enter {column.rule()}")
                return _BAD
            return column.default
        if isinstance(value, PercentNumber) and column.kind == "percent":
            value = float(value) * 100.0  # a typed 8% is stored as 0.08: the planner meant 8
        parser = _PARSERS[column.kind]
        result, rule = parser(column, value)
        if result is _BAD:
            self.problem(at, rule, value, _value_hint(column, value))
        return result

    def check_ref(self, schema: Sheet, column: Column, value: str, at: _At) -> str:
        """``value`` (``any`` normalised), after reporting it if it names no known row."""
        if schema.name == "Contracts" and column.name == "smelter" and value.lower() == ANY_SMELTER:
            return ANY_SMELTER
        known: dict[str, int] = {}
        for sheet in column.refs:
            known.update(self.ids.get(sheet, {}))
        if value in known:
            return value
        where = " or ".join(column.refs)
        hint = _did_you_mean(value, known) or (
            f"known ids: {', '.join(known)}" if 0 < len(known) <= 12 else ""
        )
        self.problem(
            at,
            f"unknown id: not on sheet {where}",
            value,
            hint + " (ids are matched exactly, case included)"
            if hint
            else f"add it to {where} first",
        )
        return value

    # -- cross-sheet rules

    def check_cross_sheet(self) -> None:
        sources = self.ids.get("Sources", {})
        for row in self.rows.get("Smelters", []):
            sid = row.values.get("smelter")
            if sid in sources:
                self.problem(
                    row.at["smelter"],
                    f"id is also a source (Sources row {sources[sid]})",
                    sid,
                    "source and smelter ids must differ",
                )
        self.check_supply(sources)
        if "Prices" in self.tables and "smelter" in self.tables["Prices"].cols:
            priced = {r.values.get("smelter") for r in self.rows["Prices"]}
            for sid in self.ids.get("Smelters", {}):
                if sid not in priced:
                    self.problem(
                        _At("Prices"),
                        "smelter has no Prices row",
                        sid,
                        f"add a row for '{sid}' (blank cells mean a price of 0)",
                    )
        for row in self.rows.get("OpeningStock", []):
            loc, src = row.values.get("location"), row.values.get("source")
            if loc in sources and src is not _BAD and src != loc:
                self.problem(
                    row.at["source"],
                    f"ore in the stockpile of source '{loc}' must come from '{loc}'",
                    src,
                    "set source to the location, or put the ore in a smelter's yard",
                )
        for row in self.rows.get("Expansions", []):
            self.check_expansion(row)
        for row in self.rows.get("Contracts", []):
            self.check_contract(row)
        for row in self.rows.get("Grants", []):
            self.check_grant(row)

    def check_supply(self, sources: dict[str, int]) -> None:
        if "Supply" not in self.tables or {"source", "bound"} - set(self.tables["Supply"].cols):
            return
        by_key = {(r.values["source"], r.values["bound"]): r for r in self.rows["Supply"]}
        for sid in sources:
            if (sid, "max") not in by_key:
                self.problem(
                    _At("Supply"),
                    "source has no max row",
                    sid,
                    f"add a row: source {sid}, bound max, then its tonnes per month",
                )
        for (sid, bound), low in by_key.items():
            high = by_key.get((sid, "max"))
            if bound != "min" or high is None:
                continue
            for label, lo in low.months.items():
                hi = high.months.get(label)
                if _num(lo) and _num(hi) and lo > hi:
                    self.problem(
                        low.at[label],
                        f"min above max ({high.at[label].cell} = {hi:g})",
                        lo,
                        "supply min must be ≤ max in every month",
                    )

    def month_value(self, row: _Row, name: str, blank: int | None) -> int | None:
        label = row.values.get(name)
        if label is _BAD or self.start is None:
            return None
        return blank if label is None else month_offset(self.start, label)

    def check_expansion(self, row: _Row) -> None:
        if self.months is None:
            return
        first = self.month_value(row, "earliest_start_month", None)
        last = self.month_value(row, "latest_start_month", len(self.months) - 1)
        if first is not None and last is not None and first > last:
            self.problem(
                row.at["earliest_start_month"],
                f"earliest start is after the latest start ({self.label(last)})",
                row.values["earliest_start_month"],
                "earliest_start_month must be ≤ latest_start_month (blank latest = end of horizon)",
            )

    def check_contract(self, row: _Row) -> None:
        if self.months is None:
            return
        first = self.month_value(row, "start_month", 0)
        last = self.month_value(row, "end_month", len(self.months) - 1)
        if first is not None and last is not None and last < first:
            self.problem(
                row.at["end_month"],
                f"end month is before the start month ({self.label(first)})",
                row.values["end_month"] or "(blank)",
                "end_month must be ≥ start_month (blank = horizon edge)",
            )
        elif first is not None and last is not None and (last < 0 or first >= len(self.months)):
            self.warn(row.at["start_month"], "contract is outside the horizon; it has no effect")
        lo, hi = row.values.get("min_t_sb_per_month"), row.values.get("max_t_sb_per_month")
        if _num(lo) and _num(hi) and lo > hi:
            self.problem(
                row.at["min_t_sb_per_month"],
                f"monthly minimum above the maximum ({hi:g})",
                lo,
                "min_t_sb_per_month must be ≤ max_t_sb_per_month",
            )

    def check_grant(self, row: _Row) -> None:
        projects = row.values.get("eligible_projects")
        if not isinstance(projects, tuple):
            return
        known = self.ids.get("Expansions", {})
        for pid in projects:
            if pid not in known:
                self.problem(
                    row.at["eligible_projects"],
                    "unknown project: not on sheet Expansions",
                    pid,
                    _did_you_mean(pid, known)
                    or "list Expansions project ids separated by commas, or 'all'",
                )

    def label(self, offset: int) -> str:
        assert self.start is not None
        return month_label(self.start, offset)

    # -- scenarios

    def check_scenarios(self, table: _Table) -> None:
        """Each row names a scenario, a sheet, a row key, a column and a valid change."""
        columns = {c.name: c for c in table.schema.columns}
        if {"scenario", "sheet", "key", "column", "action", "value"} - set(table.cols):
            return
        for number, cells in table.rows():

            def cell(name: str, cells: list[Any] = cells) -> Any:
                return cells[table.cols[name]]

            values = {
                n: self.parse(columns[n], cell(n), table.at(number, n))
                for n in ("scenario", "sheet", "key", "action")
            }
            sheet_name = values["sheet"]
            target = SHEETS_BY_NAME.get(sheet_name) if sheet_name is not _BAD else None
            if sheet_name is not _BAD and (target is None or target.name == "Scenarios"):
                self.problem(
                    table.at(number, "sheet"),
                    "not a sheet a scenario can change",
                    sheet_name,
                    _did_you_mean(sheet_name, SHEETS_BY_NAME)
                    or "name an input sheet (e.g. Settings, Supply, Prices)",
                )
                target = None
            column_at = table.at(number, "column")
            if is_blank(cell("column")):
                self.problem(
                    column_at,
                    "a value is required",
                    hint="a column name, a month (YYYY-MM) or '*' for every month",
                )
                continue
            if target is None or values["key"] is _BAD:
                continue
            changed = self.scenario_target(
                target, values["key"], cell("column"), table.at(number, "key"), column_at
            )
            if changed is None or values["action"] is _BAD:
                continue
            self.check_scenario_value(
                changed, values["action"], cell("value"), table.at(number, "value")
            )

    def scenario_target(
        self, target: Sheet, key: str, column_cell: Any, key_at: _At, column_at: _At
    ) -> Column | None:
        """The schema column a scenario row changes, or None after reporting why not.

        Mirrors :mod:`optimizer.inputs.scenario`: an optional monthly sheet (availability) may
        gain a row for any id of the sheet it refers to, or be created with Prices' months.
        """
        column = clean_text(_shown(column_cell))
        if target.name == "Settings":
            found = SETTINGS_BY_NAME.get(key)
            if found is None:
                self.problem(
                    key_at,
                    "not a setting",
                    key,
                    _did_you_mean(key, SETTINGS_BY_NAME)
                    or "settings are: " + ", ".join(SETTINGS_BY_NAME),
                )
            if column not in ("value", "*"):
                self.problem(column_at, "on Settings the column must be 'value'", column)
                return None
            return found
        table = self.tables.get(target.name)
        grows = target.monthly and not target.required
        if key != "*":
            rk = target.row_key
            ids = (
                {clean_text(c[table.cols[rk]]) for _, c in table.rows()}
                if table is not None and rk in table.cols
                else set()
            )
            if grows and rk is not None:
                for sheet in target.column(rk).refs:
                    ids.update(self.ids.get(sheet, {}))
            if key not in ids:
                self.problem(
                    key_at,
                    f"no row with {rk} '{key}' on sheet {target.name}",
                    key,
                    _did_you_mean(key, ids) or "use a row id of that sheet, or '*'",
                )
        label = month_key(column_cell)
        if column == "*" or label is not None:
            if not target.monthly:
                self.problem(
                    column_at,
                    f"sheet {target.name} has no month columns",
                    column,
                    _did_you_mean(column, target.column_names),
                )
                return None
            months = (
                table.months
                if table is not None
                else self.tables["Prices"].months
                if grows and "Prices" in self.tables
                else {}
            )
            if label is not None and label not in months:
                self.problem(
                    column_at, f"sheet {target.name} has no column for month {label}", column
                )
                return None
            return target.month_values
        if column not in target.column_names:
            self.problem(
                column_at,
                f"no column '{column}' on sheet {target.name}",
                column,
                _did_you_mean(column, target.column_names)
                or "a column name, a month (YYYY-MM) or '*' for every month",
            )
            return None
        if column == target.row_key:
            self.problem(column_at, "a scenario cannot change a row's id", column)
            return None
        return target.column(column)

    def check_scenario_value(self, column: Column, action: str, value: Any, at: _At) -> None:
        if action in ("scale", "add"):
            if column.kind not in NUMERIC_KINDS:
                self.problem(
                    at,
                    f"'{action}' needs a number column; '{column.name}' is {column.kind}",
                    hint="use 'set' for this column",
                )
            elif not _num(value) and not _numeric_text(value):
                self.problem(
                    at,
                    f"'{action}' needs a number",
                    value,
                    "a factor for scale (1.1 = +10%), an amount for add",
                )
        elif not is_blank(value):
            self.parse(
                column,
                value,
                _At(at.sheet, at.row, at.column, at.index, subject=f"set {column.name}"),
            )

    # -- the Case

    def build(self) -> Case:
        assert self.months is not None and self.start is not None
        horizon = len(self.months)
        for sheet, rows in self.rows.items():
            for row in rows:
                rid = row_id(sheet, row.values)
                self.locations[(sheet, rid, "")] = CellRef(sheet, row.number)
                for name, at in row.at.items():
                    self.locations[(sheet, rid, name)] = at.ref()

        def series(sheet: str, key: str, default: float) -> dict[str, tuple[float, ...]]:
            return {
                r.values[key]: tuple(float(r.months.get(m, default)) for m in self.months)
                for r in self.rows.get(sheet, [])
            }

        supply = {
            (r.values["source"], r.values["bound"]): tuple(float(r.months[m]) for m in self.months)
            for r in self.rows["Supply"]
        }
        zeros = (0.0,) * horizon
        hundreds = (100.0,) * horizon
        sm_avail = series("SmelterAvailability", "smelter", 100.0)
        rt_avail = series("RouteAvailability", "route", 100.0)
        prices = series("Prices", "smelter", 0.0)

        sources = {
            r.values["source"]: Source(
                **_fields(Source, r.values),
                supply_max_t=supply[(r.values["source"], "max")],
                supply_min_t=supply.get((r.values["source"], "min"), zeros),
            )
            for r in self.rows["Sources"]
        }
        smelters = {
            r.values["smelter"]: Smelter(
                **_fields(Smelter, r.values),
                availability_pct=sm_avail.get(r.values["smelter"], hundreds),
                prices_usd_per_t_sb=prices[r.values["smelter"]],
            )
            for r in self.rows["Smelters"]
        }
        routes = {
            r.values["route"]: Route(
                **_fields(Route, r.values),
                availability_pct=rt_avail.get(r.values["route"], hundreds),
            )
            for r in self.rows["Routes"]
        }
        expansions = {
            r.values["project"]: Expansion(
                **_fields(Expansion, r.values),
                earliest_start=self.month_value(r, "earliest_start_month", None),
                latest_start=self.month_value(r, "latest_start_month", horizon - 1),
            )
            for r in self.rows.get("Expansions", [])
        }
        grants = {
            r.values["grant"]: Grant(
                **_fields(
                    Grant,
                    r.values,
                    award=self.month_value(r, "award_month", None),
                    eligible_projects=tuple(expansions)
                    if r.values["eligible_projects"] == ALL_PROJECTS
                    else r.values["eligible_projects"],
                )
            )
            for r in self.rows.get("Grants", [])
        }
        contracts = {
            r.values["contract"]: Contract(
                **_fields(Contract, r.values),
                start=self.month_value(r, "start_month", 0),
                end=self.month_value(r, "end_month", horizon - 1),
            )
            for r in self.rows.get("Contracts", [])
        }
        opening = tuple(
            OpeningStock(**_fields(OpeningStock, r.values))
            for r in self.rows.get("OpeningStock", [])
        )
        settings = Settings(**{c.name: self.settings[c.name] for c in SETTINGS})
        return Case(
            settings=settings,
            months=self.months,
            sources=sources,
            smelters=smelters,
            routes=routes,
            opening_stock=opening,
            expansions=expansions,
            grants=grants,
            contracts=contracts,
            locations=self.locations,
        )


def _fields(cls: type, values: dict[str, Any], **derived: Any) -> dict[str, Any]:
    """The parsed values that are fields of dataclass ``cls`` (same names as the schema),
    then the ``derived`` ones (month offsets, resolved lists)."""
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return {**{k: v for k, v in values.items() if k in names}, **derived}


def _numeric_text(value: Any) -> bool:
    """Text a scenario's ``value`` may hold for scale/add (the Scenarios column is text)."""
    try:
        return isinstance(value, str) and math.isfinite(float(clean_text(value).replace(",", "")))
    except ValueError:
        return False


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- per-kind parsers: (value, rule) with value _BAD when invalid -------------------------


def _parse_text(column: Column, value: Any) -> tuple[Any, str]:
    if isinstance(value, (datetime, date)) and column.kind != "text":
        return _BAD, f"a date in an id cell: expected {column.rule()}"
    return clean_text(_shown(value)), ""


def _parse_choice(column: Column, value: Any) -> tuple[Any, str]:
    text = clean_text(_shown(value)).lower()
    if text in column.choices:
        return text, ""
    return _BAD, f"expected {column.rule()}"


def _parse_number(column: Column, value: Any) -> tuple[Any, str]:
    def bad(what: str) -> tuple[Any, str]:
        return _BAD, f"{what}expected {column.rule()}"

    if isinstance(value, bool):
        return bad("TRUE/FALSE in a number cell: ")
    if isinstance(value, str):
        return bad("text in a number cell: ")
    if isinstance(value, (datetime, date)):
        return bad("a date in a number cell: ")
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return bad("")
    if column.kind == "integer":
        if not float(value).is_integer():
            return bad("not a whole number: ")
        value = int(value)
    else:
        value = float(value)
    low, high = column.minimum, column.maximum
    if column.kind == "percent":
        low = 0.0 if low is None else low
        high = 100.0 if high is None else high
    too_low = low is not None and (value <= low if column.exclusive_minimum else value < low)
    if too_low or (high is not None and value > high):
        return bad("out of range: ")
    return value, ""


def _parse_yesno(column: Column, value: Any) -> tuple[Any, str]:
    result = parse_yesno(value)
    return (_BAD, f"expected {column.rule()}") if result is None else (result, "")


def _parse_month(column: Column, value: Any) -> tuple[Any, str]:
    label = month_key(value)
    return (_BAD, f"expected {column.rule()}") if label is None else (label, "")


def _parse_idlist(column: Column, value: Any) -> tuple[Any, str]:
    text = clean_text(_shown(value))
    if text.lower() == ALL_PROJECTS:
        return ALL_PROJECTS, ""
    items = tuple(dict.fromkeys(clean_text(x) for x in text.split(",") if clean_text(x)))
    return (items, "") if items else (_BAD, f"expected {column.rule()}")


_PARSERS = {
    "id": _parse_text,
    "ref": _parse_text,
    "text": _parse_text,
    "choice": _parse_choice,
    "number": _parse_number,
    "integer": _parse_number,
    "percent": _parse_number,
    "yesno": _parse_yesno,
    "month": _parse_month,
    "idlist": _parse_idlist,
}


def _value_hint(column: Column, value: Any) -> str:
    if column.kind in NUMERIC_KINDS and isinstance(value, str):
        try:
            float(clean_text(value).replace(",", ""))
        except ValueError:
            return "type a number, without units or words (text is never read as zero)"
        return "the number is stored as text: retype it as a number (no quotes or spaces)"
    if column.kind in NUMERIC_KINDS and isinstance(value, bool):
        return "type a number instead of TRUE/FALSE"
    if column.kind == "month":
        return "type the month as YYYY-MM (e.g. 2027-01) or enter a date"
    if column.kind == "choice":
        return _did_you_mean(clean_text(_shown(value)).lower(), column.choices)
    return ""
