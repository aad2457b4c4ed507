"""The template writer and the shipped ``inputs/base_case.xlsx``.

The template must read back to exactly the case it was written from (also after its month
headers become real dates, and after a LibreOffice re-save), validate without a single
warning, document itself from the schema, and write text as text.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import get_args

import openpyxl
import pytest

from optimizer.cli.app import main
from optimizer.errors import UsageError
from optimizer.inputs import schema, schema_doc
from optimizer.inputs.default_case import default_raw
from optimizer.inputs.default_citations import CITATIONS
from optimizer.inputs.rawbook import RawBook, RawSheet, month_key
from optimizer.inputs.schema_types import Kind
from optimizer.inputs.template import README, write_template
from optimizer.inputs.validate import validate
from optimizer.inputs.workbook import read_workbook

BASE_CASE = Path(__file__).resolve().parents[1] / "inputs" / "base_case.xlsx"
REGENERATE = "regenerate it with: ore-optimizer template inputs/base_case.xlsx"


@pytest.fixture(scope="module")
def default_case():
    case, problems = validate(default_raw())
    assert case is not None, problems
    return case


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "case.xlsx"
    write_template(default_raw(), path)
    return path


def _read_case(path: Path):
    raw = read_workbook(path)
    case, problems = validate(raw)
    return case, list(raw.warnings) + list(problems)


def test_template_reads_back_to_the_default_case_without_warnings(book, default_case):
    case, problems = _read_case(book)
    assert [str(p) for p in problems] == []
    assert case == default_case


def test_shipped_base_case_is_the_default_case(default_case):
    assert BASE_CASE.exists(), f"inputs/base_case.xlsx is missing; {REGENERATE}"
    case, problems = _read_case(BASE_CASE)
    assert [str(p) for p in problems] == [], f"inputs/base_case.xlsx has problems; {REGENERATE}"
    assert case == default_case, (
        f"inputs/base_case.xlsx differs from the embedded default case; {REGENERATE}"
    )


def test_month_headers_as_real_dates_mean_the_same_months(book, default_case, tmp_path):
    """Excel turns a typed 2027-01 into a date: the case must not change."""
    wb = openpyxl.load_workbook(book)
    changed = 0
    for ws in wb.worksheets:
        for cell in ws[1]:
            label = month_key(cell.value)
            if isinstance(cell.value, str) and label is not None:
                cell.value = datetime(int(label[:4]), int(label[5:]), 1)
                cell.number_format = "mmm yyyy"
                changed += 1
    assert changed == 4 * default_case.horizon  # Supply, both availabilities, Prices
    dated = tmp_path / "dated.xlsx"
    wb.save(dated)
    case, problems = _read_case(dated)
    assert problems == [] and case == default_case


def test_month_headers_and_month_cells_are_text(book):
    wb = openpyxl.load_workbook(book)
    header = wb["Supply"]["C1"]
    assert header.value == "2027-01" and header.data_type == "s"
    assert header.number_format == "@"
    start = next(r for r in wb["Settings"].iter_rows(min_row=2) if r[0].value == "start_month")
    assert start[1].data_type == "s" and start[1].number_format == "@"
    award = wb["Grants"]["D2"]
    assert award.value == "2026-03" and award.number_format == "@"
    assert wb["Grants"]["D50"].number_format == "@"  # rows a planner adds stay text too


def test_readme_sheet_is_first_and_generated_from_the_schema(book):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == README
    assert wb.sheetnames[1:] == list(default_raw().sheets)
    text = "\n".join(str(c.value) for row in wb[README].iter_rows() for c in row if c.value)
    for sheet in schema.SHEETS:
        assert sheet.description in text
        for col in sheet.columns:
            assert col.description in text and col.rule() in text
    for setting in schema.SETTINGS:
        assert setting.name in text and setting.description in text
    for topic, rule in schema_doc.CONVENTIONS:
        assert topic in text and rule in text
    for name, what in CITATIONS:
        assert name in text and what in text
    assert "``" not in text


def test_readme_sheet_explains_every_kind_of_value(book):
    """Every kind a column can have (id, ref, number, month, ...) is explained on the README
    sheet, read from the schema's own documentation of the kinds."""
    kinds = dict(schema_doc.kinds())
    assert set(kinds) == set(get_args(Kind))
    rows = {
        row[0]: row[1] for row in openpyxl.load_workbook(book)[README].iter_rows(values_only=True)
    }
    for kind, meaning in kinds.items():
        assert rows.get(kind) == meaning, kind


def test_readme_lists_only_sources_the_notes_cite(tmp_path):
    raw = default_raw()
    for sheet in raw.sheets.values():
        if "note" in sheet.headers:
            j = sheet.headers.index("note")
            for row in sheet.rows:
                row[j] = "Assumption: made up."
    path = tmp_path / "uncited.xlsx"
    write_template(raw, path)
    text = " ".join(
        str(c.value)
        for row in openpyxl.load_workbook(path)[README].iter_rows()
        for c in row
        if c.value
    )
    assert "Sources of the numbers" not in text
    assert CITATIONS[0][1] not in text


def test_header_comments_give_unit_and_meaning(book):
    wb = openpyxl.load_workbook(book)
    for sheet in schema.SHEETS:
        ws = wb[sheet.name]
        for cell in ws[1]:
            if cell.value in sheet.column_names:
                col = sheet.column(cell.value)
                assert cell.comment is not None, (sheet.name, cell.value)
                assert col.description in cell.comment.text
                assert not col.unit or f"Unit: {col.unit}" in cell.comment.text
    first_month = wb["Prices"]["B1"]
    assert first_month.comment is not None and "USD/t Sb" in first_month.comment.text


def _validations(ws) -> dict[str, object]:
    """Each data validation by the first cell of its first range."""
    return {str(dv.sqref).split()[0].split(":")[0]: dv for dv in ws.data_validations.dataValidation}


def test_dropdowns_and_range_checks(book):
    wb = openpyxl.load_workbook(book)
    sources = _validations(wb["Sources"])
    assert sources["D2"].type == "list" and sources["D2"].formula1 == '"yes,no"'
    assert sources["B2"].formula1 == '"mine,purchase"'
    assert sources["E2"].type == "decimal" and sources["E2"].errorStyle == "stop"
    routes = _validations(wb["Routes"])
    assert routes["B2"].formula1 == "ids_Sources" and routes["C2"].formula1 == "ids_Smelters"
    assert routes["D2"].formula1 == '"truck,barge,rail,ocean,multimodal"'
    assert routes["F2"].type == "whole"
    assert "Sources" in wb.defined_names["ids_Sources"].attr_text
    contracts = _validations(wb["Contracts"])
    assert contracts["B2"].errorStyle == "warning"  # 'any' is allowed besides the smelters
    prices = _validations(wb["Prices"])
    assert prices["A2"].errorStyle == "warning"  # so is the 'benchmark' row
    assert "'benchmark'" in prices["A2"].error
    scen = _validations(wb["Scenarios"])
    assert scen["E2"].formula1 == '"set,scale,add"'
    assert "RouteAvailability" in scen["B2"].formula1
    settings = _validations(wb["Settings"])
    assert "horizon_months" in settings["A2"].formula1
    policy = next(
        dv
        for dv in wb["Settings"].data_validations.dataValidation
        if "keep_opening" in (dv.formula1 or "")
    )
    row = next(
        r[0].row for r in wb["Settings"].iter_rows(min_row=2) if r[0].value == "end_stock_policy"
    )
    assert f"B{row}" in policy.sqref
    assert _validations(wb["RouteAvailability"])["B2"].formula2 == "100"


def test_no_cell_has_two_validations(book):
    """Overlapping data validations make Excel offer to 'repair' the workbook."""
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        seen: set[tuple[int, int]] = set()
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                cells = {
                    (r, c)
                    for r in range(rng.min_row, rng.max_row + 1)
                    for c in range(rng.min_col, rng.max_col + 1)
                }
                assert not cells & seen, (ws.title, str(rng))
                seen |= cells


def test_layout_frozen_headers_and_formats(book):
    wb = openpyxl.load_workbook(book)
    assert wb["Sources"].freeze_panes == "B2"
    assert wb["Supply"].freeze_panes == "C2"
    assert wb["Prices"].freeze_panes == "B2"
    assert wb["Prices"]["B2"].number_format == "#,##0"
    assert wb["Sources"]["F2"].number_format == "0.0##"
    assert wb["Sources"]["I2"].number_format == "#,##0.00"
    assert wb["Sources"]["A1"].font.bold
    note = next(c for c in wb["Sources"][1] if c.value == "note").column_letter
    assert wb["Sources"].column_dimensions[note].width >= 60


def test_text_is_written_as_text_never_as_formula_or_error(tmp_path):
    raw = default_raw()
    sources = raw.sheets["Sources"]
    note = sources.headers.index("note")
    sources.rows[0][note] = '=HYPERLINK("http://x")'
    sources.rows[1][note] = "#DIV/0!"
    sources.rows[2][sources.headers.index("country")] = "=1+1"
    path = tmp_path / "text.xlsx"
    write_template(raw, path)
    ws = openpyxl.load_workbook(path)["Sources"]
    col = openpyxl.utils.get_column_letter(note + 1)
    for ref, value in (
        (f"{col}2", '=HYPERLINK("http://x")'),
        (f"{col}3", "#DIV/0!"),
        ("C4", "=1+1"),
    ):
        assert ws[ref].data_type == "s" and ws[ref].value == value
    back = read_workbook(path).sheets["Sources"]
    assert back.rows[0][note] == '=HYPERLINK("http://x")'
    assert back.rows[1][note] == "#DIV/0!"


def test_dates_in_a_raw_book_are_written_as_month_text(tmp_path):
    raw = default_raw()
    supply = raw.sheets["Supply"]
    supply.headers = [
        datetime(int(h[:4]), int(h[5:]), 1) if month_key(h) and h[0] == "2" else h
        for h in supply.headers
    ]
    path = tmp_path / "dated_raw.xlsx"
    write_template(raw, path)
    header = openpyxl.load_workbook(path)["Supply"]["C1"]
    assert header.value == "2027-01" and header.data_type == "s"


def test_unknown_sheets_and_columns_are_written_plainly(tmp_path):
    raw = RawBook({"Extra": RawSheet("Extra", ["a", None], [[1, "x"]], [2])})
    path = tmp_path / "extra.xlsx"
    write_template(raw, path)
    ws = openpyxl.load_workbook(path)["Extra"]
    assert ws["A2"].value == 1 and ws["B2"].value == "x"


def test_overwrites_a_file_atomically_and_leaves_no_temp_files(tmp_path, book):
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")
    write_template(default_raw(), path)
    assert path.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")

    def fail(self, filename):
        Path(filename).write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(UsageError, match="No space left"):
        write_template(default_raw(), path)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_refuses_a_folder(tmp_path):
    with pytest.raises(UsageError, match="folder"):
        write_template(default_raw(), tmp_path)


def test_creates_missing_parent_folders(tmp_path):
    path = tmp_path / "new" / "deeper" / "case.xlsx"
    write_template(default_raw(), path)
    assert path.exists()


def test_cli_template_command(tmp_path, default_case):
    path = tmp_path / "cli.xlsx"
    assert main(["template", str(path)]) == 0
    assert _read_case(path) == (default_case, [])
    assert main(["template", str(tmp_path)]) == 1
    assert main(["template", str(tmp_path / "x.csv")]) == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_resave_reads_back_to_the_same_case(book, default_case, tmp_path):
    out = tmp_path / "resaved"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    case, problems = _read_case(out / book.name)
    assert [str(p) for p in problems] == []
    assert case == default_case
    wb = openpyxl.load_workbook(out / book.name)
    assert wb.sheetnames[0] == README
    assert wb["Supply"]["C1"].value == "2027-01"  # still text, still the same month
