"""Model rows and columns in planner words: which input cells set a constraint's limit,
and which input value (a *knob*) relaxes it.

Every constraint family's :data:`~optimizer.model.families.FAMILIES` entry gives its
sentence ("Thompson Falls can be fed at most 150 t"), the cells that set its right-hand side
and its knob. Flow balances set no limit of their own: they are the *links* that carry ore
between the limits (opening stock, transit times), and are summarized as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from optimizer.case import Case
from optimizer.model.families import FAMILIES
from optimizer.model.family_words import Words
from optimizer.model.lookup import Lookup
from optimizer.planner_words import cell

LINKS = tuple(name for name, fam in FAMILIES.items() if fam.kind != "limit")
"""Families that only carry quantities between the limits."""


@dataclass(frozen=True)
class Statement:
    """One limit of the conflict in planner words, with the cells that set it."""

    family: str
    ids: tuple[str, ...]  # row ids without the month
    text: str  # "Thompson Falls can be fed at most 150 t"
    cells: tuple[str, ...]
    month: str | None = None


def fields(con: pyo.ConstraintData) -> tuple[str, dict]:
    """(family name, named index) of a model constraint or variable, e.g. ``{"p": ..., "t": 3}``."""
    name = con.parent_component().name
    idx = con.index()
    index = idx if isinstance(idx, tuple) else (idx,)
    fam = FAMILIES.get(name)
    names = fam.names if fam else tuple(f"i{n}" for n in range(len(index)))
    return name, dict(zip(names, index, strict=False))


def knob_of(con: pyo.ConstraintData, lumpy: bool) -> tuple[tuple[str, str], object] | None:
    """((family, row id), knob id) of a relaxable row, or None for a row no input relaxes."""
    name, f = fields(con)
    fam = FAMILIES.get(name)
    if fam is None or fam.knob is None or (lumpy and fam.lumpy_counts_starts):
        return None
    if fam.knob.per == "per location":  # one setting relaxes every location
        return (name, "*"), ((name, "*"), f[fam.names[0]])
    group = (name, str(f[fam.names[0]]))
    return group, (group if fam.knob.per == "scalar" else (group, f.get("t")))


def _month(case: Case, f: dict) -> str | None:
    return case.months[f["t"]] if "t" in f else None


def describe(case: Case, lk: Lookup, con: pyo.ConstraintData) -> Statement | None:
    """The limit a constraint sets, in planner words; None for a link (a flow balance)."""
    name, f = fields(con)
    if name in LINKS:
        return None
    month = _month(case, f)
    ids = tuple(str(v) for k, v in f.items() if k != "t")
    fam = FAMILIES.get(name)
    if fam is not None and fam.words is not None:
        text, cells = fam.words(case, lk, f, month)
    else:
        text, cells = _generic(case, name, f, month)
    return Statement(name, ids, text, tuple(cells), month)


def _generic(case: Case, name: str, f: dict, m: str | None) -> Words:
    """A limit with no words of its own: its family, ids and input cell."""
    sheet, key, column = FAMILIES[name].where({**f, "m": m or ""})
    ids = ", ".join(str(v) for k, v in f.items() if k != "t")
    return f"{name.replace('_', ' ').lower()} limit of {ids}", [cell(case, sheet, key, column)]


def describe_link(case: Case, lk: Lookup, con: pyo.ConstraintData) -> tuple[str, list[str]]:
    """(what a flow balance links, the input cells it carries): opening stock, transit."""
    name, f = fields(con)
    fam = FAMILIES.get(name)
    if fam is None or fam.words is None:
        return name, []
    return fam.words(case, lk, f, _month(case, f))


def describe_bound(case: Case, var: pyo.VarData, side: str) -> Statement | None:
    """A variable bound in the conflict, when an input sets it (contract shortfall ≤ the
    contract's minimum); None for plain non-negativity."""
    bound = (var.parent_component().name, side)
    for name, fam in FAMILIES.items():
        if fam.var_bound is not None and (fam.var_bound.var, fam.var_bound.side) == bound:
            idx = var.index()
            f = dict(zip(fam.names, idx if isinstance(idx, tuple) else (idx,), strict=True))
            month = _month(case, f)
            text, cells = fam.var_words(case, f, month)
            return Statement(name, (str(f[fam.names[0]]),), text, tuple(cells), month)
    return None
