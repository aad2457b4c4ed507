"""Large table bodies streamed into the saved file instead of held as openpyxl cells.

A large case's report holds hundreds of thousands of table cells. As openpyxl ``Cell``
objects they cost seconds to create and to save and hundreds of MB of memory
(benchmarks/README.md). :class:`Workbook` is openpyxl's workbook plus *bodies*: a sheet's
rows below its header as ready XML, produced chunk by chunk while the file is written, after
the rows openpyxl holds for that sheet. Everything else (styles, widths, filters, print setup,
charts) stays openpyxl's, so the rest of the report is written as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
_EMPTY_DATA = re.compile(rb"<sheetData\s*/>")


@dataclass(frozen=True)
class Body:
    """Rows ``first_row`` … ``last_row`` of a sheet, ``columns`` wide; ``chunks()`` yields
    their ``<row>`` elements in order, as UTF-8 XML."""

    first_row: int
    last_row: int
    columns: int
    chunks: Callable[[], Iterator[bytes]]


class Workbook(openpyxl.Workbook):
    """An openpyxl workbook whose sheets may end in a :class:`Body` (see :meth:`add_body`)."""

    def __init__(self) -> None:
        super().__init__()
        self._bodies: list[tuple[Worksheet, Body]] = []

    def add_body(self, ws: Worksheet, body: Body) -> None:
        """Write ``body`` as the rows of ``ws`` below those it holds as cells."""
        if ws.parent is not self:
            raise ValueError(f"sheet {ws.title!r} belongs to another workbook")
        self._bodies.append((ws, body))

    def save(self, filename: str | Path) -> None:
        """openpyxl's save, with each sheet's body after its cells."""
        for ws, body in self._bodies:
            below = [row for row, _ in ws._cells if row >= body.first_row]
            if below:  # openpyxl would write these rows first, out of order
                raise ValueError(f"sheet {ws.title!r} has cells in its body's rows ({below[0]})")
        self.properties.modified = datetime.now(UTC).replace(tzinfo=None)
        ExcelWriter(self, _BodyArchive(filename, self._bodies)).save()


class _BodyArchive(ZipFile):
    """The xlsx zip: a sheet with a body gets the body's rows spliced in as it is stored."""

    def __init__(self, filename: str | Path, bodies: list[tuple[Worksheet, Body]]) -> None:
        super().__init__(filename, "w", ZIP_DEFLATED, allowZip64=True)
        self._sheet_bodies = bodies

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:
        found = [(ws, b) for ws, b in self._sheet_bodies if ws._id and ws.path[1:] == arcname]
        if not found:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        ws, body = found[0]
        xml = Path(filename).read_bytes()
        if _EMPTY_DATA.search(xml):
            xml = _EMPTY_DATA.sub(b"<sheetData></sheetData>", xml, count=1)
        head, tail = xml.split(b"</sheetData>", 1)
        last_col = get_column_letter(max(body.columns, ws.max_column, 1))
        last_row = max(body.last_row, ws.max_row)
        head = _DIMENSION.sub(f'<dimension ref="A1:{last_col}{last_row}"/>'.encode(), head, 1)
        with self.open(arcname, "w", force_zip64=True) as out:
            out.write(head)
            for chunk in body.chunks():
                out.write(chunk)
            out.write(b"</sheetData>")
            out.write(tail)
