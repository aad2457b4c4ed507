"""The workbook reader: cells as typed, hidden sheets, markers, and the container guards."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl.xml
import pytest
from conftest import full_rows, minimal_rows, write_book

from optimizer.cli.app import main
from optimizer.errors import InputError
from optimizer.inputs import workbook
from optimizer.inputs.rawbook import ErrorValue, UncachedFormula
from optimizer.inputs.workbook import read_workbook


def test_xml_parsing_is_defused():
    assert openpyxl.xml.DEFUSEDXML is True


def test_reads_every_sheet_hidden_ones_too(tmp_path):
    rows = full_rows()
    path = write_book(tmp_path / "b.xlsx", rows, hidden=["Supply"], very_hidden=["Scenarios"])
    raw = read_workbook(path)
    assert list(raw.sheets) == list(rows)
    assert raw.sheets["Supply"].hidden and raw.sheets["Scenarios"].hidden
    assert not raw.sheets["Sources"].hidden
    assert raw.sheets["Supply"].rows[0] == ["AK1", "max", 100, 100, 100]


def test_headers_rows_and_true_row_numbers(tmp_path):
    """Blank (and whitespace-only) rows are skipped, the others keep their Excel row
    number; trailing blank columns are dropped; a gap column inside the data is kept."""
    sheet = [
        ["a", None, "c", None, None],
        ["x", None, 1, None, None],
        [],
        [None, "  ", None, None],
        ["y", None, 2.5, None, None],
        [None, None, None, None, None],
    ]
    raw = read_workbook(write_book(tmp_path / "b.xlsx", {"S": sheet}))
    s = raw.sheets["S"]
    assert s.headers == ["a", None, "c"]
    assert s.rows == [["x", None, 1], ["y", None, 2.5]]
    assert s.row_numbers == [2, 5]


def test_data_wider_than_headers_is_kept(tmp_path):
    raw = read_workbook(write_book(tmp_path / "b.xlsx", {"S": [["a"], ["x", None, 3]]}))
    assert raw.sheets["S"].headers == ["a", None, None]
    assert raw.sheets["S"].rows == [["x", None, 3]]


def test_dates_booleans_and_text_as_typed(tmp_path):
    sheet = [["id", datetime(2027, 1, 1), "2027-02"], [" a\xa0", True, "#N/A text"]]
    s = read_workbook(write_book(tmp_path / "b.xlsx", {"S": sheet})).sheets["S"]
    assert s.headers == ["id", datetime(2027, 1, 1), "2027-02"]
    assert s.rows == [[" a\xa0", True, "#N/A text"]]


def test_error_values_and_uncached_formulas_become_markers(tmp_path):
    sheet = [["a", "b", "c"], ["=1/0", "#DIV/0!", "=SUM(A2:B2)"], ["#N/A", 1, 2]]
    s = read_workbook(write_book(tmp_path / "b.xlsx", {"S": sheet})).sheets["S"]
    assert s.rows[0] == [
        UncachedFormula("=1/0"),
        ErrorValue("#DIV/0!"),
        UncachedFormula("=SUM(A2:B2)"),
    ]
    assert s.rows[1] == [ErrorValue("#N/A"), 1, 2]


def _with_cached_values(path: Path) -> Path:
    """Rewrite the formulas openpyxl saved without results as Excel saves them: A2 with
    the result 7, B2 with the error #DIV/0!, C2 with the empty text ""."""
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml, n = re.subn(r'<c r="A2"><f>(.*?)</f><v\s*/?>(</v>)?', r'<c r="A2"><f>\1</f><v>7</v>', xml)
    xml, m = re.subn(
        r'<c r="B2"><f>(.*?)</f><v\s*/?>(</v>)?', r'<c r="B2" t="e"><f>\1</f><v>#DIV/0!</v>', xml
    )
    xml, k = re.subn(
        r'<c r="C2"><f>(.*?)</f><v\s*/?>(</v>)?', r'<c r="C2" t="str"><f>\1</f><v></v>', xml
    )
    assert (n, m, k) == (1, 1, 1), xml
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return path


def test_formulas_with_saved_results_read_as_their_results(tmp_path):
    sheet = [["a", "b", "c"], ["=3+4", "=1/0", '=IF(1,"","x")']]
    path = _with_cached_values(write_book(tmp_path / "b.xlsx", {"S": sheet}))
    s = read_workbook(path).sheets["S"]
    assert s.rows == [[7, ErrorValue("#DIV/0!"), None]]


def test_source_name_and_sha256(tmp_path):
    path = write_book(tmp_path / "case.xlsx", minimal_rows())
    raw = read_workbook(path)
    assert raw.source == "case.xlsx"
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_input_file_never_changes(tmp_path, capsys):
    """Bytes and mtime are unchanged after reading, validating (valid and invalid) and a
    solve attempt."""
    good = write_book(tmp_path / "good.xlsx", full_rows())
    bad_rows = full_rows()
    bad_rows["Sources"][1][4] = "abc"
    bad = write_book(tmp_path / "bad.xlsx", bad_rows)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (good, bad)}
    read_workbook(good)
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(bad)]) == 2
    main(["solve", str(bad), "-o", str(tmp_path / "r1.xlsx")])
    main(["solve", str(good), "-o", str(tmp_path / "r2.xlsx")])
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (good, bad)} == before
    capsys.readouterr()


# --- container guards --------------------------------------------------------------------


def _valid_bytes(tmp_path: Path) -> bytes:
    return write_book(tmp_path / "src.xlsx", minimal_rows()).read_bytes()


def _rezip(
    data: bytes,
    add: dict[str, bytes] | None = None,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(
                info.filename, (replace or {}).get(info.filename, zin.read(info.filename))
            )
        for name, member in (add or {}).items():
            zout.writestr(name, member)
    return buf.getvalue()


def _content_types(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("[Content_Types].xml")


def _macro_content_types(data: bytes) -> bytes:
    ct = _content_types(data).replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
    )
    return _rezip(data, replace={"[Content_Types].xml": ct})


_BOMB_XML = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
    b"</sheetData></worksheet>"
)

CONTAINER_CASES = {
    "csv renamed": ("book.xlsx", lambda ok: b"source,kind\nAK1,mine\n", "not a zip package"),
    "empty file": ("book.xlsx", lambda ok: b"", "the file is empty"),
    "truncated zip": ("book.xlsx", lambda ok: ok[: len(ok) // 2], "corrupt"),
    "OLE / encrypted": (
        "book.xlsx",
        lambda ok: bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512,
        "encrypted or password-protected, or an old .xls",
    ),
    "xlsm extension": ("book.xlsm", lambda ok: ok, "macro-enabled workbook (.xlsm)"),
    "xls extension": ("book.xls", lambda ok: ok, "old Excel 97-2003 file"),
    "csv extension": ("book.csv", lambda ok: ok, "must be .xlsx files"),
    "macro content type": ("book.xlsx", _macro_content_types, "contains macros"),
    "vba part": (
        "book.xlsx",
        lambda ok: _rezip(ok, add={"xl/vbaProject.bin": b"\0" * 64}),
        "contains macros",
    ),
    "Word file renamed": (
        "book.xlsx",
        lambda ok: _rezip(
            ok,
            replace={
                "[Content_Types].xml": _content_types(ok).replace(
                    b"spreadsheetml.sheet.main+xml", b"wordprocessingml.document.main+xml"
                )
            },
        ),
        "not an Excel workbook",
    ),
    "zip, not Office": (
        "book.xlsx",
        lambda ok: _rezip(ok, drop=("[Content_Types].xml",)),
        "not an Office document",
    ),
    "workbook part missing": (
        "book.xlsx",
        lambda ok: _rezip(ok, drop=("xl/workbook.xml",)),
        "is damaged",
    ),
    "zip bomb (ratio)": (
        "book.xlsx",
        lambda ok: _rezip(ok, add={"xl/media/pad.bin": b"\0" * (3 << 20)}),
        "only a zip bomb does",
    ),
    "XML entity bomb": (
        "book.xlsx",
        lambda ok: _rezip(ok, replace={"xl/worksheets/sheet1.xml": _BOMB_XML}),
        "possible XML bomb",
    ),
    "damaged XML": (
        "book.xlsx",
        lambda ok: _rezip(ok, replace={"xl/workbook.xml": b"<workbook"}),
        "is damaged",
    ),
}


@pytest.mark.parametrize("case", list(CONTAINER_CASES))
def test_container_guards(tmp_path, capsys, case):
    """Each bad container is refused with a plain message and exit 2, no traceback."""
    name, make, message = CONTAINER_CASES[case]
    path = tmp_path / name
    path.write_bytes(make(_valid_bytes(tmp_path)))
    with pytest.raises(InputError, match=re.escape(message)):
        read_workbook(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err.replace("\n", " ") and "Traceback" not in err


def test_unpacked_size_limit_is_checked_from_the_zip_directory(tmp_path, monkeypatch):
    """A workbook that would unpack beyond the limit is refused before any parsing."""
    path = tmp_path / "big.xlsx"
    path.write_bytes(_valid_bytes(tmp_path))
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 1000)
    monkeypatch.setattr(workbook, "_read_sheets", lambda data: pytest.fail("parsed"))
    with pytest.raises(InputError, match="would unpack to"):
        read_workbook(path)


def test_file_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.xlsx"
    path.write_bytes(_valid_bytes(tmp_path))
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match="larger than"):
        read_workbook(path)


def test_uppercase_extension_is_fine(tmp_path):
    path = write_book(tmp_path / "CASE.XLSX", minimal_rows())
    assert "Settings" in read_workbook(path).sheets
