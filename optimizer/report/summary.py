"""The Summary sheet: the key figures (:mod:`optimizer.solve.kpis`) in labelled sections.

Pure data (sections of labelled values) so the Excel Summary sheet and ``summary.csv`` say
the same thing. Every figure is a sum or ratio of numbers shown elsewhere in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.case import Case
from optimizer.planner_words import project_site, usd
from optimizer.report.marginal import top_inputs
from optimizer.report.status_words import status_text
from optimizer.report.why import summary_why, why_lines
from optimizer.solve.kpis import CASHFLOW_HEADERS, KeyFigures, key_figures
from optimizer.solve.results import Results


@dataclass(frozen=True)
class Line:
    """One labelled figure: up to two values (e.g. nominal, discounted) and their unit."""

    label: str
    values: tuple[object, ...]
    kind: str  # a key of report.tables.FORMATS for the values
    unit: str = ""


@dataclass
class Section:
    title: str
    headers: tuple[str, ...] = ("Value", "Unit")
    lines: list[Line] = field(default_factory=list)


def _result_section(results: Results, case: Case) -> Section:
    sec = Section("Result")
    add = sec.lines.append
    add(Line("Case", (results.case_name,), "text"))
    add(Line("Status", (status_text(results.status, results.mip_gap_pct),), "text"))
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


def _money_section(kpis: KeyFigures) -> Section:
    sec = Section("Money (USD)", headers=("Nominal", "Discounted"))
    for key, header in CASHFLOW_HEADERS.items():
        sec.lines.append(Line(header.removesuffix(" (USD)"), kpis.money_usd[key], "usd", "USD"))
    sec.lines.append(Line("Net margin", kpis.net_usd, "usd", "USD"))
    return sec


def _grant_section(kpis: KeyFigures, case: Case) -> Section:
    sec = Section("Grants (USD)", headers=("Used", "Remaining"))
    for gid, grant in case.grants.items():
        used = kpis.grant_used_usd.get(gid, 0.0)
        sec.lines.append(Line(gid, (used, grant.amount_usd - used), "usd", "USD"))
    return sec


def _production_section(kpis: KeyFigures, case: Case) -> Section:
    sec = Section("Production and ore")
    add = sec.lines.append
    for pid in case.smelters:
        add(Line(f"Sb produced at {pid}", (kpis.sb_t.get(pid, 0.0),), "t", "t Sb"))
    add(Line("Sb produced, all smelters", (kpis.sb_total_t,), "t", "t Sb"))
    for pid in case.smelters:
        add(Line(f"Ore fed at {pid}", (kpis.fed_t.get(pid, 0.0),), "t", "t"))
        util = kpis.utilization_pct(pid)
        add(Line(f"Average utilization of {pid}", (util,), "pct", "% of capacity"))
    add(Line("Alaska ore mined (own claims)", (kpis.alaska_mined_t,), "t", "t"))
    add(Line("Alaska ore shipped (own claims)", (kpis.alaska_shipped_t,), "t", "t"))
    add(Line("Third-party ore bought", (kpis.bought_t,), "t", "t"))
    add(Line("Domestic share of smelter feed", (kpis.domestic_share_pct,), "pct", "%"))
    return sec


def _contract_expansion_section(kpis: KeyFigures, case: Case) -> Section:
    sec = Section("Contracts and expansion")
    add = sec.lines.append
    add(Line("Contract Sb delivered", (kpis.delivered_t_sb,), "t", "t Sb"))
    add(Line("Contract shortfall", (kpis.shortfall_t_sb,), "t", "t Sb"))
    add(Line("Shortfall penalty", (kpis.shortfall_penalty_usd,), "usd", "USD"))
    for eid in case.expansions:
        built = kpis.built_t_per_month.get(eid, 0.0)
        add(Line(f"Capacity built by {eid}", (built,), "t", "t/month"))
    return sec


def _plan_section(results: Results, case: Case) -> Section:
    """Expansion dates (each stage as built) and own Alaska ore to each smelter."""
    sec = Section("Expansions built and Alaska ore")
    add = sec.lines.append
    builds = results.builds
    if builds is not None and not builds.empty:
        for b in builds.itertuples():
            add(
                Line(
                    f"{b.project} at {project_site(b.smelter, b.source)}",
                    (
                        f"+{b.added_t_per_month:,.1f} t/month, started {b.month}, "
                        f"online {b.online_month}",
                    ),
                    "text",
                )
            )
    flows = results.flows
    if flows is not None and not flows.empty:
        own = flows[flows["source"].isin([s for s, x in case.sources.items() if x.kind == "mine"])]
        tonnes = own.groupby("smelter")["dispatched_t"].sum()
        for pid in case.smelters:
            add(Line(f"Alaska ore (own claims) to {pid}", (tonnes.get(pid, 0.0),), "t", "t"))
    return sec


def _staging_section(results: Results) -> Section:
    """When continuous mode staged a project: which, and what one start each would earn."""
    sec = Section("Projects built in stages")
    check = results.single_check
    if check is None:
        return sec
    builds = results.builds
    for e in check.staged:
        rows = builds[builds["project"] == e]
        text = f"continuous mode builds {e} in {len(rows)} stages: " + "; ".join(
            f"+{b.added_t_per_month:,.1f} t/month from {b.month} (online {b.online_month})"
            for b in rows.itertuples()
        )
        sec.lines.append(Line(e, (text,), "text"))
    if check.objective_usd is None:
        text = f"one start per project (single mode): no plan ({check.status})"
    else:
        cost = (results.objective_usd or 0.0) - check.objective_usd
        text = (
            f"one start per project (single mode) earns {usd(check.objective_usd)}, "
            f"{usd(cost)} less than the staged plan's {usd(results.objective_usd or 0.0)}"
        )
    sec.lines.append(Line("Built in one start each", (text,), "text"))
    return sec


def summary_sections(results: Results, case: Case, why: list[str] | None = None) -> list[Section]:
    """Every Summary block in display order (empty blocks left out); ``why``: the lines of
    :func:`~optimizer.report.why.why_lines` when the caller has them already."""
    sections = [_result_section(results, case)]
    if results.has_solution:
        kpis = key_figures(results, case)
        sections += [
            _money_section(kpis),
            _grant_section(kpis, case),
            _production_section(kpis, case),
            _contract_expansion_section(kpis, case),
            _plan_section(results, case),
            _staging_section(results),
        ]
        limits = top_inputs(results, case)
        if limits:
            sec = Section(
                "What limits the plan (the input cells whose step is worth most; "
                "sheet InputValues lists every input)",
                headers=(),
            )
            sec.lines = [Line(f"{i}.", (text,), "text") for i, text in enumerate(limits, 1)]
            sections.append(sec)
        lines = why_lines(results, case) if why is None else why
        reasons = Section("Why the plan looks like this", headers=())
        reasons.lines = [Line("", (text,), "text") for text in summary_why(lines)]
        sections.append(reasons)
    return [s for s in sections if s.lines]
