"""Projects as planners build them, through the workbook: the optional Expansions columns
``committed_start_month`` and ``capex_months`` (SPEC §6.1) — located errors and warnings
from ``validate``, and a committed project solved end to end.

Expansions layout of ``full_rows`` with the two columns added: A project, B smelter, ...,
G earliest_start_month, H latest_start_month, I note, J committed_start_month,
K capex_months (L min_added_t_per_month where added); rows TF-X = 2, MAD-X = 3.
"""

from __future__ import annotations

import json

import pytest
from conftest import full_rows, set_cell, write_book
from test_cli_validate import add_column

from optimizer.cli.app import main
from optimizer.inputs.validate import validate
from optimizer.inputs.workbook import read_workbook


def _rows(committed=(None, None), capex_months=(None, None)):
    rows = add_column(full_rows(), "Expansions", "committed_start_month", list(committed))
    return add_column(rows, "Expansions", "capex_months", list(capex_months))


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            set_cell(_rows(), "Expansions", "TF-X", "earliest_start_month", None),
            "Expansions!G2 [earliest_start_month] (project TF-X): project TF-X: the first month "
            "construction "
            "may start is required — give earliest_start_month, or committed_start_month if "
            "construction is already decided",
        ),
        (
            _rows(capex_months=(0, None)),
            "Expansions!K2 [capex_months] (project TF-X): out of range: expected a whole number ≥ "
            "1",
        ),
        (
            _rows(capex_months=(2.5, None)),
            "Expansions!K2 [capex_months] (project TF-X): not a whole number: expected a whole "
            "number ≥ 1",
        ),
        (
            _rows(committed=("soon", None)),
            "Expansions!J2 [committed_start_month] (project TF-X): expected a month",
        ),
        (
            add_column(_rows(), "Expansions", "min_added_t_per_month", [301, None]),
            "Expansions!L2 [min_added_t_per_month] (project TF-X): project TF-X: smallest size "
            "above the "
            "largest (max_added_t_per_month = 300) (found 301) — min_added_t_per_month must "
            "be ≤ max_added_t_per_month",
        ),
        (
            add_column(_rows(), "Expansions", "source", ["AK1", None]),
            "Expansions!B2 [smelter] (project TF-X): project TF-X: both a smelter and a source "
            "(found 'TF') — "
            "set smelter for a smelter project or source for a mine-side project, not both",
        ),
        (
            set_cell(_rows(), "Expansions", "TF-X", "smelter", None),
            "Expansions!B2 [smelter] (project TF-X): project TF-X: neither a smelter nor a source",
        ),
    ],
    ids=[
        "blank earliest",
        "capex_months 0",
        "capex_months fraction",
        "bad committed month",
        "min above max",
        "smelter and source",
        "neither smelter nor source",
    ],
)
def test_project_columns_are_located_errors(tmp_path, capsys, rows, expected):
    path = write_book(tmp_path / "case.xlsx", rows)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err


def test_committed_project_needs_no_window_and_a_given_one_is_ignored(tmp_path, capsys):
    rows = _rows(committed=("2026-10", None), capex_months=(3, None))
    path = write_book(tmp_path / "case.xlsx", rows)
    assert main(["validate", str(path)]) == 0
    assert (
        "warning Expansions!G2 [earliest_start_month] (project TF-X): ignored: project TF-X is "
        "committed" in capsys.readouterr().err
    )
    case, _ = validate(read_workbook(path))
    x = case.expansions["TF-X"]
    assert (x.committed_start, x.capex_months) == (-3, 3)
    blank = set_cell(rows, "Expansions", "TF-X", "earliest_start_month", None)
    path = write_book(tmp_path / "blank.xlsx", blank)
    assert main(["validate", str(path)]) == 0
    assert "TF-X" not in capsys.readouterr().err


def test_old_workbooks_mean_decided_projects_paid_at_the_start(tmp_path):
    """Without the two columns every project is decided by the model and pays its capex in
    its start month (version-1 behaviour)."""
    case, _ = validate(read_workbook(write_book(tmp_path / "case.xlsx", full_rows())))
    assert all(x.committed_start is None and x.capex_months == 1 for x in case.expansions.values())


def test_committed_project_solves_end_to_end(tmp_path, capsys):
    """The committed TF-X (started 2026-10, lead 1, capex over 4 months) is in the plan as
    one stage of its whole 300 t/month, online from 2026-11, charged for its one payment
    inside the horizon (2027-01: 300 × 20,000 / 4 = 1,500,000 USD)."""
    rows = _rows(committed=("2026-10", None), capex_months=(4, None))
    path = write_book(tmp_path / "case.xlsx", rows)
    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(path), "-o", str(out), "--json"]) == 0, capsys.readouterr().err
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "optimal" and out.exists()
    from cases import solved

    case, _ = validate(read_workbook(path))
    res = solved(case)
    (row,) = res.builds[res.builds.project == "TF-X"].itertuples()
    assert (row.month, row.online_month) == ("2026-10", "2026-11")
    assert row.capex_usd == pytest.approx(1_500_000)
    assert data["objective_usd"] == pytest.approx(res.objective_usd)


def test_single_mode_solves_end_to_end(tmp_path, capsys):
    """expansion_mode single with a smallest size: exit 0, at most one start per project,
    each between its smallest and largest size; single never beats continuous."""
    rows = add_column(full_rows(), "Expansions", "min_added_t_per_month", [50, None])
    objective = {}
    for mode in ("continuous", "single"):
        book = {**rows, "Settings": [*rows["Settings"], ["expansion_mode", mode]]}
        path = write_book(tmp_path / f"{mode}.xlsx", book)
        out = tmp_path / f"{mode}_plan.xlsx"
        assert main(["solve", str(path), "-o", str(out), "--json"]) == 0
        objective[mode] = json.loads(capsys.readouterr().out)["objective_usd"]
    from cases import solved

    case, _ = validate(read_workbook(tmp_path / "single.xlsx"))
    res = solved(case)
    assert res.builds.groupby("project").size().max() <= 1
    assert objective["single"] == pytest.approx(res.objective_usd)
    assert objective["single"] <= objective["continuous"] + 1e-6 * abs(objective["continuous"])


def test_mine_side_project_solves_end_to_end(tmp_path, capsys):
    """A mine-side project at AK1 (smelter blank, source AK1): valid, solved, its stage row
    names the source; the console names where it is built (not a blank smelter)."""
    rows = add_column(full_rows(), "Expansions", "source", ["AK1", None])
    rows = set_cell(rows, "Expansions", "TF-X", "smelter", None)
    path = write_book(tmp_path / "case.xlsx", rows)
    assert main(["solve", str(path), "-o", str(tmp_path / "plan.xlsx")]) == 0
    capsys.readouterr()
    committed = add_column(rows, "Expansions", "committed_start_month", ["2026-06", None])
    shown = write_book(tmp_path / "committed.xlsx", committed)
    assert main(["solve", str(shown), "-o", str(tmp_path / "committed_plan.xlsx")]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    built = [line for line in out.out.splitlines() if line.startswith("Expansion built: TF-X")]
    assert built and all(" at the AK1 mine, +" in line for line in built), out.out
    import openpyxl

    summary = openpyxl.load_workbook(tmp_path / "committed_plan.xlsx")["Summary"]
    assert "TF-X at the AK1 mine" in [row[0] for row in summary.iter_rows(values_only=True)]
    from cases import solved

    case, _ = validate(read_workbook(path))
    assert case.expansions["TF-X"].site == "AK1"
    res = solved(case)
    assert set(res.builds["source"]) <= {"AK1"}
