"""The grant-delay sweep: syntax, the generated Scenarios overrides, the cost table (hand
checked) and, on the default case (where the grant is worth $6.6M), a monotone curve."""

from __future__ import annotations

import itertools
import json

import openpyxl
import pytest
from conftest import raw_book
from test_scenarios_run import tiny_rows

from optimizer.cli.app import main
from optimizer.errors import UsageError
from optimizer.inputs.default_case import default_raw
from optimizer.inputs.scenario import apply_scenario_with_changes
from optimizer.scenarios.plan import prepare
from optimizer.scenarios.sweep import Sweep, parse_sweep, sweep_book, sweep_rows


def test_parse_sweep():
    assert parse_sweep("grant-delay:0..12") == Sweep("grant-delay", tuple(range(13)))
    assert parse_sweep(" grant-delay : 3 .. 5 ").levels == (3, 4, 5)
    assert parse_sweep("grant-delay:2").levels == (0, 1, 2)
    assert parse_sweep("domestic-share:0..100:10").levels == tuple(range(0, 101, 10))
    assert parse_sweep("domestic-share: 20 .. 45 : 10") == Sweep("domestic-share", (20, 30, 40))
    assert parse_sweep("domestic-share:0..30").levels == (0, 10, 20, 30)
    for bad in (
        "grant-delay",
        "grant-delay:5..2",
        "price:0..3",
        "grant-delay:-1..3",
        "grant-delay:0..999",
        "domestic-share:0..110:10",
        "domestic-share:50..10:10",
        "domestic-share:0..100:0",
        "domestic-share:10",
    ):
        with pytest.raises(UsageError):
            parse_sweep(bad)


def test_sweep_book_overrides_every_grant_award_from_its_effective_month():
    """The default grant is awarded 2026-03, before the 2027-01 start: it counts from
    2027-01, so a 1-month delay is 2027-02 and a 12-month delay 2028-01."""
    raw = default_raw()
    case = prepare(raw, []).cases[None]
    book, names = sweep_book(raw, case, parse_sweep("grant-delay:0..12"))
    assert names == [f"grant_delay_{d}m" for d in range(1, 13)]
    assert prepare(book).names == names
    _, changes = apply_scenario_with_changes(book, "grant_delay_12m")
    assert [(c.sheet, c.cell, c.key, c.column, c.old, c.new) for c in changes] == [
        ("Grants", "D2", "DPA Title III", "award_month", "2026-03", "2028-01")
    ]
    assert "Scenarios" in raw.sheets and raw.sheets["Scenarios"].rows[0][0] == "grant_delayed_6m", (
        "the input book must not change"
    )


def test_sweep_rows_hand_checked():
    """Objectives 100, 90, 90, 60 at delays 0..3: losses 0, 10, 10, 40; month costs —, 10,
    0, 30. Starting at delay 2 (80) and 3 (70): the first row's cost is (100 − 80) / 2."""
    case = prepare(raw_book(tiny_rows()), []).cases[None]
    rows = sweep_rows(
        Sweep("grant-delay", (0, 1, 2, 3)),
        case,
        {
            None: ("optimal", 100.0),
            1: ("optimal", 90.0),
            2: ("optimal", 90.0),
            3: ("optimal", 60.0),
        },
    )
    assert [r.loss_usd for r in rows] == [0, 10, 10, 40]
    assert [r.step_cost_usd for r in rows] == [None, 10, 0, 30]
    later = sweep_rows(
        Sweep("grant-delay", (2, 3)),
        case,
        {None: ("optimal", 100.0), 2: ("optimal", 80.0), 3: ("optimal", 70.0)},
    )
    assert [r.step_cost_usd for r in later] == [10, 10]
    failed = sweep_rows(
        Sweep("grant-delay", (0, 1)), case, {None: ("optimal", 100.0), 1: ("infeasible", None)}
    )
    assert failed[1].loss_usd is None and failed[1].step_cost_usd is None


def test_domestic_share_rows_hand_checked():
    """Base 100; shares 0, 50, 100 give 100, 70, infeasible: costs vs base 0, 30, —; step
    costs 0 (from the base case), 30 (the whole step, not per point), —."""
    case = prepare(raw_book(tiny_rows()), []).cases[None]
    rows = sweep_rows(
        Sweep("domestic-share", (0, 50, 100)),
        case,
        {
            None: ("optimal", 100.0),
            0: ("optimal", 100.0),
            50: ("optimal", 70.0),
            100: ("infeasible", None),
        },
    )
    assert [r.loss_usd for r in rows] == [0, 30, None]
    assert [r.step_cost_usd for r in rows] == [0, 30, None]
    assert rows[2].as_json() == {
        "min_domestic_share_pct": 100,
        "status": "infeasible",
        "objective_usd": None,
        "cost_vs_base_usd": None,
        "cost_of_step_usd": None,
    }


def test_sweep_without_a_grant_is_a_usage_error(tmp_path, capsys):
    from conftest import write_book

    book = write_book(tmp_path / "tiny.xlsx", tiny_rows())
    assert main(["scenarios", str(book), "--sweep", "grant-delay:0..3"]) == 1
    assert main(["scenarios", str(book), "--sweep", "grant-dealy:0..3"]) == 1
    err = capsys.readouterr().err
    assert "needs a grant" in err and "unknown sweep" in err


def test_default_case_grant_delay_sweep_is_monotone(tmp_path, capsys):
    book = tmp_path / "base.xlsx"
    assert main(["template", str(book)]) == 0
    out = tmp_path / "sweep.xlsx"
    capsys.readouterr()
    assert (
        main(["scenarios", str(book), "--sweep", "grant-delay:0..12", "-o", str(out), "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    sweep = data["sweep"]
    assert [r["delay_months"] for r in sweep] == list(range(13))
    objectives = [r["objective_usd"] for r in sweep]
    assert all(r["status"] == "optimal" for r in sweep)
    tolerance = 1e-9 * abs(objectives[0])
    assert all(b <= a + tolerance for a, b in itertools.pairwise(objectives))
    assert sweep[-1]["loss_usd"] > 1_000_000  # a year's delay costs over $1M here
    assert all(r["cost_per_month_usd"] >= 0 for r in sweep[1:])
    assert sum(r["cost_per_month_usd"] for r in sweep[1:]) == pytest.approx(
        sweep[-1]["loss_usd"], rel=1e-9
    )
    # award month: data, re-solved on the base LP; the default single mode is a MILP: cold
    assert {r["solved_by"] for r in data["runs"][1:]} == {"cold"}

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["GrantDelay", "Comparison"]
    ws = wb["GrantDelay"]
    assert ws["A1"].value == "Grant award delay (months)"
    assert [ws.cell(r, 1).value for r in range(2, 15)] == list(range(13))
    assert len(wb["Charts"]._charts) == 2 + 2 + 2  # sweep curve + comparison + 2 smelters
    changes = [r for r in wb["InputChanges"].iter_rows(min_row=2, values_only=True)]
    assert len(changes) == 12 and changes[0][:7] == (
        "grant_delay_1m",
        "Grants",
        "D2",
        "DPA Title III",
        "award_month",
        "2026-03",
        "2027-02",
    )


def _share_rows():
    """The tiny case with Madero needing ≥ 20 t of feed a month. No ore reaches Madero before
    month 2 (AK1's route takes 2 months, BUY's 1), so months 0 and 1 are fed from its yard:
    100 t of foreign BUY ore and 15 t of domestic AK1 ore. At a minimum share L each of those
    months needs ≥ L % × 20 t of AK1 ore: 2 × 0.2 × L ≤ 15 → L ≤ 37.5 %: 0–30 % are
    feasible, 40 % and above infeasible."""
    from conftest import minimal_rows, set_cell

    rows = set_cell(minimal_rows(), "Smelters", "MAD", "min_feed_t_per_month", 20)
    rows["OpeningStock"] = [
        ["location", "source", "tonnes"],
        ["MAD", "BUY", 100],
        ["MAD", "AK1", 15],
    ]
    return rows


def test_domestic_share_sweep_end_to_end(tmp_path, capsys):
    from conftest import write_book

    book = write_book(tmp_path / "share.xlsx", _share_rows())
    out = tmp_path / "share_cmp.xlsx"
    capsys.readouterr()
    argv = ["scenarios", str(book), "--sweep", "domestic-share:0..60:10", "-o", str(out)]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    sweep = data["sweep"]
    assert [r["min_domestic_share_pct"] for r in sweep] == [0, 10, 20, 30, 40, 50, 60]
    assert [r["status"] for r in sweep] == ["optimal"] * 4 + ["infeasible"] * 3
    feasible = [r for r in sweep if r["status"] == "optimal"]
    objectives = [r["objective_usd"] for r in feasible]
    assert objectives[0] == pytest.approx(data["runs"][0]["objective_usd"])
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(objectives))
    assert sum(r["cost_of_step_usd"] for r in feasible) == pytest.approx(
        feasible[-1]["cost_vs_base_usd"]
    )
    assert all(r["objective_usd"] is None for r in sweep[4:])

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["DomesticShare", "Comparison"]
    ws = wb["DomesticShare"]
    assert ws["A1"].value == "Minimum domestic share at every smelter (%)"
    assert [ws.cell(r, 1).value for r in range(2, 9)] == [0, 10, 20, 30, 40, 50, 60]
    changes = [r for r in wb["InputChanges"].iter_rows(min_row=2, values_only=True)]
    assert ("domestic_share_40pct", "Smelters", "MAD", "min_domestic_share_pct", "40") in {
        (c[0], c[1], c[3], c[4], c[6]) for c in changes
    }

    assert main(argv) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "domestic share ≥ 40% at every smelter: infeasible" in text
    assert "domestic share ≥ 10% at every smelter:" in text
