"""Marginal values (shadow prices) in planner words, pointing back at the input cell.

``Results.duals`` carries, per constraint, the change of the discounted objective (USD) per
unit increase of its right-hand side, signed for a maximization: > 0 means relaxing the
limit is worth money, < 0 means the requirement costs money. This module keeps the binding
limits (and any with a non-zero value; balance rows, which price ore at a place rather
than a limit, are left out), ranks them by size, writes a sentence where the solve
did not, and resolves the input sheet/row/column to an Excel cell via ``Case.where``.
"""

from __future__ import annotations

import pandas as pd

from optimizer.case import Case
from optimizer.planner_words import money
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


def top_constraints(results: Results, case: Case, count: int = 5) -> list[str]:
    """The ``count`` most valuable binding limits, one sentence each.

    One sentence per limit (family and ids), from its most valuable month, so five months
    of the same limit don't crowd out the others; the sentence says in how many months that
    limit binds.
    """
    df = marginal_frame(results, case)
    if df.empty:
        return []
    df = df[df["dual_usd_per_unit"].astype(float).abs() > TOLERANCE]
    out = []
    for _, group in df.groupby(["family", "keys"], sort=False):  # frame is sorted by size
        best = group.iloc[0]
        months = int(group["binding"].astype(bool).sum())
        text = str(best["sentence"]).rstrip(".")
        out.append(text + (f" (binding in {months} months)." if months > 1 else "."))
        if len(out) == count:
            break
    return out
