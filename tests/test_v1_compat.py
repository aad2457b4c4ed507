"""A version-1 workbook keeps solving to the same optimum.

``tests/data/v1_base_case.xlsx`` is the shipped default case as it was before the version-2
schema (SPEC §6): no new sheets or columns. Its base case and every scenario must give the
objectives recorded when version 1 was verified against an independent formulation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.inputs.workbook import read_workbook
from optimizer.scenarios.plan import prepare
from optimizer.scenarios.run import RunOptions, run_all

V1_CASE = Path(__file__).parent / "data" / "v1_base_case.xlsx"

V1_OBJECTIVES_USD = {
    None: 254352249.51022,
    "grant_delayed_6m": 254288820.901431,
    "no_grant": 247800588.165639,
    "foreign_feed_cut": 216143434.137621,
    "price_minus_30": 191698247.512062,
    "short_trucking_season": 254318735.354474,
    "madero_outage": 253714163.956828,
    "lumpy_expansion": 253812089.606809,
    "no_tf_expansion": 232525307.828495,
}


def test_v1_workbook_solves_to_its_version_1_optima():
    runs = run_all(prepare(read_workbook(V1_CASE)), RunOptions())
    got = {run.scenario: run.objective_usd for run in runs}
    assert set(got) == set(V1_OBJECTIVES_USD)
    for name, expected in V1_OBJECTIVES_USD.items():
        assert got[name] == pytest.approx(expected, rel=1e-9), name
