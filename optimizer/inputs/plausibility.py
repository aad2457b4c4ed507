"""Plausibility warnings (SPEC §6.5): valid inputs that are probably not what the planner
meant — a price typed in USD/lb, a grade or availability typed as a fraction, a minimum feed
above the smelter's capacity, a route whose season never opens. Warnings, never errors: the
case still solves, the planner reads the warning at its cell."""

from __future__ import annotations

from optimizer.inputs.cells import is_num
from optimizer.inputs.located import Report
from optimizer.inputs.rows import Row

LB_PER_T = 2204.62
USD_PER_LB_BELOW = 200.0
"""A price in USD/t Sb below this is a USD/lb price: antimony metal trades at tens of
thousands of USD per tonne (28 USD/lb ≈ 62,000 USD/t, FACTS.md)."""

FRACTION_COLUMNS = (
    ("Sources", "grade_pct_sb"),
    ("Smelters", "recovery_pct"),
    ("Smelters", "min_feed_grade_pct"),
)
"""Percentages a planner may type as fractions (0.45 for 45 %); arsenic is left out, where
fractions of a percent are real."""

FRACTION_SHEETS = ("SmelterAvailability", "RouteAvailability")


def check_plausibility(rows: dict[str, list[Row]], report: Report) -> None:
    """Every plausibility warning, sheet by sheet."""
    for row in rows.get("Prices", []):
        for label, price in row.months.items():
            _price(row, label, price, report)
    for row in rows.get("Contracts", []):
        _price(row, "price_usd_per_t_sb", row.values.get("price_usd_per_t_sb"), report)
    for sheet, column in FRACTION_COLUMNS:
        for row in rows.get(sheet, []):
            value = row.values.get(column)
            if is_num(value) and 0 < value <= 1:
                _fraction(row, column, value, report)
    for sheet in FRACTION_SHEETS:
        for row in rows.get(sheet, []):
            values = {k: v for k, v in row.months.items() if is_num(v)}
            if values and all(v <= 1 for v in values.values()) and any(values.values()):
                label = next(k for k, v in values.items() if v > 0)
                _fraction(row, label, values[label], report)
    for row in rows.get("RouteAvailability", []):
        values = [v for v in row.months.values() if is_num(v)]
        if row.months and len(values) == len(row.months) and not any(values):
            report.warn(
                row.at["route"],
                "the route never opens in the horizon (0 % every month): it carries nothing",
                row.values.get("route"),
                "check its season on RouteAvailability",
            )
    for row in rows.get("Smelters", []):
        low = row.values.get("min_feed_t_per_month")
        high = row.values.get("base_capacity_t_per_month")
        if is_num(low) and is_num(high) and low > high:
            report.warn(
                row.at["min_feed_t_per_month"],
                f"minimum feed above the base capacity ({high:g} t/month): only an "
                "expansion can make it feasible",
                low,
                "check min_feed_t_per_month against base_capacity_t_per_month",
            )


def _price(row: Row, column: str, price: object, report: Report) -> None:
    if is_num(price) and 0 < price < USD_PER_LB_BELOW:
        report.warn(
            row.at[column],
            f"looks like USD/lb: {price:g} USD/lb would be {price * LB_PER_T:,.0f} USD/t Sb",
            price,
            "prices are USD per tonne of contained Sb",
        )


def _fraction(row: Row, column: str, value: float, report: Report) -> None:
    report.warn(
        row.at[column],
        f"looks like a fraction: {value:g} here means {value:g} %",
        value,
        f"type {value * 100:g} for {value * 100:g} %",
    )
