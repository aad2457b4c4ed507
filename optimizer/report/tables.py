"""The report's tables, built once from a :class:`Results` and its :class:`Case`.

Both writers read these: the Excel report (:mod:`optimizer.report.workbook`) and the CSV export
(:mod:`optimizer.report.csv_export`), so a planner's workbook and a downstream system's files
always hold the same numbers. Nothing here knows openpyxl or Pyomo.

Each table is long-format (one row per id × month) with headers that carry their units.
Where a constraint's right-hand side comes from the input (capacities, limits, opening
stock), the table carries it next to the decision so a reader can re-check every
constraint from the report alone: start stock + in − out = end stock, feed ≤ capacity,
dispatched ≤ route limit, Σ discounted net = objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from optimizer.case import Case
from optimizer.solve.kpis import CASHFLOW_HEADERS
from optimizer.solve.results import Results

# Number formats, by the kind of quantity a column holds (Excel format strings).
FORMATS = {
    "text": "@",
    "month": "yyyy-mm",
    "t": "#,##0.0",
    "usd": "#,##0",
    "usd_per_unit": "#,##0.00",
    "pct": "0.0",
    "factor": "0.0000",
    "number": "#,##0.0##",  # an input as typed: 240.0, 0.998, 27,000,000.0
    "seconds": "0.00",
    "int": "0",
    "yesno": "@",
}


@dataclass(frozen=True)
class Col:
    """One report column: DataFrame key, header shown to the planner (unit included), kind."""

    key: str
    header: str
    kind: str  # a key of FORMATS
    max_width: int = 40  # characters; long text beyond it is cut off on screen


@dataclass
class Table:
    """A named long-format table: what one report sheet / one CSV file holds."""

    name: str  # sheet name (fixed, never built from an id) and CSV file stem
    columns: list[Col]
    frame: pd.DataFrame  # exactly the columns' keys, in order
    freeze_cols: int = 0  # id columns kept visible when scrolling right
    note: str = ""  # shown when the table is empty
    omitted: str = ""  # said beside the header when rows are left out (and how to read them)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def table_frame(df: pd.DataFrame, columns: list[Col]) -> pd.DataFrame:
    """``df`` restricted to the columns' keys (an empty frame with those columns if none)."""
    keys = [c.key for c in columns]
    if df is None or df.empty:
        return pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
    return df.reindex(columns=keys).reset_index(drop=True)


def _sorted(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if df is None or df.empty:
        return df
    return df.sort_values(by, kind="stable").reset_index(drop=True)


def _with_start(df: pd.DataFrame, keys: list[str], opening: dict[tuple, float]) -> pd.Series:
    """Stock at the start of each month: the previous month's end, or the opening stock."""
    if df.empty:
        return pd.Series(dtype=float)
    prev = df.groupby(keys, sort=False)["stock_t"].shift(1)
    first = [opening.get(tuple(row), 0.0) for row in df[keys].itertuples(index=False)]
    return prev.fillna(pd.Series(first, index=df.index))


def _opening_by(case: Case, kind: str) -> dict[tuple, float]:
    """Opening stock keyed by (source,) for stockpiles, (smelter, source) for yards,
    (smelter,) for yard totals."""
    out: dict[tuple, float] = {}
    for o in case.opening_stock:
        if kind == "source" and o.location in case.sources:
            key: tuple = (o.location,)
        elif kind == "yard" and o.location in case.smelters:
            key = (o.location, o.source)
        elif kind == "smelter" and o.location in case.smelters:
            key = (o.location,)
        else:
            continue
        out[key] = out.get(key, 0.0) + o.tonnes
    return out


# --------------------------------------------------------------------------- tables


def allocation_table(results: Results, case: Case) -> Table:
    """Every dispatch with a non-zero tonnage: what goes where, when, by which lane."""
    cols = [
        Col("month", "Dispatch month", "month"),
        Col("source", "Source", "text"),
        Col("route", "Route", "text"),
        Col("mode", "Mode", "text"),
        Col("smelter", "Smelter", "text"),
        Col("dispatched_t", "Dispatched (t ore)", "t"),
        Col("arrival_month", "Arrival month", "month"),
        Col("route_limit_t", "Route limit this month (t)", "t"),
        Col("freight_usd_per_t", "Freight (USD/t)", "usd_per_unit"),
        Col("cost_usd", "Freight cost (USD)", "usd"),
    ]
    df = results.flows.copy() if not results.flows.empty else pd.DataFrame()
    if not df.empty:
        df = df[df["dispatched_t"] > 0]
        index = {m: i for i, m in enumerate(case.months)}
        df["route_limit_t"] = [
            case.routes[r].capacity_t_per_month * case.routes[r].availability_pct[index[m]] / 100
            for r, m in zip(df["route"], df["month"], strict=True)
        ]
        df["freight_usd_per_t"] = [case.routes[r].cost_usd_per_t for r in df["route"]]
        df = _sorted(df, ["month", "source", "route"])
    return Table(
        "Allocation",
        cols,
        table_frame(df, cols),
        freeze_cols=2,
        note="No ore was dispatched in this plan.",
    )


def sources_table(results: Results, case: Case) -> Table:
    """Per source and month: start stock + mined − shipped = end stock, with its limits."""
    cols = [
        Col("month", "Month", "month"),
        Col("source", "Source", "text"),
        Col("kind", "Kind", "text"),
        Col("domestic", "Domestic", "yesno"),
        Col("start_stock_t", "Start stock (t)", "t"),
        Col("mined_t", "Mined / bought (t)", "t"),
        Col("shipped_t", "Shipped (t)", "t"),
        Col("stock_t", "End stock (t)", "t"),
        Col("stockpile_capacity_t", "Stockpile capacity (t)", "t"),
        Col("supply_min_t", "Supply min (t)", "t"),
        Col("supply_max_t", "Supply max (t)", "t"),
        Col("expansion_online_t", "Mine-side expansion online (t)", "t"),
        Col("price_usd_per_t", "Ore price (USD/t)", "usd"),
        Col("cost_usd", "Ore cost (USD)", "usd"),
        Col("holding_usd", "Holding cost (USD)", "usd"),
    ]
    df = _sorted(results.sources.copy(), ["source", "month"])
    if df is not None and not df.empty:
        offset = {m: t for t, m in enumerate(case.months)}
        df["price_usd_per_t"] = [
            case.ore_cost_usd_per_t(s, offset[m])
            for s, m in zip(df["source"], df["month"], strict=True)
        ]
        df["kind"] = [case.sources[s].kind for s in df["source"]]
        df["domestic"] = [case.sources[s].domestic for s in df["source"]]
        df["start_stock_t"] = _with_start(df, ["source"], _opening_by(case, "source"))
        df = _sorted(df, ["month", "source"])
    return Table("Sources", cols, table_frame(df, cols), freeze_cols=2)


def yard_table(results: Results, case: Case) -> Table:
    """Each smelter's yard by ore origin, so feed grade and arsenic stay traceable.

    An idle month of a yard account (nothing at the start or end, nothing arriving, nothing
    fed) is left out, and the sheet says so: on a long case with many origins they are most
    rows, and every balance still re-checks with a missing month read as zero.
    """
    cols = [
        Col("month", "Month", "month"),
        Col("smelter", "Smelter", "text"),
        Col("source", "Ore origin", "text"),
        Col("start_stock_t", "Start stock (t)", "t"),
        Col("arrivals_t", "Arrivals (t)", "t"),
        Col("in_transit_t", "Of which in transit at the start (t)", "t"),
        Col("feed_t", "Fed (t)", "t"),
        Col("stock_t", "End stock (t)", "t"),
        Col("grade_pct_sb", "Grade (% Sb)", "pct"),
        Col("arsenic_pct", "Arsenic (%)", "pct"),
        Col("domestic", "Domestic", "yesno"),
    ]
    df = _sorted(results.yard.copy(), ["smelter", "source", "month"])
    omitted = ""
    if df is not None and not df.empty:
        df["start_stock_t"] = _with_start(df, ["smelter", "source"], _opening_by(case, "yard"))
        busy = df[["start_stock_t", "arrivals_t", "feed_t", "stock_t"]].ne(0).any(axis=1)
        if not busy.all():
            omitted = (
                f"{int((~busy).sum()):,} idle months of a yard account (no stock at "
                "the start or end, nothing arriving, nothing fed) are not listed: read "
                "a missing month as zero."
            )
            df = df[busy].reset_index(drop=True)
        df["grade_pct_sb"] = [case.sources[s].grade_pct_sb for s in df["source"]]
        df["arsenic_pct"] = [case.sources[s].arsenic_pct for s in df["source"]]
        df["domestic"] = [case.sources[s].domestic for s in df["source"]]
        df = _sorted(df, ["month", "smelter", "source"])
    return Table("Yard", cols, table_frame(df, cols), freeze_cols=3, omitted=omitted)


def smelters_table(results: Results, case: Case) -> Table:
    """Per smelter and month: feed against capacity, blend against limits, Sb and money."""
    cols = [
        Col("month", "Month", "month"),
        Col("smelter", "Smelter", "text"),
        Col("start_stock_t", "Yard start stock (t)", "t"),
        Col("arrivals_t", "Arrivals (t)", "t"),
        Col("feed_t", "Feed (t ore)", "t"),
        Col("yard_stock_t", "Yard end stock (t)", "t"),
        Col("yard_capacity_t", "Yard capacity (t)", "t"),
        Col("base_capacity_t", "Base capacity (t/month)", "t"),
        Col("availability_pct", "Availability (%)", "pct"),
        Col("expansion_online_t", "Expansion online (t/month)", "t"),
        Col("capacity_t", "Capacity (t/month)", "t"),
        Col("min_feed_t", "Min feed (t/month)", "t"),
        Col("utilization_pct", "Utilization (%)", "pct"),
        Col("feed_grade_pct", "Feed grade (% Sb)", "pct"),
        Col("min_feed_grade_pct", "Min feed grade (% Sb)", "pct"),
        Col("feed_arsenic_pct", "Feed arsenic (%)", "pct"),
        Col("max_feed_arsenic_pct", "Max feed arsenic (%)", "pct"),
        Col("domestic_share_pct", "Domestic share (%)", "pct"),
        Col("min_domestic_share_pct", "Min domestic share (%)", "pct"),
        Col("recovery_pct", "Recovery (%)", "pct"),
        Col("sb_t", "Sb produced (t Sb)", "t"),
        Col("spot_sb_t", "Sold spot (t Sb)", "t"),
        Col("contract_sb_t", "To contracts (t Sb)", "t"),
        Col("spot_price_usd_per_t_sb", "Spot price (USD/t Sb)", "usd"),
        Col("spot_revenue_usd", "Spot revenue (USD)", "usd"),
        Col("processing_usd", "Processing cost (USD)", "usd"),
        Col("holding_usd", "Holding cost (USD)", "usd"),
    ]
    df = _sorted(results.smelters.copy(), ["smelter", "month"])
    if df is not None and not df.empty:
        yard = results.yard
        if yard is not None and not yard.empty:
            arr = yard.groupby(["smelter", "month"])["arrivals_t"].sum()
            df["arrivals_t"] = [
                arr.get((p, m), 0.0) for p, m in zip(df["smelter"], df["month"], strict=True)
            ]
        else:
            df["arrivals_t"] = 0.0
        df["stock_t"] = df["yard_stock_t"]
        df["start_stock_t"] = _with_start(df, ["smelter"], _opening_by(case, "smelter"))
        for key, attr in (
            ("min_feed_grade_pct", "min_feed_grade_pct"),
            ("max_feed_arsenic_pct", "max_feed_arsenic_pct"),
            ("min_domestic_share_pct", "min_domestic_share_pct"),
            ("recovery_pct", "recovery_pct"),
        ):
            df[key] = [getattr(case.smelters[p], attr) for p in df["smelter"]]
        df = _sorted(df, ["month", "smelter"])
    return Table("Smelters", cols, table_frame(df, cols), freeze_cols=2)


def expansion_table(results: Results, case: Case) -> Table:
    """Capacity builds: when each starts and comes online, what it costs and who pays."""
    cols = [
        Col("project", "Project", "text"),
        Col("smelter", "Smelter", "text"),
        Col("source", "Source (mine-side)", "text"),
        Col("month", "Start month", "month"),
        Col("online_month", "Online month", "month"),
        Col("added_t_per_month", "Added (t/month)", "t"),
        Col("max_added_t_per_month", "Project max (t/month)", "t"),
        Col("capex_usd", "Capex (USD)", "usd"),
        Col("grant_paid_usd", "Grant-paid (USD)", "usd"),
        Col("company_paid_usd", "Company-paid (USD)", "usd"),
    ]
    df = _sorted(results.builds.copy(), ["project", "month"])
    if df is not None and not df.empty:
        df["max_added_t_per_month"] = [
            case.expansions[e].max_added_t_per_month for e in df["project"]
        ]
    note = (
        "No capacity expansion is built in this plan."
        if case.expansions
        else "The case has no expansion projects."
    )
    return Table("Expansion", cols, table_frame(df, cols), freeze_cols=1, note=note)


def payments_table(results: Results, case: Case) -> Table:
    """Each expansion stage's capex payments inside the horizon and the grant money on each
    (capex is paid evenly over capex_months from the start; committed stages started before
    the horizon show only their remaining payments)."""
    cols = [
        Col("project", "Project", "text"),
        Col("start_month", "Start month", "month"),
        Col("month", "Payment month", "month"),
        Col("capex_usd", "Capex paid (USD)", "usd"),
        Col("grant_usd", "Grant-paid (USD)", "usd"),
        Col("company_usd", "Company-paid (USD)", "usd"),
    ]
    df = _sorted(results.payments.copy(), ["project", "start_month", "month"])
    note = "No capex is paid in this plan."
    return Table("Payments", cols, table_frame(df, cols), freeze_cols=1, note=note)


def grants_table(results: Results, case: Case) -> Table:
    """Grant money by month and project, with what is left of each grant afterwards."""
    cols = [
        Col("grant", "Grant", "text"),
        Col("agency", "Agency", "text"),
        Col("month", "Month", "month"),
        Col("project", "Project", "text"),
        Col("paid_usd", "Paid (USD)", "usd"),
        Col("cumulative_usd", "Paid to date (USD)", "usd"),
        Col("amount_usd", "Grant amount (USD)", "usd"),
        Col("remaining_usd", "Remaining (USD)", "usd"),
    ]
    df = _sorted(results.grant_use.copy(), ["grant", "month", "project"])
    if df is not None and not df.empty:
        df["agency"] = [case.grants[g].agency for g in df["grant"]]
        df["amount_usd"] = [case.grants[g].amount_usd for g in df["grant"]]
        df["cumulative_usd"] = df.groupby("grant")["paid_usd"].cumsum()
        df["remaining_usd"] = df["amount_usd"] - df["cumulative_usd"]
    note = "No grant money is drawn in this plan." if case.grants else "The case has no grants."
    return Table("Grants", cols, table_frame(df, cols), freeze_cols=1, note=note)


def contracts_table(results: Results, case: Case) -> Table:
    """Offtake contracts month by month: required, delivered, short."""
    cols = [
        Col("contract", "Contract", "text"),
        Col("smelter", "Smelter", "text"),
        Col("month", "Month", "month"),
        Col("min_t", "Required min (t Sb)", "t"),
        Col("max_t", "Max (t Sb)", "t"),
        Col("delivered_t", "Delivered (t Sb)", "t"),
        Col("shortfall_t", "Shortfall (t Sb)", "t"),
        Col("price_usd_per_t_sb", "Price (USD/t Sb)", "usd"),
        Col("revenue_usd", "Revenue (USD)", "usd"),
        Col("penalty_usd", "Shortfall penalty (USD)", "usd"),
    ]
    df = _sorted(results.contracts.copy(), ["contract", "month", "smelter"])
    note = "The case has no contracts." if not case.contracts else "No contract is active."
    return Table("Contracts", cols, table_frame(df, cols), freeze_cols=1, note=note)


def cashflow_table(results: Results, case: Case) -> Table:
    """Month by month money: every line, the discount factor, net and discounted net."""
    cols = [Col("month", "Month", "month"), Col("discount_factor", "Discount factor", "factor")]
    cols += [Col(key, header, "usd") for key, header in CASHFLOW_HEADERS.items()]
    cols += [
        Col("net_usd", "Net (USD)", "usd"),
        Col("discounted_net_usd", "Discounted net (USD)", "usd"),
    ]
    df = _sorted(results.cashflow.copy(), ["month"])
    return Table("Cashflow", cols, table_frame(df, cols), freeze_cols=1)


def marginal_table(results: Results, case: Case) -> Table:
    """Shadow prices of binding constraints, largest first, in planner words."""
    from optimizer.report.marginal import marginal_frame

    cols = [
        Col("rank", "Rank", "int"),
        Col("sentence", "What it means", "text", max_width=110),
        Col("dual_usd_per_unit", "Value (USD per unit)", "usd_per_unit"),
        Col("unit", "Unit", "text"),
        Col("family", "Constraint family", "text"),
        Col("constraint", "Constraint", "text"),
        Col("keys", "Applies to", "text"),
        Col("month", "Month", "month"),
        Col("binding", "Binding", "yesno"),
        Col("slack", "Slack", "t"),
        Col("sheet", "Input sheet", "text"),
        Col("cell", "Input cell", "text"),
        Col("input_row", "Input row", "int"),
        Col("column", "Input column", "text"),
    ]
    return Table(
        "MarginalValues",
        cols,
        table_frame(marginal_frame(results, case), cols),
        freeze_cols=2,
        note="No constraint has a non-zero marginal value (or duals are unavailable "
        "for this solve, e.g. a MILP in lumpy mode).",
    )


def input_values_table(results: Results, case: Case) -> Table:
    """Per input cell: what one step of it is worth and the input range where that holds."""
    from optimizer.report.marginal import input_frame

    cols = [
        Col("rank", "Rank", "int"),
        Col("what", "What it means", "text", max_width=110),
        Col("value_usd_per_step", "Value per step (USD, discounted)", "usd"),
        Col("sure_usd", "Of it within the range (USD)", "usd"),
        Col("step", "Step", "number"),
        Col("unit", "Unit", "text"),
        Col("input_now", "Input now", "number"),
        Col("valid_from", "Value holds from", "number"),
        Col("valid_to", "Value holds to", "number"),
        Col("direction", "Relaxing means", "text"),
        Col("cell", "Input cell", "text"),
        Col("rows", "Limits it sets", "int"),
        Col("binding_rows", "Of them binding", "int"),
        Col("note", "Note", "text", max_width=40),
        Col("family", "Constraint family", "text"),
    ]
    return Table(
        "InputValues",
        cols,
        table_frame(input_frame(results, case), cols),
        freeze_cols=2,
        note="No input has a marginal value (or HiGHS gave no basis for ranging).",
    )


def build_tables(results: Results, case: Case, why: list[str] | None = None) -> list[Table]:
    """All long-format tables of the report, in sheet order; ``why``: the lines of
    :func:`~optimizer.report.why.why_lines` when the caller has them already."""
    from optimizer.report.actions import actions_table
    from optimizer.report.why import why_lines, why_table

    return [
        actions_table(results, case),
        why_table(why_lines(results, case) if why is None else why),
        allocation_table(results, case),
        smelters_table(results, case),
        sources_table(results, case),
        yard_table(results, case),
        expansion_table(results, case),
        payments_table(results, case),
        grants_table(results, case),
        contracts_table(results, case),
        cashflow_table(results, case),
        input_values_table(results, case),
        marginal_table(results, case),
    ]
