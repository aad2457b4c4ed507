"""The scenario comparison as one JSON object (``scenarios --json``) or as terminal lines."""

from __future__ import annotations

from typing import Any

from optimizer.planner_words import usd
from optimizer.report.console import json_number, stage_json
from optimizer.scenarios.comparison import Comparison, delta, net_changes
from optimizer.scenarios.sweep import DOMESTIC_SHARE, SweepRow


def as_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as one JSON-ready object (key figures and deltas of every run)."""
    base = comparison.base
    runs = []
    for r in comparison.records:
        diff, pct = delta(r.objective_usd, base.objective_usd)
        runs.append(
            {
                "scenario": r.scenario,
                "status": r.status,
                "message": r.message,
                "objective_usd": json_number(r.objective_usd),
                "delta_objective_usd": json_number(diff),
                "delta_objective_pct": json_number(pct),
                "sb_produced_t": {k: json_number(v) for k, v in r.sb_t.items()},
                "ore_allocated_t": {k: json_number(v) for k, v in r.allocated_t.items()},
                "alaska_ore_shipped_t": json_number(r.alaska_shipped_t),
                "utilization_pct": {k: json_number(v) for k, v in r.utilization_pct.items()},
                "grant_used_usd": {k: json_number(v) for k, v in r.grant_used_usd.items()},
                "expansions": [stage_json(b) for b in r.stages],
                "shortfall_t_sb": json_number(r.shortfall_t_sb),
                "cells_changed": len(net_changes(r.changes)),
                "solved_by": r.method,
                "seconds": round(r.seconds, 4),
                "report": r.report,
            }
        )
    data: dict[str, Any] = {"case": comparison.case.settings.case_name, "runs": runs}
    if comparison.sweep is not None:
        data["sweep"] = [row.as_json() for row in comparison.sweep]
    return data


def summary_lines(comparison: Comparison) -> list[str]:
    """One line per run (objective and change vs the base), then what each sweep level costs."""
    base = comparison.base
    width = max(len(r.label) for r in comparison.records)
    out = []
    for r in comparison.records:
        diff, pct = delta(r.objective_usd, base.objective_usd)
        change = (
            ""
            if r.scenario is None or diff is None
            else (
                f"  {'+' if diff >= 0 else '−'}{usd(abs(diff))}"
                + (f" ({pct:+.2f}%)".replace("-", "−") if pct is not None else "")
            )
        )
        out.append(f"{r.label:<{width}}  {r.status:<11} {usd(r.objective_usd):>16}{change}")
    out += sweep_lines(comparison.sweep or [])
    return out


def sweep_lines(rows: list[SweepRow]) -> list[str]:
    """What each level of a sweep costs, one line per level (delays: from delay 1)."""
    out = []
    previous = 0
    for row in rows:
        if row.kind == DOMESTIC_SHARE:
            head = f"domestic share ≥ {row.level:>3}% at every smelter:"
            if row.objective_usd is None:
                out.append(f"{head} {row.status}")
            elif row.loss_usd is not None and row.step_cost_usd is not None:
                step = "from the base case" if row is rows[0] else f"from {previous}%"
                out.append(
                    f"{head} {usd(row.loss_usd)} below the base case; the step {step} costs "
                    f"{usd(row.step_cost_usd)}"
                )
        elif row.level and row.step_cost_usd is not None:
            months = (
                f"month {row.level} of delay costs"
                if row.level == previous + 1
                else f"months {previous + 1}–{row.level} of delay cost, each,"
            )
            out.append(
                f"grant award {row.level:>3} month(s) late: "
                f"{usd(row.loss_usd)} below on time; {months} "
                f"{usd(row.step_cost_usd)}"
            )
        previous = row.level
    return out
