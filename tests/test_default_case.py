"""The embedded default case: valid, documented, internally consistent, and interesting.

"Interesting" is checked on the solved plan (results contract of :mod:`optimizer.solve.results`):
the committed Thompson Falls expansion comes online in 2027-04, the arsenic limit binds, Madero
is used, Alaska ore mined in summer is fed in winter, and the DoD grant pays for Alaska
extraction.
"""

from __future__ import annotations

import pytest

from optimizer.case import month_label
from optimizer.inputs import schema
from optimizer.inputs.default_case import DEFAULT_SOURCE, default_raw
from optimizer.inputs.default_citations import CITATIONS
from optimizer.inputs.rawbook import clean_text
from optimizer.inputs.scenario import apply_scenario_with_changes, scenario_names
from optimizer.inputs.validate import validate

WINTER = (11, 12, 1, 2, 3)


@pytest.fixture(scope="module")
def case():
    case, problems = validate(default_raw())
    assert case is not None, [str(p) for p in problems]
    return case


@pytest.fixture(scope="module")
def solved(case):
    from optimizer.solve.run import solve_case

    results = solve_case(case)
    assert results.status == "optimal", results.message
    return results


def _records(sheet_name: str) -> list[dict]:
    sheet = default_raw().sheets[sheet_name]
    headers = [clean_text(h) for h in sheet.headers]
    return [dict(zip(headers, row, strict=True)) for row in sheet.rows]


def test_default_case_is_valid_without_warnings():
    raw = default_raw()
    case, problems = validate(raw)
    assert problems == [] and raw.warnings == []
    assert case is not None and raw.source == DEFAULT_SOURCE
    assert case.settings.case_name == "usac_alaska_base"
    assert case.horizon >= 24


def test_default_raw_is_typed_like_a_planner_would():
    """Month headers are text YYYY-MM; every sheet is a schema sheet with schema headers."""
    raw = default_raw()
    for name, sheet in raw.sheets.items():
        spec = schema.SHEETS_BY_NAME[name]
        fixed = [h for h in sheet.headers if h in spec.column_names]
        assert fixed == [c for c in spec.column_names if c in fixed]
        months = [h for h in sheet.headers if h not in spec.column_names]
        assert spec.monthly or months == []
        assert all(isinstance(h, str) and len(h) == 7 and h[4] == "-" for h in months)
        assert sheet.row_numbers == list(range(2, len(sheet.rows) + 2))


def test_each_call_returns_a_fresh_book():
    first = default_raw()
    first.sheets["Sources"].rows[0][4] = 1
    first.sheets["Supply"].headers[2] = "x"
    again = default_raw()
    assert again.sheets["Sources"].rows[0][4] != 1
    assert again.sheets["Supply"].headers[2] == "2027-01"


def test_every_note_cites_a_source_or_says_assumption():
    names = [name for name, _ in CITATIONS]
    for sheet in default_raw().sheets.values():
        headers = [clean_text(h) for h in sheet.headers]
        if "note" not in headers or sheet.name in ("Scenarios", "Settings"):
            continue
        for row in sheet.rows:
            note = row[headers.index("note")] or ""
            assert "Assumption" in note or any(n in note for n in names), (sheet.name, row[0])


def test_every_citation_is_used():
    notes = " ".join(
        str(r.get("note"))
        for s in ("Settings", "Sources", "Smelters", "Routes", "Expansions", "Grants", "Contracts")
        for r in _records(s)
    )
    assert [n for n, _ in CITATIONS if n not in notes] == []


def test_sheets_without_notes_are_explained_by_their_owner_rows():
    """Supply, availability, prices and opening stock are covered by the owning row's note."""
    notes = {r["source"]: r["note"] for r in _records("Sources")}
    notes |= {r["smelter"]: r["note"] for r in _records("Smelters")}
    notes |= {r["route"]: r["note"] for r in _records("Routes")}
    for r in _records("Supply"):
        assert "Supply" in notes[r["source"]]
    for r in _records("SmelterAvailability") + _records("RouteAvailability"):
        assert "Availability" in notes[r.get("smelter") or r["route"]]
    for r in _records("Prices"):
        if r["smelter"] == "benchmark":  # not a smelter: the sources priced on it explain it
            priced = [s for s in _records("Sources") if s["price_basis"] == "benchmark"]
            assert priced and all("benchmark" in s["note"] for s in priced)
            assert any("'benchmark'" in note for note in notes.values())
        else:
            assert "price" in notes[r["smelter"]]
    for r in _records("OpeningStock"):
        assert "Opening stock" in notes[r["source"]]


def test_alaska_ore_ramps_toward_1000_t_and_stops_in_winter(case):
    mines = [s for s in case.sources.values() if s.kind == "mine"]
    assert mines and all(s.domestic for s in mines)
    total = [sum(s.supply_max_t[t] for s in mines) for t in range(case.horizon)]
    season = [t for t in range(case.horizon) if total[t] > 0]
    assert 100 <= total[season[0]] <= 300
    assert max(total) == 1000
    for t, label in enumerate(case.months):
        if int(label[5:]) in WINTER:
            assert total[t] == 0, label


def test_spring_breakup_halves_alaska_trucking(case):
    trucks = [r for r in case.routes.values() if r.mode == "truck"]
    assert trucks
    for r in trucks:
        for t, label in enumerate(case.months):
            if label[5:] in ("04", "05"):
                assert r.availability_pct[t] == 50, (r.route, label)


def test_foreign_feed_is_high_arsenic_and_not_domestic(case):
    purchases = [s for s in case.sources.values() if s.kind == "purchase"]
    assert purchases and not any(s.domestic for s in purchases)
    limit = max(p.max_feed_arsenic_pct for p in case.smelters.values())
    assert max(s.arsenic_pct for s in purchases) > limit


def test_minimums_are_achievable_in_every_month(case):
    for s in case.sources.values():
        assert all(lo <= hi for lo, hi in zip(s.supply_min_t, s.supply_max_t, strict=True))
    for p in case.smelters.values():
        for t, pct in enumerate(p.availability_pct):
            assert p.min_feed_t_per_month <= p.base_capacity_t_per_month * pct / 100, (
                p.smelter,
                case.months[t],
            )


def test_bought_feed_is_priced_on_the_benchmark(case):
    """Australia conc in 2027-01: 0.60 × 0.55 × 58,000 + 300 × (3.0 − 0.5) = 19,890 USD/t."""
    purchases = [s for s, x in case.sources.items() if x.kind == "purchase"]
    assert all(case.sources[s].price_basis == "benchmark" for s in purchases)
    assert case.ore_cost_usd_per_t("Australia conc", 0) == pytest.approx(19_890)
    assert case.benchmark_usd_per_t_sb == case.smelters["Thompson Falls"].prices_usd_per_t_sb


def test_grant_and_contracts_are_the_public_ones(case):
    grant = case.grants["DPA Title III"]
    assert grant.amount_usd == 27_000_000
    assert month_label(case.settings.start_month, grant.award) == "2026-03"
    dla = case.contracts["DLA ingots IDIQ"]
    assert dla.max_t_sb_per_month == 50  # the ceiling: ~6.7 Mlb over the term
    assert dla.min_t_sb_per_month == pytest.approx(315_000 * 0.45359237 / 1000 / 12, abs=0.05)
    assert month_label(case.settings.start_month, dla.end) == "2030-09"


@pytest.mark.parametrize("name", scenario_names(default_raw()))
def test_every_scenario_applies_and_validates(name):
    raw, changes = apply_scenario_with_changes(default_raw(), name)
    assert changes, f"scenario {name} changes nothing"
    case, problems = validate(raw)
    assert case is not None and [p for p in problems if p.is_error] == []


def test_expected_scenarios_are_present():
    assert set(scenario_names(default_raw())) >= {
        "grant_delayed_6m",
        "no_grant",
        "foreign_feed_cut",
        "price_minus_30",
        "short_trucking_season",
        "madero_outage",
    }


# --- the solved plan ------------------------------------------------------------------------


def test_committed_thompson_falls_expansion_is_online_from_2027_04(solved):
    """Ground broken 2025-09, 19 months to build: the whole 360 t/month from 2027-04, its
    four last capex payments (of 20) in the plan, no decision left."""
    sm = solved.smelters[solved.smelters.smelter == "Thompson Falls"]
    online = dict(zip(sm.month, sm.expansion_online_t, strict=True))
    assert online["2027-03"] == 0 and online["2027-04"] == pytest.approx(360)
    tf = solved.builds[solved.builds.project == "TF expansion"]
    assert list(tf.month) == ["2025-09"] and bool(tf.committed.iloc[0])
    pays = solved.payments[solved.payments.project == "TF expansion"]
    assert list(pays.month) == ["2027-01", "2027-02", "2027-03", "2027-04"]
    assert pays.capex_usd.sum() == pytest.approx(4 / 20 * (38_000 * 360 + 1_000_000))


def test_grant_pays_for_alaska_extraction(solved):
    """The DPA award came after the TF groundbreaking, so its money goes to the mine-side
    Stibnite Creek project (50 % of each payment)."""
    use = solved.grant_use
    assert set(use.project) == {"Stibnite Creek extraction"}
    stage = solved.builds[solved.builds.project == "Stibnite Creek extraction"]
    assert stage.grant_paid_usd.sum() == pytest.approx(stage.capex_usd.sum() / 2)


def test_arsenic_limit_binds_and_madero_is_used(solved, case):
    sm = solved.smelters
    for name, smelter in case.smelters.items():
        rows = sm[(sm.smelter == name) & (sm.feed_t > 1e-6)]
        at_limit = rows[rows.feed_arsenic_pct >= smelter.max_feed_arsenic_pct - 1e-6]
        assert len(at_limit) >= 3, name
    assert sm[sm.smelter == "Madero"].feed_t.sum() > 1000


def test_summer_ore_is_fed_in_winter(solved, case):
    """Mining stops November–March, yet Alaskan ore is smelted in those months."""
    mines = {s for s, src in case.sources.items() if src.kind == "mine"}
    yard = solved.yard
    winter = yard[
        yard.source.isin(mines)
        & yard.month.str[5:].astype(int).isin(WINTER)
        & (yard.month > "2027-06")
    ]
    assert winter.feed_t.sum() > 500


def test_grant_pays_part_of_the_expansion(solved, case):
    from optimizer.solve.run import solve_case

    assert solved.grant_use.paid_usd.sum() > 1_000_000
    raw, _ = apply_scenario_with_changes(default_raw(), "no_grant")
    no_grant, _ = validate(raw)
    assert no_grant is not None
    assert solve_case(no_grant).objective_usd < solved.objective_usd - 1_000_000
