"""Compare two plans of the same start month (``ore-optimizer compare``): what changed in the
inputs, in the key figures and in the next three months' actions, and which groups of input
changes moved the margin by how much (exact Shapley values, :mod:`optimizer.cycle.shapley`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from optimizer.case import Case
from optimizer.cycle.diff import CellDiff, changed_cells
from optimizer.cycle.groups import changed_groups
from optimizer.cycle.shapley import Attribution, attribute
from optimizer.errors import UsageError
from optimizer.inputs.rawbook import RawBook
from optimizer.report.actions import plan_actions
from optimizer.solve.kpis import CASHFLOW_HEADERS, key_figures
from optimizer.solve.results import Results
from optimizer.solve.run import solve_case


@dataclass
class Comparison:
    """Everything ``compare`` reports. ``figures``: key figure -> (old, new); ``actions``:
    the next three months' actions of each plan (a ``plan`` column says which)."""

    old_name: str
    new_name: str
    start_month: str
    cells: list[CellDiff]
    figures: dict[str, tuple[float | None, float | None]]
    actions: pd.DataFrame
    attribution: Attribution
    old_margin_usd: float | None = None
    new_margin_usd: float | None = None
    timings_s: dict[str, float] = field(default_factory=dict)


def check_comparable(
    old: Case, new: Case, names: tuple[str, str] = ("OLD.xlsx", "NEW.xlsx")
) -> None:
    """Two cases compare only from the same start month and horizon (usage error else);
    ``names``: their workbooks, for the message."""
    a, b = old.settings, new.settings
    if a.start_month != b.start_month:
        older, newer = (
            (names[0], b.start_month)
            if a.start_month < b.start_month
            else (names[1], a.start_month)
        )
        raise UsageError(
            f"the cases start in different months ({names[0]}: {a.start_month}, {names[1]}: "
            f"{b.start_month}): roll the older one first — 'ore-optimizer roll {older} --to "
            f"{newer} -o ROLLED.xlsx' — then compare ROLLED.xlsx with the other"
        )
    if a.horizon_months != b.horizon_months:
        raise UsageError(
            f"the cases plan different horizons ({a.horizon_months} vs {b.horizon_months} "
            "months): set horizon_months the same in both"
        )


def compare(
    old_raw: RawBook, old: Case, new_raw: RawBook, new: Case, *, jobs: int = 1
) -> Comparison:
    """The comparison of two comparable cases (see :func:`check_comparable`)."""
    check_comparable(old, new)
    tick = time.perf_counter()
    old_plan, new_plan = solve_case(old), solve_case(new)
    solved = time.perf_counter()
    groups = changed_groups(old, new)
    attribution = attribute(old, new, groups, jobs=jobs)
    attributed = time.perf_counter()
    actions = pd.concat(
        [
            plan_actions(old_plan, old).assign(plan="old"),
            plan_actions(new_plan, new).assign(plan="new"),
        ],
        ignore_index=True,
    )
    return Comparison(
        old_raw.source,
        new_raw.source,
        old.settings.start_month,
        changed_cells(old_raw, new_raw),
        _figures(old_plan, old, new_plan, new),
        actions,
        attribution,
        old_plan.objective_usd if old_plan.has_solution else None,
        new_plan.objective_usd if new_plan.has_solution else None,
        {
            "solve_old_new": solved - tick,
            "attribution": attributed - solved,
        },
    )


def _figures(
    old_plan: Results, old: Case, new_plan: Results, new: Case
) -> dict[str, tuple[float | None, float | None]]:
    a, b = _flat(old_plan, old), _flat(new_plan, new)
    return {k: (a.get(k), b.get(k)) for k in list(a) + [k for k in b if k not in a]}


def _flat(results: Results, case: Case) -> dict[str, float | None]:
    """Every key figure of a plan by a label with its unit (empty without a plan)."""
    if not results.has_solution:
        return {}
    k = key_figures(results, case)
    out: dict[str, float | None] = {
        "Discounted margin (USD)": results.objective_usd,
        "Net cash, nominal (USD)": k.net_usd[0],
        "Sb produced, total (t Sb)": k.sb_total_t,
    }
    out |= {f"Sb produced at {p} (t Sb)": v for p, v in k.sb_t.items()}
    out |= {f"Ore fed at {p} (t)": v for p, v in k.fed_t.items()}
    out |= {f"Utilization of {p} (%)": k.utilization_pct(p) for p in k.fed_t}
    out |= {
        "Alaska ore mined (t)": k.alaska_mined_t,
        "Alaska ore shipped (t)": k.alaska_shipped_t,
        "Ore bought (t)": k.bought_t,
        "Domestic share of feed (%)": k.domestic_share_pct,
    }
    out |= {f"Shipped on {r} (t)": v for r, v in k.shipped_t.items()}
    out |= {f"Grant {g} used (USD)": v for g, v in k.grant_used_usd.items()}
    out |= {f"Capacity built by {e} (t/month)": v for e, v in k.built_t_per_month.items()}
    out |= {
        "Delivered to contracts (t Sb)": k.delivered_t_sb,
        "Contract shortfall (t Sb)": k.shortfall_t_sb,
    }
    out |= {CASHFLOW_HEADERS[line]: v[0] for line, v in k.money_usd.items()}
    return out
