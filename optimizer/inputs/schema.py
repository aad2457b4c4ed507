"""The input workbook schema, declared once.

Every sheet and column a planner can type into is described here: name, kind, unit,
default for a blank cell, allowed range and a one-line description. This single table
drives validation (:mod:`optimizer.inputs.validate`), the workbook's ``README`` sheet and the
template (:mod:`optimizer.inputs.template`), and the project README's schema section.

The vocabulary of a declaration (kinds of values, what a column and a sheet hold) is in
:mod:`optimizer.inputs.schema_types`.
"""

from __future__ import annotations

from optimizer.inputs.schema_cycle import ACTUALS, IN_TRANSIT
from optimizer.inputs.schema_projects import EXPANSIONS, GRANTS
from optimizer.inputs.schema_risk import RISK_SETTINGS, UNCERTAINTY
from optimizer.inputs.schema_types import NO_LIMIT, NOTE, Column, Sheet

# --- Settings --------------------------------------------------------------------------

SETTINGS: tuple[Column, ...] = (
    Column("case_name", "text", "Name of the case; used in report file names.", default="case"),
    Column("start_month", "month", "First month of the planning horizon (month index 0)."),
    Column(
        "horizon_months",
        "integer",
        "Number of months planned.",
        unit="months",
        minimum=1,
        maximum=240,
    ),
    Column(
        "discount_rate_pct_per_year",
        "percent",
        "Annual discount rate; month t is discounted by (1 + rate)^(-t/12).",
        unit="%/year",
        default=8.0,
    ),
    Column(
        "shortfall_penalty_usd_per_t_sb",
        "number",
        "Penalty per tonne of contained Sb a contract's monthly minimum is missed by.",
        unit="USD/t Sb",
        default=100_000.0,
        minimum=0,
    ),
    Column(
        "end_stock_policy",
        "choice",
        "free: stocks may end at zero; keep_opening: each location ends with at least "
        "its opening stock.",
        default="free",
        choices=("free", "keep_opening"),
    ),
    Column(
        "expansion_mode",
        "choice",
        "continuous: any fraction of a project may be built, in stages (LP); single: a "
        "project starts at most once, its size anywhere from min_added_t_per_month to "
        "max_added_t_per_month (MILP); lumpy: a project is built whole or not at all, once "
        "(MILP).",
        default="continuous",
        choices=("continuous", "single", "lumpy"),
    ),
    Column(
        "time_limit_s",
        "number",
        "Solver time limit.",
        unit="s",
        default=60.0,
        minimum=0,
        exclusive_minimum=True,
    ),
    Column(
        "mip_gap_pct",
        "percent",
        "Relative MIP gap at which a single or lumpy solve stops.",
        unit="%",
        default=0.01,
    ),
    *RISK_SETTINGS,
)
SETTINGS_BY_NAME = {c.name: c for c in SETTINGS}

"""The kinds of an ``Actuals`` row."""

# --- Sheets ----------------------------------------------------------------------------

_MONTH = "One column per month of the horizon (header YYYY-MM or a date)."

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Settings",
        "Case-wide settings, one per row.",
        (
            Column("setting", "id", "Setting name (see the settings table)."),
            Column("value", "text", "Setting value."),
            NOTE,
        ),
        id_column="setting",
    ),
    Sheet(
        "Sources",
        "Ore sources: Alaskan claim groups (kind=mine) and purchasable third-party feed "
        "(kind=purchase).",
        (
            Column("source", "id", "Source id (claim group or supplier)."),
            Column("kind", "choice", "mine or purchase.", choices=("mine", "purchase")),
            Column("country", "text", "Country of origin.", default=""),
            Column("domestic", "yesno", "Counts as domestic (US) feed for domestic-share rules."),
            Column(
                "grade_pct_sb",
                "percent",
                "Antimony grade of the ore.",
                unit="% Sb",
                minimum=0,
                maximum=100,
                exclusive_minimum=True,
            ),
            Column(
                "arsenic_pct", "percent", "Arsenic content of the ore.", unit="% As", default=0.0
            ),
            Column(
                "cost_usd_per_t",
                "number",
                "Mining + haul to stockpile, or purchase price, per tonne of ore.",
                unit="USD/t ore",
                minimum=0,
            ),
            Column(
                "stockpile_capacity_t",
                "number",
                "Stockpile capacity at the source.",
                unit="t ore",
                minimum=0,
            ),
            Column(
                "holding_cost_usd_per_t_month",
                "number",
                "Cost of holding one tonne in the source stockpile for a month.",
                unit="USD/t/month",
                minimum=0,
            ),
            Column(
                "price_basis",
                "choice",
                "fixed: the ore costs cost_usd_per_t; benchmark: cost_usd_per_t (freight, "
                "treatment) + payable_pct % × grade × the month's Prices 'benchmark' price + the "
                "arsenic penalty.",
                default="fixed",
                choices=("fixed", "benchmark"),
                optional_column=True,
            ),
            Column(
                "payable_pct",
                "percent",
                "Share of the contained Sb paid for at the benchmark price (required for a "
                "benchmark source; blank: not priced on the benchmark).",
                unit="%",
                default=None,
                optional_column=True,
            ),
            Column(
                "arsenic_penalty_usd_per_t_per_pct",
                "number",
                "Benchmark sources: cost per tonne of ore for each percentage point of arsenic "
                "above arsenic_free_pct.",
                unit="USD/t ore per % As",
                default=0.0,
                minimum=0,
                optional_column=True,
            ),
            Column(
                "arsenic_free_pct",
                "percent",
                "Benchmark sources: arsenic level up to which no penalty applies.",
                unit="% As",
                default=0.0,
                optional_column=True,
            ),
            NOTE,
        ),
        id_column="source",
    ),
    Sheet(
        "Supply",
        "Monthly extraction / purchase limits per source: a max row (required) and "
        "optionally a min row.",
        (
            Column("source", "ref", "Source id.", refs=("Sources",)),
            Column("bound", "choice", "max or min.", choices=("max", "min")),
        ),
        monthly=True,
        month_values=Column(
            "month", "number", "Tonnes of ore that month.", unit="t ore", default=0.0, minimum=0
        ),
        key_columns=("source", "bound"),
    ),
    Sheet(
        "Smelters",
        "Smelters that can take the ore (Thompson Falls, Madero, ...).",
        (
            Column("smelter", "id", "Smelter id."),
            Column("country", "text", "Country.", default=""),
            Column(
                "base_capacity_t_per_month",
                "number",
                "Ore feed capacity before expansions.",
                unit="t ore/month",
                minimum=0,
            ),
            Column(
                "processing_cost_usd_per_t",
                "number",
                "Processing cost per tonne fed.",
                unit="USD/t ore",
                minimum=0,
            ),
            Column(
                "recovery_pct",
                "percent",
                "Share of contained Sb recovered.",
                unit="%",
                minimum=0,
                maximum=100,
            ),
            Column(
                "min_feed_grade_pct",
                "percent",
                "Minimum average feed grade each month.",
                unit="% Sb",
                default=0.0,
            ),
            Column(
                "max_feed_arsenic_pct",
                "percent",
                "Maximum average feed arsenic each month (blank: no limit).",
                unit="% As",
                default=NO_LIMIT,
            ),
            Column(
                "min_domestic_share_pct",
                "percent",
                "Minimum share of domestic ore in each month's feed.",
                unit="%",
                default=0.0,
            ),
            Column(
                "min_feed_t_per_month",
                "number",
                "Minimum feed each month (not scaled by availability).",
                unit="t ore/month",
                default=0.0,
                minimum=0,
            ),
            Column(
                "stockpile_capacity_t",
                "number",
                "Yard capacity at the smelter.",
                unit="t ore",
                minimum=0,
            ),
            Column(
                "holding_cost_usd_per_t_month",
                "number",
                "Cost of holding one tonne in the yard for a month.",
                unit="USD/t/month",
                minimum=0,
            ),
            NOTE,
        ),
        id_column="smelter",
    ),
    Sheet(
        "SmelterAvailability",
        "Share of base capacity available each month (maintenance, outages). Missing: 100.",
        (Column("smelter", "ref", "Smelter id.", refs=("Smelters",)),),
        required=False,
        id_column="smelter",
        monthly=True,
        month_values=Column(
            "month", "percent", "Available share of base capacity.", unit="%", default=100.0
        ),
    ),
    Sheet(
        "Routes",
        "Shipping lanes from a source to a smelter, one per mode.",
        (
            Column("route", "id", "Route id."),
            Column("source", "ref", "Origin source id.", refs=("Sources",)),
            Column("smelter", "ref", "Destination smelter id.", refs=("Smelters",)),
            Column(
                "mode",
                "choice",
                "Transport mode.",
                choices=("truck", "barge", "rail", "ocean", "multimodal"),
            ),
            Column(
                "cost_usd_per_t",
                "number",
                "Freight per tonne of ore, paid when dispatched.",
                unit="USD/t ore",
                minimum=0,
            ),
            Column(
                "transit_months",
                "integer",
                "Whole months from dispatch to arrival.",
                unit="months",
                minimum=0,
            ),
            Column(
                "capacity_t_per_month",
                "number",
                "Tonnes that can be dispatched a month.",
                unit="t ore/month",
                minimum=0,
            ),
            Column(
                "distance_km",
                "number",
                "Distance (information only).",
                unit="km",
                default=0.0,
                minimum=0,
            ),
            NOTE,
        ),
        id_column="route",
    ),
    Sheet(
        "RouteAvailability",
        "Share of route capacity open each month (spring breakup, winter, barge season). "
        "Missing: 100.",
        (Column("route", "ref", "Route id.", refs=("Routes",)),),
        required=False,
        id_column="route",
        monthly=True,
        month_values=Column(
            "month", "percent", "Open share of route capacity.", unit="%", default=100.0
        ),
    ),
    Sheet(
        "OpeningStock",
        "Ore on hand at the start, by location and origin.",
        (
            Column(
                "location",
                "ref",
                "A source (its stockpile) or a smelter (its yard).",
                refs=("Sources", "Smelters"),
            ),
            Column("source", "ref", "Origin of the ore.", refs=("Sources",)),
            Column("tonnes", "number", "Tonnes of ore.", unit="t ore", minimum=0),
        ),
        required=False,
        key_columns=("location", "source"),
    ),
    IN_TRANSIT,
    ACTUALS,
    EXPANSIONS,
    GRANTS,
    Sheet(
        "Prices",
        "Spot price of contained antimony at each smelter, per month; an optional row "
        "'benchmark' holds the benchmark price of benchmark-priced sources (not a smelter).",
        (
            Column(
                "smelter",
                "ref",
                "Smelter id, or 'benchmark' for the benchmark price row.",
                refs=("Smelters",),
            ),
        ),
        id_column="smelter",
        monthly=True,
        month_values=Column(
            "month", "number", "Spot price.", unit="USD/t Sb", default=0.0, minimum=0
        ),
    ),
    Sheet(
        "Contracts",
        "Offtake contracts (e.g. DLA ingots): the quantity the customer has called (must be "
        "delivered) and the most it takes at the contract price, per month.",
        (
            Column("contract", "id", "Contract id."),
            Column("smelter", "ref", "Delivering smelter, or 'any'.", refs=("Smelters",)),
            Column(
                "start_month", "month", "First active month (blank: horizon start).", default=None
            ),
            Column("end_month", "month", "Last active month (blank: horizon end).", default=None),
            Column(
                "min_t_sb_per_month",
                "number",
                "Called quantity: what the customer has ordered for the month; a shortfall "
                "is penalized (shortfall_penalty_usd_per_t_sb).",
                unit="t Sb/month",
                default=0.0,
                minimum=0,
            ),
            Column(
                "max_t_sb_per_month",
                "number",
                "Most that may be delivered in the month at the contract price (e.g. the "
                "contract's ceiling); above the called quantity it is optional.",
                unit="t Sb/month",
                minimum=0,
            ),
            Column("price_usd_per_t_sb", "number", "Contract price.", unit="USD/t Sb", minimum=0),
            NOTE,
        ),
        required=False,
        id_column="contract",
    ),
    Sheet(
        "Scenarios",
        "What-if overrides of this workbook, applied in sheet order before validation.",
        (
            Column(
                "scenario", "text", "Scenario name (rows with the same name form one scenario)."
            ),
            Column("sheet", "text", "Sheet to change."),
            Column("key", "text", "Row id on that sheet (setting name on Settings), or '*'."),
            Column("column", "text", "Column name or month, or '*' for every month."),
            Column("action", "choice", "set, scale or add.", choices=("set", "scale", "add")),
            Column("value", "text", "New value, factor or amount."),
            NOTE,
        ),
        required=False,
    ),
    UNCERTAINTY,
)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
ANY_SMELTER = "any"
BENCHMARK = "benchmark"  # the Prices row of the benchmark price (SPEC §6.2); not a smelter
ALL_PROJECTS = "all"
