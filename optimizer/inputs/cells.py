"""Cell parsers: one cell's text, number, percent, yes/no, month, choice or id list, checked
against its schema column.

Pure functions: each parser returns ``(value, rule)`` with ``value`` :data:`BAD` and ``rule``
saying what was expected when the cell is invalid; the caller records the located problem.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from optimizer.case import month_offset
from optimizer.inputs.rawbook import ErrorValue, UncachedFormula, clean_text, month_key
from optimizer.inputs.schema import ALL_PROJECTS, Column

NUMERIC_KINDS = frozenset({"number", "integer", "percent"})
BAD: Any = object()  # a cell that failed validation (its problem is already recorded)
_YES = frozenset({"yes", "true", "1"})
_NO = frozenset({"no", "false", "0"})


def is_blank(value: Any) -> bool:
    """An empty cell, or one holding only spaces, tabs or non-breaking spaces."""
    return value is None or (isinstance(value, str) and clean_text(value) == "")


def parse_yesno(value: Any) -> bool | None:
    """True/False for yes/no, TRUE/FALSE, 1/0 (any case); None if it is none of them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return {1: True, 0: False}.get(value)  # type: ignore[call-overload]
    if isinstance(value, str):
        text = clean_text(value).lower()
        return True if text in _YES else False if text in _NO else None
    return None


def close_match(name: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The candidate ``name`` was probably meant to be (case, spacing or a small typo)."""
    cands = [c for c in candidates if c != name]
    key = _squash(name)
    for c in cands:
        if _squash(c) == key:
            return c
    lowered = {c.lower(): c for c in cands}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).lower()


def shown(value: Any) -> Any:
    """A cell value as a planner would recognise it in a message."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (date, time, timedelta, ErrorValue, UncachedFormula)):
        return str(value)
    return value


def did_you_mean(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    match = close_match(value, candidates, cutoff)
    return f"did you mean '{match}'?" if match else ""


def month_ranges(labels: list[str]) -> str:
    """``['2027-02', '2027-03', '2027-07']`` -> ``'2027-02..2027-03, 2027-07'``."""
    parts: list[str] = []
    run: list[str] = []
    for label in labels:
        if run and month_offset(run[-1], label) != 1:
            parts.append(run[0] if len(run) == 1 else f"{run[0]}..{run[-1]}")
            run = []
        run.append(label)
    if run:
        parts.append(run[0] if len(run) == 1 else f"{run[0]}..{run[-1]}")
    return ", ".join(parts)


def number_in(value: Any) -> float | None:
    """The finite number a raw cell holds — a number, or numeric text (a scenario's ``value``
    column is text) — or None (blank, TRUE/FALSE, words, infinity, NaN)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(clean_text(value).replace(",", ""))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- per-kind parsers: (value, rule) with value BAD when invalid -------------------------


def _parse_text(column: Column, value: Any) -> tuple[Any, str]:
    if isinstance(value, (datetime, date)) and column.kind != "text":
        return BAD, f"a date in an id cell: expected {column.rule()}"
    return clean_text(shown(value)), ""


def _parse_choice(column: Column, value: Any) -> tuple[Any, str]:
    text = clean_text(shown(value)).lower()
    if text in column.choices:
        return text, ""
    return BAD, f"expected {column.rule()}"


def _parse_number(column: Column, value: Any) -> tuple[Any, str]:
    def bad(what: str) -> tuple[Any, str]:
        return BAD, f"{what}expected {column.rule()}"

    if isinstance(value, bool):
        return bad("TRUE/FALSE in a number cell: ")
    if isinstance(value, str):
        return bad("text in a number cell: ")
    if isinstance(value, (datetime, date)):
        return bad("a date in a number cell: ")
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return bad("")
    if column.kind == "integer":
        if not float(value).is_integer():
            return bad("not a whole number: ")
        value = int(value)
    else:
        value = float(value)
    low, high = column.minimum, column.maximum
    if column.kind == "percent":
        low = 0.0 if low is None else low
        high = 100.0 if high is None else high
    too_low = low is not None and (value <= low if column.exclusive_minimum else value < low)
    if too_low or (high is not None and value > high):
        return bad("out of range: ")
    ceiling = column.ceiling
    if ceiling is not None and value > ceiling:
        return BAD, (
            f"implausibly large: above {ceiling:g} {column.unit}, the most any real case "
            "needs — check the unit and the number of zeros"
        )
    return value, ""


def _parse_yesno(column: Column, value: Any) -> tuple[Any, str]:
    result = parse_yesno(value)
    return (BAD, f"expected {column.rule()}") if result is None else (result, "")


def _parse_month(column: Column, value: Any) -> tuple[Any, str]:
    label = month_key(value)
    return (BAD, f"expected {column.rule()}") if label is None else (label, "")


def _parse_idlist(column: Column, value: Any) -> tuple[Any, str]:
    text = clean_text(shown(value))
    if text.lower() == ALL_PROJECTS:
        return ALL_PROJECTS, ""
    items = tuple(dict.fromkeys(clean_text(x) for x in text.split(",") if clean_text(x)))
    return (items, "") if items else (BAD, f"expected {column.rule()}")


PARSERS = {
    "id": _parse_text,
    "ref": _parse_text,
    "text": _parse_text,
    "choice": _parse_choice,
    "number": _parse_number,
    "integer": _parse_number,
    "percent": _parse_number,
    "yesno": _parse_yesno,
    "month": _parse_month,
    "idlist": _parse_idlist,
}


def value_hint(column: Column, value: Any) -> str:
    if column.kind in NUMERIC_KINDS and isinstance(value, str):
        try:
            float(clean_text(value).replace(",", ""))
        except ValueError:
            return "type a number, without units or words (text is never read as zero)"
        return "the number is stored as text: retype it as a number (no quotes or spaces)"
    if column.kind in NUMERIC_KINDS and isinstance(value, bool):
        return "type a number instead of TRUE/FALSE"
    if column.kind == "month":
        return "type the month as YYYY-MM (e.g. 2027-01) or enter a date"
    if column.kind == "choice":
        return did_you_mean(clean_text(shown(value)).lower(), column.choices)
    return ""
