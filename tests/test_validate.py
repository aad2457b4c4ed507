"""validate(): the Case it builds (blanks, offsets, locations) and its edge rules, in memory."""

from __future__ import annotations

import copy
from datetime import date, datetime

from conftest import full_rows, minimal_raw, minimal_rows, raw_book, set_cell
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optimizer.case import CellRef, month_label
from optimizer.inputs.rawbook import RawBook, RawSheet
from optimizer.inputs.scenario import apply_scenario
from optimizer.inputs.validate import close_match, parse_yesno, row_id, validate


def errors_of(raw: RawBook) -> list[str]:
    return [str(p) for p in validate(raw)[1] if p.is_error]


def test_full_case_values_blanks_and_offsets():
    """full_rows, start 2027-01, 3 months. Blanks: Prices MAD 2027-03 -> 0; MAD min grade,
    domestic share, min feed -> 0, max arsenic -> None; BUY-MAD distance -> 0; no BUY min
    row -> zeros; no MAD / AK1-MAD availability rows -> 100. TF-X: fixed capex 0, lead 1,
    latest blank -> 2; MAD-X lead blank -> 0. DPA award 2026-06 = offset -7, 'all' ->
    both projects. DLA start/end blank -> 0/2, min 5; SPOT2 'any', min blank -> 0."""
    case, problems = validate(raw_book(full_rows()))
    assert [p for p in problems if p.is_error] == []
    assert case.months == ("2027-01", "2027-02", "2027-03")
    assert case.settings.case_name == "tiny" and case.settings.discount_rate_pct_per_year == 8
    assert case.settings.expansion_mode == "continuous" and case.settings.time_limit_s == 60

    ak1, buy = case.sources["AK1"], case.sources["BUY"]
    assert (ak1.domestic, buy.domestic, ak1.kind, buy.kind) == (True, False, "mine", "purchase")
    assert ak1.supply_max_t == (100, 100, 100) and ak1.supply_min_t == (10, 10, 10)
    assert buy.supply_min_t == (0, 0, 0) and ak1.note == "claim group"

    tf, mad = case.smelters["TF"], case.smelters["MAD"]
    assert tf.availability_pct == (100, 100, 50) and mad.availability_pct == (100, 100, 100)
    assert mad.prices_usd_per_t_sb == (38000, 38000, 0)
    assert (
        mad.min_feed_grade_pct,
        mad.max_feed_arsenic_pct,
        mad.min_domestic_share_pct,
        mad.min_feed_t_per_month,
    ) == (0, None, 0, 0)
    assert tf.max_feed_arsenic_pct == 2

    assert case.routes["AK1-TF"].availability_pct == (0, 100, 100)
    assert case.routes["AK1-MAD"].availability_pct == (100, 100, 100)
    assert case.routes["BUY-MAD"].distance_km == 0
    assert isinstance(case.routes["AK1-MAD"].transit_months, int)

    tfx, madx = case.expansions["TF-X"], case.expansions["MAD-X"]
    assert (tfx.fixed_capex_usd, tfx.lead_time_months, tfx.earliest_start, tfx.latest_start) == (
        0,
        1,
        0,
        2,
    )
    assert (madx.lead_time_months, madx.latest_start, madx.fixed_capex_usd) == (0, 2, 50000)

    assert case.grants["DPA"].award == -7
    assert case.grants["DPA"].eligible_projects == ("TF-X", "MAD-X")
    assert case.grants["SMALL"].eligible_projects == ("TF-X",) and case.grants["SMALL"].award == 2

    dla, spot = case.contracts["DLA"], case.contracts["SPOT2"]
    assert (dla.start, dla.end, dla.min_t_sb_per_month) == (0, 2, 5)
    assert (spot.smelter, spot.start, spot.end, spot.min_t_sb_per_month) == ("any", 2, 2, 0)

    assert {(o.location, o.source, o.tonnes) for o in case.opening_stock} == {
        ("TF", "AK1", 20),
        ("AK1", "AK1", 5),
    }


def test_optional_sheets_missing_mean_none():
    case, problems = validate(minimal_raw())
    assert problems == []
    assert (case.expansions, case.grants, case.contracts, case.opening_stock) == ({}, {}, {}, ())
    assert case.smelters["TF"].availability_pct == (100, 100, 100)


def test_locations_point_at_the_cells():
    case, _ = validate(raw_book(full_rows()))
    assert case.where("Sources", "AK1", "grade_pct_sb") == CellRef(
        "Sources", 2, "grade_pct_sb", "E"
    )
    assert case.where("Supply", "AK1|min", "2027-02") == CellRef("Supply", 3, "2027-02", "D")
    assert case.where("Settings", "horizon_months", "value") == CellRef("Settings", 4, "value", "B")
    assert case.where("OpeningStock", "AK1|AK1", "tonnes") == CellRef(
        "OpeningStock", 3, "tonnes", "C"
    )
    assert case.where("Routes", "BUY-MAD", "") == CellRef("Routes", 4)
    assert str(case.where("Prices", "MAD", "2027-03")) == "Prices!D3 (2027-03)"
    assert row_id("Supply", {"source": "AK1", "bound": "max"}) == "AK1|max"


def test_rows_shorter_than_headers_are_padded():
    """A RawBook built in memory may give short rows: missing cells are blanks."""
    rows = minimal_rows()
    rows["Prices"][2] = ["MAD", 41000, 42000]
    raw = raw_book(rows)
    raw.sheets["Prices"].rows[1] = ["MAD", 41000, 42000]
    case, problems = validate(raw)
    assert problems == [] and case.smelters["MAD"].prices_usd_per_t_sb == (41000, 42000, 0)


def test_bad_horizon_does_not_flood_month_errors():
    raw = raw_book(set_cell(minimal_rows(), "Settings", "horizon_months", "value", "three"))
    assert errors_of(raw) == [
        "Settings!B4 [value]: horizon_months: text in a number cell: expected a whole number "
        "from 1 to 240 (found 'three') — type a number, without units or words (text is never "
        "read as zero)"
    ]


def test_near_miss_of_a_present_sheet_is_a_warning():
    rows = minimal_rows()
    rows["Pricez"] = copy.deepcopy(rows["Prices"])
    case, problems = validate(raw_book(rows))
    assert case is not None
    assert [str(p) for p in problems] == [
        "Pricez: unknown sheet, ignored (found 'Pricez') — it looks like 'Prices', which is also "
        "present"
    ]


def test_note_only_rows_and_headerless_columns_are_warned_and_ignored():
    rows = minimal_rows()
    rows["Routes"].append([None] * 8 + ["a comment row"])
    rows["Sources"][1].extend([None, "stray"])
    case, problems = validate(raw_book(rows))
    assert case is not None and len(case.routes) == 3
    assert [(p.severity, p.sheet, p.cell) for p in problems] == [
        ("warning", "Sources", "L1"),
        ("warning", "Routes", None),
    ]
    assert problems[1].row == 5


def test_contract_outside_horizon_is_a_warning():
    rows = set_cell(full_rows(), "Contracts", "SPOT2", "start_month", "2026-01")
    rows = set_cell(rows, "Contracts", "SPOT2", "end_month", "2026-12")
    case, problems = validate(raw_book(rows))
    assert case is not None and case.contracts["SPOT2"].end == -1
    assert [p.rule for p in problems] == ["contract is outside the horizon; it has no effect"]


def test_scenario_rows_the_scenario_module_accepts_are_valid():
    """Availability rows/sheets that a scenario creates, numeric text for scale, '*'
    everywhere it is allowed: valid here and applied cleanly by optimizer.inputs.scenario."""
    rows = full_rows()
    del rows["SmelterAvailability"]
    rows["Scenarios"] += [
        ["outage", "SmelterAvailability", "MAD", "2027-02", "set", 50, None],
        ["outage", "RouteAvailability", "BUY-MAD", "*", "scale", "0.5", None],
        ["outage", "Supply", "AK1", "2027-03", "add", "1,000", None],
        ["outage", "Routes", "*", "cost_usd_per_t", "scale", 1.1, None],
        ["outage", "Settings", "mip_gap_pct", "*", "set", 0.5, None],
    ]
    raw = raw_book(rows)
    case, problems = validate(raw)
    assert case is not None and [str(p) for p in problems] == []
    scenario_case, problems = validate(apply_scenario(raw, "outage"))
    assert [str(p) for p in problems] == []
    assert scenario_case.smelters["MAD"].availability_pct == (100, 50, 100)
    assert scenario_case.sources["AK1"].supply_max_t == (100, 100, 1100)


def test_blank_workbook_lists_every_required_sheet():
    case, problems = validate(RawBook({"Sheet1": RawSheet("Sheet1", [], [], [])}))
    assert case is None
    assert [p.sheet for p in problems if p.is_error] == [
        "Settings",
        "Sources",
        "Supply",
        "Smelters",
        "Routes",
        "Prices",
    ]


def test_headers_in_the_wrong_row_are_explained():
    rows = minimal_rows()
    rows["Routes"].insert(0, [None] * 9)
    problems = validate(raw_book(rows))[1]
    assert any("row 1 is blank: headers must be in row 1" in str(p) for p in problems)


def test_helpers():
    assert close_match("Pricez", ["Prices", "Routes"]) == "Prices"
    assert close_match("smelter availability", ["SmelterAvailability"]) == "SmelterAvailability"
    assert close_match("xyz", ["Prices"]) is None
    assert [parse_yesno(v) for v in ("Yes", " no ", "TRUE", "false", 1, 0.0, True, "1", "0")] == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        False,
    ]
    assert [parse_yesno(v) for v in ("y", 2, None, "maybe")] == [None] * 4


# --- properties -------------------------------------------------------------------------

month_starts = st.tuples(st.integers(1990, 2200), st.integers(1, 12))
header_styles = st.sampled_from(["text", "padded", "datetime", "date", "mid-month"])


def _header(label: str, style: str):
    y, m = int(label[:4]), int(label[5:])
    return {
        "text": label,
        "padded": f"\xa0{y}-{m} ",
        "datetime": datetime(y, m, 1),
        "date": date(y, m, 1),
        "mid-month": datetime(y, m, 17, 8, 30),
    }[style]


@settings(max_examples=40, deadline=None)
@given(start=month_starts, horizon=st.integers(1, 30), data=st.data())
def test_month_headers_in_any_form_mean_the_same_month(start, horizon, data):
    """Whatever mix of text / date headers and column order, month t gets month t's value."""
    first = f"{start[0]:04d}-{start[1]:02d}"
    months = [month_label(first, t) for t in range(horizon)]
    order = data.draw(st.permutations(range(horizon)))
    styles = data.draw(st.lists(header_styles, min_size=horizon, max_size=horizon))
    rows = minimal_rows(months)
    for sheet in ("Supply", "Prices"):
        header, *body = rows[sheet]
        key_cols = 2 if sheet == "Supply" else 1
        rows[sheet] = [
            header[:key_cols] + [_header(months[t], styles[t]) for t in order],
            *[r[:key_cols] + [1000.0 * (t + 1) for t in order] for r in body],
        ]
    case, problems = validate(raw_book(rows))
    assert [str(p) for p in problems] == []
    assert case.months == tuple(months)
    prices = tuple(1000.0 * (t + 1) for t in range(horizon))
    assert case.smelters["TF"].prices_usd_per_t_sb == prices


id_text = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S")), min_size=1, max_size=12
)
padding = st.text(st.sampled_from([" ", "\t", "\xa0"]), max_size=3)


@settings(max_examples=40, deadline=None)
@given(name=id_text, left=padding, right=padding)
def test_ids_are_trimmed_of_spaces_tabs_and_nbsp(name, left, right):
    """A padded source id in Sources matches the clean id everywhere else."""
    assume(name not in ("TF", "MAD", "BUY"))  # would clash with another id
    rows = minimal_rows()
    rows = {s: [[name if c == "AK1" else c for c in r] for r in v] for s, v in rows.items()}
    rows["Sources"][1][0] = f"{left}{name}{right}"
    case, problems = validate(raw_book(rows))
    assert [str(p) for p in problems if p.is_error] == []
    assert name in case.sources and case.routes["AK1-TF"].source == name
