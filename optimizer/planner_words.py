"""Planner words shared by every stage that talks to a planner: input cells as ``Sheet!C7``
(and ranges), month ranges, money, tonnes and percentages as a planner writes them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from openpyxl.utils import column_index_from_string, get_column_letter

from optimizer.case import Case

_CELL = re.compile(r"(\w+)!([A-Z]{1,3})(\d+)")


def cell(case: Case, sheet: str, key: str, column: str) -> str:
    """``Smelters!I2`` for an input value (or the best description when it has no cell)."""
    ref = case.locations.get((sheet, key, column))
    if ref is not None and ref.letter and ref.row:
        return f"{sheet}!{ref.letter}{ref.row}"
    row = case.locations.get((sheet, key, ""))
    if row is not None and row.row:
        return f"{sheet} row {row.row} [{column}]"
    return f"{sheet} [{key}, {column}]" if key else f"{sheet} [{column}]"


def has_cell(case: Case, sheet: str, key: str, column: str) -> bool:
    return (sheet, key, column) in case.locations


def span(case: Case, sheet: str, key: str, months: Sequence[str]) -> str:
    """The cells of one row over ``months``: ``Supply!C3:E3`` (or the row when unknown)."""
    refs = [case.locations.get((sheet, key, m)) for m in months]
    if refs and all(r is not None and r.letter and r.row for r in refs):
        first, last = refs[0], refs[-1]
        if len(refs) == 1:
            return f"{sheet}!{first.letter}{first.row}"
        return f"{sheet}!{first.letter}{first.row}:{last.letter}{last.row}"
    row = case.locations.get((sheet, key, ""))
    return f"{sheet} row {row.row}" if row is not None and row.row else f"{sheet} [{key}]"


def month_ranges(labels: Iterable[str], months: Sequence[str]) -> str:
    """``2027-01 to 2027-03, 2027-06`` for a set of month labels of the horizon."""
    index = sorted({months.index(m) for m in labels})
    runs: list[list[int]] = []
    for t in index:
        if runs and t == runs[-1][-1] + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return ", ".join(
        months[r[0]] if len(r) == 1 else f"{months[r[0]]} to {months[r[-1]]}" for r in runs
    )


def money(value: float) -> str:
    """A magnitude in dollars for a sentence: ``$12,400``, ``$0.43`` below one dollar, ``$0``."""
    size = abs(value)
    if size == 0:
        return "$0"
    return f"${size:,.0f}" if size >= 1 else f"${size:,.2f}"


def usd(x: float | None) -> str:
    """A signed whole-dollar figure for a table line: ``$254,352,250`` (``—`` when missing)."""
    return "—" if x is None else f"${x:,.0f}"


def tonnes(x: float) -> str:
    """``1,250 t`` (one decimal below 10 t)."""
    return f"{x:,.1f} t" if abs(x) < 10 and x != int(x) else f"{x:,.0f} t"


def tonnes_figure(x: float | None) -> str:
    """A tonnage for a summary line, to a tenth: ``5,556.8 t`` (``—`` when missing)."""
    return "—" if x is None else f"{x:,.1f} t"


def pct(x: float) -> str:
    return f"{x:g}%"


def possessive(name: str) -> str:
    """``Madero's``, ``Thompson Falls'``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def join_cells(cells: Iterable[str]) -> str:
    """``Supply!C3:E3, Smelters!I2``: cells of one row in adjacent columns become a range."""
    runs: list[list] = []  # [sheet, row, first col, last col, text]
    for text in dict.fromkeys(cells):
        match = _CELL.fullmatch(text)
        if match is None:
            runs.append([None, None, None, None, text])
            continue
        sheet, letters, row = match.groups()
        col = column_index_from_string(letters)
        last = runs[-1] if runs else None
        if last and last[0] == sheet and last[1] == row and last[3] + 1 == col:
            last[3] = col
        else:
            runs.append([sheet, row, col, col, text])
    return ", ".join(
        r[4]
        if r[0] is None or r[2] == r[3]
        else f"{r[0]}!{get_column_letter(r[2])}{r[1]}:{get_column_letter(r[3])}{r[1]}"
        for r in runs
    )


def months_word(n: int) -> str:
    return f"{n} month{'s' * (n != 1)}"


def project_site(smelter: object, source: object) -> str:
    """Where a project adds capacity, as a planner says it: the smelter's name, or for a
    mine-side project (no smelter) "the <source> mine"."""
    if isinstance(smelter, str) and smelter:
        return smelter
    return f"the {source} mine"
