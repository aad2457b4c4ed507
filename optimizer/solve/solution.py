"""Primal solution → the plain DataFrames of :class:`optimizer.solve.results.Results`.

Reads variable values off a solved model (money back from k$ to USD, values below 1e-9
zeroed as solver noise) and lays them out in the column contract documented in
:mod:`optimizer.solve.results`. Nothing downstream of this module sees Pyomo.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd
import pyomo.core as pyo

from optimizer.case import month_label
from optimizer.model.build import BuiltModel
from optimizer.model.lookup import MONEY_SCALE_USD
from optimizer.solve.duals import NOISE
from optimizer.solve.kpis import CASHFLOW_LINES
from optimizer.solve.stages import BUILD_COLUMNS, GRANT_USE_COLUMNS, PAYMENT_COLUMNS, stages

FLOW_COLUMNS = [
    "route",
    "source",
    "smelter",
    "mode",
    "month",
    "arrival_month",
    "dispatched_t",
    "cost_usd",
]
SOURCE_COLUMNS = [
    "source",
    "month",
    "mined_t",
    "shipped_t",
    "stock_t",
    "stockpile_capacity_t",
    "supply_min_t",
    "supply_max_t",
    "expansion_online_t",
    "cost_usd",
    "holding_usd",
]
YARD_COLUMNS = ["smelter", "source", "month", "arrivals_t", "in_transit_t", "feed_t", "stock_t"]
SMELTER_COLUMNS = [
    "smelter",
    "month",
    "feed_t",
    "base_capacity_t",
    "availability_pct",
    "expansion_online_t",
    "capacity_t",
    "min_feed_t",
    "utilization_pct",
    "feed_grade_pct",
    "feed_arsenic_pct",
    "domestic_share_pct",
    "sb_t",
    "spot_sb_t",
    "contract_sb_t",
    "yard_stock_t",
    "yard_capacity_t",
    "processing_usd",
    "holding_usd",
    "spot_price_usd_per_t_sb",
    "spot_revenue_usd",
]
CONTRACT_COLUMNS = [
    "contract",
    "smelter",
    "month",
    "min_t",
    "max_t",
    "delivered_t",
    "shortfall_t",
    "price_usd_per_t_sb",
    "revenue_usd",
    "penalty_usd",
]
DELIVERY_COLUMNS = ["contract", "smelter", "month", "delivered_t"]
CASHFLOW_COLUMNS = ["month", "discount_factor", *CASHFLOW_LINES, "net_usd", "discounted_net_usd"]


def _clean(x: float | None) -> float:
    return 0.0 if x is None or abs(x) < NOISE else float(x)


def values(var: pyo.Var) -> dict:
    """Index → cleaned value of every member of ``var`` (0 when absent)."""
    return {idx: _clean(v.value) for idx, v in var.items()}


def _ratio(num: float, den: float, scale: float = 1.0) -> float:
    return scale * num / den if den > NOISE else math.nan


def tables(built: BuiltModel) -> dict[str, pd.DataFrame]:
    """Every primal table of Results, keyed by its attribute name."""
    m, case, lk = built.model, built.case, built.lookup
    months, H = case.months, lk.horizon
    mined, src_stock = values(m.Mined_t), values(m.Source_Stock_t)
    ship, feed, yard = values(m.Ship_t), values(m.Feed_t), values(m.Yard_Stock_t)
    spot, delivered = values(m.Spot_Sb_t), values(m.Delivered_Sb_t)
    shortfall, build = values(m.Shortfall_Sb_t), values(m.Build_t_per_month)
    started = values(m.Start) if lk.lumpy else {}
    paid = {k: v * MONEY_SCALE_USD for k, v in values(m.Grant_Paid_kusd).items()}
    cash = {line: [0.0] * H for line in CASHFLOW_LINES}
    staged = stages(built, build, started, paid)
    online = staged.online
    for t in range(H):
        cash["capex_usd"][t] += staged.capex_usd.get(t, 0.0)
        cash["grant_usd"][t] += staged.grant_usd.get(t, 0.0)

    flows, shipped = [], defaultdict(float)
    arrived: dict[tuple[str, str, int], float] = defaultdict(float)
    for (r, t), q in ship.items():
        route = case.routes[r]
        cost = q * route.cost_usd_per_t
        shipped[(route.source, t)] += q
        arrived[(route.source, route.smelter, t + route.transit_months)] += q
        cash["shipping_usd"][t] += cost
        flows.append(
            (
                r,
                route.source,
                route.smelter,
                route.mode,
                months[t],
                month_label(case.settings.start_month, t + route.transit_months),
                q,
                cost,
            )
        )

    sources = []
    for (s, t), q in mined.items():
        src = case.sources[s]
        cost = q * case.ore_cost_usd_per_t(s, t)
        holding = src_stock[s, t] * src.holding_cost_usd_per_t_month
        cash["ore_cost_usd"][t] += cost
        cash["holding_usd"][t] += holding
        sources.append(
            (
                s,
                months[t],
                q,
                shipped[(s, t)],
                src_stock[s, t],
                src.stockpile_capacity_t,
                src.supply_min_t[t],
                src.supply_max_t[t],
                online[(s, t)] if src.supply_max_t[t] > 0 else 0.0,
                cost,
                holding,
            )
        )

    for key, q in lk.in_transit_t.items():
        arrived[key] += q
    yard_rows = [
        (
            p,
            s,
            months[t],
            arrived[(s, p, t)],
            lk.in_transit_t.get((s, p, t), 0.0),
            feed[s, p, t],
            yard[s, p, t],
        )
        for s, p, t in m.PAIR_MONTHS
    ]

    contract_sb: dict[tuple[str, int], float] = defaultdict(float)
    for (k, p, t), q in delivered.items():
        contract_sb[(p, t)] += q
        cash["contract_revenue_usd"][t] += q * case.contracts[k].price_usd_per_t_sb
    contracts = []
    penalty_rate = case.settings.shortfall_penalty_usd_per_t_sb
    for k, t in lk.contract_months:
        c = case.contracts[k]
        total = sum(delivered[k, p, t] for p in lk.contract_smelters[k])
        short = shortfall.get((k, t), 0.0)
        cash["shortfall_penalty_usd"][t] += short * penalty_rate
        contracts.append(
            (
                k,
                c.smelter,
                months[t],
                c.min_t_sb_per_month,
                c.max_t_sb_per_month,
                total,
                short,
                c.price_usd_per_t_sb,
                total * c.price_usd_per_t_sb,
                short * penalty_rate,
            )
        )
    deliveries = [(k, p, months[t], q) for (k, p, t), q in delivered.items()]

    smelters = []
    for p, t in m.SMELTER_MONTHS:
        sm = case.smelters[p]
        origins = lk.origins_at.get(p, ())
        fed = sum(feed[s, p, t] for s in origins)
        grade = sum(feed[s, p, t] * case.sources[s].grade_pct_sb for s in origins)
        arsenic = sum(feed[s, p, t] * case.sources[s].arsenic_pct for s in origins)
        domestic = sum(feed[s, p, t] for s in origins if case.sources[s].domestic)
        stock = sum(yard[s, p, t] for s in origins)
        base = sm.base_capacity_t_per_month * sm.availability_pct[t] / 100.0
        capacity = base + online[(p, t)]
        sb = _clean(grade * sm.recovery_pct / 1e4)
        processing = fed * sm.processing_cost_usd_per_t
        holding = stock * sm.holding_cost_usd_per_t_month
        revenue = spot[p, t] * sm.prices_usd_per_t_sb[t]
        cash["processing_usd"][t] += processing
        cash["holding_usd"][t] += holding
        cash["spot_revenue_usd"][t] += revenue
        smelters.append(
            (
                p,
                months[t],
                fed,
                sm.base_capacity_t_per_month,
                sm.availability_pct[t],
                online[(p, t)],
                capacity,
                sm.min_feed_t_per_month,
                _ratio(fed, capacity, 100.0),
                _ratio(grade, fed),
                _ratio(arsenic, fed),
                _ratio(domestic, fed, 100.0),
                sb,
                spot[p, t],
                contract_sb[(p, t)],
                stock,
                sm.stockpile_capacity_t,
                processing,
                holding,
                sm.prices_usd_per_t_sb[t],
                revenue,
            )
        )

    cashflow = []
    for t in range(H):
        line = {k: _clean(v[t]) for k, v in cash.items()}
        line["company_capex_usd"] = _clean(line["capex_usd"] - line["grant_usd"])
        net = (
            line["spot_revenue_usd"]
            + line["contract_revenue_usd"]
            - line["ore_cost_usd"]
            - line["shipping_usd"]
            - line["processing_usd"]
            - line["holding_usd"]
            - line["company_capex_usd"]
            - line["shortfall_penalty_usd"]
        )
        d = lk.discount[t]
        cashflow.append((months[t], d, *(line[k] for k in CASHFLOW_LINES), net, net * d))

    return {
        "flows": pd.DataFrame(flows, columns=FLOW_COLUMNS),
        "sources": pd.DataFrame(sources, columns=SOURCE_COLUMNS),
        "yard": pd.DataFrame(yard_rows, columns=YARD_COLUMNS),
        "smelters": pd.DataFrame(smelters, columns=SMELTER_COLUMNS),
        "builds": pd.DataFrame(staged.builds, columns=BUILD_COLUMNS),
        "payments": pd.DataFrame(staged.payments, columns=PAYMENT_COLUMNS),
        "grant_use": pd.DataFrame(staged.grant_use, columns=GRANT_USE_COLUMNS),
        "contracts": pd.DataFrame(contracts, columns=CONTRACT_COLUMNS),
        "contract_deliveries": pd.DataFrame(deliveries, columns=DELIVERY_COLUMNS),
        "cashflow": pd.DataFrame(cashflow, columns=CASHFLOW_COLUMNS),
    }
