"""Tiny Case objects built directly (no workbook), for hand-checkable model tests.

Defaults make every cost, holding, transit and limit neutral so a test states only what it
checks: one source ``Mine`` (50 % Sb, domestic), one smelter ``Smelter`` (100 % recovery,
price 1,000 USD/t Sb, large capacity), one truck route ``Truck``, no discounting.
Monthly arguments take a number (every month) or a sequence (one value per month).
"""

from __future__ import annotations

from collections.abc import Sequence

from residuals import assert_plan_holds

from optimizer.case import (
    Case,
    Contract,
    Expansion,
    Grant,
    OpeningStock,
    Route,
    Settings,
    Smelter,
    Source,
    month_label,
)
from optimizer.solve.results import Results
from optimizer.solve.run import solve_case
from optimizer.solve.status import Status

BIG = 1e6


def series(value: float | Sequence[float], horizon: int) -> tuple[float, ...]:
    if isinstance(value, int | float):
        return (float(value),) * horizon
    assert len(value) == horizon, f"expected {horizon} monthly values, got {len(value)}"
    return tuple(float(v) for v in value)


def source(
    name: str = "Mine",
    *,
    horizon: int,
    max_t=100.0,
    min_t=0.0,
    grade=50.0,
    arsenic=0.0,
    cost=0.0,
    stock_cap=0.0,
    holding=0.0,
    domestic=True,
    kind="mine",
) -> Source:
    return Source(
        name,
        kind,
        "USA" if domestic else "Other",
        domestic,
        grade,
        arsenic,
        cost,
        stock_cap,
        holding,
        series(max_t, horizon),
        series(min_t, horizon),
    )


def smelter(
    name: str = "Smelter",
    *,
    horizon: int,
    capacity=BIG,
    processing=0.0,
    recovery=100.0,
    min_grade=0.0,
    max_arsenic=None,
    domestic_share=0.0,
    min_feed=0.0,
    yard_cap=0.0,
    holding=0.0,
    availability=100.0,
    price=1000.0,
) -> Smelter:
    return Smelter(
        name,
        "USA",
        capacity,
        processing,
        recovery,
        min_grade,
        max_arsenic,
        domestic_share,
        min_feed,
        yard_cap,
        holding,
        series(availability, horizon),
        series(price, horizon),
    )


def route(
    name: str = "Truck",
    src: str = "Mine",
    dst: str = "Smelter",
    *,
    horizon: int,
    cost=0.0,
    transit=0,
    capacity=BIG,
    availability=100.0,
    mode="truck",
) -> Route:
    return Route(name, src, dst, mode, cost, transit, capacity, 0.0, series(availability, horizon))


def expansion(
    name: str = "Expand",
    at: str | None = "Smelter",
    *,
    max_added=100.0,
    capex=0.0,
    fixed=0.0,
    lead=0,
    earliest=0,
    latest=None,
    committed=None,
    capex_months=1,
    min_added=0.0,
    source=None,
    horizon: int,
) -> Expansion:
    return Expansion(
        name,
        at,
        max_added,
        capex,
        fixed,
        lead,
        earliest,
        horizon - 1 if latest is None else latest,
        committed_start=committed,
        capex_months=capex_months,
        min_added_t_per_month=min_added,
        source=source,
    )


def grant(
    name: str = "DPA", *, amount=BIG, award=0, share=50.0, projects: tuple[str, ...] = ("Expand",)
) -> Grant:
    return Grant(name, "DoD", amount, award, share, projects)


def contract(
    name: str = "DLA",
    at: str = "Smelter",
    *,
    start=0,
    end=None,
    min_t=0.0,
    max_t=BIG,
    price=1000.0,
    horizon: int,
) -> Contract:
    return Contract(name, at, start, horizon - 1 if end is None else end, min_t, max_t, price)


def make_case(
    horizon: int = 1,
    *,
    sources=None,
    smelters=None,
    routes=None,
    opening: Sequence[OpeningStock] = (),
    expansions=(),
    grants=(),
    contracts=(),
    rate=0.0,
    penalty=100_000.0,
    policy="free",
    mode="continuous",
    start="2027-01",
    name="test",
) -> Case:
    """A Case from lists of the helpers above (defaults: one source, smelter, route)."""
    sources = sources if sources is not None else [source(horizon=horizon)]
    smelters = smelters if smelters is not None else [smelter(horizon=horizon)]
    routes = routes if routes is not None else [route(horizon=horizon)]
    settings = Settings(name, start, horizon, rate, penalty, policy, mode, 30.0, 0.0)
    return Case(
        settings=settings,
        months=tuple(month_label(start, t) for t in range(horizon)),
        sources={s.source: s for s in sources},
        smelters={p.smelter: p for p in smelters},
        routes={r.route: r for r in routes},
        opening_stock=tuple(opening),
        expansions={e.project: e for e in expansions},
        grants={g.grant: g for g in grants},
        contracts={k.contract: k for k in contracts},
    )


def solved(case: Case) -> Results:
    """Solve ``case``; the plan must be optimal and pass the independent residual check."""
    results = solve_case(case)
    assert results.status == Status.OPTIMAL, f"{results.status}: {results.message}"
    assert_plan_holds(results, case)
    return results


def dual(results: Results, constraint: str) -> float:
    """``dual_usd_per_unit`` of one constraint, by its label (``Smelter_Capacity[S, 2027-01]``)."""
    rows = results.duals[results.duals["constraint"] == constraint]
    assert len(rows) == 1, f"{constraint}: {len(rows)} rows"
    return float(rows["dual_usd_per_unit"].iloc[0])
