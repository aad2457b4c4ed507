"""Hand-checked tiny cases for the feed-quality families: minimum feed, grade and arsenic
blend, domestic share. One month; spot 1,000 USD/t Sb and recovery 100 %, so a tonne of
ore at g % Sb is worth 10 × g USD. Each docstring computes its objective by hand.
"""

from __future__ import annotations

import pytest
from cases import dual, make_case, route, smelter, solved, source


def _two_sources(rich: dict, poor: dict, **smelter_kw):
    """One smelter (100 t/month) fed by a 'Rich' and a 'Poor' source."""
    return make_case(
        1,
        sources=[source("Rich", horizon=1, **rich), source("Poor", horizon=1, **poor)],
        smelters=[smelter(horizon=1, capacity=100, **smelter_kw)],
        routes=[route("R1", "Rich", horizon=1), route("R2", "Poor", horizon=1)],
    )


def test_min_feed_forces_unprofitable_processing():
    """Processing 600 USD/t > ore value 500: nothing is fed (0) unless a 40 t minimum
    forces 40 × (500 − 600) = −4,000; lowering the minimum by 1 t is worth 100."""

    def case(min_feed):
        return make_case(1, smelters=[smelter(horizon=1, processing=600, min_feed=min_feed)])

    assert solved(case(0)).objective_usd == pytest.approx(0)
    res = solved(case(40))
    assert res.objective_usd == pytest.approx(-4_000)
    assert dual(res, "Min_Feed[Smelter, 2027-01]") == pytest.approx(100)


def test_grade_blend_binding():
    """Rich 60 % (50 t), Poor 20 % (100 t), capacity 100. No limit: 50 × 600 + 50 × 200 =
    40,000. Minimum grade 45 %: 50 × (60 − 45) ≥ f × (45 − 20) → f ≤ 30 Poor:
    30,000 + 30 × 200 = 36,000. Lowering the minimum by 1 pp: f = 50 (60 − m)/(m − 20),
    df/dm = −50 × 40 / 25² = −3.2 t → 3.2 × 200 = 640 USD."""
    free = _two_sources({"grade": 60, "max_t": 50}, {"grade": 20})
    assert solved(free).objective_usd == pytest.approx(40_000)
    res = solved(_two_sources({"grade": 60, "max_t": 50}, {"grade": 20}, min_grade=45))
    assert res.objective_usd == pytest.approx(36_000)
    assert res.smelters["feed_grade_pct"].iloc[0] == pytest.approx(45)
    assert dual(res, "Feed_Grade[Smelter, 2027-01]") == pytest.approx(640)


def test_arsenic_blend_binding():
    """Both 50 % Sb; Rich 0 % As (60 t), Poor 2 % As (100 t); limit 0.5 %:
    60 × 0.5 ≥ f × 1.5 → f ≤ 20: (60 + 20) × 500 = 40,000 (no limit: 100 t → 50,000)."""
    res = solved(_two_sources({"max_t": 60}, {"arsenic": 2.0}, max_arsenic=0.5))
    assert res.objective_usd == pytest.approx(40_000)
    assert res.smelters["feed_arsenic_pct"].iloc[0] == pytest.approx(0.5)
    assert solved(_two_sources({"max_t": 60}, {"arsenic": 2.0})).objective_usd == pytest.approx(
        50_000
    )


def test_domestic_share_binding():
    """Domestic 30 t, foreign 100 t, share ≥ 60 %: 30 × 40 ≥ 60 × f → f ≤ 20:
    (30 + 20) × 500 = 25,000. Lowering the share 1 pp: f = 30 (100 − s)/s,
    df/ds = −3,000/3,600 t → 500 × 5/6 = 416.67 USD."""
    res = solved(_two_sources({"max_t": 30}, {"domestic": False}, domestic_share=60))
    assert res.objective_usd == pytest.approx(25_000)
    assert res.smelters["domestic_share_pct"].iloc[0] == pytest.approx(60)
    assert dual(res, "Domestic_Share[Smelter, 2027-01]") == pytest.approx(500 * 5 / 6)


def test_a_month_without_feed_meets_every_limit():
    """Only 20 % ore against a 60 % minimum grade: the smelter stays idle (objective 0),
    which is a valid plan, not an infeasible one."""
    case = make_case(
        1, sources=[source(horizon=1, grade=20)], smelters=[smelter(horizon=1, min_grade=60)]
    )
    res = solved(case)
    assert res.objective_usd == pytest.approx(0)
    assert res.smelters["feed_t"].sum() == 0
