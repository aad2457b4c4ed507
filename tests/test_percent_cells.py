"""A number typed as ``8%`` in Excel is stored as 0.08: percent columns must read it as 8."""

from __future__ import annotations

import openpyxl
from conftest import minimal_rows, set_cell, write_book

from optimizer.cli.pipeline import load_case
from optimizer.inputs.rawbook import PercentNumber
from optimizer.inputs.scenario import apply_scenario
from optimizer.inputs.validate import validate
from optimizer.inputs.workbook import read_workbook


def _book_with_percent_cells(tmp_path):
    rows = set_cell(minimal_rows(), "Smelters", "TF", "recovery_pct", 0.95)
    rows["Settings"].append(["discount_rate_pct_per_year", 0.08, None])
    path = write_book(tmp_path / "pct.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    wb["Smelters"]["E2"].number_format = "0%"  # recovery_pct of TF, shown as 95%
    wb["Settings"]["B5"].number_format = "0.0%"  # discount rate, shown as 8.0%
    wb["Smelters"]["C2"].number_format = "0%"  # a capacity shown with a % format: left as is
    wb.save(path)
    return path


def test_percent_formatted_cells_read_as_the_percent_the_planner_sees(tmp_path):
    case, _, _ = load_case(_book_with_percent_cells(tmp_path))
    assert case.smelters["TF"].recovery_pct == 95.0
    assert case.settings.discount_rate_pct_per_year == 8.0
    assert case.smelters["TF"].base_capacity_t_per_month == 200.0  # not a percent column


def test_scenario_add_on_a_percent_cell_adds_percentage_points(tmp_path):
    """recovery 95% (0.95 stored) + 2 points = 97 %; scale keeps the % meaning too."""
    raw = read_workbook(_book_with_percent_cells(tmp_path))
    raw.sheets["Scenarios"] = type(raw.sheets["Smelters"])(
        "Scenarios",
        ["scenario", "sheet", "key", "column", "action", "value"],
        [
            ["up", "Smelters", "TF", "recovery_pct", "add", 2],
            ["up", "Settings", "discount_rate_pct_per_year", "value", "scale", 1.5],
        ],
        [2, 3],
    )
    out = apply_scenario(raw, "up")
    assert isinstance(out.sheets["Smelters"].rows[0][4], PercentNumber)
    case, problems = validate(out)
    assert case is not None, problems
    assert abs(case.smelters["TF"].recovery_pct - 97.0) < 1e-9
    assert abs(case.settings.discount_rate_pct_per_year - 12.0) < 1e-9
