"""Where a problem is and how it is recorded: the cell being validated and the report that
collects every located problem of one validation run (nothing stops at the first)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from optimizer.case import CellRef
from optimizer.errors import Problem
from optimizer.inputs.cells import BAD, PARSERS, is_blank, shown, value_hint
from optimizer.inputs.rawbook import ErrorValue, PercentNumber, UncachedFormula, clean_text
from optimizer.inputs.rawbook import column_letter as _column_letter
from optimizer.inputs.schema import Column

_letter = functools.lru_cache(maxsize=None)(_column_letter)


@dataclass(frozen=True)
class At:
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


@dataclass
class Report:
    """The problems found so far, in the order they were found."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    def problem(
        self, at: At, rule: str, value: Any = None, hint: str = "", severity: str = "error"
    ) -> None:
        self.problems.append(
            Problem(
                sheet=at.sheet,
                rule=f"{at.subject}: {rule}" if at.subject else rule,
                row=at.row,
                column=at.column,
                value=shown(value),
                hint=hint,
                severity=severity,
                cell=at.cell,
            )
        )

    def warn(self, at: At, rule: str, value: Any = None, hint: str = "") -> None:
        self.problem(at, rule, value, hint, severity="warning")

    def parse(self, column: Column, value: Any, at: At) -> Any:
        """The typed value of one cell, or ``BAD`` after recording why it is invalid."""
        if column.name == "note":  # free text, never used in the model: nothing to reject
            if is_blank(value) or isinstance(value, (ErrorValue, UncachedFormula)):
                return ""
            return clean_text(shown(value))
        if isinstance(value, ErrorValue):
            self.problem(
                at,
                f"Excel error value in the cell: expected {column.rule()}",
                value,
                "fix the formula or type the value (an error is never read as zero)",
            )
            return BAD
        if isinstance(value, UncachedFormula):
            self.problem(
                at,
                "formula with no saved result (the workbook was last saved by a "
                "program that does not calculate)",
                value,
                "open the workbook in Excel or LibreOffice and save it, or type the value",
            )
            return BAD
        if is_blank(value):
            if column.required_value:
                self.problem(at, "a value is required", hint=f"enter {column.rule()}")
                return BAD
            return column.default
        if isinstance(value, PercentNumber) and column.kind == "percent":
            value = float(value) * 100.0  # a typed 8% is stored as 0.08: the planner meant 8
        result, rule = PARSERS[column.kind](column, value)
        if result is BAD:
            self.problem(at, rule, value, value_hint(column, value))
        return result
