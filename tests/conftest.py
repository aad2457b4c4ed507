"""Shared helpers for building tiny input workbooks (importable: ``from conftest import ...``).

A workbook is described as ``{sheet: [[header, ...], [cell, ...], ...]}``: the first list is
row 1 (headers), the next lists are Excel rows 2, 3, ... (``None`` = blank cell, an empty
list = a blank row). In :func:`write_book`, a text cell starting with ``=`` becomes a
formula with no saved result and ``"#DIV/0!"``-style text an Excel error value, exactly as
openpyxl writes them.

:func:`minimal_rows` is a tiny valid case (2 sources, 2 smelters, 3 routes, 3 months, the
required sheets only); :func:`full_rows` adds every optional sheet. Edit copies with
:func:`set_cell`, :func:`drop_row` and :func:`rename_sheet`; find a cell's Excel address with
:func:`cell_of`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import settings

from optimizer.inputs.rawbook import RawBook, RawSheet, column_letter

# Property tests draw the same examples on every run and keep no example database: a run
# that passed once passes again, and a failure found once is not replayed for ever after.
settings.register_profile("derandomized", derandomize=True, database=None, print_blob=True)
settings.load_profile("derandomized")

Rows = dict[str, list[list[Any]]]
MONTHS = ("2027-01", "2027-02", "2027-03")


def minimal_rows(months: Iterable[str] = MONTHS) -> Rows:
    """A tiny valid case with the required sheets only."""
    m = list(months)
    n = len(m)
    return {
        "Settings": [
            ["setting", "value", "note"],
            ["case_name", "tiny", None],
            ["start_month", m[0], "first month"],
            ["horizon_months", n, None],
        ],
        "Sources": [
            [
                "source",
                "kind",
                "country",
                "domestic",
                "grade_pct_sb",
                "arsenic_pct",
                "cost_usd_per_t",
                "stockpile_capacity_t",
                "holding_cost_usd_per_t_month",
                "note",
            ],
            ["AK1", "mine", "USA", "yes", 50, 0.5, 400, 1000, 2, "claim group"],
            ["BUY", "purchase", "Bolivia", "no", 40, 1.0, 1500, 0, 0, None],
        ],
        "Supply": [
            ["source", "bound", *m],
            ["AK1", "max", *[100] * n],
            ["AK1", "min", *[10] * n],
            ["BUY", "max", *[50] * n],
        ],
        "Smelters": [
            [
                "smelter",
                "country",
                "base_capacity_t_per_month",
                "processing_cost_usd_per_t",
                "recovery_pct",
                "min_feed_grade_pct",
                "max_feed_arsenic_pct",
                "min_domestic_share_pct",
                "min_feed_t_per_month",
                "stockpile_capacity_t",
                "holding_cost_usd_per_t_month",
                "note",
            ],
            ["TF", "USA", 200, 300, 95, 30, 2, 0, 0, 500, 1, None],
            ["MAD", "Mexico", 100, 250, 90, None, None, None, None, 300, 1, None],
        ],
        "Routes": [
            [
                "route",
                "source",
                "smelter",
                "mode",
                "cost_usd_per_t",
                "transit_months",
                "capacity_t_per_month",
                "distance_km",
                "note",
            ],
            ["AK1-TF", "AK1", "TF", "truck", 250, 1, 200, 3200, None],
            ["AK1-MAD", "AK1", "MAD", "multimodal", 400, 2, 100, 6000, None],
            ["BUY-MAD", "BUY", "MAD", "ocean", 90, 1, 100, None, None],
        ],
        "Prices": [
            ["smelter", *m],
            ["TF", *[40000] * n],
            ["MAD", *[38000] * (n - 1), None],
        ],
    }


def full_rows(months: Iterable[str] = MONTHS) -> Rows:
    """:func:`minimal_rows` plus every optional sheet (one or two rows each)."""
    m = list(months)
    n = len(m)
    rows = minimal_rows(m)
    rows.update(
        {
            "SmelterAvailability": [["smelter", *m], ["TF", *[100] * (n - 1), 50]],
            "RouteAvailability": [["route", *m], ["AK1-TF", 0, *[100] * (n - 1)]],
            "OpeningStock": [
                ["location", "source", "tonnes"],
                ["TF", "AK1", 20],
                ["AK1", "AK1", 5],
            ],
            "Expansions": [
                [
                    "project",
                    "smelter",
                    "max_added_t_per_month",
                    "capex_usd_per_t_per_month",
                    "fixed_capex_usd",
                    "lead_time_months",
                    "earliest_start_month",
                    "latest_start_month",
                    "note",
                ],
                ["TF-X", "TF", 300, 20000, None, 1, m[0], None, None],
                ["MAD-X", "MAD", 100, 15000, 50000, None, m[0], m[-1], None],
            ],
            "Grants": [
                [
                    "grant",
                    "agency",
                    "amount_usd",
                    "award_month",
                    "max_share_pct",
                    "eligible_projects",
                    "note",
                ],
                ["DPA", "DoD", 1_000_000, "2026-06", 50, "all", None],
                ["SMALL", None, 10_000, m[-1], 100, "TF-X", None],
            ],
            "Contracts": [
                [
                    "contract",
                    "smelter",
                    "start_month",
                    "end_month",
                    "min_t_sb_per_month",
                    "max_t_sb_per_month",
                    "price_usd_per_t_sb",
                    "note",
                ],
                ["DLA", "TF", None, None, 5, 50, 45000, None],
                ["SPOT2", "any", m[-1], m[-1], None, 10, 41000, None],
            ],
            "Scenarios": [
                ["scenario", "sheet", "key", "column", "action", "value", "note"],
                ["cheap", "Prices", "*", "*", "scale", 0.5, None],
                ["long", "Settings", "horizon_months", "value", "set", 3, None],
                ["lumpy", "Settings", "expansion_mode", "value", "set", "lumpy", None],
            ],
        }
    )
    return rows


def write_book(
    path: Path, sheets: Rows, hidden: Iterable[str] = (), very_hidden: Iterable[str] = ()
) -> Path:
    """Write ``sheets`` to ``path`` with openpyxl (first sheet first); returns ``path``."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if name in set(hidden):
            ws.sheet_state = "hidden"
        if name in set(very_hidden):
            ws.sheet_state = "veryHidden"
    wb.save(path)
    return path


def raw_book(sheets: Rows, source: str = "<test>") -> RawBook:
    """The RawBook the reader would give for ``sheets`` (blank rows skipped, numbered)."""
    raw = {}
    for name, rows in sheets.items():
        header = list(rows[0]) if rows else []
        width = max([len(header), *(len(r) for r in rows[1:])], default=0)
        data, numbers = [], []
        for number, row in enumerate(rows[1:], start=2):
            if any(v is not None and str(v).strip() for v in row):
                data.append(list(row) + [None] * (width - len(row)))
                numbers.append(number)
        raw[name] = RawSheet(name, header + [None] * (width - len(header)), data, numbers)
    return RawBook(raw, source=source)


def minimal_raw() -> RawBook:
    return raw_book(minimal_rows(), source="minimal")


def minimal_book(path: Path) -> Path:
    return write_book(path, minimal_rows())


def _locate(sheets: Rows, sheet: str, key: Any, column: str) -> tuple[int, int]:
    """(index into sheets[sheet], column index) of the row whose first cell is ``key``
    (``key`` may also be an int: that Excel row number) and the column headed ``column``."""
    rows = sheets[sheet]
    c = [h if not isinstance(h, datetime) else f"{h:%Y-%m}" for h in rows[0]].index(column)
    if isinstance(key, int):
        return key - 1, c
    matches = [i for i, row in enumerate(rows) if i and row and row[0] == key]
    if len(matches) != 1:
        raise KeyError(f"{sheet}: {len(matches)} rows with key {key!r}")
    return matches[0], c


def set_cell(sheets: Rows, sheet: str, key: Any, column: str, value: Any) -> Rows:
    """A deep copy of ``sheets`` with one cell changed (row by first-cell key or number)."""
    out = copy.deepcopy(sheets)
    r, c = _locate(out, sheet, key, column)
    row = out[sheet][r]
    row.extend([None] * (c + 1 - len(row)))
    row[c] = value
    return out


def cell_of(sheets: Rows, sheet: str, key: Any, column: str) -> str:
    """Excel address ('E3') of a cell located like :func:`set_cell`."""
    r, c = _locate(sheets, sheet, key, column)
    return f"{column_letter(c)}{r + 1}"


def drop_row(sheets: Rows, sheet: str, key: Any) -> Rows:
    """A deep copy of ``sheets`` without one row (by first-cell key or Excel row number)."""
    out = copy.deepcopy(sheets)
    r, _ = _locate(out, sheet, key, out[sheet][0][0])
    del out[sheet][r]
    return out


def rename_sheet(sheets: Rows, old: str, new: str) -> Rows:
    """A copy of ``sheets`` with sheet ``old`` renamed ``new`` (keeping its position)."""
    return {new if name == old else name: copy.deepcopy(rows) for name, rows in sheets.items()}


@pytest.fixture
def tiny_book(tmp_path: Path) -> Path:
    """The minimal valid case written to ``tmp_path/tiny.xlsx``."""
    return minimal_book(tmp_path / "tiny.xlsx")


@pytest.fixture
def full_book(tmp_path: Path) -> Path:
    """The case with every optional sheet written to ``tmp_path/full.xlsx``."""
    return write_book(tmp_path / "full.xlsx", full_rows())
