"""The report's monthly plan: one quantity by id (rows) × month (columns), e.g. feed by
smelter — what a planner reads across, and the data the report's charts draw."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from optimizer.case import Case
from optimizer.solve.results import Results


@dataclass
class PivotBlock:
    """Rows of one quantity by id (rows) × month (columns), e.g. feed by smelter."""

    title: str
    unit: str
    kind: str  # a key of report.tables.FORMATS
    rows: list[tuple[str, list[float]]]  # (id, one value per month)
    additive: bool  # a Total column makes sense (flows yes; stocks, capacities no)


def _pivot(
    df: pd.DataFrame,
    index: str,
    value: str,
    months: Iterable[str],
    ids: Iterable[str],
    agg: str = "sum",
) -> list[tuple[str, list[float]]]:
    months = list(months)
    ids = list(ids)
    if df is None or df.empty:
        return [(i, [0.0] * len(months)) for i in ids]
    table = df.pivot_table(index=index, columns="month", values=value, aggfunc=agg)
    table = table.reindex(index=ids, columns=months).fillna(0.0)
    return [(i, [float(v) for v in table.loc[i]]) for i in ids]


def _cumulative(rows: list[tuple[str, list[float]]]) -> list[tuple[str, list[float]]]:
    out = []
    for name, values in rows:
        total, acc = 0.0, []
        for v in values:
            total += v
            acc.append(total)
        out.append((name, acc))
    return out


def monthly_blocks(results: Results, case: Case) -> list[PivotBlock]:
    """The monthly plan a planner reads across: smelters, then sources, then grants."""
    months = case.months
    smelters, sources = list(case.smelters), list(case.sources)
    sm, src, flows = results.smelters, results.sources, results.flows
    blocks = [
        PivotBlock(
            "Ore dispatched to each smelter",
            "t",
            "t",
            _pivot(flows, "smelter", "dispatched_t", months, smelters),
            True,
        ),
        PivotBlock(
            "Ore fed to each smelter",
            "t",
            "t",
            _pivot(sm, "smelter", "feed_t", months, smelters),
            True,
        ),
        PivotBlock(
            "Smelter capacity",
            "t/month",
            "t",
            _pivot(sm, "smelter", "capacity_t", months, smelters),
            False,
        ),
        PivotBlock(
            "Utilization",
            "%",
            "pct",
            _pivot(sm, "smelter", "utilization_pct", months, smelters),
            False,
        ),
        PivotBlock(
            "Sb produced", "t Sb", "t", _pivot(sm, "smelter", "sb_t", months, smelters), True
        ),
        PivotBlock(
            "Smelter yard stock, end of month",
            "t",
            "t",
            _pivot(sm, "smelter", "yard_stock_t", months, smelters),
            False,
        ),
        PivotBlock(
            "Ore mined or bought at each source",
            "t",
            "t",
            _pivot(src, "source", "mined_t", months, sources),
            True,
        ),
        PivotBlock(
            "Ore shipped from each source",
            "t",
            "t",
            _pivot(src, "source", "shipped_t", months, sources),
            True,
        ),
        PivotBlock(
            "Source stockpile, end of month",
            "t",
            "t",
            _pivot(src, "source", "stock_t", months, sources),
            False,
        ),
    ]
    if case.grants:
        paid = _pivot(results.grant_use, "grant", "paid_usd", months, list(case.grants))
        blocks.append(
            PivotBlock("Grant money drawn, cumulative", "USD", "usd", _cumulative(paid), False)
        )
    return blocks
