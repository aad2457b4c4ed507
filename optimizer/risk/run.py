"""``ore-optimizer risk``: the two-stage stochastic plan and its value (SPEC §6.4).

:func:`run_risk` draws the samples (:mod:`optimizer.inputs.sampling`), builds each sample's LP
as ``solve`` would (:mod:`optimizer.risk.sample_lp`), solves their extensive form once
(:mod:`optimizer.risk.extensive`) and measures the plan against the two references SPEC §6.4
defines, on the same samples:

- RP: the stochastic plan's expected margin E[m] (also P10/P50/P90 and CVaR_α of m);
- WS: each sample solved alone (perfect foresight); EVPI = WS − RP;
- EV plan: the case with every factor at its samples' average; EEV: each sample solved with
  the EV plan's committed decisions fixed; VSS = RP − EEV (not finite — None — when the EV
  plan cannot be carried out in some samples; how many is reported);
- the deterministic plan (the workbook as typed) scored the same way: what acting on the
  workbook as typed is worth under uncertainty.

The per-sample recourse solves (WS, EEV) and ``--evaluate``'s out-of-sample solves are
independent tasks of plain picklable data, run here or on any ``concurrent.futures``-style
executor (a process pool, Dask): the numbers do not depend on where they ran.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizer.case import Case
from optimizer.errors import InfeasibleError, InputError, SolverError
from optimizer.inputs.rawbook import RawBook
from optimizer.inputs.sampling import Draws, apply_draws, draw_samples, mean_draws
from optimizer.inputs.uncertainty import Factor
from optimizer.inputs.validate import validate
from optimizer.risk.extensive import Extensive, cvar_usd, stack
from optimizer.risk.sample_lp import Plan, SampleLp, case_lp, solve_with
from optimizer.solve.highs import RECHECK, HighsLp


@dataclass(frozen=True)
class RiskOptions:
    """What the run plans over; from the workbook's settings unless overridden."""

    samples: int
    seed: int
    commit_months: int
    risk_aversion: float
    cvar_alpha_pct: float
    evaluate: int = 0
    time_limit_s: float = 600.0

    @classmethod
    def of(cls, case: Case, samples: int | None = None, evaluate: int = 0) -> RiskOptions:
        st = case.settings
        return cls(
            samples=samples if samples is not None else st.risk_samples,
            seed=st.risk_seed,
            commit_months=min(st.commit_months, st.horizon_months),
            risk_aversion=st.risk_aversion,
            cvar_alpha_pct=st.cvar_alpha_pct,
            evaluate=evaluate,
            time_limit_s=max(st.time_limit_s, 600.0),
        )


@dataclass
class SampleOutcome:
    """One sample: its draws and margins (USD) under each plan (None: infeasible)."""

    number: int  # 1-based
    draws: Draws
    margin_usd: float | None = None  # the stochastic plan, recourse per sample
    wait_and_see_usd: float | None = None
    ev_plan_usd: float | None = None
    typed_plan_usd: float | None = None  # the deterministic plan's committed months


@dataclass
class Evaluation:
    """Both first stages re-evaluated on fresh samples (``--evaluate``)."""

    samples: list[SampleOutcome]
    stochastic: tuple[float, float, int]  # mean, 95% half-width, infeasible samples
    ev_plan: tuple[float, float, int] | None
    difference: tuple[float, float] | None  # stochastic − EV plan, paired


@dataclass
class RiskResult:
    """Everything the risk report and ``--json`` show."""

    options: RiskOptions
    factors: list[Factor]
    samples: list[SampleOutcome]
    expected_margin_usd: float
    cvar_usd: float
    percentiles_usd: tuple[float, float, float]  # P10, P50, P90
    wait_and_see_usd: float
    expected_value_plan_usd: float | None
    ev_plan_infeasible_samples: int
    commit_plan: Plan
    ev_plan: Plan
    deterministic_plan: Plan
    deterministic_usd: float | None
    ev_draws: Draws
    timings_s: dict[str, float] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    evaluation: Evaluation | None = None

    @property
    def vss_usd(self) -> float | None:
        if self.expected_value_plan_usd is None:
            return None
        return self.expected_margin_usd - self.expected_value_plan_usd

    @property
    def typed_plan_usd(self) -> float | None:
        """Σ_s p_s × (sample s with the deterministic plan's committed decisions fixed): what
        acting on the workbook as typed is worth under uncertainty (None: it cannot be carried
        out in some sample)."""
        margins = [o.typed_plan_usd for o in self.samples]
        if not self.deterministic_plan or None in margins:
            return None
        return float(np.mean(margins))

    @property
    def evpi_usd(self) -> float:
        return self.wait_and_see_usd - self.expected_margin_usd


class SampleError(InfeasibleError):
    """Some samples (or the commit plan across them) have no feasible plan."""


def highs_options(time_limit_s: float) -> dict:
    """One HiGHS thread (reproducible), HiGHS's own choice of method: on the extensive form
    (block-structured, many short blocks) dual simplex measured 3.6× faster than interior
    point with crossover (benchmarks/README.md)."""
    return {"threads": 1, "time_limit": float(time_limit_s)}


def build_sample(raw: RawBook, factors: list[Factor], draws: Draws, label: str) -> Case:
    """The case of one sample; InputError (naming the draws) when the draws break a rule."""
    case, problems = validate(apply_draws(raw, factors, draws, label))
    if case is None:
        raise InputError(
            f"{label} ({describe_draws(draws)}) breaks an input rule",
            [p for p in problems if p.is_error],
        )
    return case


def describe_draws(draws: Draws) -> str:
    """``factor=value`` for each factor (a random walk by its first and last month)."""
    parts = []
    for name, v in draws.items():
        if isinstance(v, tuple):
            parts.append(f"{name}={v[0]:.3g}…{v[-1]:.3g}")
        else:
            parts.append(f"{name}={v:.4g}")
    return ", ".join(parts)


def run_risk(
    raw: RawBook,
    case: Case,
    factors: list[Factor],
    options: RiskOptions,
    *,
    executor: concurrent.futures.Executor | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> RiskResult:
    """The stochastic plan of ``case`` over ``options.samples`` samples of ``factors``."""
    timings: dict[str, float] = {}
    tick = time.perf_counter()
    horizon, commit = case.settings.horizon_months, options.commit_months
    draws = draw_samples(factors, horizon, options.samples, options.seed)
    outcomes = [SampleOutcome(k + 1, d) for k, d in enumerate(draws)]
    lps: list[SampleLp | None] = [
        case_lp(build_sample(raw, factors, o.draws, f"sample {o.number}"), commit) for o in outcomes
    ]
    timings["samples_build"] = time.perf_counter() - tick
    progress(f"built {len(lps)} sample LPs in {timings['samples_build']:.1f} s")
    _check_built(lps, outcomes)

    tick = time.perf_counter()
    ext = stack(lps, options.risk_aversion, options.cvar_alpha_pct / 100.0)
    timings["extensive_stack"] = time.perf_counter() - tick
    x = _solve_extensive(ext, options, timings)
    if x is None:
        raise _infeasible(lps, outcomes, executor, options)
    progress(f"extensive form solved by HiGHS in {timings['highs']:.1f} s")
    for o, s, k in zip(outcomes, lps, range(len(lps)), strict=True):
        o.margin_usd = s.margin_usd(ext.sample_values(k, x))
    commit_plan = ext.plan(x)

    tick = time.perf_counter()
    ev_draws = mean_draws(factors, draws) if draws else {}
    ev_lp = case_lp(build_sample(raw, factors, ev_draws, "expected-value case"), commit)
    opts = highs_options(options.time_limit_s)
    ev_plan = _plan_of(ev_lp, opts)
    det_lp = case_lp(case, commit)
    deterministic_plan = _plan_of(det_lp, opts)
    deterministic_usd = None if det_lp is None else solve_with(det_lp, None, opts)
    plans = [None, ev_plan, deterministic_plan]
    for o, found in zip(outcomes, _recourse_all(lps, plans, opts, executor), strict=True):
        o.wait_and_see_usd, o.ev_plan_usd, o.typed_plan_usd = found
    timings["recourse"] = time.perf_counter() - tick
    progress(f"wait-and-see and expected-value plans solved in {timings['recourse']:.1f} s")

    margins = np.array([o.margin_usd for o in outcomes])
    ev_margins = [o.ev_plan_usd for o in outcomes]
    infeasible_ev = sum(m is None for m in ev_margins) if ev_plan is not None else len(outcomes)
    result = RiskResult(
        options=options,
        factors=factors,
        samples=outcomes,
        expected_margin_usd=float(margins.mean()),
        cvar_usd=cvar_usd(margins, options.cvar_alpha_pct / 100.0),
        percentiles_usd=tuple(float(v) for v in np.percentile(margins, [10, 50, 90])),
        wait_and_see_usd=float(np.mean([o.wait_and_see_usd for o in outcomes])),
        expected_value_plan_usd=None if infeasible_ev else float(np.mean(ev_margins)),
        ev_plan_infeasible_samples=infeasible_ev,
        commit_plan=commit_plan,
        ev_plan=ev_plan or {},
        deterministic_plan=deterministic_plan or {},
        deterministic_usd=deterministic_usd,
        ev_draws=ev_draws,
        timings_s=timings,
        size={"samples": len(lps), "rows": ext.lp.num_row, "columns": ext.lp.num_col},
    )
    if options.evaluate:
        from optimizer.risk.evaluate import evaluate

        result.evaluation = evaluate(raw, case, factors, result, executor, progress)
    return result


def _plan_of(s: SampleLp | None, options: dict) -> Plan | None:
    """The committed decisions of ``s`` solved alone (None: no feasible plan)."""
    if s is None:
        return None
    from optimizer.risk.sample_lp import run_program

    x = run_program(s.program(), options)
    if x is None:
        return None
    return {k: float(x[j]) for k, j in zip(s.committed_keys, s.committed_cols, strict=True)}


def recourse(s: SampleLp, plans: list[Plan | None], options: dict) -> list[float | None]:
    """One sample's margin under each plan (None: free, the sample alone) — a task."""
    return [solve_with(s, plan, options) for plan in plans]


def _recourse_all(lps, plans, options, executor) -> list[list[float | None]]:
    if executor is None:
        return [recourse(s, plans, options) for s in lps]
    futures = [executor.submit(recourse, s, plans, options) for s in lps]
    return [f.result() for f in futures]


def _solve_extensive(ext: Extensive, options: RiskOptions, timings: dict) -> np.ndarray | None:
    """HiGHS on the extensive form; its hand-off and its own run time go in ``timings``."""
    tick = time.perf_counter()
    hl = HighsLp(ext.lp)
    timings["handoff"] = time.perf_counter() - tick
    opts = highs_options(options.time_limit_s)
    tick = time.perf_counter()
    res = hl.run(opts)
    if res.termination_condition in RECHECK:
        res = hl.run({**opts, "presolve": "off"})
    timings["highs"] = time.perf_counter() - tick
    if res.col_value is None or res.termination_condition in RECHECK:
        if res.termination_condition not in RECHECK:
            raise SolverError(
                f"HiGHS stopped ({res.termination_condition.name}) without a plan for the "
                "extensive form; raise time_limit_s or lower --samples"
            )
        return None
    return res.col_value


def _check_built(lps: list[SampleLp | None], outcomes: list[SampleOutcome]) -> None:
    bad = [o for o, s in zip(outcomes, lps, strict=True) if s is None]
    if bad:
        raise SampleError(_sample_message(bad))


def _infeasible(lps, outcomes, executor, options) -> SampleError:
    """Why the extensive form is infeasible: the samples that are infeasible alone, or else
    no single commit plan fits every sample."""
    opts = highs_options(options.time_limit_s)
    alone = _recourse_all(lps, [None], opts, executor)
    bad = [o for o, found in zip(outcomes, alone, strict=True) if found[0] is None]
    if bad:
        return SampleError(_sample_message(bad))
    return SampleError(
        f"every sample has a plan alone, but no single plan of the first "
        f"{options.commit_months} month(s) fits all {len(outcomes)} samples; commit fewer "
        "months (commit_months) or narrow the Uncertainty ranges"
    )


def _sample_message(bad: list[SampleOutcome]) -> str:
    lines = [
        f"sample {o.number} has no feasible plan ({describe_draws(o.draws)}); see why with "
        f"`ore-optimizer explain CASE.xlsx --sample {o.number}`"
        for o in bad[:5]
    ]
    more = f"\n… and {len(bad) - 5} more" if len(bad) > 5 else ""
    return f"{len(bad)} sample(s) infeasible:\n" + "\n".join(lines) + more
