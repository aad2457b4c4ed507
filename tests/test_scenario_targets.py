"""One copy of the scenario-target rules (optimizer.inputs.targets): applying a scenario and
validating the Scenarios sheet word the same bad row the same way."""

from __future__ import annotations

import pytest

from optimizer.errors import InputError
from optimizer.inputs import targets
from optimizer.inputs.default_case import default_raw
from optimizer.inputs.scenario import apply_scenario
from optimizer.inputs.schema import SHEETS_BY_NAME
from optimizer.inputs.validate import validate


def _with_row(sheet: str, key: str, column: str):
    book = default_raw()
    scenarios = book.sheets["Scenarios"]
    headers = [str(h) for h in scenarios.headers]
    values = {"scenario": "bad", "sheet": sheet, "key": key, "column": column}
    values |= {"action": "set", "value": 1}
    scenarios.rows.append([values.get(h) for h in headers])
    scenarios.row_numbers.append(scenarios.row_numbers[-1] + 1)
    return book, scenarios.row_numbers[-1]


@pytest.mark.parametrize(
    ("sheet", "key", "column", "field", "rule"),
    [
        ("Pricez", "*", "*", "sheet", "not a sheet a scenario can change"),
        ("Scenarios", "*", "value", "sheet", "not a sheet a scenario can change"),
        ("Settings", "horizon_mnths", "value", "key", "not a setting"),
        ("Settings", "horizon_months", "2027-03", "column", "on Settings the column must be"),
        ("Smelters", "*", "smelter", "column", "a scenario cannot change a row's id"),
        ("Smelters", "*", "recovery", "column", "no column 'recovery' on sheet Smelters"),
        ("Routes", "*", "*", "column", "sheet Routes has no month columns"),
    ],
)
def test_apply_and_validate_give_the_same_words(sheet, key, column, field, rule):
    book, row = _with_row(sheet, key, column)
    _case, problems = validate(book)
    (found,) = [p for p in problems if p.sheet == "Scenarios" and p.row == row]
    with pytest.raises(InputError) as info:
        apply_scenario(book, "bad")
    (applied,) = info.value.problems
    assert found.column == applied.column == field
    assert rule in found.rule
    assert (found.rule, found.value, found.hint) == (applied.rule, applied.value, applied.hint)


def test_only_optional_monthly_sheets_grow_from_their_owner_ids():
    grown = {s.name: targets.owner_sheets(s) for s in SHEETS_BY_NAME.values() if targets.grows(s)}
    assert grown == {"SmelterAvailability": ("Smelters",), "RouteAvailability": ("Routes",)}
    availability = SHEETS_BY_NAME["SmelterAvailability"]
    assert targets.row_ids(availability, ["TF"], {"Smelters": {"Madero": 3}}) == {"TF", "Madero"}
