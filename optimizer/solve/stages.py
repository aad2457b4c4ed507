"""Expansion stages of a solved model: one row per construction start, its capex payments and
the grant money paid on each.

A stage is a start of a project: a decided start month with a build, or a committed project's
start (possibly before the horizon). Continuous mode may build one project in several stages;
each is its own row, never merged. Money is in USD, undiscounted; only payments inside the
horizon appear (a committed project's earlier payments are sunk).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyomo.core as pyo

from optimizer.case import month_label
from optimizer.model.build import BuiltModel
from optimizer.model.lookup import MONEY_SCALE_USD

BUILD_COLUMNS = [
    "project",
    "smelter",
    "source",
    "month",
    "online_month",
    "added_t_per_month",
    "capex_usd",
    "grant_paid_usd",
    "company_paid_usd",
    "committed",
    "capex_months",
]
PAYMENT_COLUMNS = ["project", "start_month", "month", "capex_usd", "grant_usd", "company_usd"]
GRANT_USE_COLUMNS = ["grant", "project", "start_month", "month", "paid_usd"]


@dataclass
class Stages:
    """The rows of ``Results.builds``, ``payments`` and ``grant_use``, the expansion capacity
    online at each (smelter or source, month), and capex and grant money by payment month."""

    builds: list[tuple] = field(default_factory=list)
    payments: list[tuple] = field(default_factory=list)
    grant_use: list[tuple] = field(default_factory=list)
    online: dict[tuple[str, int], float] = field(default_factory=lambda: defaultdict(float))
    capex_usd: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    grant_usd: dict[int, float] = field(default_factory=lambda: defaultdict(float))


def stages(
    built: BuiltModel,
    build: dict[tuple[str, int], float],
    started: dict[tuple[str, int], float],
    paid: dict[tuple[str, str, int, int], float],
) -> Stages:
    """Every stage of the plan from the cleaned values of ``Build_t_per_month`` (``build``),
    ``Start`` (``started``, empty in continuous mode) and grant money in USD (``paid``)."""
    m, case, lk = built.model, built.case, built.lookup
    H, start_month = lk.horizon, case.settings.start_month
    out = Stages()
    for e, x in case.expansions.items():
        if e in lk.committed:
            chosen = [(lk.committed[e], x.max_added_t_per_month)]
        else:
            chosen = [
                (t, build[e, t])
                for t in lk.builds_of.get(e, ())
                if build[e, t] > 0 or started.get((e, t), 0.0) >= 0.5
            ]
        for s, size in chosen:
            go_live = s + x.lead_time_months
            for u in range(max(go_live, 0), H):
                out.online[(x.site, u)] += size
            total_capex = total_grant = 0.0
            for u in x.payment_months(s):
                if not 0 <= u < H:
                    continue
                capex = pyo.value(m.Payment_kusd[e, s, u]) * MONEY_SCALE_USD
                grant = 0.0
                for g in lk.grants_for.get((e, s, u), ()):
                    money = paid.get((g, e, s, u), 0.0)
                    if money > 0:
                        out.grant_use.append(
                            (g, e, month_label(start_month, s), case.months[u], money)
                        )
                    grant += money
                out.payments.append(
                    (e, month_label(start_month, s), case.months[u], capex, grant, capex - grant)
                )
                out.capex_usd[u] += capex
                out.grant_usd[u] += grant
                total_capex += capex
                total_grant += grant
            out.builds.append(
                (
                    e,
                    x.smelter or "",
                    x.source or "",
                    month_label(start_month, s),
                    month_label(start_month, go_live),
                    size,
                    total_capex,
                    total_grant,
                    total_capex - total_grant,
                    e in lk.committed,
                    x.capex_months,
                )
            )
    return out
