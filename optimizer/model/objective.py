"""The objective: discounted margin (SPEC §3), in k$."""

from __future__ import annotations

import pyomo.core as pyo

from optimizer.model.constraints import members_of
from optimizer.model.lookup import MONEY_SCALE_USD, Lookup


def add_objective(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Maximize discounted margin (k$).

    ``Discounted_Margin_kusd`` = Σ_t discount_factor[t] / 1000 × [spot revenue + contract
    revenue − ore cost − freight − processing − holding − capex + grant money − shortfall
    penalty], each flow in the month it happens (freight at dispatch, capex and grant money in
    each payment month, holding on every month-end stock). The ore cost per tonne is per
    source and month (:meth:`Case.ore_cost_usd_per_t`: benchmark-priced ore follows the
    benchmark).
    """
    discount = [m.discount_factor[t] for t in m.MONTHS] if lk.mutable else lk.discount
    d = [f / MONEY_SCALE_USD for f in discount]  # discounted k$ per USD
    keep = lk.mutable  # a mutable model keeps zero terms: the data may change
    spot, price = members_of(m.Spot_Sb_t), members_of(m.spot_price_usd_per_t_sb)
    delivered, contract_price = (
        members_of(m.Delivered_Sb_t),
        members_of(m.contract_price_usd_per_t_sb),
    )
    mined, ore_cost = members_of(m.Mined_t), members_of(m.ore_cost_usd_per_t)
    stock, holding = members_of(m.Source_Stock_t), members_of(m.source_holding_usd_per_t_month)
    ship, freight = members_of(m.Ship_t), members_of(m.freight_usd_per_t)
    feed, processing = members_of(m.Feed_t), members_of(m.processing_usd_per_t)
    yard, yard_holding = members_of(m.Yard_Stock_t), members_of(m.yard_holding_usd_per_t_month)
    terms = []
    for (p, t), x in spot.items():
        if keep or price[p, t]:
            terms.append(d[t] * price[p, t] * x)
    for (k, _, t), x in delivered.items():
        if keep or contract_price[k]:
            terms.append(d[t] * contract_price[k] * x)
    for (s, t), x in mined.items():
        if keep or ore_cost[s, t]:
            terms.append(-d[t] * ore_cost[s, t] * x)
    for (s, t), x in stock.items():
        if keep or holding[s]:
            terms.append(-d[t] * holding[s] * x)
    for (r, t), x in ship.items():
        if keep or freight[r]:
            terms.append(-d[t] * freight[r] * x)
    for (_, p, t), x in feed.items():
        if keep or processing[p]:
            terms.append(-d[t] * processing[p] * x)
    for (_, p, t), x in yard.items():
        if keep or yard_holding[p]:
            terms.append(-d[t] * yard_holding[p] * x)
    for e, s, t in m.PAYMENTS:
        terms.append(-discount[t] * m.Payment_kusd[e, s, t])
    terms.extend(discount[t] * m.Grant_Paid_kusd[g, e, s, t] for g, e, s, t in m.GRANT_PAYMENTS)
    penalty = m.shortfall_penalty_usd_per_t_sb if keep else m.shortfall_penalty_usd_per_t_sb.value
    if keep or penalty:
        terms.extend(-d[t] * penalty * x for (_, t), x in members_of(m.Shortfall_Sb_t).items())
    m.Discounted_Margin_kusd = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.maximize)
