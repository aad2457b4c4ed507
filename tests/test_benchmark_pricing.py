"""Benchmark-priced sources (SPEC §6.2): the cost rule by hand, in the model and through a
workbook (validation of every new column, the ``benchmark`` Prices row that is not a smelter,
and the scenario that scales every Prices row, benchmark included)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from cases import make_case, route, smelter, solved, source
from conftest import Rows, minimal_rows, raw_book, set_cell, write_book
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.cli.app import main
from optimizer.inputs.scenario import apply_scenario
from optimizer.inputs.validate import validate


def _concentrate(**changes):
    """50 % Sb, 2.0 % As; fixed part 10 USD/t, 60 % payable, 100 USD/t per % As above 0.5 %."""
    base = source("Conc", horizon=2, max_t=100, arsenic=2.0, cost=10.0, kind="purchase")
    priced = {
        "price_basis": "benchmark",
        "payable_pct": 60.0,
        "arsenic_penalty_usd_per_t_per_pct": 100.0,
        "arsenic_free_pct": 0.5,
    }
    return replace(base, **{**priced, **changes})


def _case(conc, benchmark=(800.0, 1200.0)):
    case = make_case(
        2,
        sources=[conc],
        smelters=[smelter(horizon=2)],
        routes=[route(src="Conc", horizon=2)],
    )
    return replace(case, benchmark_usd_per_t_sb=tuple(benchmark))


def test_cost_per_tonne_follows_the_benchmark():
    """Month 0: 10 + 0.60 × 0.50 × 800 + 100 × (2.0 − 0.5) = 10 + 240 + 150 = 400 USD/t;
    month 1: 10 + 0.30 × 1,200 + 150 = 520 USD/t."""
    case = _case(_concentrate())
    assert case.ore_cost_usd_per_t("Conc", 0) == pytest.approx(400)
    assert case.ore_cost_usd_per_t("Conc", 1) == pytest.approx(520)
    below_free = _case(_concentrate(arsenic_pct=0.2))
    assert below_free.ore_cost_usd_per_t("Conc", 0) == pytest.approx(250)
    fixed = _case(replace(_concentrate(), price_basis="fixed"))
    assert fixed.ore_cost_usd_per_t("Conc", 1) == pytest.approx(10)


def test_model_buys_only_in_the_month_the_benchmark_leaves_a_margin():
    """Ore is worth 500 USD/t (50 % Sb at 1,000 USD/t, recovery 100 %). Month 0 costs 400:
    buy 100 t for 100 × 100 = 10,000. Month 1 costs 520: buy nothing. Objective 10,000.
    With the benchmark halved in month 1 (600): 10 + 180 + 150 = 340 → +100 × 160 = 26,000."""
    res = solved(_case(_concentrate()))
    assert res.objective_usd == pytest.approx(10_000)
    assert res.sources["mined_t"].tolist() == pytest.approx([100, 0])
    res = solved(_case(_concentrate(), benchmark=(800.0, 600.0)))
    assert res.objective_usd == pytest.approx(26_000)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    payable=st.floats(30, 90),
    grade=st.floats(5, 70),
    arsenic=st.floats(0, 5),
    free=st.floats(0, 2),
    penalty=st.floats(0, 1_000),
    benchmark=st.lists(st.floats(0, 3_000), min_size=3, max_size=3),
)
def test_one_source_buys_exactly_in_the_months_that_pay(
    payable, grade, arsenic, free, penalty, benchmark
):
    """One benchmark source (100 t/month, fixed part 20 USD/t), no limits, spot 1,000 USD/t Sb:
    the optimum buys all 100 t in a month exactly when grade × 1,000 exceeds that month's cost,
    so objective = Σ_t 100 × max(0, grade/100 × 1,000 − cost_t), cost_t computed here."""
    conc = _concentrate(
        grade_pct_sb=grade,
        arsenic_pct=arsenic,
        cost_usd_per_t=20.0,
        payable_pct=payable,
        arsenic_free_pct=free,
        arsenic_penalty_usd_per_t_per_pct=penalty,
    )
    case = make_case(
        3,
        sources=[replace(conc, supply_max_t=(100.0,) * 3, supply_min_t=(0.0,) * 3)],
        smelters=[smelter(horizon=3)],
        routes=[route(src="Conc", horizon=3)],
    )
    case = replace(case, benchmark_usd_per_t_sb=tuple(benchmark))
    expected = 0.0
    for price in benchmark:
        cost = 20 + payable * grade / 1e4 * price + penalty * max(0.0, arsenic - free)
        expected += 100 * max(0.0, grade * 10 - cost)
    assert solved(case).objective_usd == pytest.approx(expected, rel=1e-7, abs=1e-3)


# --- through a workbook ------------------------------------------------------------------

_NEW = ("price_basis", "payable_pct", "arsenic_penalty_usd_per_t_per_pct", "arsenic_free_pct")


def _benchmark_rows(benchmark_row: bool = True) -> Rows:
    """The tiny case with BUY (40 % Sb, 1.0 % As) priced on the benchmark: 100 USD/t fixed,
    60 % payable, 200 USD/t per % As above 0.5 %."""
    rows = copy.deepcopy(minimal_rows())
    rows["Sources"][0][-1:-1] = list(_NEW)
    rows["Sources"][1][-1:-1] = [None, None, None, None]
    rows["Sources"][2][-1:-1] = ["benchmark", 60, 200, 0.5]
    rows["Sources"][2][6] = 100  # cost_usd_per_t: the fixed part
    if benchmark_row:
        rows["Prices"].append(["benchmark", 30_000, 40_000, None])
    return rows


def test_workbook_benchmark_row_is_not_a_smelter():
    """BUY costs 100 + 0.6 × 0.4 × 30,000 + 200 × 0.5 = 7,400 USD/t in 2027-01, 9,800 in
    2027-02 and 200 in 2027-03 (blank benchmark cell = 0)."""
    case, problems = validate(raw_book(_benchmark_rows()))
    assert case is not None, problems
    assert "benchmark" not in case.smelters
    assert case.benchmark_usd_per_t_sb == (30_000, 40_000, 0)
    assert [case.ore_cost_usd_per_t("BUY", t) for t in range(3)] == pytest.approx(
        [7_400, 9_800, 200]
    )
    assert case.ore_cost_usd_per_t("AK1", 0) == 400


def test_scaling_every_price_moves_the_benchmark_too():
    """``Prices * * scale 0.5`` halves the benchmark row as well: 100 + 0.24 × 15,000 + 100."""
    rows = _benchmark_rows()
    rows["Scenarios"] = [
        ["scenario", "sheet", "key", "column", "action", "value"],
        ["half", "Prices", "*", "*", "scale", 0.5],
    ]
    case, problems = validate(apply_scenario(raw_book(rows), "half"))
    assert case is not None, problems
    assert case.ore_cost_usd_per_t("BUY", 0) == pytest.approx(3_800)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda r: set_cell(r, "Sources", "BUY", "payable_pct", None),
            "Sources!K3 [payable_pct] (source BUY): a benchmark-priced source needs payable_pct",
        ),
        (
            lambda r: set_cell(r, "Sources", "BUY", "price_basis", "benchmrk"),
            "Sources!J3 [price_basis]",
        ),
        (
            lambda r: set_cell(r, "Sources", "BUY", "arsenic_free_pct", 120),
            "Sources!M3 [arsenic_free_pct]",
        ),
        (
            lambda r: _benchmark_rows(benchmark_row=False),
            "Prices: no 'benchmark' row, yet source 'BUY' (Sources row 3) is priced on the "
            "benchmark",
        ),
        (
            lambda r: set_cell(r, "Smelters", "MAD", "smelter", "Benchmark"),
            "Smelters!A3 [smelter] (smelter Benchmark): 'benchmark' is reserved",
        ),
    ],
)
def test_bad_benchmark_inputs_are_located_errors(tmp_path, capsys, edit, expected):
    path = write_book(tmp_path / "bad.xlsx", edit(_benchmark_rows()))
    assert main(["validate", str(path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert expected in err, err


def test_benchmark_columns_on_a_fixed_source_are_ignored_with_a_warning(tmp_path, capsys):
    rows = set_cell(_benchmark_rows(), "Sources", "AK1", "payable_pct", 50)
    path = write_book(tmp_path / "warn.xlsx", rows)
    assert main(["validate", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "Sources!K2 [payable_pct] (source AK1): used only when price_basis is benchmark" in err
