"""``risk --evaluate M``: both first stages — the commit plan and the expected-value plan —
re-evaluated out of sample, on M fresh samples (the seed's evaluation stream, see
:mod:`optimizer.inputs.sampling`), each sample solved with each plan's committed decisions
fixed and its later months optimized. One task per fresh sample, plain picklable data, run
here or on the executor (process pool or Dask); 95% confidence intervals by the normal
approximation (1.96 standard errors), the plans' difference paired sample by sample."""

from __future__ import annotations

import concurrent.futures
import math
from collections.abc import Callable

import numpy as np

from optimizer.case import Case
from optimizer.inputs.rawbook import RawBook
from optimizer.inputs.sampling import EVALUATION, Draws, draw_samples
from optimizer.inputs.uncertainty import Factor
from optimizer.risk.run import (
    Evaluation,
    RiskResult,
    SampleOutcome,
    build_sample,
    highs_options,
    recourse,
)
from optimizer.risk.sample_lp import Plan, case_lp

Z95 = 1.96


def evaluate_sample(
    raw: RawBook,
    factors: list[Factor],
    draws: Draws,
    label: str,
    commit_months: int,
    plans: list[Plan | None],
    options: dict,
) -> list[float | None]:
    """One fresh sample's margin under each plan (None: the plan cannot be carried out)."""
    s = case_lp(build_sample(raw, factors, draws, label), commit_months)
    if s is None:
        return [None] * len(plans)
    return recourse(s, plans, options)


def evaluate(
    raw: RawBook,
    case: Case,
    factors: list[Factor],
    result: RiskResult,
    executor: concurrent.futures.Executor | None,
    progress: Callable[[str], None],
) -> Evaluation:
    o = result.options
    draws = draw_samples(factors, case.settings.horizon_months, o.evaluate, o.seed, EVALUATION)
    plans: list[Plan | None] = [result.commit_plan, result.ev_plan or None]
    options = highs_options(o.time_limit_s)
    args = [
        (raw, factors, d, f"fresh sample {k + 1}", o.commit_months, plans, options)
        for k, d in enumerate(draws)
    ]
    if executor is None:
        found = [evaluate_sample(*a) for a in args]
    else:
        found = [f.result() for f in [executor.submit(evaluate_sample, *a) for a in args]]
    progress(f"both plans evaluated on {len(found)} fresh samples")
    samples = [
        SampleOutcome(k + 1, d, margin_usd=m[0], ev_plan_usd=m[1] if result.ev_plan else None)
        for k, (d, m) in enumerate(zip(draws, found, strict=True))
    ]
    stochastic = _interval([s.margin_usd for s in samples])
    ev = _interval([s.ev_plan_usd for s in samples]) if result.ev_plan else None
    pairs = [
        s.margin_usd - s.ev_plan_usd
        for s in samples
        if s.margin_usd is not None and s.ev_plan_usd is not None
    ]
    difference = _interval(pairs)[:2] if pairs and result.ev_plan else None
    return Evaluation(samples, stochastic, ev, difference)


def _interval(values: list[float | None]) -> tuple[float, float, int]:
    """Mean, 95% half-width and how many samples were infeasible (left out of the mean)."""
    ok = np.array([v for v in values if v is not None], dtype=float)
    bad = len(values) - len(ok)
    if len(ok) == 0:
        return math.nan, math.nan, bad
    half = Z95 * ok.std(ddof=1) / math.sqrt(len(ok)) if len(ok) > 1 else math.nan
    return float(ok.mean()), float(half), bad
