"""Scenario overrides on the raw workbook (SPEC §2 Scenarios, §3 last bullet)."""

from __future__ import annotations

from datetime import datetime

import pytest

from optimizer.errors import InputError, UsageError
from optimizer.inputs.rawbook import RawBook, RawSheet
from optimizer.inputs.scenario import apply_scenario, apply_scenario_with_changes, scenario_names


def _sheet(name, headers, *rows):
    return RawSheet(name, list(headers), [list(r) for r in rows], list(range(2, 2 + len(rows))))


def _book(*scenario_rows) -> RawBook:
    months = ["2027-01", datetime(2027, 2, 1)]  # a text header and a real-date header
    return RawBook(
        {
            "Settings": _sheet(
                "Settings", ["setting", "value"], ["start_month", "2027-01"], ["horizon_months", 2]
            ),
            "Supply": _sheet(
                "Supply",
                ["source", "bound", *months],
                ["Mohawk", "max", 100, None],
                ["Mohawk", "min", 10, 20],
                ["Tok", "max", 50, 60],
            ),
            "Smelters": _sheet(
                "Smelters",
                ["smelter", "recovery_pct", "max_feed_arsenic_pct"],
                ["TF", 95, None],
                ["Madero", 90, 1.0],
            ),
            "Routes": _sheet("Routes", ["route", "capacity_t_per_month"], ["truck", 300]),
            "Prices": _sheet(
                "Prices", ["smelter", *months], ["TF", 60000, 60000], ["Madero", 58000, None]
            ),
            "Scenarios": _sheet(
                "Scenarios",
                ["scenario", "sheet", "key", "column", "action", "value"],
                *scenario_rows,
            ),
        },
        source="test.xlsx",
    )


def test_names_in_sheet_order():
    book = _book(
        ["b", "Prices", "*", "*", "scale", 0.7],
        ["a", "Prices", "*", "*", "add", 1],
        ["b", "Prices", "TF", "2027-01", "set", 1],
    )
    assert scenario_names(book) == ["b", "a"]


def test_scale_every_month_of_every_row_with_blank_starting_from_default():
    """Prices '*'/'*' scale 0.7: 60000 → 42000; a blank price (default 0) stays 0."""
    book = _book(["low", "Prices", "*", "*", "scale", 0.7])
    out, changes = apply_scenario_with_changes(book, "low")
    assert out.sheets["Prices"].rows == [
        ["TF", pytest.approx(42000), pytest.approx(42000)],
        ["Madero", pytest.approx(40600), 0.0],
    ]
    assert len(changes) == 4
    assert book.sheets["Prices"].rows[0][1] == 60000, "the input book must not change"


def test_supply_key_matches_all_rows_of_the_source_and_month_matches_date_header():
    """Supply key 'Mohawk' hits the max and the min row; '2027-02' matches a date header."""
    book = _book(["x", "Supply", "Mohawk", "2027-02", "add", 5])
    out = apply_scenario(book, "x")
    assert out.sheets["Supply"].rows[0][3] == 5.0  # blank max: default 0, plus 5
    assert out.sheets["Supply"].rows[1][3] == 25.0
    assert out.sheets["Supply"].rows[2][3] == 60  # Tok untouched


def test_rows_apply_in_sheet_order():
    """set 100 then scale 2 → 200; the reverse order would give 100."""
    book = _book(
        ["o", "Routes", "truck", "capacity_t_per_month", "set", 100],
        ["o", "Routes", "truck", "capacity_t_per_month", "scale", 2],
    )
    assert apply_scenario(book, "o").sheets["Routes"].rows[0][1] == 200


def test_set_of_absent_setting_adds_it_and_scale_of_absent_uses_default():
    """discount default 8 %/yr: scale 1.5 → 12; time_limit_s absent: set adds a row."""
    book = _book(
        ["s", "Settings", "discount_rate_pct_per_year", "value", "scale", 1.5],
        ["s", "Settings", "time_limit_s", "value", "set", 5],
    )
    rows = apply_scenario(book, "s").sheets["Settings"].rows
    assert ["discount_rate_pct_per_year", 12.0] in rows
    assert ["time_limit_s", 5] in rows


def test_availability_sheet_created_when_absent():
    """Madero outage on a workbook with no SmelterAvailability sheet: created, row added."""
    book = _book(["outage", "SmelterAvailability", "Madero", "2027-02", "set", 0])
    out = apply_scenario(book, "outage")
    sheet = out.sheets["SmelterAvailability"]
    assert sheet.rows == [["Madero", None, 0]]


def test_unknown_scenario_is_a_usage_error_with_close_match():
    with pytest.raises(UsageError, match="Did you mean 'price_low'"):
        apply_scenario(_book(["price_low", "Prices", "*", "*", "scale", 0.7]), "price_lw")


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        (["x", "Pricez", "*", "*", "scale", 1], "sheet", "did you mean 'Prices'"),
        (["x", "Prices", "Thompson", "*", "scale", 1], "key", "no row of 'Prices'"),
        (["x", "Prices", "TF", "2031-01", "scale", 1], "column", "no column or month"),
        (["x", "Prices", "TF", "*", "multiply", 1], "action", "set, scale or add"),
        (["x", "Prices", "TF", "*", "scale", "half"], "value", "scale needs a number"),
        (["x", "Smelters", "TF", "max_feed_arsenic_pct", "add", 1], "value", "blank"),
        (["x", "Settings", "horizon_mnths", "value", "set", 3], "key", "horizon_months"),
        (["x", "Prices", None, "*", "set", 1], "key", "needs key"),
    ],
)
def test_bad_rows_are_located_errors(row, column, text):
    with pytest.raises(InputError) as info:
        apply_scenario(_book(row), "x")
    (problem,) = info.value.problems
    assert problem.sheet == "Scenarios" and problem.row == 2 and problem.column == column
    assert text in str(problem)


def test_all_bad_rows_reported_at_once():
    book = _book(["x", "Pricez", "*", "*", "scale", 1], ["x", "Prices", "TF", "*", "add", "?"])
    with pytest.raises(InputError) as info:
        apply_scenario(book, "x")
    assert [p.row for p in info.value.problems] == [2, 3]


def test_column_given_as_a_real_date_means_that_month():
    """Excel turns a typed 2027-02 in the column cell into a date: it must still match."""
    book = _book(["d", "Prices", "TF", datetime(2027, 2, 1), "set", 1])
    assert apply_scenario(book, "d").sheets["Prices"].rows[0] == ["TF", 60000, 1]
