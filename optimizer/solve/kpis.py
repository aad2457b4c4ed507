"""The key figures of a solve, computed once from its :class:`Results` and :class:`Case`.

The console summary and ``--json`` (:mod:`optimizer.report.console`), the report's Summary
sheet (:mod:`optimizer.report.summary`) and the scenario records the comparison shows
(:mod:`optimizer.scenarios.run`) all read these, so every output states the same figure the
same way. Each figure is a plain sum or ratio of the Results tables; ratios whose
denominator is zero are None.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from optimizer.case import Case
from optimizer.solve.results import Results

CASHFLOW_HEADERS = {
    "spot_revenue_usd": "Spot revenue (USD)",
    "contract_revenue_usd": "Contract revenue (USD)",
    "ore_cost_usd": "Ore cost (USD)",
    "shipping_usd": "Shipping (USD)",
    "processing_usd": "Processing (USD)",
    "holding_usd": "Holding (USD)",
    "capex_usd": "Capex (USD)",
    "grant_usd": "Grant money (USD)",
    "company_capex_usd": "Company-paid capex (USD)",
    "shortfall_penalty_usd": "Shortfall penalty (USD)",
}
"""Cash-flow line (Results ``cashflow`` column) -> its header in the report. Capex and grant
money are shown for information; the objective counts the company-paid part (capex − grant)."""

CASHFLOW_LINES = list(CASHFLOW_HEADERS)


@dataclass(frozen=True)
class Build:
    """One expansion stage of the plan (a row of Results ``builds``): its capex and grant
    money by payment month in ``payments`` (month, capex_usd, grant_usd)."""

    project: str
    smelter: str
    start_month: str
    online_month: str
    added_t_per_month: float
    capex_usd: float
    grant_paid_usd: float
    company_paid_usd: float
    source: str = ""
    committed: bool = False
    payments: tuple[tuple[str, float, float], ...] = ()


@dataclass(frozen=True)
class KeyFigures:
    """Totals over the horizon. Per-id dicts hold the ids the Results table has rows for,
    in its order; read them with ``.get(id, 0.0)`` to cover every id of the case."""

    sb_t: dict[str, float]  # Sb produced, per smelter
    sb_total_t: float
    fed_t: dict[str, float]  # ore fed, per smelter
    capacity_t: dict[str, float]  # capacity over the horizon, per smelter
    shipped_t: dict[str, float]  # ore dispatched, per route
    allocation_t: dict[str, tuple[float, ...]]  # ore dispatched to each smelter, per month
    alaska_mined_t: float  # own claims (Sources kind = mine)
    alaska_shipped_t: float
    bought_t: float  # mined at third-party sources
    domestic_share_pct: float | None  # of all smelter feed
    grant_used_usd: dict[str, float]  # per grant that paid money
    builds: tuple[Build, ...]
    built_t_per_month: dict[str, float]  # capacity added, per project that built
    delivered_t_sb: float
    shortfall_t_sb: float
    shortfall_penalty_usd: float
    money_usd: dict[str, tuple[float, float]]  # cash-flow line -> (nominal, discounted)
    net_usd: tuple[float, float]  # (nominal, discounted); discounted = the objective

    def utilization_pct(self, smelter: str) -> float | None:
        """Ore fed as a share of capacity over the horizon."""
        return _ratio_pct(self.fed_t.get(smelter, 0.0), self.capacity_t.get(smelter, 0.0))


def _sum(df: pd.DataFrame, column: str, mask: pd.Series | None = None) -> float:
    if df.empty or column not in df:
        return 0.0
    values = df[column] if mask is None else df.loc[mask, column]
    return float(values.sum())


def _by(df: pd.DataFrame, key: str, column: str) -> dict[str, float]:
    if df.empty:
        return {}
    return {str(k): _sum(df, column, df[key] == k) for k in pd.unique(df[key])}


def _ratio_pct(num: float, den: float) -> float | None:
    return 100.0 * num / den if den > 0 else None


def _allocation(results: Results, case: Case) -> dict[str, tuple[float, ...]]:
    flows = results.flows
    if flows.empty:
        return {p: (0.0,) * len(case.months) for p in case.smelters}
    by_month = flows.groupby(["smelter", "month"])["dispatched_t"].sum()
    return {p: tuple(float(by_month.get((p, m), 0.0)) for m in case.months) for p in case.smelters}


def _money(cf: pd.DataFrame) -> dict[str, tuple[float, float]]:
    factor = cf["discount_factor"] if not cf.empty else None
    return {
        key: (_sum(cf, key), float((cf[key] * factor).sum()) if factor is not None else 0.0)
        for key in CASHFLOW_LINES
    }


def _stages(results: Results) -> tuple[Build, ...]:
    """Every expansion stage with its payments (none merged)."""
    paid: dict[tuple[str, str], list[tuple[str, float, float]]] = defaultdict(list)
    pays = results.payments
    if pays is not None and not pays.empty:
        for r in pays.itertuples():
            paid[(r.project, r.start_month)].append((r.month, r.capex_usd, r.grant_usd))
    return tuple(
        Build(
            r.project,
            r.smelter,
            r.month,
            r.online_month,
            r.added_t_per_month,
            r.capex_usd,
            r.grant_paid_usd,
            r.company_paid_usd,
            getattr(r, "source", ""),
            bool(getattr(r, "committed", False)),
            tuple(paid.get((r.project, r.month), ())),
        )
        for r in results.builds.itertuples()
    )


def key_figures(results: Results, case: Case) -> KeyFigures:
    """The key figures of a solve that has a solution."""
    sm, src, yard, builds = results.smelters, results.sources, results.yard, results.builds
    mines = [s for s, v in case.sources.items() if v.kind == "mine"]
    own = src["source"].isin(mines) if not src.empty else None
    domestic = [s for s, v in case.sources.items() if v.domestic]
    home = yard["source"].isin(domestic) if not yard.empty else None
    ct, cf = results.contracts, results.cashflow
    return KeyFigures(
        sb_t=_by(sm, "smelter", "sb_t"),
        sb_total_t=_sum(sm, "sb_t"),
        fed_t=_by(sm, "smelter", "feed_t"),
        capacity_t=_by(sm, "smelter", "capacity_t"),
        shipped_t=_by(results.flows, "route", "dispatched_t"),
        allocation_t=_allocation(results, case),
        alaska_mined_t=_sum(src, "mined_t", own),
        alaska_shipped_t=_sum(src, "shipped_t", own),
        bought_t=_sum(src, "mined_t", ~own if own is not None else None),
        domestic_share_pct=_ratio_pct(_sum(yard, "feed_t", home), _sum(yard, "feed_t")),
        grant_used_usd=_by(results.grant_use, "grant", "paid_usd"),
        builds=_stages(results),
        built_t_per_month=_by(builds, "project", "added_t_per_month"),
        delivered_t_sb=_sum(ct, "delivered_t"),
        shortfall_t_sb=_sum(ct, "shortfall_t"),
        shortfall_penalty_usd=_sum(ct, "penalty_usd"),
        money_usd=_money(cf),
        net_usd=(_sum(cf, "net_usd"), _sum(cf, "discounted_net_usd")),
    )
