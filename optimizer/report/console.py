"""The short solve summary: key figures from Results, as text lines or one JSON object.

Both forms carry the same figures — status, objective, Sb produced per smelter, ore shipped
per route, expansion built, grant used, contract shortfall — so a planner reading the
terminal and a scheduler reading ``--json`` see the same plan.
"""

from __future__ import annotations

import math
from typing import Any

from optimizer.case import Case
from optimizer.planner_words import project_site, tonnes_figure, usd
from optimizer.report.status_words import status_text
from optimizer.solve.kpis import Build, key_figures
from optimizer.solve.results import Results
from optimizer.solve.status import Status


def json_number(x: Any) -> float | None:
    """A JSON-safe float rounded to 6 decimals (None for missing, NaN or infinite)."""
    if x is None:
        return None
    x = float(x)
    return round(x, 6) if math.isfinite(x) else None


def _numbers(values: dict[str, float]) -> dict[str, float | None]:
    return {k: json_number(v) for k, v in values.items()}


def stage_json(b: Build) -> dict[str, Any]:
    """One expansion stage for ``--json``: where, when, how big, and its capex and grant money
    by payment month (inside the horizon)."""
    return {
        "project": b.project,
        "smelter": b.smelter,
        "source": b.source,
        "committed": b.committed,
        "start_month": b.start_month,
        "online_month": b.online_month,
        "added_t_per_month": json_number(b.added_t_per_month),
        "capex_usd": json_number(b.capex_usd),
        "grant_paid_usd": json_number(b.grant_paid_usd),
        "company_paid_usd": json_number(b.company_paid_usd),
        "payments": [
            {"month": m, "capex_usd": json_number(c), "grant_usd": json_number(g)}
            for m, c, g in b.payments
        ],
    }


def _single_json(results: Results) -> dict[str, Any] | None:
    """What building each staged project in one start would earn (None: nothing staged)."""
    check = results.single_check
    if check is None:
        return None
    return {
        "staged_projects": list(check.staged),
        "status": check.status,
        "objective_usd": json_number(check.objective_usd),
        "continuous_objective_usd": json_number(results.objective_usd),
    }


def figures(results: Results, case: Case) -> dict[str, Any]:
    """Key figures of a solve (empty figures when there is no solution)."""
    data: dict[str, Any] = {
        "case": results.case_name,
        "status": results.status,
        "objective_usd": json_number(results.objective_usd),
        "best_bound_usd": json_number(results.best_bound_usd),
        "mip_gap_pct": json_number(results.mip_gap_pct),
        "expansion_mode": results.expansion_mode,
        "message": results.message,
    }
    if not results.has_solution:
        return data
    kpis = key_figures(results, case)
    data.update(
        {
            "sb_produced_t": _numbers(kpis.sb_t),
            "ore_fed_t": _numbers(kpis.fed_t),
            "ore_shipped_t": _numbers(kpis.shipped_t),
            "expansions": [stage_json(b) for b in kpis.builds],
            "single_mode": _single_json(results),
            "grant_used_usd": _numbers(kpis.grant_used_usd),
            "shortfall_t_sb": json_number(kpis.shortfall_t_sb),
            "shortfall_penalty_usd": json_number(kpis.shortfall_penalty_usd),
        }
    )
    return data


def lines(data: dict[str, Any]) -> list[str]:
    """The human summary, one line per figure."""
    status = status_text(data["status"], data.get("mip_gap_pct"), capital=False)
    out = [f"Case '{data['case']}': {status}"]
    if data.get("message"):
        out.append(f"  note: {data['message']}")
    if data.get("objective_usd") is None:
        return out
    out.append(f"Objective (discounted margin): {usd(data['objective_usd'])}")
    if data.get("mip_gap_pct") is not None and data["status"] == Status.OPTIMAL:
        mode = data["expansion_mode"]
        out.append(f"  MIP gap {data['mip_gap_pct']:.3g}% ({mode} expansion mode)")
    out.append(
        "Sb produced: "
        + ", ".join(f"{p} {tonnes_figure(v)}" for p, v in data["sb_produced_t"].items())
    )
    shipped = {r: v for r, v in data["ore_shipped_t"].items() if v}
    out.append(
        "Ore shipped: "
        + (", ".join(f"{r} {tonnes_figure(v)}" for r, v in shipped.items()) or "none")
    )
    if data["expansions"]:
        for b in data["expansions"]:
            out.append(
                f"Expansion built: {b['project']} at {project_site(b['smelter'], b['source'])}, "
                f"+{b['added_t_per_month']:,.1f} t/month, started {b['start_month']}, "
                f"online {b['online_month']}, capex {usd(b['capex_usd'])} "
                f"(grant {usd(b['grant_paid_usd'])})"
            )
    else:
        out.append("Expansion built: none")
    used = data["grant_used_usd"]
    out.append("Grant used: " + (", ".join(f"{g} {usd(v)}" for g, v in used.items()) or "none"))
    out.append(
        f"Contract shortfall: {tonnes_figure(data['shortfall_t_sb'])} Sb"
        + (f" (penalty {usd(data['shortfall_penalty_usd'])})" if data["shortfall_t_sb"] else "")
    )
    return out
