"""The Uncertainty sheet: located problems per row (a bad row leaves only its factor out),
seeded draws of each distribution, and drawn values applied to the workbook."""

from __future__ import annotations

import numpy as np
import pytest
from risk_cases import capacity_factor, newsvendor

from optimizer.inputs.default_case import default_raw
from optimizer.inputs.sampling import (
    EVALUATION,
    apply_draws,
    draw_samples,
    mean_draws,
    round_months,
    sample_book,
)
from optimizer.inputs.uncertainty import read_factors
from optimizer.inputs.validate import validate


def problems_of(*rows):
    factors, problems = read_factors(newsvendor(list(rows)))
    return factors, [(p.row, p.column, p.rule) for p in problems if p.is_error]


def test_default_case_factors_are_all_valid_and_cover_every_distribution():
    factors, problems = read_factors(default_raw())
    assert problems == []
    laws = {f.distribution for f in factors}
    assert laws == {"discrete", "uniform", "triangular", "normal", "lognormal", "random_walk"}
    assert {f.action for f in factors} >= {"scale", "add", "set", "delay"}


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (capacity_factor("uniform", 80, 20), "p2", "low p1 ≤ high p2"),
        (capacity_factor("triangular", 0, 50, None), "p3", "triangular needs p3"),
        (capacity_factor("normal", 50, -1), "p2", "standard deviation"),
        (capacity_factor("lognormal", 0, 0.1), "p1", "median p1 > 0"),
        (capacity_factor("gamma"), "distribution", "one of"),
        (capacity_factor(sheet="Pricez"), "sheet", "not a sheet"),
        (capacity_factor(key="NOPE"), "key", "no row"),
        (capacity_factor(column="2031-01"), "column", "no column for month"),
        (capacity_factor(action="delay"), "action", "'delay' needs a month column"),
        (capacity_factor("random_walk", 0.1), "action", "random_walk scales"),
        (
            capacity_factor("discrete", values="50;90", probabilities="0.5;0.6"),
            "probabilities",
            "sum to 1",
        ),
        (
            capacity_factor("discrete", values="50;x", probabilities="0.5;0.5"),
            "values",
            "';'-separated numbers",
        ),
    ],
)
def test_a_bad_row_is_located_and_leaves_only_its_factor_out(row, column, words):
    good = capacity_factor(factor="good")
    factors, problems = problems_of(good, row)
    assert [f.name for f in factors] == ["good"]
    assert len(problems) == 1, problems
    assert problems[0][:2] == (3, column)
    assert words in problems[0][2]


def test_duplicate_names_and_group_mismatch_are_errors_at_the_later_row():
    a = capacity_factor(factor="a", group="g")
    b = capacity_factor("uniform", 0, 90, factor="b", group="g")
    dup = capacity_factor(factor="a")
    factors, problems = problems_of(a, b, dup)
    assert [f.name for f in factors] == ["a"]
    assert [(r, c) for r, c, _ in problems] == [(3, "group"), (4, "factor")]


def test_a_group_shares_one_draw_and_draws_are_sample_major():
    a = capacity_factor(factor="a", group="g")
    b = capacity_factor(factor="b", group="g", column="2027-01")
    c = capacity_factor(factor="c")
    factors, _ = read_factors(newsvendor([a, b, c]))
    five = draw_samples(factors, 2, 5, seed=3)
    assert all(s["a"] == s["b"] for s in five)
    assert len({s["a"] for s in five}) == 5
    assert draw_samples(factors, 2, 2, seed=3) == five[:2]  # more samples: same first ones
    assert draw_samples(factors, 2, 5, seed=3, stream=EVALUATION) != five


def test_distributions_draw_in_range_with_the_documented_moments():
    rows = [
        capacity_factor("uniform", 10, 20, factor="u"),
        capacity_factor("triangular", 10, 10, 10, factor="flat"),
        capacity_factor("triangular", 0, 30, 90, factor="tri"),
        capacity_factor("normal", 50, 5, factor="n"),
        capacity_factor("lognormal", 40, 0.2, factor="ln"),
        capacity_factor("discrete", values="10;90", probabilities="0.25;0.75", factor="d"),
    ]
    factors, problems = read_factors(newsvendor(rows))
    assert not problems
    draws = draw_samples(factors, 2, 4000, seed=11)
    col = {f.name: np.array([s[f.name] for s in draws]) for f in factors}
    assert col["u"].min() >= 10 and col["u"].max() <= 20
    assert set(col["flat"]) == {10.0}
    assert col["tri"].mean() == pytest.approx((0 + 30 + 90) / 3, rel=0.03)
    assert col["n"].mean() == pytest.approx(50, rel=0.01)
    assert np.median(col["ln"]) == pytest.approx(40, rel=0.03)
    assert set(col["d"]) == {10.0, 90.0}
    assert (col["d"] == 90).mean() == pytest.approx(0.75, abs=0.03)


def test_random_walk_starts_at_one_and_follows_its_drift():
    raw = default_raw()
    factors = [f for f in read_factors(raw)[0] if f.name == "price_walk"]
    draws = draw_samples(factors, 36, 400, seed=5)
    paths = np.array([s["price_walk"] for s in draws])
    assert paths.shape == (400, 36)
    assert np.all(paths[:, 0] == 1.0)
    steps = np.diff(np.log(paths), axis=1)
    assert steps.std() == pytest.approx(0.04, rel=0.05)  # p1: monthly σ of the log
    assert abs(steps.mean()) < 0.004  # p2 blank: no drift


def test_draws_apply_like_scenario_rows_and_delay_rounds_half_away_from_zero():
    raw = default_raw()
    factors, _ = read_factors(raw)
    draws = draw_samples(factors, 36, 1, seed=1)[0]
    draws = {**draws, "grant_award_delay": 2.5, "price_regime": 0.5}
    case = validate(apply_draws(raw, factors, draws, "test"))[0]
    base = validate(raw)[0]
    assert case.grants["DPA Title III"].award == base.grants["DPA Title III"].award + 3
    walk = draws["price_walk"]
    tf = case.smelters["Thompson Falls"].prices_usd_per_t_sb
    tf0 = base.smelters["Thompson Falls"].prices_usd_per_t_sb
    assert tf[7] == pytest.approx(tf0[7] * 0.5 * walk[7])
    assert round_months(-2.5) == -3 and round_months(0.49) == 0
    assert raw.sheets["Grants"].rows[0][3] == "2026-03"  # the input is never modified


def test_expected_value_draws_average_each_factor_per_month():
    raw = default_raw()
    factors, _ = read_factors(raw)
    draws = draw_samples(factors, 36, 3, seed=1)
    mean = mean_draws(factors, draws)
    assert mean["price_regime"] == pytest.approx(np.mean([d["price_regime"] for d in draws]))
    assert len(mean["price_walk"]) == 36 and mean["price_walk"][0] == 1.0


def test_sample_book_is_the_kth_planning_sample():
    raw = newsvendor(risk_seed=4)
    factors, _ = read_factors(raw)
    third = draw_samples(factors, 2, 3, seed=4)[2]["capacity"]
    case = validate(sample_book(raw, 3))[0]
    assert case.smelters["S"].availability_pct[1] == pytest.approx(third)
