"""The embedded default case: an illustrative USAC Alaska-ore plan, built in memory.

``ore-optimizer solve`` with no input solves this case; ``ore-optimizer template`` writes it
as ``inputs/base_case.xlsx``. The tables below are the one source of truth for both: each
holds the cells exactly as a planner would type them (month headers as ``YYYY-MM`` text), and
:func:`default_raw` turns them into a :class:`~optimizer.inputs.rawbook.RawBook`.

Every number is either cited in a ``note`` cell (by the source's name in the project's public
facts list, :mod:`optimizer.inputs.default_citations`) or labelled ``Assumption:``. Sheets
without a ``note`` column (``Supply``, ``Prices``, availability, opening stock) are explained
in the note of the row they belong to (the source, smelter or route). The what-ifs are in
:mod:`optimizer.inputs.default_scenarios`. The case is illustrative, not USAC guidance.
"""

from __future__ import annotations

from typing import Any

from optimizer.case import month_label
from optimizer.inputs import schema
from optimizer.inputs.default_money import CONTRACTS, CONTRACTS_HEADERS, GRANTS, GRANTS_HEADERS
from optimizer.inputs.default_scenarios import SCENARIOS_HEADERS, scenario_rows
from optimizer.inputs.default_uncertainty import UNCERTAINTY_HEADERS, uncertainty_rows
from optimizer.inputs.rawbook import RawBook, RawSheet

DEFAULT_SOURCE = "<default case>"
START_MONTH = "2027-01"
HORIZON_MONTHS = 36
MONTHS: tuple[str, ...] = tuple(month_label(START_MONTH, i) for i in range(HORIZON_MONTHS))

# --- Settings ---------------------------------------------------------------------------

SETTINGS: tuple[tuple[str, Any, str], ...] = (
    (
        "case_name",
        "usac_alaska_base",
        "Illustrative case built from public reporting; not USAC guidance.",
    ),
    (
        "start_month",
        START_MONTH,
        "Assumption: plan starts after China's US export ban "
        "suspension ends 2026-11-27 (trade press).",
    ),
    ("horizon_months", HORIZON_MONTHS, "Assumption: three mining seasons (2027–2029)."),
    ("discount_rate_pct_per_year", 10, "Assumption: cost of capital of a small miner-smelter."),
    (
        "shortfall_penalty_usd_per_t_sb",
        100_000,
        "Assumption: a missed contract tonne costs "
        "more than its price (reputation, cover purchases).",
    ),
    (
        "end_stock_policy",
        "keep_opening",
        "Assumption: end the plan with at least the "
        "opening stocks, so the plan does not run down next winter's feed.",
    ),
    (
        "expansion_mode",
        "single",
        "A planner starts each project once, at the size chosen (continuous would split a "
        "project into construction stages no one builds; lumpy forces the full size). MILP; "
        "the scenario lumpy_expansion builds projects whole.",
    ),
    ("time_limit_s", 60, "Solver time limit."),
    ("mip_gap_pct", 0.01, "Used in single and lumpy modes (MILP)."),
)

# --- Sources ----------------------------------------------------------------------------

SOURCES_HEADERS = schema.SHEETS_BY_NAME["Sources"].column_names
SOURCES: tuple[tuple[Any, ...], ...] = (
    (
        "Mohawk",
        "mine",
        "USA",
        "yes",
        35,
        0.3,
        450,
        2_000,
        2,
        "fixed",
        None,
        None,
        None,
        "Mohawk mine, Ester Dome near Fairbanks: historic waste rock; first ore trucked to "
        "Thompson Falls 2025-09-08 (trade press). Assumption: grade 35% Sb / 0.3% As (USAC grades "
        "not published; hand-sorted direct-shipping ore 30–60% Sb, usantimony.com); "
        "$450/t to load, sort and haul; 2,000 t pad at $2/t/month. Supply (Assumption): 150 "
        "t/month in 2027, 250 in 2028, 300 in 2029, April–October only (mining stops in winter, "
        "Q3 2025 call; ramp toward 1,000 t/month in total, seed article). Opening stock "
        "(Assumption): 150 t on the pad, 200 t in the Thompson Falls yard.",
    ),
    (
        "Stibnite Creek",
        "mine",
        "USA",
        "yes",
        45,
        0.2,
        900,
        2_000,
        2,
        "fixed",
        None,
        None,
        None,
        "Stibnite Creek / Tok Antimony, ~20 mi SW of Tok on the Alaska Highway (trade press). "
        "Assumption: grade 45% Sb / 0.2% As (within the 30–60% direct-shipping range, "
        "usantimony.com); $900/t mining + haul; 2,000 t pad at $2/t/month. Supply "
        "(Assumption): 150 t/month in 2027, 250 in 2028, 400 in 2029, April–October only "
        "(Q3 2025 call; seed article). Opening stock (Assumption): 250 t on the pad.",
    ),
    (
        "Other AK claims",
        "mine",
        "USA",
        "yes",
        28,
        0.5,
        1_100,
        1_500,
        2,
        "fixed",
        None,
        None,
        None,
        "Assumption: the further claim groups of USAC's 210+ Alaska claims (~33,000 acres, seed "
        "article) developed from 2028; oxide ore at 28% Sb (oxide gravity concentrates 25–40%, "
        "usantimony.com), 0.5% As; $1,100/t; 1,500 t pad. Supply (Assumption): 0 in "
        "2027, 100 t/month in 2028, 300 in 2029, April–October only (Q3 2025 call).",
    ),
    (
        "Australia conc",
        "purchase",
        "Australia",
        "no",
        55,
        3.0,
        0,
        1_000,
        6,
        "benchmark",
        60,
        300,
        0.5,
        "Australian concentrate, Costerfield-type: a Costerfield cargo was returned for excess "
        "arsenic (trade press). Assumption: 55% Sb (flotation concentrates 50–68%, "
        "usantimony.com), 3.0% As; priced on the benchmark: 60% payable of contained Sb, "
        "$300/t per % As above 0.5% (arsenic handling), no fixed part (freight is on Routes): "
        "$19,890/t at a $58,000 benchmark, $17,250/t at $50,000; 1,000 t port storage at "
        "$6/t/month. Supply (Assumption): up to 150 t/month (Costerfield 1,050–1,150 t Sb/yr ≈ "
        "170 t concentrate/month, trade press).",
    ),
    (
        "Bolivia DSO",
        "purchase",
        "Bolivia",
        "no",
        45,
        0.8,
        0,
        1_000,
        6,
        "benchmark",
        60,
        300,
        0.5,
        "Bolivian direct-shipping ore under one of USAC's supply contracts (trade press: supply "
        "contracts in 10 countries incl. Bolivia). Assumption: 45% Sb, 0.8% As; priced on the "
        "benchmark like the Australian feed (60% payable, $300/t per % As above 0.5%): "
        "$15,750/t at $58,000, $13,590/t at $50,000; 1,000 t port storage at $6/t/month. "
        "Supply (Assumption): up to 100 "
        "t/month; take-or-pay minimum 40 t/month through 2027. Opening stock (Assumption): "
        "300 t in the Madero yard.",
    ),
)

#: Supply max by year (t/month in the mining season), per claim group.
_MINE_RATES: dict[str, dict[int, float]] = {
    "Mohawk": {2027: 150, 2028: 250, 2029: 300},
    "Stibnite Creek": {2027: 150, 2028: 250, 2029: 400},
    "Other AK claims": {2027: 0, 2028: 100, 2029: 300},
}
MINING_SEASON = range(4, 11)  # April–October; mining stops in winter (Q3 2025 call)
_PURCHASE_MAX: dict[str, float] = {"Australia conc": 150, "Bolivia DSO": 100}
_TAKE_OR_PAY = ("Bolivia DSO", 40, 2027)  # (source, t/month, through year)

# --- Smelters ---------------------------------------------------------------------------

SMELTERS_HEADERS = schema.SHEETS_BY_NAME["Smelters"].column_names
SMELTERS: tuple[tuple[Any, ...], ...] = (
    (
        "Thompson Falls",
        "USA",
        240,
        1_200,
        95,
        25,
        1.0,
        0,
        40,
        3_000,
        3,
        "Thompson Falls, Montana: nameplate ~320 t/month, running ~160 t/month late 2024 "
        "(fastmarkets.com/?p=71119). Assumption: 240 t ore/month before the expansion; recovery "
        "95% (volatilization ~95% in a lab study, trade press); $1,200/t processing; min grade "
        "25% Sb (recent feed ~49% Sb, trade press); max 1.0% As (a Costerfield cargo was "
        "returned for arsenic, trade press); "
        "min feed 40 t/month keeps the furnaces hot; 3,000 t yard at $3/t/month. Availability "
        "(Assumption): 50% in 2027-08 (maintenance). Spot price (Assumption): $58,000/t Sb in "
        "2027-01 declining to $50,000 by 2029-12 (June 2025 $57,000–61,000, Q4 2025 trioxide "
        "~$58,300: trade press; decline assumed as new supply arrives). The Prices row "
        "'benchmark' (Assumption): the same series, the market price bought feed is paid on.",
    ),
    (
        "Madero",
        "Mexico",
        200,
        900,
        92,
        30,
        1.5,
        0,
        0,
        2_000,
        3,
        "Madero, Coahuila: restarted April 2025, 17 furnaces, engineered ~200 t/month "
        "(stocktitan UAMY releases); feed sized for ~30% Sb (usantimony.com). "
        "Assumption: recovery 92%; $900/t processing; max 1.5% As; no minimum feed (it has an "
        "outage month); 2,000 t yard at $3/t/month. Availability (Assumption): 0% in 2027-07 "
        "(furnace relining). Spot price (Assumption): $1,000/t Sb below Thompson Falls "
        "(freight to US buyers).",
    ),
)
_SMELTER_OUTAGES: dict[str, dict[str, float]] = {
    "Thompson Falls": {"2027-08": 50},
    "Madero": {"2027-07": 0},
}
_PRICE_FIRST, _PRICE_LAST = 58_000, 50_000  # Thompson Falls spot, USD/t Sb
_PRICE_DISCOUNT = {"Thompson Falls": 0, "Madero": 1_000}

# --- Routes -----------------------------------------------------------------------------

ROUTES_HEADERS = schema.SHEETS_BY_NAME["Routes"].column_names
_TRUCK = (
    "Alaska Highway, ~2,000 miles (~3,200 km) Alaska → Montana (trade press). "
    "Assumption: ~$0.13/t-km; about a week on the road, so arrives the same month; "
    "contracted haulers' capacity. Availability (Assumption): 70% Dec–Feb (winter), 80% "
    "in March and June, 50% April–May (spring breakup, gross weight cut up to 50%: "
    "Alaska DOT notices)."
)
_MULTIMODAL = (
    "Assumption: truck to Whittier, Alaska Marine Lines rail barge to Seattle "
    "(weekly, 21-day round trip: trade press), rail to Coahuila; ~$700/t; "
    "arrives the next month. No such route is documented for USAC ore. "
    "Availability: as the truck routes (the truck leg faces breakup)."
)
ROUTES: tuple[tuple[Any, ...], ...] = (
    ("Mohawk-TF truck", "Mohawk", "Thompson Falls", "truck", 430, 0, 400, 3_300, _TRUCK),
    ("Stibnite-TF truck", "Stibnite Creek", "Thompson Falls", "truck", 390, 0, 500, 3_000, _TRUCK),
    ("OtherAK-TF truck", "Other AK claims", "Thompson Falls", "truck", 430, 0, 400, 3_300, _TRUCK),
    ("Mohawk-Madero multimodal", "Mohawk", "Madero", "multimodal", 700, 1, 300, 6_500, _MULTIMODAL),
    (
        "Stibnite-Madero multimodal",
        "Stibnite Creek",
        "Madero",
        "multimodal",
        680,
        1,
        300,
        6_500,
        _MULTIMODAL,
    ),
    (
        "Australia-Madero ocean",
        "Australia conc",
        "Madero",
        "ocean",
        260,
        3,
        300,
        14_500,
        "Ocean to Manzanillo (75-day voyage: trade press) + rail to Coahuila. "
        "Assumption: $260/t (bulk ocean reference $30–90/t plus parcel, port and rail); 3 "
        "months door to door.",
    ),
    (
        "Australia-TF ocean",
        "Australia conc",
        "Thompson Falls",
        "ocean",
        240,
        3,
        300,
        14_000,
        "Assumption: ocean to a US Pacific Northwest port + rail/truck to Montana; $240/t; 3 "
        "months, like the 75-day Manzanillo voyage (trade press).",
    ),
    (
        "Bolivia-Madero ocean",
        "Bolivia DSO",
        "Madero",
        "ocean",
        220,
        2,
        200,
        7_000,
        "Assumption: truck to Arica (Chile), ocean to Manzanillo, rail to Coahuila; $220/t; 2 "
        "months.",
    ),
)
#: % of capacity open by calendar month on the Alaska routes (all months not listed: 100).
_ALASKA_ROUTE_SEASON: dict[int, float] = {12: 70, 1: 70, 2: 70, 3: 80, 4: 50, 5: 50, 6: 80}
_ALASKA_ROUTES = tuple(r[0] for r in ROUTES if r[3] in ("truck", "multimodal"))

# --- Opening stock, expansions, grants, contracts ---------------------------------------

OPENING_STOCK: tuple[tuple[str, str, float], ...] = (
    ("Thompson Falls", "Mohawk", 200),
    ("Mohawk", "Mohawk", 150),
    ("Stibnite Creek", "Stibnite Creek", 250),
    ("Madero", "Bolivia DSO", 300),
)

EXPANSIONS_HEADERS = schema.SHEETS_BY_NAME["Expansions"].column_names
EXPANSIONS: tuple[tuple[Any, ...], ...] = (
    (
        "TF expansion",
        "Thompson Falls",
        360,
        38_000,
        1_000_000,
        19,
        None,
        None,
        "Committed: ground broken 2025-09-25, budget under $15M, target >300 short t/month "
        "(SEC exhibit uamy_ex991 2025-04-30); up to 600 t/month in total (later reports "
        "400–600 t/month, trade press). Assumption: $38,000 per t/month × 360 + $1M fixed ≈ "
        "$14.7M, within the budget, paid evenly over 20 months from 2025-09 (so 2027-01..04 "
        "remain in the plan); 19 months to first expanded output (online 2027-04). Started "
        "before the DPA award (2026-03), so the award cannot pay its instalments here.",
        "2025-09",
        20,
        None,
        None,
    ),
    (
        "Madero furnaces",
        "Madero",
        100,
        40_000,
        500_000,
        6,
        "2027-04",
        None,
        "Up to 300 t/month in total (possibly 300 t/month: stocktitan UAMY releases). "
        "Assumption: $40,000 per t/month (+ $0.5M fixed), 6 months to build, not before "
        "2027-04, paid in the start month; not eligible for US grants.",
        None,
        None,
        None,
        None,
    ),
    (
        "Stibnite Creek extraction",
        None,
        250,
        16_000,
        500_000,
        4,
        START_MONTH,
        None,
        "Alaska extraction, which the DPA Title III award also covers (benzinga): more "
        "mining at Stibnite Creek toward the 1,000 t/month ramp (seed article). Assumption: "
        "up to +250 t/month of mining-season supply, $16,000 per t/month + $0.5M fixed "
        "(equipment, pad), 4 months to build, paid evenly over those 4 months; at least "
        "100 t/month if built (a smaller fleet is not worth mobilising).",
        None,
        4,
        100,
        "Stibnite Creek",
    ),
)


# --- Building the raw workbook ------------------------------------------------------------


def _supply_rows() -> list[list[Any]]:
    rows: list[list[Any]] = []
    for source, rates in _MINE_RATES.items():
        rows.append(
            [
                source,
                "max",
                *(rates[int(m[:4])] if int(m[5:]) in MINING_SEASON else 0 for m in MONTHS),
            ]
        )
    for source, top in _PURCHASE_MAX.items():
        rows.append([source, "max", *(top for _ in MONTHS)])
    source, minimum, through = _TAKE_OR_PAY
    rows.append([source, "min", *(minimum if int(m[:4]) <= through else 0 for m in MONTHS)])
    return rows


def _price(smelter: str, index: int) -> int:
    """Straight-line decline from the first to the last month, rounded to $100."""
    step = (_PRICE_LAST - _PRICE_FIRST) / (HORIZON_MONTHS - 1)
    return round((_PRICE_FIRST + step * index) / 100) * 100 - _PRICE_DISCOUNT[smelter]


def _sheet(name: str, headers: tuple[Any, ...] | list[Any], rows: list[Any]) -> RawSheet:
    body = [list(r) for r in rows]
    return RawSheet(name, list(headers), body, list(range(2, len(body) + 2)))


def default_raw() -> RawBook:
    """The default case as a raw workbook, exactly as a planner would type it."""
    months = list(MONTHS)
    sheets = [
        _sheet("Settings", ("setting", "value", "note"), list(SETTINGS)),
        _sheet("Sources", SOURCES_HEADERS, list(SOURCES)),
        _sheet("Supply", ("source", "bound", *months), _supply_rows()),
        _sheet("Smelters", SMELTERS_HEADERS, list(SMELTERS)),
        _sheet(
            "SmelterAvailability",
            ("smelter", *months),
            [
                [s, *(outages.get(m, 100) for m in months)]
                for s, outages in _SMELTER_OUTAGES.items()
            ],
        ),
        _sheet("Routes", ROUTES_HEADERS, list(ROUTES)),
        _sheet(
            "RouteAvailability",
            ("route", *months),
            [
                [r, *(_ALASKA_ROUTE_SEASON.get(int(m[5:]), 100) for m in months)]
                for r in _ALASKA_ROUTES
            ],
        ),
        _sheet("OpeningStock", ("location", "source", "tonnes"), list(OPENING_STOCK)),
        _sheet("InTransit", ("route", "arrival_month", "tonnes", "note"), []),
        _sheet("Actuals", ("month", "kind", "id", "origin", "tonnes", "note"), []),
        _sheet("Expansions", EXPANSIONS_HEADERS, list(EXPANSIONS)),
        _sheet("Grants", GRANTS_HEADERS, list(GRANTS)),
        _sheet(
            "Prices",
            ("smelter", *months),
            [
                *([s, *(_price(s, i) for i in range(HORIZON_MONTHS))] for s in _PRICE_DISCOUNT),
                [schema.BENCHMARK, *(_price("Thompson Falls", i) for i in range(HORIZON_MONTHS))],
            ],
        ),
        _sheet("Contracts", CONTRACTS_HEADERS, list(CONTRACTS)),
        _sheet("Scenarios", SCENARIOS_HEADERS, scenario_rows()),
        _sheet("Uncertainty", UNCERTAINTY_HEADERS, uncertainty_rows()),
    ]
    return RawBook({s.name: s for s in sheets}, source=DEFAULT_SOURCE)
