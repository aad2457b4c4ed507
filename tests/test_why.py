"""The Summary's "why the plan looks like this": binding limits behind idle capacity and
behind own ore sent past a nearer smelter, one registry sentence each."""

from __future__ import annotations

from cases import make_case, route, smelter, solved, source

from optimizer.report.summary import summary_sections
from optimizer.report.tables import build_tables
from optimizer.report.why import SUMMARY_LINES, summary_why, why_lines, why_table


def _route(name, src, dst, km, cost=0.0):
    r = route(name, src, dst, horizon=1, cost=cost)
    return r.__class__(**{**r.__dict__, "distance_km": km})


def test_an_arsenic_limit_that_idles_a_smelter_gets_its_sentence():
    """One month; the smelter takes 100 t and allows 1 % arsenic. Clean ore (0.5 % As) is
    limited to 40 t, dirty ore (3 % As) to 100 t; both earn money. The blend allows
    0.5 x + 3 y ≤ 1 × (x + y), i.e. y ≤ x / 4 = 10 t: 50 t fed, 50 % of capacity."""
    case = make_case(
        1,
        sources=[
            source("Clean", horizon=1, max_t=40, arsenic=0.5),
            source("Dirty", horizon=1, max_t=100, arsenic=3.0),
        ],
        smelters=[smelter(horizon=1, capacity=100, max_arsenic=1.0)],
        routes=[route("CleanTruck", "Clean", horizon=1), route("DirtyTruck", "Dirty", horizon=1)],
    )
    results = solved(case)
    lines = why_lines(results, case)
    assert lines[0] == "Smelter runs at 50% of capacity in 2027-01, because:"
    assert lines[1].startswith("  – Smelter feed must average at most 1% arsenic")
    assert "Dirty 3%" in lines[1] and "max_feed_arsenic_pct" in lines[1]
    assert len(lines) == 2  # the arsenic limit alone: no supply line, no flow line
    sections = {s.title: s for s in summary_sections(results, case)}
    shown = [line.values[0] for line in sections["Why the plan looks like this"].lines]
    assert shown == lines  # two lines: all of them on the Summary, no pointer line
    why = next(t for t in build_tables(results, case) if t.name == "Why")
    assert list(why.frame["text"]) == lines and list(why.frame["finding"]) == [1, 1]


def test_own_ore_past_a_nearer_smelter_names_the_limit_there():
    """Own ore (2 % As, 100 t) can go to Near (100 km, 1 % arsenic limit, 100 t) or Far
    (1,000 km, no limit). Near also gets 10 t of clean ore (0 % As): 2 y ≤ 10 + y, so at
    most 10 t of own ore there (20 % of capacity) and 90 t go to Far although Near has room."""
    case = make_case(
        1,
        sources=[
            source("Own", horizon=1, max_t=100, arsenic=2.0),
            source("Clean", horizon=1, max_t=10, arsenic=0.0, kind="purchase"),
        ],
        smelters=[
            smelter("Near", horizon=1, capacity=100, max_arsenic=1.0),
            smelter("Far", horizon=1, capacity=100),
        ],
        routes=[
            _route("OwnNear", "Own", "Near", 100),
            _route("OwnFar", "Own", "Far", 1000, cost=10.0),
            _route("CleanNear", "Clean", "Near", 100),
        ],
    )
    lines = why_lines(solved(case), case)
    at = lines.index(
        "Own ore goes to Far (90 t) in 2027-01 although Near is nearer and has spare "
        "capacity, because:"
    )
    assert lines[at + 1].startswith("  – Near feed must average at most 1% arsenic")
    assert lines[at + 1].endswith(", in 2027-01")


def test_the_summary_keeps_the_first_whole_findings_and_points_to_sheet_why():
    """12 findings of a heading and 2 causes (3 lines each, 36 lines): the Summary keeps
    the whole findings that fit in 20 lines (6 = 18 lines) and says where the other 6 are;
    sheet Why lists all 36 lines, numbered by finding."""
    lines = [x for i in range(12) for x in (f"S{i} runs at 50%, because:", "  – a", "  – b")]
    shown = summary_why(lines)
    assert SUMMARY_LINES == 20
    assert shown[:18] == lines[:18]
    assert shown[18:] == ["… 6 more findings: sheet Why lists all 12, in this order."]
    table = why_table(lines)
    assert list(table.frame["text"]) == lines
    assert list(table.frame["finding"]) == [i for i in range(1, 13) for _ in range(3)]


def test_one_finding_longer_than_the_summary_is_still_shown_whole():
    lines = ["S runs at 10%, because:"] + [f"  – cause {i}" for i in range(25)]
    assert summary_why(lines) == lines
    assert summary_why([]) == [] and why_table([]).frame.empty
