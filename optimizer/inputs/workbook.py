"""Read an input ``.xlsx`` workbook into a :class:`~optimizer.inputs.rawbook.RawBook`.

The file is untrusted: before openpyxl parses anything, the container is checked from its
bytes and zip directory alone (extension, OLE/encrypted or old ``.xls`` files, non-zip or
corrupt files, macro-enabled content, and archives that would unpack to more than
:data:`MAX_UNPACKED_BYTES` or at an absurd compression ratio — zip bombs). XML parsing is
protected by defusedxml, which openpyxl uses when it is installed; importing this module
fails loudly if it is not.

Cells are read as typed (no trimming, no conversion beyond openpyxl's own): Excel error
values become :class:`~optimizer.inputs.rawbook.ErrorValue` and formulas without a saved result
:class:`~optimizer.inputs.rawbook.UncachedFormula`, so validation can name them instead of reading
them as zero. Every sheet is read, hidden ones included. The input file is only ever read.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException

from optimizer.errors import InputError
from optimizer.gc_pause import gc_paused
from optimizer.inputs.rawbook import ErrorValue, PercentNumber, RawBook, RawSheet, UncachedFormula

if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - guarded by the pinned dependencies
    raise ImportError(
        "openpyxl is not using defusedxml: install defusedxml so that input workbooks are "
        "parsed safely (XML bombs)"
    )

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed size of one archive member ...
RATIO_MIN_BYTES = 2 * 1024 * 1024  # ... checked for members larger than this
MAX_MEMBERS = 10_000

_OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_SIGNATURE = b"PK\x03\x04"
_WORKBOOK_TYPES = (b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml")
_RESAVE = "open it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)'"


@gc_paused()
def read_workbook(path: Path) -> RawBook:
    """Every sheet of the workbook at ``path``, cells as typed, with Excel row numbers.

    Raises :class:`~optimizer.errors.InputError` (exit 2) with a plain message when the
    file is not a usable ``.xlsx`` workbook.
    """
    data = _read_bytes(path)
    with _open_archive(path.name, data) as archive:
        _check_members(path.name, archive)
    try:
        sheets = _read_sheets(data)
    except Exception as exc:  # openpyxl raises many types on malformed packages
        if _defused(exc):
            raise InputError(
                f"{path.name} is refused: its XML declares entities or a DTD (a possible XML "
                f"bomb). {_RESAVE.capitalize()}."
            ) from exc
        reason = (str(exc).splitlines() or [""])[0]
        raise InputError(
            f"{path.name} is damaged or not a workbook Excel can save ({type(exc).__name__}: "
            f"{reason}). Try to {_RESAVE}."
        ) from exc
    return RawBook(sheets=sheets, source=path.name, sha256=hashlib.sha256(data).hexdigest())


def _defused(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the XML (openpyxl re-raises it as a ValueError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DefusedXmlException):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _read_bytes(path: Path) -> bytes:
    """The whole file, after the checks that need only its name, size and first bytes."""
    suffix = path.suffix.lower()
    if suffix == ".xlsm":
        raise InputError(
            f"{path.name} is a macro-enabled workbook (.xlsm): macros are refused. "
            f"Save it as 'Excel Workbook (.xlsx)'."
        )
    if suffix == ".xls":
        raise InputError(f"{path.name} is an old Excel 97-2003 file (.xls): {_RESAVE}.")
    if suffix != ".xlsx":
        raise InputError(
            f"{path.name}: input workbooks must be .xlsx files (got '{path.suffix or 'none'}'). "
            f"Use the template ('ore-optimizer template'), or {_RESAVE}."
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"{path.name} is {size / 2**20:.0f} MB: larger than the "
                f"{MAX_FILE_BYTES // 2**20} MB an input workbook may have."
            )
        with path.open("rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc


def _open_archive(name: str, data: bytes) -> zipfile.ZipFile:
    if data.startswith(_OLE_SIGNATURE):
        raise InputError(
            f"{name} is encrypted or password-protected, or an old .xls saved with an .xlsx "
            f"name. Remove the password (File > Info > Protect Workbook) or {_RESAVE}."
        )
    if not data.startswith(_ZIP_SIGNATURE):
        kind = "empty" if not data else "not a zip package (a CSV or text file renamed?)"
        raise InputError(f"{name} is not an .xlsx workbook: the file is {kind}. Please {_RESAVE}.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InputError(
            f"{name} is corrupt (truncated or damaged zip package: {exc}). "
            f"Re-save or re-download it."
        ) from exc


def _check_members(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse macros, non-workbooks and zip bombs from the zip directory alone."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{name} is refused: its package holds {len(infos)} parts.")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise InputError(
            f"{name} is refused: it would unpack to {total / 2**20:.0f} MB, more than the "
            f"{MAX_UNPACKED_BYTES // 2**20} MB limit (a zip bomb, or far too large a workbook)."
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise InputError(
                f"{name} is refused: part '{info.filename}' is compressed {ratio:.0f}:1, "
                f"which only a zip bomb does."
            )
    names = {i.filename.lower() for i in infos}
    if "[content_types].xml" not in names:
        raise InputError(
            f"{name} is a zip file but not an Office document (no content types). Please {_RESAVE}."
        )
    try:
        content_types = archive.read("[Content_Types].xml").lower()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"{name} is corrupt ({exc}). Re-save or re-download it.") from exc
    if b"macroenabled" in content_types or any("vbaproject" in n for n in names):
        raise InputError(
            f"{name} contains macros (macro-enabled content): macros are refused. "
            f"Save it as 'Excel Workbook (.xlsx)' without macros."
        )
    if not any(t in content_types for t in _WORKBOOK_TYPES):
        raise InputError(
            f"{name} is not an Excel workbook (a different Office file renamed .xlsx?). "
            f"Please {_RESAVE}."
        )


def _read_sheets(data: bytes) -> dict[str, RawSheet]:
    """Read every worksheet; formulas are looked up in a second, cached-values view."""
    with warnings.catch_warnings():
        # openpyxl warns about features it does not read (data validation extensions,
        # out-of-range dates it turns into #VALUE!); neither changes a cell we read.
        warnings.simplefilter("ignore")
        grids, hidden, formulas = _scan(data, data_only=False)
        if formulas:
            cached, _, _ = _scan(data, data_only=True)
            for (title, r, c), formula in formulas.items():
                cell_value = cached[title].get(r, {}).get(c)
                grids[title][r][c] = cell_value if cell_value is not None else formula
    return {title: _to_sheet(title, grid, hidden[title]) for title, grid in grids.items()}


def _scan(
    data: bytes, *, data_only: bool
) -> tuple[dict[str, dict[int, dict[int, Any]]], dict[str, bool], dict[tuple[str, int, int], Any]]:
    """Non-blank cells per sheet as ``{row: {column: value}}`` (1-based), sheet hidden
    flags, and (formula view only) the formula cells."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        grids: dict[str, dict[int, dict[int, Any]]] = {}
        hidden: dict[str, bool] = {}
        formulas: dict[tuple[str, int, int], Any] = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()  # never trust the file's stated used range
            grid: dict[int, dict[int, Any]] = {}
            for r, row in enumerate(ws.iter_rows(), start=1):
                for c, cell in enumerate(row, start=1):
                    value = _cell_value(cell, data_only)
                    if value is None:
                        continue
                    if isinstance(value, _Formula):
                        formulas[(ws.title, r, c)] = UncachedFormula(value.text)
                    grid.setdefault(r, {})[c] = value
            grids[ws.title] = grid
            hidden[ws.title] = ws.sheet_state != "visible"
        return grids, hidden, formulas
    finally:
        wb.close()


class _Formula:
    """A formula cell seen in the formula view, before its cached value is looked up."""

    def __init__(self, text: str):
        self.text = text


_CACHED_EMPTY_TEXT = object()


def _cell_value(cell: Any, data_only: bool) -> Any:
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if data_type == "f" and not data_only:
        return _Formula(str(getattr(value, "text", value)))
    if data_type == "e" and value is not None:
        return ErrorValue(str(value))
    if (
        data_type == "n"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (getattr(cell, "number_format", "") or "")
    ):
        return PercentNumber(value)
    if data_only and value is None and data_type == "str":
        return _CACHED_EMPTY_TEXT  # a formula whose saved result is the empty text ""
    return value


def _to_sheet(title: str, grid: dict[int, dict[int, Any]], hidden: bool) -> RawSheet:
    """Row 1 as headers; later non-blank rows aligned with them, trailing blanks trimmed."""
    cleaned = {
        r: {c: (None if v is _CACHED_EMPTY_TEXT else v) for c, v in cells.items()}
        for r, cells in grid.items()
    }
    used = {r: cells for r, cells in cleaned.items() if any(not _blank(v) for v in cells.values())}
    width = max(
        (c for cells in used.values() for c, v in cells.items() if not _blank(v)), default=0
    )
    header_cells = cleaned.get(1, {})
    headers = [header_cells.get(c) for c in range(1, width + 1)]
    rows, numbers = [], []
    for r in sorted(used):
        if r == 1:
            continue
        rows.append([used[r].get(c) for c in range(1, width + 1)])
        numbers.append(r)
    return RawSheet(name=title, headers=headers, rows=rows, row_numbers=numbers, hidden=hidden)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
