"""Marginal values (shadow prices) in planner words, pointing back at the input cell.

``Results.duals`` carries, per constraint, the change of the discounted objective (USD) per
unit increase of its right-hand side, signed for a maximization: > 0 means relaxing the
limit is worth money, < 0 means the requirement costs money. This module keeps the binding
limits (and any with a non-zero value; balance rows, which price ore at a place rather
than a limit, are left out), ranks them by size, writes a sentence where the solve
did not, and resolves the input sheet/row/column to an Excel cell via ``Case.where``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from optimizer.case import Case
from optimizer.planner_words import cell, money, possessive
from optimizer.solve.duals import worth
from optimizer.solve.results import Results

TOLERANCE = 1e-6  # USD per unit; smaller shadow prices are solver noise


def sentence_for(row: pd.Series) -> str:
    """A one-line reading of a shadow price when the solve did not supply one."""
    value = float(row["dual_usd_per_unit"])
    unit = str(row.get("unit") or "unit")
    what = str(row.get("constraint") or row.get("family") or "this limit")
    keys = str(row.get("keys") or "").strip()
    month = row.get("month")
    text = f"One more {unit} of {what}"
    if keys and keys not in what:
        text += f" ({keys})"
    if isinstance(month, str) and month:
        text += f" in {month}"
    if value >= 0:
        return f"{text} is worth {money(value)}."
    return f"{text} would cost {money(value)}."


def marginal_frame(results: Results, case: Case) -> pd.DataFrame:
    """Binding / valued constraints, largest |value| first, with sentence and input cell."""
    duals = results.duals
    if duals is None or duals.empty:
        return pd.DataFrame()
    df = duals.copy()
    if "kind" in df:  # balances price ore at a place; they are not limits to relax
        df = df[df["kind"] != "balance"]
    value = df["dual_usd_per_unit"].astype(float)
    binding = df["binding"].fillna(False).astype(bool)
    df = df[binding | (value.abs() > TOLERANCE)].copy()
    if df.empty:
        return df
    df["_size"] = df["dual_usd_per_unit"].astype(float).abs()
    df = df.sort_values(
        ["_size", "family", "constraint"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    df["rank"] = range(1, len(df) + 1)
    given = df["sentence"] if "sentence" in df else [None] * len(df)
    df["sentence"] = [
        text.strip() if isinstance(text, str) and text.strip() else sentence_for(df.loc[i])
        for i, text in zip(df.index, given, strict=True)
    ]
    where: dict[tuple, tuple] = {}  # one look-up per input cell, however many rows use it
    found = []
    for triple in zip(df["sheet"], df["row_id"], df["column"], strict=True):
        if triple not in where:
            sheet, key, column = triple
            ref = (
                case.where(sheet, str(key or ""), str(column or ""))
                if isinstance(sheet, str) and sheet
                else None
            )
            where[triple] = (
                (None, None)
                if ref is None
                else (f"{ref.letter}{ref.row}" if ref.letter and ref.row else None, ref.row)
            )
        found.append(where[triple])
    df["cell"] = [cell for cell, _ in found]
    df["input_row"] = [row for _, row in found]
    return df.drop(columns="_size")


# --- per input cell ---------------------------------------------------------------------

INPUT_WORDS = {
    "base_capacity_t_per_month": "base capacity",
    "capacity_t_per_month": "capacity",
    "max_feed_arsenic_pct": "arsenic limit",
    "min_feed_grade_pct": "minimum feed grade",
    "min_domestic_share_pct": "minimum domestic share",
    "min_feed_t_per_month": "minimum feed",
    "stockpile_capacity_t": "stockpile capacity",
    "max_added_t_per_month": "maximum size",
    "max_t_sb_per_month": "maximum",
    "min_t_sb_per_month": "minimum",
    "max_share_pct": "maximum share",
    "amount_usd": "amount",
    "capex_usd_per_t_per_month": "capex cap",
}
"""An input column as a planner names it in a sentence (else the column header)."""

STEP_UNITS = {"t ore/month": "t/month", "t ore": "t", "pp As": "pp", "pp Sb": "pp"}


def _amount(x: float, unit: str) -> str:
    """An input value in its unit: ``240 t/month``, ``1.008%``, ``$27,000,000``."""
    if not np.isfinite(x):
        return "no limit" if x > 0 else "−∞"
    if unit.startswith("pp"):
        return f"{x:,.4g}%"
    if unit == "USD":
        return money(x)
    return f"{x:,.1f} {STEP_UNITS.get(unit, unit)}".replace(".0 ", " ")


def _step(step: float, unit: str) -> str:
    if unit.startswith("pp"):
        return f"{step:g} pp"
    if unit == "USD":
        return money(step)
    return f"{step:g} {STEP_UNITS.get(unit, unit)}"


def input_sentence(row: Mapping, ref: str, with_range: bool = True) -> str:
    """``Raising Thompson Falls' base capacity (Smelters!D2, now 240 t/month) by 1 t/month
    is worth $51,588 — this value holds from 236 to 250 t/month.`` (the part from the dash
    on only ``with_range``: the InputValues sheet has the range in columns of its own)."""
    what = INPUT_WORDS.get(str(row["column"]), str(row["column"]))
    key = str(row["row_id"])
    if row["sheet"] == "Supply":
        source, bound = key.rsplit("|", 1)
        subject = f"{possessive(source)} supply {bound} in {row['column']}"
    elif row["sheet"] == "Actuals":
        month, kind, ident, origin = key.split("|", 3)
        subject = f"the recorded {kind} at {ident}{f' ({origin} ore)' if origin else ''} in {month}"
    else:
        subject = f"{possessive(key)} {what}"
    unit, value = str(row["unit"]), float(row["value_usd_per_step"])
    verb = "Raising" if row["direction"] == "raise" else "Lowering"
    text = f"{verb} {subject} ({ref}"
    if pd.notna(row["input_now"]):
        text += f", now {_amount(float(row['input_now']), unit)}"
    text += f") by {_step(float(row['step']), unit)} {worth(value)}"
    if str(row.get("note") or "").find("net of capex") >= 0:
        text += " net of capex"
    low, high = float(row["valid_from"]), float(row["valid_to"])
    if with_range and (np.isfinite(low) or np.isfinite(high)):
        text += f" — this value holds from {_amount(low, unit)} to {_amount(high, unit)}"
        if _headroom(row) < float(row["step"]) - 1e-12:
            text += f", less than one step: {money(_sure_value(row))} within it"
    return text + "."


def _headroom(row: Mapping) -> float:
    """How far the input may move the relaxing way before its value changes."""
    now = row["input_now"]
    if pd.isna(now):
        return np.inf
    if row["direction"] == "raise":
        return max(0.0, float(row["valid_to"]) - float(now))
    return max(0.0, float(now) - float(row["valid_from"]))


def _sure_value(row: Mapping) -> float:
    """The value of one step, counting only the part of it inside the validity range."""
    step = float(row["step"])
    return float(row["value_usd_per_step"]) * min(step, _headroom(row)) / step


def input_frame(results: Results, case: Case) -> pd.DataFrame:
    """Per input cell: value per step, range, cell and sentence; ranked cells with a value
    first, largest value within the validity range first (``sure_usd``: a step's value
    counting only the part of the step where it holds), then the rest (closed inputs,
    inputs without value)."""
    df = results.inputs
    if df is None or df.empty:
        return pd.DataFrame()
    df = df.copy()
    df["cell"] = [
        cell(case, s, str(k), str(c))
        for s, k, c in zip(df["sheet"], df["row_id"], df["column"], strict=True)
    ]
    rows = df.to_dict("records")  # plain dicts: a Series per row costs ~20x per read
    refs = list(df["cell"])
    df["sentence"] = [input_sentence(row, ref) for row, ref in zip(rows, refs, strict=True)]
    df["what"] = [input_sentence(row, ref, False) for row, ref in zip(rows, refs, strict=True)]
    df["sure_usd"] = [_sure_value(row) for row in rows]
    valued = df["value_usd_per_step"].astype(float).abs() > TOLERANCE
    ranked = df["ranked"].astype(bool) & valued
    df["_order"] = np.where(ranked, 0, np.where(valued, 1, 2))
    df["_size"] = -df["sure_usd"].abs()
    df = df.sort_values(["_order", "_size", "sheet", "row_id"], kind="stable")
    df = df.reset_index(drop=True)
    df["rank"] = [i + 1 if r else None for i, r in enumerate(df["_order"] == 0)]
    return df.drop(columns=["_order", "_size"])


def top_inputs(results: Results, case: Case, count: int = 5) -> list[str]:
    """The ``count`` input cells whose step is worth most (inputs 0 by nature left out)."""
    df = input_frame(results, case)
    if df.empty:
        return []
    return list(df[df["rank"].notna()]["sentence"].head(count))
