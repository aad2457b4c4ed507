"""The input schema in words: shared by the template's README sheet and the project README.

``python -m optimizer.inputs.schema_doc`` prints the Markdown that README.md embeds between the
``schema:start``/``schema:end`` markers; a test keeps the two identical, so the schema is
still declared only once (in :mod:`optimizer.inputs.schema`).
"""

from __future__ import annotations

import re

from optimizer.inputs import schema, schema_types

#: The model's timing and accounting conventions (SPEC §3), shown on the README sheet.
CONVENTIONS: tuple[tuple[str, str], ...] = (
    (
        "Months and discounting",
        "Month index 0 is start_month and is not discounted. Every "
        "cash flow of month t (revenue, ore cost, shipping, processing, holding, capex, grant "
        "money, penalties) is multiplied by (1 + discount_rate_pct_per_year/100)^(-t/12).",
    ),
    (
        "When costs are paid",
        "Ore cost in the month the ore is mined or bought; shipping in "
        "the month it is dispatched; processing per tonne fed; capex in capex_months equal "
        "payments from the month construction starts (1: all in the start month).",
    ),
    (
        "Bought-feed prices",
        "A source with price_basis benchmark costs, per tonne of ore in month t, "
        "cost_usd_per_t + payable_pct/100 × grade_pct_sb/100 × the Prices 'benchmark' price "
        "of month t + arsenic_penalty_usd_per_t_per_pct × max(0, arsenic_pct − "
        "arsenic_free_pct). The 'benchmark' row is not a smelter; a scenario that scales "
        "Prices '*' scales it too.",
    ),
    (
        "Stocks",
        "Stocks are end-of-month. Holding cost applies to every month-end stock, the "
        "last one included; opening stock is not charged. Nothing is in transit at the start.",
    ),
    (
        "Shipping",
        "Ore dispatched in month t arrives in month t + transit_months. Ore that "
        "would arrive after the horizon cannot be dispatched.",
    ),
    (
        "Smelter yards",
        "Each yard keeps ore by origin, so feed grade and arsenic stay "
        "traceable; all origins together stay within stockpile_capacity_t.",
    ),
    (
        "Capacity and expansions",
        "Feed ≤ base capacity × SmelterAvailability + capacity of "
        "expansions online. A build is online from its start month + lead_time_months (lead 0: "
        "in the start month) and is not scaled by SmelterAvailability; min_feed_t_per_month is "
        "not scaled either. continuous mode builds any amount and ignores fixed_capex_usd; "
        "lumpy mode builds a project whole (its full max_added_t_per_month) or not at all, "
        "starting at most once, for capex_usd_per_t_per_month × max_added + fixed_capex_usd. "
        "The model chooses a start only where the build comes online and all its capex "
        "payments fall inside the horizon. A committed project (committed_start_month) is "
        "built whole from that month, possibly before the horizon, at its mode's whole-build "
        "price (continuous: without fixed_capex_usd); only its payments inside the horizon are "
        "charged.",
    ),
    (
        "Blend limits",
        "Minimum feed grade, maximum feed arsenic and minimum domestic share "
        "apply to each month's feed at each smelter; a month with no feed meets them.",
    ),
    (
        "Sales and contracts",
        "All antimony is sold in its production month: at spot "
        "(unlimited) or to contracts. A contract is active from its start to its end month "
        "inclusive (blank = horizon edge); smelter 'any' lets every smelter deliver, the limits "
        "applying to the sum. Missing a contract minimum is allowed but each tonne short costs "
        "shortfall_penalty_usd_per_t_sb (discounted). min_t_sb_per_month is what the customer "
        "has called (ordered); max_t_sb_per_month the most it takes at the contract price.",
    ),
    (
        "Grants",
        "A grant pays for builds started on or after its award month (committed starts "
        "too). Per capex payment it pays at most max_share_pct of that payment, all grants "
        "together at most the payment; in total at most amount_usd. Its money arrives with "
        "the payment; the company pays the rest.",
    ),
    (
        "Opening stock",
        "A smelter location puts ore of origin 'source' in that yard; a source "
        "location fills that source's stockpile. end_stock_policy keep_opening requires each "
        "location's end stock (all origins) to be at least its opening stock.",
    ),
    (
        "Scenarios",
        "Rows with the same scenario name form one what-if. They apply in sheet "
        "order to the input sheets before validation: key is the row id (the setting name on "
        "Settings; on Supply every row of that source) or '*' for every row; column is a column "
        "name, a month YYYY-MM, or '*' for every month; action set, scale or add. scale/add on "
        "a blank cell start from the column's default; set of an absent setting adds it.",
    ),
    (
        "Cells",
        "Ids are trimmed and case-sensitive, unique in their sheet; source and smelter "
        "ids must differ. yes/no cells accept TRUE/FALSE and 1/0. Month cells and headers accept "
        "text YYYY-MM or a real date; every month of the horizon needs a column, columns outside "
        "it are ignored. Text in a number cell, an Excel error value or a formula without a "
        "saved result is an error, never read as zero. This README sheet is ignored.",
    ),
)


def blank_text(col: schema.Column) -> str:
    """What a blank cell means for ``col``, in planner words."""
    if col.required_value:
        return "required"
    if col.default is None:
        match = re.search(r"\(blank: ([^)]*)\)", col.description)
        return match.group(1) if match else "no limit"
    if col.default == "":
        return "blank"
    if isinstance(col.default, float | int) and not isinstance(col.default, bool):
        return f"{col.default:,g}"
    return str(col.default)


def kind_text(col: schema.Column) -> str:
    if col.kind in ("ref", "idlist"):
        return f"{col.kind} → {' / '.join(col.refs)}"
    return col.kind


def kinds() -> list[tuple[str, str]]:
    """The kinds of values, as documented in :mod:`optimizer.inputs.schema_types`."""
    doc = schema_types.__doc__ or ""
    return [
        (kind, meaning.replace("``", "'"))
        for kind, meaning in re.findall(r"^``(\w+)``\s+(.+)$", doc, flags=re.MULTILINE)
    ]


def column_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for sheet in schema.SHEETS:
        for col in sheet.columns:
            blank = blank_text(col) + ("; column optional" if col.optional_column else "")
            rows.append(
                (sheet.name, col.name, kind_text(col), col.unit, blank, col.rule(), col.description)
            )
        if sheet.monthly and sheet.month_values is not None:
            col = sheet.month_values
            rows.append(
                (
                    sheet.name,
                    "YYYY-MM (one per month)",
                    col.kind,
                    col.unit,
                    blank_text(col),
                    col.rule(),
                    col.description,
                )
            )
    return rows


def _md_table(headers: tuple[str, ...], rows) -> list[str]:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def markdown() -> str:
    """The schema, settings and conventions as Markdown (the README's reference section)."""
    out: list[str] = ["### Sheets", ""]
    out += _md_table(
        ("sheet", "required", "what it holds"),
        ((s.name, "yes" if s.required else "no", s.description) for s in schema.SHEETS),
    )
    out += ["", "### Columns", ""]
    out += _md_table(
        ("sheet", "column", "kind", "unit", "blank cell means", "allowed values", "description"),
        column_rows(),
    )
    out += ["", "### Settings", ""]
    out += _md_table(
        ("setting", "kind", "unit", "default", "allowed values", "description"),
        ((c.name, c.kind, c.unit, blank_text(c), c.rule(), c.description) for c in schema.SETTINGS),
    )
    out += ["", "### Timing and accounting conventions", ""]
    out += [f"- **{topic}.** {text}" for topic, text in CONVENTIONS]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
