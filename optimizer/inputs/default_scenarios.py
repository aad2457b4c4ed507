"""The default case's what-ifs: the rows of its ``Scenarios`` sheet, as a planner types them."""

from __future__ import annotations

from typing import Any

from optimizer.inputs import schema

SCENARIOS_HEADERS = schema.SHEETS_BY_NAME["Scenarios"].column_names


def scenario_rows() -> list[tuple[Any, ...]]:
    """What-if rows, in sheet order."""
    rows: list[tuple[Any, ...]] = [
        (
            "grant_delayed_6m",
            "Grants",
            "DPA Title III",
            "award_month",
            "set",
            "2027-07",
            "Grant money only for builds started from 2027-07 (six months into the plan).",
        ),
        (
            "no_grant",
            "Grants",
            "DPA Title III",
            "amount_usd",
            "set",
            0,
            "No DoD money: the company pays all expansion capex.",
        ),
        (
            "foreign_feed_cut",
            "Supply",
            "Australia conc",
            "*",
            "scale",
            0,
            "No foreign feed at all (export bans, arsenic rejections).",
        ),
        (
            "foreign_feed_cut",
            "Supply",
            "Bolivia DSO",
            "*",
            "scale",
            0,
            "Scales the take-or-pay minimum too.",
        ),
        (
            "price_minus_30",
            "Prices",
            "*",
            "*",
            "scale",
            0.7,
            "Antimony 30% lower every month: spot and the benchmark bought feed is paid on "
            "(contract prices unchanged).",
        ),
        (
            "dla_orders_only",
            "Contracts",
            "DLA ingots IDIQ",
            "max_t_sb_per_month",
            "set",
            11.9,
            "DLA takes only what it has called (one ~$10M order a year), none of the ceiling.",
        ),
    ]
    for year in (2027, 2028, 2029):
        for month, pct in ((3, 50), (6, 50), (10, 70), (11, 50)):
            rows.append(
                (
                    "short_trucking_season",
                    "RouteAvailability",
                    "*",
                    f"{year}-{month:02d}",
                    "set",
                    pct,
                    "Longer breakup (March and June at 50%), early winter "
                    "(October 70%, November 50%) on every Alaska route.",
                )
            )
    for month in ("2028-01", "2028-02", "2028-03"):
        rows.append(
            (
                "madero_outage",
                "SmelterAvailability",
                "Madero",
                month,
                "set",
                0,
                "Madero down for a quarter (furnace failure).",
            )
        )
    rows += [
        (
            "lumpy_expansion",
            "Settings",
            "expansion_mode",
            "value",
            "set",
            "lumpy",
            "Each project is built whole (incl. fixed capex) or not at all.",
        ),
        (
            "no_tf_expansion",
            "Expansions",
            "TF expansion",
            "max_added_t_per_month",
            "set",
            0,
            "Thompson Falls stays at its base capacity,",
        ),
        (
            "no_tf_expansion",
            "Expansions",
            "TF expansion",
            "fixed_capex_usd",
            "set",
            0,
            "its remaining expansion capex unpaid.",
        ),
    ]
    return rows
