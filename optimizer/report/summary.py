"""The Summary sheet's key figures, computed from the results tables.

Pure data (sections of labelled values) so the Excel Summary sheet and ``summary.csv`` say
the same thing. Every figure is a sum or ratio of numbers shown elsewhere in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.case import Case
from optimizer.report.marginal import top_constraints
from optimizer.report.tables import CASHFLOW_LINES
from optimizer.solve.results import STATUS_OPTIMAL, Results


@dataclass(frozen=True)
class Line:
    """One labelled figure: up to two values (e.g. nominal, discounted) and their unit."""

    label: str
    values: tuple[object, ...]
    kind: str  # a key of report_tables.FORMATS for the values
    unit: str = ""


@dataclass
class Section:
    title: str
    headers: tuple[str, ...] = ("Value", "Unit")
    lines: list[Line] = field(default_factory=list)


def _sum(df: pd.DataFrame, column: str, mask: pd.Series | None = None) -> float:
    if df is None or df.empty or column not in df:
        return 0.0
    values = df[column] if mask is None else df.loc[mask, column]
    return float(values.sum())


def _ratio_pct(num: float, den: float) -> float | None:
    return 100.0 * num / den if den > 0 else None


def status_text(results: Results) -> str:
    """Status in planner words, with the gap when the plan is not proven optimal."""
    text = {
        "optimal": "Optimal",
        "feasible": "Feasible, not proven optimal (time limit reached)",
        "infeasible": "Infeasible: no plan meets every constraint",
        "unbounded": "Unbounded: check prices and limits",
        "no_solution": "No solution found within the time limit",
    }.get(results.status, results.status)
    if results.status != STATUS_OPTIMAL and results.mip_gap_pct is not None:
        text += f"; gap {results.mip_gap_pct:.3g}%"
    return text


def _result_section(results: Results, case: Case) -> Section:
    sec = Section("Result")
    add = sec.lines.append
    add(Line("Case", (results.case_name,), "text"))
    add(Line("Status", (status_text(results),), "text"))
    if results.message:
        add(Line("Solver message", (results.message,), "text"))
    add(Line("Objective: discounted margin", (results.objective_usd,), "usd", "USD"))
    if results.best_bound_usd is not None:
        add(Line("Best bound", (results.best_bound_usd,), "usd", "USD"))
    if results.mip_gap_pct is not None:
        add(Line("Optimality gap", (results.mip_gap_pct,), "factor", "%"))
    add(
        Line("Horizon", (f"{case.months[0]} to {case.months[-1]} ({case.horizon} months)",), "text")
    )
    add(Line("Expansion mode", (results.expansion_mode,), "text"))
    add(Line("Discount rate", (case.settings.discount_rate_pct_per_year,), "pct", "% per year"))
    for key, label in (("solve", "Solve time"), ("total", "Total run time")):
        if key in results.timings_s:
            add(Line(label, (results.timings_s[key],), "seconds", "s"))
    return sec


def _money_section(results: Results) -> Section:
    sec = Section("Money (USD)", headers=("Nominal", "Discounted"))
    cf = results.cashflow
    factor = cf["discount_factor"] if cf is not None and not cf.empty else None
    for key, header, _sign in CASHFLOW_LINES:
        label = header.removesuffix(" (USD)")
        nominal = _sum(cf, key)
        discounted = float((cf[key] * factor).sum()) if factor is not None else 0.0
        sec.lines.append(Line(label, (nominal, discounted), "usd", "USD"))
    sec.lines.append(
        Line("Net margin", (_sum(cf, "net_usd"), _sum(cf, "discounted_net_usd")), "usd", "USD")
    )
    return sec


def _grant_section(results: Results, case: Case) -> Section:
    sec = Section("Grants (USD)", headers=("Used", "Remaining"))
    use = results.grant_use
    for gid, grant in case.grants.items():
        used = _sum(use, "paid_usd", use["grant"] == gid) if not use.empty else 0.0
        sec.lines.append(Line(gid, (used, grant.amount_usd - used), "usd", "USD"))
    return sec


def _production_section(results: Results, case: Case) -> Section:
    sec = Section("Production and ore")
    add = sec.lines.append
    sm, src, yard = results.smelters, results.sources, results.yard
    for pid in case.smelters:
        mask = sm["smelter"] == pid if not sm.empty else None
        add(Line(f"Sb produced at {pid}", (_sum(sm, "sb_t", mask),), "t", "t Sb"))
    add(Line("Sb produced, all smelters", (_sum(sm, "sb_t"),), "t", "t Sb"))
    for pid in case.smelters:
        mask = sm["smelter"] == pid if not sm.empty else None
        add(Line(f"Ore fed at {pid}", (_sum(sm, "feed_t", mask),), "t", "t"))
        util = _ratio_pct(_sum(sm, "feed_t", mask), _sum(sm, "capacity_t", mask))
        add(Line(f"Average utilization of {pid}", (util,), "pct", "% of capacity"))
    mines = [s for s, v in case.sources.items() if v.kind == "mine"]
    own = src["source"].isin(mines) if not src.empty else None
    add(Line("Alaska ore mined (own claims)", (_sum(src, "mined_t", own),), "t", "t"))
    add(Line("Alaska ore shipped (own claims)", (_sum(src, "shipped_t", own),), "t", "t"))
    bought = ~own if own is not None else None
    add(Line("Third-party ore bought", (_sum(src, "mined_t", bought),), "t", "t"))
    domestic = [s for s, v in case.sources.items() if v.domestic]
    dom_mask = yard["source"].isin(domestic) if not yard.empty else None
    share = _ratio_pct(_sum(yard, "feed_t", dom_mask), _sum(yard, "feed_t"))
    add(Line("Domestic share of smelter feed", (share,), "pct", "%"))
    return sec


def _contract_expansion_section(results: Results, case: Case) -> Section:
    sec = Section("Contracts and expansion")
    add = sec.lines.append
    ct = results.contracts
    add(Line("Contract Sb delivered", (_sum(ct, "delivered_t"),), "t", "t Sb"))
    add(Line("Contract shortfall", (_sum(ct, "shortfall_t"),), "t", "t Sb"))
    add(Line("Shortfall penalty", (_sum(ct, "penalty_usd"),), "usd", "USD"))
    builds = results.builds
    for eid in case.expansions:
        mask = builds["project"] == eid if not builds.empty else None
        add(
            Line(
                f"Capacity built by {eid}",
                (_sum(builds, "added_t_per_month", mask),),
                "t",
                "t/month",
            )
        )
    return sec


def summary_sections(results: Results, case: Case) -> list[Section]:
    """Every Summary block in display order (empty blocks left out)."""
    sections = [_result_section(results, case)]
    if results.has_solution:
        sections += [
            _money_section(results),
            _grant_section(results, case),
            _production_section(results, case),
            _contract_expansion_section(results, case),
        ]
        limits = top_constraints(results, case)
        if limits:
            sec = Section("What limits the plan (most valuable binding constraints)", headers=())
            sec.lines = [Line(f"{i}.", (text,), "text") for i, text in enumerate(limits, 1)]
            sections.append(sec)
    return [s for s in sections if s.lines]
