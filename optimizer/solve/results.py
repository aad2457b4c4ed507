"""The results object: plain DataFrames the report layer reads (never the Pyomo model).

Column contract (one row per index combination; months as ``YYYY-MM`` labels, money in
USD undiscounted unless a column says ``discounted``, mass in tonnes). Values whose
magnitude is below 1e-9 are zeroed (solver noise).

``flows``        route, source, smelter, mode, month, arrival_month, dispatched_t,
                 cost_usd (freight of that dispatch); every dispatch month whose arrival
                 falls inside the horizon, zeros included
``sources``      source, month, mined_t, shipped_t, stock_t, stockpile_capacity_t,
                 supply_min_t, supply_max_t, expansion_online_t (mine-side projects
                 online, counted only where supply_max_t > 0), cost_usd (ore cost),
                 holding_usd
``yard``         smelter, source, month, arrivals_t, in_transit_t, feed_t, stock_t
                 (arrivals_t includes in_transit_t: ``InTransit`` ore arriving that month)
``smelters``     smelter, month, feed_t, base_capacity_t, availability_pct,
                 expansion_online_t, capacity_t, min_feed_t, utilization_pct,
                 feed_grade_pct, feed_arsenic_pct, domestic_share_pct, sb_t,
                 spot_sb_t, contract_sb_t, yard_stock_t, yard_capacity_t,
                 processing_usd, holding_usd, spot_price_usd_per_t_sb, spot_revenue_usd
                 (``base_capacity_t`` is the nameplate base before availability;
                 ``capacity_t`` = base × availability / 100 + expansion_online_t)
``builds``       project, smelter, source (one of the two: a mine-side project raises a
                 source's supply max), month (start), online_month, added_t_per_month,
                 capex_usd, grant_paid_usd, company_paid_usd, committed, capex_months:
                 one row per stage (a start with a build, or a committed project's start,
                 possibly before the horizon); money = its payments inside the horizon
``payments``     project, start_month, month (payment), capex_usd, grant_usd, company_usd:
                 each stage's capex payments inside the horizon
``grant_use``    grant, project, start_month, month (payment), paid_usd (only rows with money)
``contracts``    contract, smelter, month, min_t, max_t, delivered_t, shortfall_t,
                 price_usd_per_t_sb, revenue_usd, penalty_usd  (active months only;
                 ``smelter`` is the delivering smelter or the contract's own 'any' row
                 total — see ``contract_deliveries`` for the split)
``contract_deliveries`` contract, smelter, month, delivered_t
``cashflow``     month, discount_factor, spot_revenue_usd, contract_revenue_usd,
                 ore_cost_usd, shipping_usd, processing_usd, holding_usd,
                 capex_usd, grant_usd, company_capex_usd, shortfall_penalty_usd,
                 net_usd, discounted_net_usd
``duals``        family, constraint, keys, month, dual_usd_per_unit, unit, slack,
                 binding, kind, sentence, sheet, row_id, column
                 (one row per constraint of every family, ``family`` = the model's
                 constraint name. ``dual_usd_per_unit`` is the change of the discounted
                 objective, in USD, per ``unit`` of the input at (sheet, row_id, column)
                 moved in the direction that relaxes the constraint — raising a capacity
                 or maximum, lowering a minimum, one more tonne at a balance — so > 0
                 means relaxing is worth money; percentage limits are per percentage
                 point. ``slack`` is the distance to the limit in the same unit;
                 ``kind`` is ``limit``, ``balance`` (always binding: the value of one
                 more tonne there) or ``link`` (lumpy build size); ``month`` is None for
                 whole-horizon constraints. Empty when the solver gave no duals.)
``inputs``       family, sheet, row_id, column, input_now, direction, step, unit,
                 value_usd_per_step, valid_from, valid_to, rows, binding_rows, ranked,
                 note — one row per numeric input cell behind a limit: the discounted
                 USD of moving it one ``step`` the way that relaxes the limit (summed over
                 every row the cell drives), and the input range [valid_from, valid_to]
                 over which that value holds (HiGHS ranging, :mod:`optimizer.solve.ranging`);
                 ``ranked`` is False for an input that is 0 by nature (a closed season).

Ratios with a zero denominator (utilization at zero capacity, grades of a month with no
feed) are NaN. ``solver_log`` is HiGHS's log of every run (the main solve first: sizes,
coefficient ranges); ``model_size`` (constraints, variables, nonzeros, integer_variables)
counts the model as HiGHS received it for the main solve. In single and lumpy modes (MILP)
the tables and duals come from the LP re-solved with the start decisions fixed (same plan
and objective);
``mip_gap_pct`` is set for MILP and time-limited solves, None for a proven LP optimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.solve.status import Status


@dataclass(frozen=True)
class SingleCheck:
    """Continuous mode built ``staged`` projects in several stages; the same case with each
    project started at most once (``expansion_mode = single``) solved to ``status`` with
    discounted margin ``objective_usd`` (None without a plan)."""

    staged: tuple[str, ...]
    status: Status
    objective_usd: float | None


@dataclass
class Results:
    """Everything a solve produced, keyed by the input's ids and months."""

    status: Status
    case_name: str
    months: tuple[str, ...]
    objective_usd: float | None = None  # discounted margin
    best_bound_usd: float | None = None
    mip_gap_pct: float | None = None
    expansion_mode: str = "continuous"
    solver: str = "highs"
    solver_version: str = ""
    message: str = ""
    timings_s: dict[str, float] = field(default_factory=dict)  # build, solve, total, ...
    model_size: dict[str, int] = field(default_factory=dict)  # variables, constraints, nonzeros
    solver_log: str = ""
    flows: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    yard: pd.DataFrame = field(default_factory=pd.DataFrame)
    smelters: pd.DataFrame = field(default_factory=pd.DataFrame)
    builds: pd.DataFrame = field(default_factory=pd.DataFrame)
    payments: pd.DataFrame = field(default_factory=pd.DataFrame)
    grant_use: pd.DataFrame = field(default_factory=pd.DataFrame)
    single_check: SingleCheck | None = None  # set by solve when continuous mode staged
    contracts: pd.DataFrame = field(default_factory=pd.DataFrame)
    contract_deliveries: pd.DataFrame = field(default_factory=pd.DataFrame)
    cashflow: pd.DataFrame = field(default_factory=pd.DataFrame)
    duals: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def has_solution(self) -> bool:
        return Status(self.status).has_solution
