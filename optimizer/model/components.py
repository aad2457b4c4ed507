"""Index sets, parameters and decision variables of the allocation model.

Names follow STYLE.md: sets UPPER, parameters snake_case with units, variables Title_Case
with units. In a mutable model (scenario re-solves) every parameter is mutable, so another
case's data can be loaded in place (:func:`optimizer.model.build.update_model`).
"""

from __future__ import annotations

import pyomo.core as pyo

from optimizer.case import Case
from optimizer.model.lookup import MONEY_SCALE_USD, Lookup


def add_sets(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """Index sets (UPPER case), all ordered as in the input."""
    H = lk.horizon
    m.MONTHS = pyo.Set(initialize=range(H), ordered=True)
    m.SOURCES = pyo.Set(initialize=list(case.sources), ordered=True)
    m.SMELTERS = pyo.Set(initialize=list(case.smelters), ordered=True)
    m.ROUTES = pyo.Set(initialize=list(case.routes), ordered=True)
    m.PROJECTS = pyo.Set(initialize=list(case.expansions), ordered=True)
    m.GRANTS = pyo.Set(initialize=list(case.grants), ordered=True)
    m.CONTRACTS = pyo.Set(initialize=list(case.contracts), ordered=True)
    m.SOURCE_MONTHS = pyo.Set(
        initialize=[(s, t) for s in case.sources for t in range(H)], dimen=2, ordered=True
    )
    m.SMELTER_MONTHS = pyo.Set(
        initialize=[(p, t) for p in case.smelters for t in range(H)], dimen=2, ordered=True
    )
    m.ROUTE_MONTHS = pyo.Set(initialize=lk.route_months, dimen=2, ordered=True)
    m.PAIRS = pyo.Set(initialize=lk.pairs, dimen=2, ordered=True)
    m.PAIR_MONTHS = pyo.Set(
        initialize=[(s, p, t) for s, p in lk.pairs for t in range(H)], dimen=3, ordered=True
    )
    m.BUILD_MONTHS = pyo.Set(initialize=lk.build_months, dimen=2, ordered=True)
    m.PAYMENTS = pyo.Set(initialize=lk.payments, dimen=3, ordered=True)
    m.GRANT_PAYMENTS = pyo.Set(initialize=lk.grant_payments, dimen=4, ordered=True)
    m.COMMITTED_PAYMENTS = pyo.Set(
        initialize=list(lk.committed_payment_kusd), dimen=3, ordered=True
    )
    m.CONTRACT_MONTHS = pyo.Set(initialize=lk.contract_months, dimen=2, ordered=True)
    m.SHORTFALL_MONTHS = pyo.Set(initialize=lk.shortfall_months, dimen=2, ordered=True)
    m.DELIVERIES = pyo.Set(initialize=lk.deliveries, dimen=3, ordered=True)


def add_params(m: pyo.ConcreteModel, case: Case, lk: Lookup) -> None:
    """Input data as parameters (snake_case with units); mutable in a mutable model, except
    lead times, which shape the index sets."""
    S, P, R = case.sources, case.smelters, case.routes
    E, G, K = case.expansions, case.grants, case.contracts

    def param(index, values, mutable=lk.mutable):
        return pyo.Param(index, initialize=values, within=pyo.Reals, mutable=mutable)

    m.discount_factor = param(m.MONTHS, dict(enumerate(lk.discount)))
    m.supply_max_t = param(
        m.SOURCE_MONTHS, {(s, t): S[s].supply_max_t[t] for s, t in m.SOURCE_MONTHS}
    )
    m.supply_min_t = param(
        m.SOURCE_MONTHS, {(s, t): S[s].supply_min_t[t] for s, t in m.SOURCE_MONTHS}
    )
    m.ore_cost_usd_per_t = param(
        m.SOURCE_MONTHS, {(s, t): case.ore_cost_usd_per_t(s, t) for s, t in m.SOURCE_MONTHS}
    )
    m.source_stockpile_capacity_t = param(m.SOURCES, {s: S[s].stockpile_capacity_t for s in S})
    m.source_holding_usd_per_t_month = param(
        m.SOURCES, {s: S[s].holding_cost_usd_per_t_month for s in S}
    )
    m.grade_pct_sb = param(m.SOURCES, {s: S[s].grade_pct_sb for s in S})
    m.arsenic_pct = param(m.SOURCES, {s: S[s].arsenic_pct for s in S})
    m.domestic_pct = param(m.SOURCES, {s: 100.0 if S[s].domestic else 0.0 for s in S})
    m.opening_source_t = param(m.SOURCES, {s: lk.opening_source_t.get(s, 0.0) for s in S})
    m.opening_yard_t = param(m.PAIRS, {sp: lk.opening_yard_t.get(sp, 0.0) for sp in lk.pairs})

    m.route_capacity_t = param(
        m.ROUTE_MONTHS,
        {
            (r, t): R[r].capacity_t_per_month * R[r].availability_pct[t] / 100.0
            for r, t in lk.route_months
        },
    )
    m.freight_usd_per_t = param(m.ROUTES, {r: R[r].cost_usd_per_t for r in R})

    m.base_capacity_t = param(
        m.SMELTER_MONTHS,
        {
            (p, t): P[p].base_capacity_t_per_month * P[p].availability_pct[t] / 100.0
            for p, t in m.SMELTER_MONTHS
        },
    )
    m.processing_usd_per_t = param(m.SMELTERS, {p: P[p].processing_cost_usd_per_t for p in P})
    m.recovery_pct = param(m.SMELTERS, {p: P[p].recovery_pct for p in P})
    m.min_feed_grade_pct = param(m.SMELTERS, {p: P[p].min_feed_grade_pct for p in P})
    limited = [p for p in P if P[p].max_feed_arsenic_pct is not None]
    m.max_feed_arsenic_pct = param(limited, {p: P[p].max_feed_arsenic_pct for p in limited})
    m.min_domestic_share_pct = param(m.SMELTERS, {p: P[p].min_domestic_share_pct for p in P})
    m.min_feed_t = param(m.SMELTERS, {p: P[p].min_feed_t_per_month for p in P})
    m.yard_capacity_t = param(m.SMELTERS, {p: P[p].stockpile_capacity_t for p in P})
    m.yard_holding_usd_per_t_month = param(
        m.SMELTERS, {p: P[p].holding_cost_usd_per_t_month for p in P}
    )
    m.spot_price_usd_per_t_sb = param(
        m.SMELTER_MONTHS, {(p, t): P[p].prices_usd_per_t_sb[t] for p, t in m.SMELTER_MONTHS}
    )

    m.max_added_t_per_month = param(m.PROJECTS, {e: E[e].max_added_t_per_month for e in E})
    m.min_added_t_per_month = param(m.PROJECTS, {e: E[e].min_added_t_per_month for e in E})
    m.capex_usd_per_t_per_month = param(m.PROJECTS, {e: E[e].capex_usd_per_t_per_month for e in E})
    m.fixed_capex_usd = param(m.PROJECTS, {e: E[e].fixed_capex_usd for e in E})
    m.lead_time_months = param(m.PROJECTS, {e: E[e].lead_time_months for e in E}, mutable=False)
    m.capex_months = param(m.PROJECTS, {e: E[e].capex_months for e in E}, mutable=False)

    m.grant_amount_usd = param(m.GRANTS, {g: G[g].amount_usd for g in G})
    m.grant_max_share_pct = param(m.GRANTS, {g: G[g].max_share_pct for g in G})
    m.grant_open = param(
        m.GRANT_PAYMENTS,
        {(g, e, t, u): 1.0 if t >= G[g].award else 0.0 for g, e, t, u in lk.grant_payments},
    )

    m.contract_min_t_sb = param(m.CONTRACTS, {k: K[k].min_t_sb_per_month for k in K})
    m.contract_max_t_sb = param(m.CONTRACTS, {k: K[k].max_t_sb_per_month for k in K})
    m.contract_price_usd_per_t_sb = param(m.CONTRACTS, {k: K[k].price_usd_per_t_sb for k in K})
    m.shortfall_penalty_usd_per_t_sb = pyo.Param(
        initialize=case.settings.shortfall_penalty_usd_per_t_sb,
        within=pyo.Reals,
        mutable=lk.mutable,
    )


def add_variables(m: pyo.ConcreteModel, lk: Lookup) -> None:
    """Decisions (Title_Case with units), all ≥ 0; ``Start`` is binary in single and lumpy
    modes only."""
    nonneg = pyo.NonNegativeReals
    m.Mined_t = pyo.Var(m.SOURCE_MONTHS, within=nonneg)
    m.Source_Stock_t = pyo.Var(m.SOURCE_MONTHS, within=nonneg)
    m.Ship_t = pyo.Var(m.ROUTE_MONTHS, within=nonneg)
    m.Feed_t = pyo.Var(m.PAIR_MONTHS, within=nonneg)
    m.Yard_Stock_t = pyo.Var(m.PAIR_MONTHS, within=nonneg)
    m.Spot_Sb_t = pyo.Var(m.SMELTER_MONTHS, within=nonneg)
    m.Delivered_Sb_t = pyo.Var(m.DELIVERIES, within=nonneg)
    m.Shortfall_Sb_t = pyo.Var(
        m.SHORTFALL_MONTHS, within=nonneg, bounds=lambda m, k, t: (0.0, m.contract_min_t_sb[k])
    )
    m.Build_t_per_month = pyo.Var(m.BUILD_MONTHS, within=nonneg)
    if lk.lumpy:
        m.Start = pyo.Var(m.BUILD_MONTHS, within=pyo.Binary)
    m.Grant_Paid_kusd = pyo.Var(m.GRANT_PAYMENTS, within=nonneg)
    # A committed build's payments are data; a column pinned to each keeps them (and the
    # grant rows over them) linear in parameters, as re-solves need.
    committed = lk.committed_payment_kusd
    m.Committed_Capex_kusd = pyo.Var(
        m.COMMITTED_PAYMENTS, bounds=lambda m, e, t, u: (committed[e, t, u],) * 2
    )

    def capex_kusd(m, e, t):
        """Capex of project ``e`` started in month ``t`` (k$)."""
        cost = m.capex_usd_per_t_per_month[e] * m.Build_t_per_month[e, t]
        if lk.lumpy and (lk.mutable or m.fixed_capex_usd[e]):
            cost = cost + m.fixed_capex_usd[e] * m.Start[e, t]
        return cost / MONEY_SCALE_USD

    m.Capex_kusd = pyo.Expression(m.BUILD_MONTHS, rule=capex_kusd)

    def payment_kusd(m, e, t, u):
        """The capex of project ``e`` started in ``t`` paid in month ``u`` (k$): an even share
        of the build's capex; a committed build costs the mode's whole-build price
        (continuous: without the fixed part)."""
        if e in lk.committed:
            return m.Committed_Capex_kusd[e, t, u]
        return m.Capex_kusd[e, t] / m.capex_months[e]

    m.Payment_kusd = pyo.Expression(m.PAYMENTS, rule=payment_kusd)
