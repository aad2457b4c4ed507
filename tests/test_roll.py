"""``ore-optimizer roll``: next month's case — stocks and in-transit ore carried exactly,
grants reduced by money drawn, new months carried and flagged, the input untouched, several
months at once the same as one at a time, and the same plan where the months overlap."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from conftest import Rows, full_rows, minimal_rows, set_cell, write_book

from optimizer.cli.app import main
from optimizer.cli.pipeline import load_case
from optimizer.inputs.readme_sheet import REVIEW_FILL
from optimizer.planner_words import tonnes
from optimizer.solve.run import solve_case


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def quiet_end() -> Rows:
    """The tiny case whose last month adds nothing: no supply, no price, so the months a
    roll carries from it add nothing either; and no holding cost, so ore left at the old
    horizon's end costs nothing in the new month."""
    rows = minimal_rows()
    for sheet in ("Supply", "Prices"):  # the last column is 2027-03
        for row in rows[sheet][1:]:
            row[-1] = 0
    for sheet in ("Sources", "Smelters"):  # holding_cost_usd_per_t_month
        column = rows[sheet][0].index("holding_cost_usd_per_t_month")
        for row in rows[sheet][1:]:
            row[column] = 0
    return rows


def _roll(tmp_path: Path, book: Path, to: str, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["roll", str(book), "--to", to, "-o", str(out), *extra]) == 0
    assert main(["validate", str(out)]) == 0
    return out


def test_rolled_plan_keeps_the_overlapping_months(tmp_path: Path) -> None:
    """Rolled one month with no actuals and no edits, the case re-plans 2027-02..03 as the
    original plan did: its objective (discounted from 2027-02) is the original's net of
    those months re-discounted to 2027-02, and the carried month 2027-04 adds nothing."""
    book = write_book(tmp_path / "case.xlsx", quiet_end())
    before = _sha(book)
    case, _, _ = load_case(book)
    plan = solve_case(case)
    nxt = _roll(tmp_path, book, "2027-02", "next.xlsx")
    assert _sha(book) == before, "roll changed its input"
    rolled, _, _ = load_case(nxt)
    assert rolled.settings.start_month == "2027-02" and rolled.horizon == case.horizon
    cash = plan.cashflow
    tail = cash[cash["month"] >= "2027-02"]["discounted_net_usd"].sum()
    expected = tail / cash["discount_factor"].iloc[1]
    assert solve_case(rolled).objective_usd == pytest.approx(expected, rel=1e-9)

    jan_end = {
        (r.source, r.source): r.stock_t
        for r in plan.sources[plan.sources["month"] == "2027-01"].itertuples()
        if r.stock_t > 0
    }
    jan_end |= {
        (r.smelter, r.source): r.stock_t
        for r in plan.yard[plan.yard["month"] == "2027-01"].itertuples()
        if r.stock_t > 0
    }
    assert {(o.location, o.source): o.tonnes for o in rolled.opening_stock} == pytest.approx(
        jan_end
    )
    flows = plan.flows
    on_way = flows[(flows["month"] == "2027-01") & (flows["arrival_month"] >= "2027-02")]
    assert sum(x.tonnes for x in rolled.in_transit) == pytest.approx(on_way.dispatched_t.sum())


def test_new_months_are_carried_highlighted_and_listed(tmp_path: Path) -> None:
    book = write_book(tmp_path / "case.xlsx", quiet_end())
    nxt = _roll(tmp_path, book, "2027-03", "next.xlsx")
    wb = openpyxl.load_workbook(nxt)
    supply = wb["Supply"]
    assert [c.value for c in supply[1]] == ["source", "bound", "2027-03", "2027-04", "2027-05"]
    for row in (2, 3, 4):
        for col in ("D", "E"):
            assert supply[f"{col}{row}"].value == 0
            assert supply[f"{col}{row}"].fill.fgColor.rgb.endswith(REVIEW_FILL.fgColor.rgb[-6:])
        assert supply[f"C{row}"].fill.fgColor.rgb != supply["D2"].fill.fgColor.rgb
    readme = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert "Assumptions to review (10 cells" in readme
    assert "Supply!D2" not in readme and "AK1 max 2027-04: carried from 2027-03" in readme


def test_grants_lose_the_money_drawn_and_contracts_record_deliveries(tmp_path: Path) -> None:
    """TF at 20 t/month makes the cheap TF-X worth building in February (half paid by DPA);
    rolled to 2027-03, that stage is committed (its own row, named by the SMALL grant that
    names TF-X), TF-X keeps the rest of its 300 t/month, DPA keeps its amount less that
    draw and DLA's note records its January-February deliveries."""
    rows = set_cell(full_rows(), "Smelters", "TF", "base_capacity_t_per_month", 20)
    rows = set_cell(rows, "Expansions", "TF-X", "capex_usd_per_t_per_month", 100)
    book = write_book(tmp_path / "case.xlsx", rows)
    case, _, _ = load_case(book)
    plan = solve_case(case)
    past = plan.grant_use[plan.grant_use["month"] < "2027-03"]
    drawn = past.groupby("grant")["paid_usd"].sum().to_dict()
    assert drawn.get("DPA", 0) > 0, "the test case should draw the grant before 2027-03"
    rolled, _, _ = load_case(_roll(tmp_path, book, "2027-03", "next.xlsx"))
    assert rolled.grants["DPA"].amount_usd == pytest.approx(1_000_000 - drawn["DPA"])
    (built,) = plan.builds[plan.builds["project"] == "TF-X"].itertuples()
    stage = rolled.expansions[f"TF-X stage {built.month}"]
    assert (stage.committed_start, stage.max_added_t_per_month) == (-1, built.added_t_per_month)
    rest = rolled.expansions["TF-X"]
    assert rest.committed_start is None
    assert rest.max_added_t_per_month == pytest.approx(300 - built.added_t_per_month)
    assert stage.project in rolled.grants["SMALL"].eligible_projects
    contracts = plan.contracts
    delivered = contracts[(contracts["month"] < "2027-03") & (contracts["contract"] == "DLA")]
    wb = openpyxl.load_workbook(tmp_path / "next.xlsx")
    notes = [r[-1].value for r in wb["Contracts"].iter_rows(min_row=2) if r[0].value == "DLA"]
    total = delivered["delivered_t"].sum()
    assert notes and f"delivered 2027-01 to 2027-02: {tonnes(total)} Sb" in notes[0]


def _actuals_book(path: Path) -> Path:
    """January and February as they happened: AK1 mined 60 and 40 t, all trucked to TF
    (arriving a month later), 30 t of it fed in February."""
    return write_book(
        path,
        {
            "Actuals": [
                ["month", "kind", "id", "origin", "tonnes"],
                ["2027-01", "mined", "AK1", None, 60],
                ["2027-01", "shipped", "AK1-TF", None, 60],
                ["2027-02", "mined", "AK1", None, 40],
                ["2027-02", "shipped", "AK1-TF", None, 40],
                ["2027-02", "fed", "TF", "AK1", 30],
            ]
        },
    )


def test_two_months_at_once_equal_two_single_rolls(tmp_path: Path) -> None:
    """From the actuals: 60 t sent in January arrive in February, 30 t are fed, 30 t stay in
    TF's yard; the 40 t sent in February arrive in March: in transit."""
    book = write_book(tmp_path / "case.xlsx", minimal_rows())
    actuals = _actuals_book(tmp_path / "actuals.xlsx")
    before = (_sha(book), _sha(actuals))
    at_once = _roll(tmp_path, book, "2027-03", "two.xlsx", "--actuals", str(actuals))
    one = _roll(tmp_path, book, "2027-02", "one.xlsx", "--actuals", str(actuals))
    twice = _roll(tmp_path, one, "2027-03", "twice.xlsx")
    assert (_sha(book), _sha(actuals)) == before
    a, _, _ = load_case(at_once)
    b, _, _ = load_case(twice)
    for case in (a, b):
        assert [(o.location, o.source, o.tonnes) for o in case.opening_stock] == [
            ("TF", "AK1", pytest.approx(30.0))
        ]
        assert [(x.route, x.arrival, x.tonnes) for x in case.in_transit] == [
            ("AK1-TF", 0, pytest.approx(40.0))
        ]
    assert a.sources == b.sources and a.smelters == b.smelters and a.routes == b.routes
    assert solve_case(a).objective_usd == pytest.approx(solve_case(b).objective_usd, rel=1e-9)


def test_roll_refuses_bad_months_and_its_own_input(tmp_path: Path) -> None:
    book = write_book(tmp_path / "case.xlsx", minimal_rows())
    for to in ("2027-01", "2026-12", "2027-05", "March"):
        assert main(["roll", str(book), "--to", to, "-o", str(tmp_path / "n.xlsx")]) == 1
    assert main(["roll", str(book), "--to", "2027-02", "-o", str(book)]) == 1
    assert not (tmp_path / "n.xlsx").exists()
