"""Random small cases from a seeded generator, each checked by the independent residual
checker: whatever the data, a plan reported optimal must respect every constraint family and
its objective must be what its own numbers add up to, and relaxing any limit is never worth
less than nothing (the sign convention of the marginal values). Also: lumpy never beats
continuous (continuous relaxes lumpy and ignores fixed capex)."""

from __future__ import annotations

import random

import pytest
from cases import contract, expansion, grant, make_case, route, smelter, source
from residuals import violations

from optimizer.case import Case, OpeningStock
from optimizer.solve.run import solve_case
from optimizer.solve.status import Status

SEEDS = range(60)


def random_case(seed: int, mode: str | None = None) -> Case:
    """1–6 months, 1–3 sources, 1–2 smelters, random routes, stocks, limits, projects,
    grants and contracts; ``mode`` overrides the random expansion mode."""
    rng = random.Random(seed)
    h = rng.randint(1, 6)

    def monthly(choices):
        return [rng.choice(choices) for _ in range(h)]

    sources = []
    for i in range(rng.randint(1, 3)):
        top = monthly([0, 50, 100, 150, 150])
        low = [min(x, rng.choice([0, 10, 20])) if rng.random() < 0.2 else 0 for x in top]
        sources.append(
            source(
                f"S{i}",
                horizon=h,
                max_t=top,
                min_t=low,
                grade=rng.uniform(10, 70),
                arsenic=rng.uniform(0, 3),
                domestic=rng.random() < 0.7,
                cost=rng.uniform(0, 400),
                stock_cap=rng.choice([0, 50, 200]),
                holding=rng.uniform(0, 5),
            )
        )
    smelters = []
    for j in range(rng.randint(1, 2)):
        smelters.append(
            smelter(
                f"P{j}",
                horizon=h,
                capacity=rng.choice([0, 50, 100, 200, 200]),
                processing=rng.uniform(0, 300),
                recovery=rng.uniform(80, 100),
                min_grade=rng.choice([0, 0, 0, 15, 30]),
                max_arsenic=rng.choice([None, None, 1.5, 2.5]),
                domestic_share=rng.choice([0, 0, 0, 30, 60]),
                min_feed=10 if rng.random() < 0.15 else 0,
                yard_cap=rng.choice([0, 50, 200]),
                holding=rng.uniform(0, 3),
                availability=monthly([0, 50, 100, 100]),
                price=[rng.uniform(5_000, 60_000) for _ in range(h)],
            )
        )
    routes = []
    for s in sources:
        linked = rng.choice(smelters).smelter  # every source reaches at least one smelter
        for p in smelters:
            for k in range(rng.choice([1, 2] if p.smelter == linked else [0, 1, 2])):
                routes.append(
                    route(
                        f"{s.source}-{p.smelter}-{k}",
                        s.source,
                        p.smelter,
                        horizon=h,
                        cost=rng.uniform(0, 300),
                        transit=rng.choice([0, 0, 1, 2]),
                        capacity=rng.choice([30, 80, 200]),
                        availability=monthly([0, 50, 100, 100]),
                    )
                )
    opening = []
    for s in sources:
        if s.stockpile_capacity_t and rng.random() < 0.3:
            opening.append(OpeningStock(s.source, s.source, rng.uniform(0, s.stockpile_capacity_t)))
        for p in smelters:
            if p.stockpile_capacity_t and rng.random() < 0.2:
                opening.append(
                    OpeningStock(p.smelter, s.source, rng.uniform(0, p.stockpile_capacity_t / 3))
                )
    projects = []
    for e in range(rng.randint(0, 2)):
        first = rng.randint(-1, h - 1)
        projects.append(
            expansion(
                f"E{e}",
                rng.choice(smelters).smelter,
                horizon=h,
                max_added=rng.choice([20, 50, 100]),
                capex=rng.uniform(100, 5_000),
                fixed=rng.choice([0, 1_000, 20_000]),
                lead=rng.randint(0, 2),
                earliest=first,
                latest=rng.randint(max(first, 0), h),
            )
        )
    grants = []
    for g in range(rng.randint(0, 2) if projects else 0):
        eligible = tuple(x.project for x in projects if rng.random() < 0.7)
        grants.append(
            grant(
                f"G{g}",
                amount=rng.choice([1e4, 1e5, 1e6]),
                award=rng.randint(-2, h),
                share=rng.choice([30, 50, 80]),
                projects=eligible,
            )
        )
    contracts = []
    for k in range(rng.randint(0, 2)):
        first = rng.randint(-1, h - 1)
        low = rng.choice([0, 0, 5, 20])
        contracts.append(
            contract(
                f"K{k}",
                rng.choice([*(p.smelter for p in smelters), "any"]),
                horizon=h,
                start=first,
                end=rng.randint(max(first, 0), h),
                min_t=low,
                max_t=low + rng.choice([0, 10, 50]),
                price=rng.uniform(5_000, 70_000),
            )
        )
    return make_case(
        h,
        sources=sources,
        smelters=smelters,
        routes=routes,
        opening=opening,
        expansions=projects,
        grants=grants,
        contracts=contracts,
        rate=rng.choice([0, 8, 12]),
        penalty=rng.choice([1_000, 100_000]),
        policy=rng.choice(["free", "keep_opening"]),
        mode=mode or rng.choice(["continuous", "lumpy"]),
        name=f"random{seed}",
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_random_case_plan_holds(seed):
    case = random_case(seed)
    res = solve_case(case)
    assert res.status in (Status.OPTIMAL, Status.INFEASIBLE), res.message
    if res.status == Status.OPTIMAL:
        assert violations(res, case) == []
        limits = res.duals[res.duals["kind"] == "limit"]
        assert (limits["dual_usd_per_unit"] >= -1e-6).all(), "relaxing a limit never hurts"


def test_most_random_cases_are_feasible():
    """The generator exercises the plan, not only infeasibility."""
    optimal = sum(solve_case(random_case(seed)).status == Status.OPTIMAL for seed in SEEDS)
    assert optimal >= 0.6 * len(SEEDS)


@pytest.mark.parametrize("seed", [s for s in SEEDS if random_case(s).expansions][:20])
def test_lumpy_never_beats_continuous(seed):
    lumpy = solve_case(random_case(seed, "lumpy"))
    continuous = solve_case(random_case(seed, "continuous"))
    assert lumpy.status == continuous.status
    if lumpy.status == Status.OPTIMAL:
        assert violations(lumpy, random_case(seed, "lumpy")) == []
        tol = 1e-6 * max(1.0, abs(continuous.objective_usd))
        assert lumpy.objective_usd <= continuous.objective_usd + tol
