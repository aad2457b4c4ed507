"""A tiny two-stage case for the risk tests: a newsvendor in ore.

One purchasable source ``ORE`` (50 % Sb, 20,000 USD/t, up to 100 t/month), one smelter ``S``
(100 % recovery, 100 t/month, spot 60,000 USD/t Sb), one route with a one-month transit, two
months, no discounting. Ore bought in month 0 arrives in month 1 and is fed up to that month's
capacity c (the ``Uncertainty`` sheet draws S's availability in 2027-02, so c = the drawn %
of 100 t); ore bought in month 1 would arrive after the horizon. So the only decision is x,
the tonnes bought in month 0, and a sample's margin is

    m(x, c) = 60,000 × 0.5 × min(x, c) − 20,000 × x = 30,000·min(x, c) − 20,000·x  (USD).

The deterministic optimum with capacity c is x = c, margin 10,000·c.
"""

from __future__ import annotations

from typing import Any

from conftest import raw_book

from optimizer.inputs.rawbook import RawBook
from optimizer.inputs.schema import SHEETS_BY_NAME

PRICE_PER_T_ORE = 30_000.0  # 0.5 t Sb per t ore × 60,000 USD/t Sb
COST_PER_T_ORE = 20_000.0
UNCERTAINTY_HEADERS = list(SHEETS_BY_NAME["Uncertainty"].column_names)


def capacity_factor(
    distribution: str = "uniform", p1: Any = 0, p2: Any = 100, p3: Any = None, **extra: Any
) -> list[Any]:
    """The Uncertainty row drawing S's 2027-02 availability (% of 100 t)."""
    row = dict.fromkeys(UNCERTAINTY_HEADERS)
    row.update(
        factor="capacity",
        sheet="SmelterAvailability",
        key="S",
        column="2027-02",
        action="set",
        distribution=distribution,
        p1=p1,
        p2=p2,
        p3=p3,
    )
    row.update(extra)
    return [row[h] for h in UNCERTAINTY_HEADERS]


def newsvendor_rows(
    factors: list[list[Any]] | None = None, **settings: Any
) -> dict[str, list[list[Any]]]:
    """The tiny case's sheets (``settings`` adds Settings rows, e.g. commit_months=1)."""
    months = ["2027-01", "2027-02"]
    rows: dict[str, list[list[Any]]] = {
        "Settings": [
            ["setting", "value"],
            ["case_name", "newsvendor"],
            ["start_month", months[0]],
            ["horizon_months", 2],
            ["discount_rate_pct_per_year", 0],
            *([k, v] for k, v in settings.items()),
        ],
        "Sources": [
            list(SHEETS_BY_NAME["Sources"].column_names[:9]),
            ["ORE", "purchase", "USA", "yes", 50, 0, 20_000, 0, 0],
        ],
        "Supply": [["source", "bound", *months], ["ORE", "max", 100, 100]],
        "Smelters": [
            list(SHEETS_BY_NAME["Smelters"].column_names[:11]),
            ["S", "USA", 100, 0, 100, None, None, None, None, 1_000, 0],
        ],
        "SmelterAvailability": [["smelter", *months], ["S", 100, 100]],
        "Routes": [
            list(SHEETS_BY_NAME["Routes"].column_names[:8]),
            ["ORE-S", "ORE", "S", "truck", 0, 1, 1_000, 100],
        ],
        "Prices": [["smelter", *months], ["S", 60_000, 60_000]],
        "Uncertainty": [UNCERTAINTY_HEADERS, *(factors or [capacity_factor()])],
    }
    return rows


def newsvendor(factors: list[list[Any]] | None = None, **settings: Any) -> RawBook:
    return raw_book(newsvendor_rows(factors, **settings), source="newsvendor")


def margin(x: float, c: float) -> float:
    """A sample's margin (USD) when x t were bought and c t can be fed."""
    return PRICE_PER_T_ORE * min(x, c) - COST_PER_T_ORE * x
