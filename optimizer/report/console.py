"""The short solve summary: key figures from Results, as text lines or one JSON object.

Both forms carry the same figures — status, objective, Sb produced per smelter, ore shipped
per route, expansion built, grant used, contract shortfall — so a planner reading the
terminal and a scheduler reading ``--json`` see the same plan.
"""

from __future__ import annotations

import math
from typing import Any

from optimizer.planner_words import usd
from optimizer.solve.results import Results

STATUS_WORDS = {
    "optimal": "optimal",
    "feasible": "feasible, not proven optimal (time limit reached)",
    "infeasible": "infeasible: no plan meets every constraint",
    "unbounded": "unbounded",
    "no_solution": "no solution found",
}


def _num(x: Any) -> float | None:
    """A JSON-safe float (None for NaN / missing)."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else round(x, 6)


def _totals(df, key: str, column: str) -> dict[str, float]:
    if df.empty:
        return {}
    sums = df.groupby(key, sort=False)[column].sum()
    return {str(k): _num(v) for k, v in sums.items()}


def figures(results: Results) -> dict[str, Any]:
    """Key figures of a solve (empty figures when there is no solution)."""
    data: dict[str, Any] = {
        "case": results.case_name,
        "status": results.status,
        "objective_usd": _num(results.objective_usd),
        "best_bound_usd": _num(results.best_bound_usd),
        "mip_gap_pct": _num(results.mip_gap_pct),
        "expansion_mode": results.expansion_mode,
        "message": results.message,
    }
    if not results.has_solution:
        return data
    builds = results.builds
    contracts = results.contracts
    data.update(
        {
            "sb_produced_t": _totals(results.smelters, "smelter", "sb_t"),
            "ore_fed_t": _totals(results.smelters, "smelter", "feed_t"),
            "ore_shipped_t": _totals(results.flows, "route", "dispatched_t"),
            "expansions": [
                {
                    "project": r.project,
                    "smelter": r.smelter,
                    "start_month": r.month,
                    "online_month": r.online_month,
                    "added_t_per_month": _num(r.added_t_per_month),
                    "capex_usd": _num(r.capex_usd),
                    "grant_paid_usd": _num(r.grant_paid_usd),
                    "company_paid_usd": _num(r.company_paid_usd),
                }
                for r in builds.itertuples()
            ],
            "grant_used_usd": _totals(results.grant_use, "grant", "paid_usd"),
            "shortfall_t_sb": _num(contracts["shortfall_t"].sum()) if not contracts.empty else 0.0,
            "shortfall_penalty_usd": (
                _num(contracts["penalty_usd"].sum()) if not contracts.empty else 0.0
            ),
        }
    )
    return data


def _t(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f} t"


def lines(data: dict[str, Any]) -> list[str]:
    """The human summary, one line per figure."""
    status = STATUS_WORDS.get(data["status"], data["status"])
    if data.get("mip_gap_pct") is not None and data["status"] != "optimal":
        status += f", gap {data['mip_gap_pct']:.3g}%"
    out = [f"Case '{data['case']}': {status}"]
    if data.get("message"):
        out.append(f"  note: {data['message']}")
    if data.get("objective_usd") is None:
        return out
    out.append(f"Objective (discounted margin): {usd(data['objective_usd'])}")
    if data.get("mip_gap_pct") is not None and data["status"] == "optimal":
        out.append(f"  MIP gap {data['mip_gap_pct']:.3g}% (lumpy expansion mode)")
    out.append(
        "Sb produced: " + ", ".join(f"{p} {_t(v)}" for p, v in data["sb_produced_t"].items())
    )
    shipped = {r: v for r, v in data["ore_shipped_t"].items() if v}
    out.append("Ore shipped: " + (", ".join(f"{r} {_t(v)}" for r, v in shipped.items()) or "none"))
    if data["expansions"]:
        for b in data["expansions"]:
            out.append(
                f"Expansion built: {b['project']} at {b['smelter']}, +{b['added_t_per_month']:,.1f}"
                f" t/month, started {b['start_month']}, online {b['online_month']}, capex "
                f"{usd(b['capex_usd'])} (grant {usd(b['grant_paid_usd'])})"
            )
    else:
        out.append("Expansion built: none")
    used = data["grant_used_usd"]
    out.append("Grant used: " + (", ".join(f"{g} {usd(v)}" for g, v in used.items()) or "none"))
    out.append(
        f"Contract shortfall: {_t(data['shortfall_t_sb'])} Sb"
        + (f" (penalty {usd(data['shortfall_penalty_usd'])})" if data["shortfall_t_sb"] else "")
    )
    return out
