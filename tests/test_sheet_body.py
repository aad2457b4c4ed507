"""Report tables streamed as sheet bodies read back exactly as cells written one by one."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.report.sheet_body import Workbook
from optimizer.report.tables import Col, Table
from optimizer.report.xlsx import put, write_table

COLUMNS = [
    Col("month", "Month", "month"),
    Col("name", "Name", "text"),
    Col("flag", "Flag", "yesno"),
    Col("tonnes", "Tonnes (t)", "t"),
    Col("usd", "Cost (USD)", "usd"),
    Col("count", "Count", "int"),
    Col("mixed", "Mixed", "factor"),
]

FRAME = pd.DataFrame(
    {
        "month": ["2027-01", date(2027, 2, 1), None, "2030-12", "2027-05", ""],
        "name": ["TF", "=HYPERLINK(1)", " padded ", "a<b & c>d", "bell\x07", "-5"],
        "flag": [True, False, None, 1, 0, True],
        "tonnes": [1.5, math.nan, math.inf, -0.0, 0.1 + 0.2, 1234567.123456789],
        "usd": [1e20, -3.0, 2.0, math.nan, 7.0, 1 / 3],
        "count": [1, 2, 3, 4, 5, 6],
        "mixed": [True, 1, "x", None, 2.5, pd.NA],
    }
)


def _cells_one_by_one(path: Path) -> None:
    """The reference: every value through ``put`` into an openpyxl cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, row in enumerate(FRAME.itertuples(index=False, name=None), start=2):
        for j, (value, col) in enumerate(zip(row, COLUMNS, strict=True), start=1):
            put(ws.cell(i, j), value, col.kind)
    wb.save(path)


def _read(path: Path, sheet: str | None = None) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[sheet] if sheet else openpyxl.load_workbook(path).active
    return [
        (c.coordinate, c.value, c.data_type, c.number_format, c.quotePrefix, c.alignment.horizontal)
        for row in ws.iter_rows(min_row=2, max_row=len(FRAME) + 1, max_col=len(COLUMNS))
        for c in row
    ]


def test_body_reads_back_as_cells_written_one_by_one(tmp_path: Path) -> None:
    _cells_one_by_one(tmp_path / "cells.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.title = "T"
    write_table(ws, Table("T", COLUMNS, FRAME))
    wb.save(tmp_path / "body.xlsx")
    got, expected = _read(tmp_path / "body.xlsx", "T"), _read(tmp_path / "cells.xlsx")
    assert got == expected
    # the values the rules promise, not just agreement with the reference
    by_cell = {c[0]: c for c in got}
    assert by_cell["B3"][1:3] == ("=HYPERLINK(1)", "s") and by_cell["B3"][4]
    assert by_cell["B5"][1] == "a<b & c>d" and by_cell["B6"][1] == "bell"
    assert by_cell["D3"][1] is None and by_cell["D4"][1] is None  # NaN, inf: blank
    assert by_cell["C2"][1] == "yes" and by_cell["G2"][1] is None  # True is no number
    assert by_cell["A2"][3] == "yyyy-mm" and by_cell["A3"][1].date() == date(2027, 2, 1)
    loaded = openpyxl.load_workbook(tmp_path / "body.xlsx")["T"]
    assert loaded.dimensions == "A1:G7" and loaded.auto_filter.ref == "A1:G7"


def test_cells_in_a_body_row_are_refused(tmp_path: Path) -> None:
    wb = Workbook()
    write_table(wb.active, Table("T", COLUMNS, FRAME))
    wb.active.cell(3, 2).value = "in the way"
    with pytest.raises(ValueError, match="body"):
        wb.save(tmp_path / "x.xlsx")


def test_tables_need_the_body_workbook() -> None:
    with pytest.raises(TypeError, match=r"sheet_body\.Workbook"):
        write_table(openpyxl.Workbook().active, Table("T", COLUMNS, FRAME))
