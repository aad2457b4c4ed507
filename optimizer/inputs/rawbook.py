"""The raw workbook: cells as typed by the planner, with their locations, before validation.

The reader (:mod:`optimizer.inputs.workbook`) produces a :class:`RawBook` from an ``.xlsx`` file;
the default case (:mod:`optimizer.inputs.default_case`) produces one in memory; scenarios
(:mod:`optimizer.inputs.scenario`) rewrite one; validation (:mod:`optimizer.inputs.validate`)
turns one into a typed :class:`optimizer.case.Case`. Nothing here knows Pyomo or openpyxl.

Cell values are what openpyxl gives for a cell: ``None`` (blank), ``str``, ``int``,
``float``, ``bool``, ``datetime``; or one of the markers :class:`ErrorValue` (an Excel error
such as ``#DIV/0!``) and :class:`UncachedFormula` (a formula with no cached result);
a number shown with a ``%`` format is a :class:`PercentNumber`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error value in a cell (``#DIV/0!``, ``#REF!``, ``#N/A`` ...)."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell whose result was never computed (workbook last saved by a script)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


class PercentNumber(float):
    """A number in a cell formatted as a percentage: it holds the fraction Excel stores
    (a typed ``8%`` is 0.08). Validation reads it as percent (8) in percent columns."""

    __slots__ = ()

    def __reduce__(self):
        return (PercentNumber, (float(self),))


@dataclass
class RawSheet:
    """One sheet: row-1 headers (as typed, not yet trimmed) and the data rows below.

    ``rows[i]`` is aligned with ``headers``: ``rows[i][j]`` is the cell under
    ``headers[j]`` (``None`` when blank). ``row_numbers[i]`` is its Excel row number.
    Header values may be text, dates (month headers) or ``None``.
    """

    name: str
    headers: list[Any]
    rows: list[list[Any]]
    row_numbers: list[int]
    hidden: bool = False

    def copy(self) -> RawSheet:
        return copy.deepcopy(self)


@dataclass
class RawBook:
    """All sheets of one workbook, in workbook order, plus where it came from."""

    sheets: dict[str, RawSheet]
    source: str = "<memory>"  # file name, or "<default case>"
    sha256: str = ""
    warnings: list[Any] = field(default_factory=list)  # Problems found while reading

    def copy(self) -> RawBook:
        return copy.deepcopy(self)


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> 'A', 26 -> 'AA')."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_MONTH_TEXT = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def month_key(value: Any) -> str | None:
    """A month header or month cell as ``YYYY-MM``, or None if it is not a month.

    Accepts text ``YYYY-MM`` (Excel users type it; LibreOffice keeps it as text) and real
    dates/datetimes (Excel turns a typed ``2027-01`` into the date 2027-01-01).
    """
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        match = _MONTH_TEXT.match(value.replace("\xa0", " "))
        if match and 1 <= int(match.group(2)) <= 12:
            return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    return None


_BLANKS = " \t\r\n\xa0\u2007\u202f"


def clean_text(value: Any) -> str:
    """A header or id as text, trimmed of spaces, tabs and non-breaking spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip(_BLANKS)
