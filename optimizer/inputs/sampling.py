"""Samples of the ``Uncertainty`` sheet: seeded draws, and a raw workbook with one sample's
draws applied (SPEC §6.4).

Draw order (what makes a seed reproduce its samples): one ``numpy.random.Generator``,
``default_rng([seed, stream])`` — stream 0 for the planning samples, stream 1 for the fresh
samples of ``risk --evaluate``. Samples are drawn one after another; within a sample each
draw unit (a group, or a factor without a group) in the order of its first row takes:

- ``uniform``, ``triangular``, ``discrete``: one ``random()`` number u, turned into the value by
  the inverse of the distribution function (``discrete``: the first value whose cumulative
  probability exceeds u);
- ``normal``: p1 + p2·z, ``lognormal``: p1·exp(p2·z), with one ``standard_normal()`` z;
- ``random_walk``: ``standard_normal(H − 1)`` ε for months 1..H−1; the value of month t is
  exp(Σ_{u=1..t}(p2 + p1·ε_u)), 1 in month 0.

So sample k's draws do not depend on how many samples follow it: ``solve --sample K``
re-draws samples 1..K with the same seed.

Applying a sample: each factor changes its target cells as a ``Scenarios`` row would
(:mod:`optimizer.inputs.scenario`: ``scale``/``add``/``set`` by the drawn value, a random walk
month by month), in sheet order; ``delay`` moves month cells by the draw rounded half away from
zero, leaving blank cells blank.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.case import month_label
from optimizer.errors import InputError, Problem
from optimizer.inputs import schema
from optimizer.inputs.rawbook import RawBook, clean_text, month_key

# The scenario machinery's own target matching and cell arithmetic (one copy of each rule).
from optimizer.inputs.scenario import (
    _apply,
    _matching_columns,
    _matching_rows,
    _Override,
)
from optimizer.inputs.uncertainty import Factor

Draws = dict[str, float | tuple[float, ...]]  # factor -> value, or its value per month
PLANNING, EVALUATION = 0, 1  # random streams of a seed


def draw_samples(
    factors: list[Factor], horizon: int, n: int, seed: int, stream: int = PLANNING
) -> list[Draws]:
    """``n`` samples' raw draws, each ``{factor: value or (value per month, ...)}``."""
    rng = np.random.default_rng([seed, stream])
    units: dict[str, Factor] = {}
    for f in factors:
        units.setdefault(f.unit, f)
    samples = []
    for _ in range(n):
        drawn = {unit: _draw(f, rng, horizon) for unit, f in units.items()}
        samples.append({f.name: drawn[f.unit] for f in factors})
    return samples


def _draw(f: Factor, rng: np.random.Generator, horizon: int) -> float | tuple[float, ...]:
    p1, p2, p3 = (*f.params, 0.0, 0.0, 0.0)[:3]
    law = f.distribution
    if law == "random_walk":
        steps = p2 + p1 * rng.standard_normal(horizon - 1)
        return tuple(np.exp(np.concatenate(([0.0], np.cumsum(steps)))).tolist())
    if law == "normal":
        return float(p1 + p2 * rng.standard_normal())
    if law == "lognormal":
        return float(p1 * math.exp(p2 * rng.standard_normal()))
    u = float(rng.random())
    if law == "uniform":
        return p1 + (p2 - p1) * u
    if law == "triangular":
        if p3 == p1:
            return p1
        if u < (p2 - p1) / (p3 - p1):
            return p1 + math.sqrt(u * (p3 - p1) * (p2 - p1))
        return p3 - math.sqrt((1 - u) * (p3 - p1) * (p3 - p2))
    cumulative = np.cumsum(f.probabilities)
    index = int(np.searchsorted(cumulative, u, side="right"))
    return f.params[min(index, len(f.params) - 1)]


def mean_draws(factors: list[Factor], samples: list[Draws]) -> Draws:
    """Each factor at the average of its drawn values (per month for a random walk): the
    expected-value case's draws (a delay's average is rounded when applied)."""
    out: Draws = {}
    for f in factors:
        values = np.array([s[f.name] for s in samples], dtype=float)
        mean = values.mean(axis=0)
        out[f.name] = tuple(mean.tolist()) if f.monthly else float(mean)
    return out


def round_months(x: float) -> int:
    """A delay in whole months, rounded half away from zero."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def apply_draws(raw: RawBook, factors: list[Factor], draws: Draws, label: str) -> RawBook:
    """A copy of ``raw`` with every factor's drawn value applied (the input is never
    modified); ``label`` names the sample in messages. Raises InputError when a drawn change
    cannot be made (a scale of a blank cell without a numeric default)."""
    book = raw.copy()
    book.source = f"{raw.source} [{label}]"
    start = _start_month(book)
    problems: list[Problem] = []
    for f in factors:
        value = draws[f.name]
        if f.action == "delay":
            _delay(book, f, round_months(float(value)))
        elif f.monthly:
            for t, x in enumerate(value):
                o = _Override(f.row, f.sheet, f.key, month_label(start, t), f.action, x)
                _apply(book, label, o, problems, [])
        else:
            _apply(
                book,
                label,
                _Override(f.row, f.sheet, f.key, f.column, f.action, value),
                problems,
                [],
            )
    if problems:
        located = [
            Problem("Uncertainty", p.rule, row=p.row, column=p.column, value=p.value, hint=p.hint)
            for p in problems
        ]
        raise InputError(f"{label}: a drawn change cannot be applied", located)
    return book


def _start_month(book: RawBook) -> str:
    """The workbook's start month (the case validated, so it is there)."""
    settings = book.sheets["Settings"]
    headers = [clean_text(h) for h in settings.headers]
    key, value = headers.index("setting"), headers.index("value")
    return next(
        month_key(cells[value])
        for cells in settings.rows
        if len(cells) > value and clean_text(cells[key]) == "start_month"
    )


def _delay(book: RawBook, f: Factor, months: int) -> None:
    """Move every month cell of the factor's target by ``months`` (blank cells stay blank)."""
    sheet = book.sheets.get(f.sheet)
    if sheet is None or months == 0:
        return
    spec = schema.SHEETS_BY_NAME[f.sheet]
    for r in _matching_rows(sheet, spec, f.key, book):
        for c in _matching_columns(sheet, spec, f.column):
            cells = sheet.rows[r]
            old = month_key(cells[c]) if c < len(cells) else None
            if old is not None:
                cells[c] = month_label(old, months)


def sample_book(raw: RawBook, number: int) -> RawBook:
    """``raw`` with the draws of its sample ``number`` (1-based) applied — the sample the risk
    command plans with, re-drawn from the workbook's seed — so ``solve`` and ``explain`` can
    look at one sample alone. A workbook that does not validate is returned unchanged (its
    problems are reported by validation)."""
    from optimizer.inputs.uncertainty import read_factors
    from optimizer.inputs.validate import validate

    case, _ = validate(raw)
    if case is None:
        return raw
    factors, _ = read_factors(raw)
    st = case.settings
    draws = draw_samples(factors, st.horizon_months, number, st.risk_seed)[number - 1]
    return apply_draws(raw, factors, draws, f"sample {number}")
