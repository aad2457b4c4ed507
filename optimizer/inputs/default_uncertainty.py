"""The default case's uncertain factors: the rows of its ``Uncertainty`` sheet, as a planner
types them (every number cited by the public facts list's source name or labelled
``Assumption``). One row per distribution at least, so the template shows each in use."""

from __future__ import annotations

from typing import Any

from optimizer.inputs import schema

UNCERTAINTY_HEADERS = schema.SHEETS_BY_NAME["Uncertainty"].column_names

_BREAKUP = (
    "Spring breakup weight limits run late March to early June, gross weight cut up to 50% "
    "(Alaska DOT notices). Assumption: how much of the shoulder months' capacity is open "
    "depends on when breakup starts and ends: 50–100%, one draw per year."
)
_RAMP = (
    "Ramp 100–200 t/month at first toward 1,000 t/month (seed article), depending on permits "
    "and weather. Assumption: claims deliver 50–120% of the Supply plan, most likely as "
    "planned; one draw for all claim groups (same permits, same weather)."
)


def uncertainty_rows() -> list[tuple[Any, ...]]:
    """Factor rows, in sheet order: (factor, sheet, key, column, action, distribution, p1, p2,
    p3, values, probabilities, group, note)."""
    rows: list[tuple[Any, ...]] = [
        (
            "grant_award_delay",
            "Grants",
            "DPA Title III",
            "award_month",
            "delay",
            "triangular",
            0,
            12,
            24,
            None,
            None,
            None,
            "$27M award reported 2026-03-05 (benzinga). Assumption: its money covers builds "
            "started 0–24 months after the announcement, most likely 12 (cost-share "
            "agreements take time to sign).",
        ),
        (
            "price_regime",
            "Prices",
            "*",
            "*",
            "scale",
            "discrete",
            None,
            None,
            None,
            "1;0.5",
            "0.6;0.4",
            None,
            "China's export ban on the US is suspended until 2026-11-27 with licences still "
            "required; prices went from ~$19,000/t (May 2024) to $57,000–61,000/t (June 2025) "
            "(trade press). Assumption: 60% the restrictions hold (Prices as typed), 40% trade "
            "normalizes and prices halve, toward the ~$25,000/t of feasibility-study planning "
            "(trade press).",
        ),
        (
            "price_walk",
            "Prices",
            "*",
            "*",
            "scale",
            "random_walk",
            0.04,
            0,
            None,
            None,
            None,
            None,
            "Assumption: 4% monthly volatility of the log price on top of the regime (the price "
            "tripled within a year, trade press).",
        ),
    ]
    for claims in ("Mohawk", "Stibnite Creek", "Other AK claims"):
        factor = "alaska_ramp_" + claims.split()[0].lower()
        rows.append(
            (
                factor,
                "Supply",
                claims,
                "*",
                "scale",
                "triangular",
                0.5,
                1,
                1.2,
                None,
                None,
                "alaska_ramp",
                _RAMP,
            )
        )
    for year in (2027, 2028, 2029):
        for month in ("03", "06"):
            rows.append(
                (
                    f"breakup_{year}_{month}",
                    "RouteAvailability",
                    "*",
                    f"{year}-{month}",
                    "set",
                    "uniform",
                    50,
                    100,
                    None,
                    None,
                    None,
                    f"breakup_{year}",
                    _BREAKUP,
                )
            )
    rows += [
        (
            "bolivia_payable",
            "Sources",
            "Bolivia DSO",
            "payable_pct",
            "add",
            "normal",
            0,
            3,
            None,
            None,
            None,
            None,
            "Assumption: the payable share negotiated per Bolivian cargo varies by 3 "
            "percentage points (one standard deviation) around the Sources value.",
        ),
        (
            "ocean_freight",
            "Routes",
            "Australia-Madero ocean",
            "cost_usd_per_t",
            "scale",
            "lognormal",
            1,
            0.25,
            None,
            None,
            None,
            None,
            "Bulk ocean freight reference $30–90/t (Supramax-class cargoes). Assumption: the "
            "route's cost varies by a factor of median 1, σ 0.25 of its log.",
        ),
    ]
    return rows
