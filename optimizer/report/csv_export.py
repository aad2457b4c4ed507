"""The report's tables as CSV files, for downstream systems (``solve --csv DIR``).

Same tables and headers as the Excel report (:mod:`optimizer.report.tables`), one file per
table plus ``summary.csv``. UTF-8, comma-separated, months as ``YYYY-MM``, numbers in full
precision, yes/no as text. Formula-injection safe: a text cell that a spreadsheet would
read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
prefixed with an apostrophe, as OWASP recommends; numbers are never prefixed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from optimizer.case import Case
from optimizer.files import save_atomic
from optimizer.report.summary import summary_sections
from optimizer.report.tables import Table, build_tables
from optimizer.report.why import why_lines
from optimizer.report.xlsx import clean_text, missing, number
from optimizer.solve.results import Results

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> str:
    """Text a spreadsheet opening the CSV will show as text, never evaluate."""
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_value(value: object, kind: str) -> str | float | int:
    """One CSV field for a value of report column kind ``kind``."""
    if missing(value):
        return ""
    if kind == "month":
        return str(value)[:7] if isinstance(value, str) else value.strftime("%Y-%m")
    if kind == "yesno":
        return "yes" if bool(value) else "no"
    if kind == "text":
        return safe_text(value)
    x = number(value)
    if x is None:
        return ""
    return int(x) if isinstance(x, float) and x.is_integer() and abs(x) < 2**53 else x


def file_stem(name: str) -> str:
    """``MarginalValues`` → ``marginal_values``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _write_rows(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _table_rows(table: Table) -> list[list[object]]:
    kinds = [c.kind for c in table.columns]
    return [
        [csv_value(v, k) for v, k in zip(values, kinds, strict=True)]
        for values in table.frame.itertuples(index=False, name=None)
    ]


def _summary_rows(results: Results, case: Case, why: list[str]) -> list[list[object]]:
    """Summary figures in long form: one row per (section, item, measure)."""
    rows = []
    for section in summary_sections(results, case, why):
        measures = [h for h in section.headers if h != "Unit"] or ["Text"]
        for line in section.lines:
            for measure, value in zip(measures, line.values, strict=False):
                rows.append(
                    [
                        safe_text(section.title),
                        safe_text(line.label),
                        measure,
                        csv_value(value, line.kind),
                        safe_text(line.unit),
                    ]
                )
    return rows


def write_csv(results: Results, case: Case, directory: Path) -> list[Path]:
    """Write every report table into ``directory`` (created if needed); returns the files."""
    directory = Path(directory)
    written = []
    why = why_lines(results, case)
    summary = _summary_rows(results, case, why)
    outputs: list[tuple[str, list[str], list[list[object]]]] = [
        ("summary", ["Section", "Item", "Measure", "Value", "Unit"], summary),
    ]
    tables = build_tables(results, case, why)
    outputs += [(file_stem(t.name), t.headers, _table_rows(t)) for t in tables]
    for stem, header, rows in outputs:
        target = directory / f"{stem}.csv"
        written.append(save_atomic(lambda p, h=header, r=rows: _write_rows(p, h, r), target))
    return written


def csv_warnings(directory: Path, written: list[Path]) -> list[str]:
    """What a planner must know about the CSV folder after a run: tables that went to a
    timestamped sibling (the usual file is open elsewhere and now stale), or — when this run
    wrote no tables — tables of an earlier run still there."""
    directory = Path(directory)
    if not written:
        earlier = directory / "summary.csv"
        if earlier.exists():
            return [
                f"no CSV tables were written (no plan); the tables in {directory} "
                "are from an earlier run"
            ]
        return ["no CSV tables were written (no plan)"]
    lines = []
    for path in written:
        usual = re.sub(r"_\d{8}-\d{6}(-\d+)?$", "", path.stem) + path.suffix
        if path.name != usual:
            lines.append(
                f"{directory / usual} is open in another program and still holds an earlier "
                f"run's table; this run's went to {path}"
            )
    return lines
