"""``ore-optimizer compare``: the margin change attributed to groups of input changes by exact
Shapley values (adding up to the total), the changed cells, key figures and the workbook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import openpyxl
import pytest
from cases import make_case, route, smelter, source
from conftest import minimal_rows, write_book
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.case import Case
from optimizer.cli.app import main
from optimizer.cycle.groups import GROUPS, changed_groups, mix
from optimizer.cycle.shapley import attribute, coalitions, shapley
from optimizer.solve.run import solve_case


def test_symmetric_groups_split_equally_and_dummies_get_nothing() -> None:
    """v(∅) = 0, v({a}) = v({b}) = 1, v({a, b}) = 3, c adds nothing: a and b are
    interchangeable, so each gets (1 + 2) / 2 = 1.5; c gets 0; 1.5 + 1.5 + 0 = 3."""
    base = {frozenset(): 0.0, frozenset("a"): 1.0, frozenset("b"): 1.0, frozenset("ab"): 3.0}
    shares = shapley(["a", "b", "c"], lambda s: base[s - {"c"}])
    assert shares == pytest.approx({"a": 1.5, "b": 1.5, "c": 0.0})


def bottleneck(supply: float, capacity: float, price: float = 1000.0) -> Case:
    """One month: a 50 % Sb mine (``supply`` t) feeds one smelter (``capacity`` t)."""
    return make_case(
        1,
        sources=[source(horizon=1, max_t=supply)],
        smelters=[smelter(horizon=1, capacity=capacity, price=price)],
    )


def test_complementary_changes_share_the_gain_equally() -> None:
    """Supply and capacity both rise 100 → 150 t: either alone adds nothing (the other still
    limits at 100 t); together 50 t more ore, 25 t Sb, $25,000. Symmetric: $12,500 each."""
    old, new = bottleneck(100, 100), bottleneck(150, 150)
    groups = changed_groups(old, new)
    assert groups == ["supply", "smelter capacity"]
    result = attribute(old, new, groups)
    assert result.total == pytest.approx(25_000)
    assert result.shares == pytest.approx({"supply": 12_500, "smelter capacity": 12_500})


def test_a_single_changed_group_gets_the_whole_change() -> None:
    """Only the price moves (1,000 → 1,300 USD/t Sb on 50 t Sb): +$15,000, all prices."""
    old, new = bottleneck(100, 100), bottleneck(100, 100, price=1300.0)
    result = attribute(old, new, changed_groups(old, new))
    assert result.shares == {"prices": pytest.approx(15_000)}


def _edited(case: Case, factors: dict[str, float]) -> Case:
    """``case`` with each group's numbers scaled by its factor."""
    s = case.sources["Mine"]
    p = case.smelters["Smelter"]
    r = case.routes["Truck"]
    return dataclasses.replace(
        case,
        sources={
            "Mine": dataclasses.replace(
                s,
                supply_max_t=tuple(v * factors["supply"] for v in s.supply_max_t),
                cost_usd_per_t=s.cost_usd_per_t * factors["costs"],
            )
        },
        smelters={
            "Smelter": dataclasses.replace(
                p,
                base_capacity_t_per_month=p.base_capacity_t_per_month * factors["smelter capacity"],
                prices_usd_per_t_sb=tuple(v * factors["prices"] for v in p.prices_usd_per_t_sb),
            )
        },
        routes={
            "Truck": dataclasses.replace(
                r, capacity_t_per_month=r.capacity_t_per_month * factors["routes"]
            )
        },
    )


FACTORS = st.sampled_from([1.0, 0.5, 0.8, 1.25, 2.0])


@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({g: FACTORS for g in GROUPS[:5]}))
def test_shapley_adds_up_to_the_total_on_random_edits(factors: dict[str, float]) -> None:
    """Two months, a costed mine, a route and a smelter that each may bind: whatever the
    edits, the shares add up to the change of the optimum, and every mix is a case."""
    H = 2
    old = make_case(
        H,
        sources=[source(horizon=H, max_t=[100, 60], cost=200.0)],
        smelters=[smelter(horizon=H, capacity=80.0)],
        routes=[route(horizon=H, capacity=90.0, cost=20.0)],
        rate=8.0,
    )
    new = _edited(old, factors)
    groups = changed_groups(old, new)
    assert groups == [g for g in GROUPS[:5] if factors[g] != 1.0]
    assert mix(old, new, groups) == new
    result = attribute(old, new, groups)
    change = solve_case(new).objective_usd - solve_case(old).objective_usd
    assert result.total == pytest.approx(change, rel=1e-9, abs=1e-6)
    assert sum(result.shares.values()) == pytest.approx(change, rel=1e-9, abs=1e-6)
    assert len(result.values) == len(coalitions(groups)) == 2 ** len(groups)


def test_compare_cli_json_and_workbook(tmp_path: Path, capsys) -> None:
    """TF's price up 10 %, AK1's cost down and January's recorded mining up 10 t (an
    Actuals row with a blank origin): the JSON adds up, the cells are listed by group and
    the workbook holds the waterfall chart."""
    old_rows = minimal_rows()
    new_rows = minimal_rows()
    new_rows["Prices"][1] = ["TF", *[44000] * 3]
    new_rows["Sources"][1][6] = 300
    actuals = [["month", "kind", "id", "origin", "tonnes"], ["2027-01", "mined", "AK1", None, 60]]
    old_rows["Actuals"] = actuals
    new_rows["Actuals"] = [actuals[0], ["2027-01", "mined", "AK1", None, 70]]
    old = write_book(tmp_path / "old.xlsx", old_rows)
    new = write_book(tmp_path / "new.xlsx", new_rows)
    out = tmp_path / "changes.xlsx"
    assert main(["compare", str(old), str(new), "--json", "-o", str(out), "--jobs", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["attribution_usd"]) == {"prices", "costs", "supply"}
    assert sum(data["attribution_usd"].values()) == pytest.approx(data["total_change_usd"])
    assert data["total_change_usd"] == pytest.approx(
        data["new_margin_usd"] - data["old_margin_usd"], abs=1e-3
    )
    cells = {(c["sheet"], c["cell"], c["group"]) for c in data["changed_cells"]}
    assert cells == {
        ("Prices", "B2", "prices"),
        ("Prices", "C2", "prices"),
        ("Prices", "D2", "prices"),
        ("Sources", "G2", "costs"),
        ("Actuals", "E2", "supply"),
    }
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:5] == ["Attribution", "InputChanges", "KeyFigures", "Actions", "Solves"]
    assert len(wb["Attribution"]._charts) == 1
    (chart,) = wb["Attribution"]._charts  # the waterfall prints with its table
    printed_to = int(wb["Attribution"].print_area.rsplit("$", 1)[1])
    assert chart.anchor._from.row + 18 <= printed_to
    figures = {r[0].value: r for r in wb["KeyFigures"].iter_rows(min_row=2)}
    margin = figures["Discounted margin (USD)"]
    assert margin[3].value == pytest.approx(data["total_change_usd"], abs=1e-3)


def test_compare_needs_the_same_start_month(tmp_path: Path, capsys) -> None:
    old = write_book(tmp_path / "old.xlsx", minimal_rows())
    later = write_book(tmp_path / "new.xlsx", minimal_rows(("2027-02", "2027-03", "2027-04")))
    assert main(["compare", str(old), str(later)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "roll the older one first" in err and "ore-optimizer roll old.xlsx --to 2027-02" in err
