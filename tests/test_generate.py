"""The benchmark case generator (benchmarks/generate.py) makes valid, reproducible cases."""

from __future__ import annotations

import pytest

from benchmarks.generate import Size, generate_raw, write_workbook
from optimizer.inputs.validate import validate
from optimizer.inputs.workbook import read_workbook


@pytest.mark.parametrize(
    ("size", "seed"),
    [((1, 1, 1, 1), 0), ((6, 3, 2, 1), 1), ((13, 7, 3, 5), 2), ((30, 12, 5, 3), 3)],
)
def test_generated_case_is_valid_and_sized(size, seed):
    """validate() reports no errors; the case has the requested dimensions, every source
    has min(routes, smelters) routes to distinct smelters, with expansions, grants,
    contracts and opening stock present."""
    months, sources, smelters, per_source = size
    case, problems = validate(generate_raw(*size, seed=seed))
    assert [str(p) for p in problems if p.is_error] == []
    assert case is not None
    assert (case.horizon, len(case.sources), len(case.smelters)) == (months, sources, smelters)
    for s in case.sources:
        lanes = [r.smelter for r in case.routes.values() if r.source == s]
        assert len(lanes) == len(set(lanes)) == min(per_source, smelters)
    assert case.expansions and case.grants and case.contracts
    assert all(0 <= r.transit_months <= 2 for r in case.routes.values())


def test_same_seed_same_case_other_seed_other_case():
    assert generate_raw(12, 5, 3, 2, seed=4).sheets == generate_raw(12, 5, 3, 2, seed=4).sheets
    assert generate_raw(12, 5, 3, 2, seed=4).sheets != generate_raw(12, 5, 3, 2, seed=5).sheets


def test_written_workbook_reads_back_to_the_same_case(tmp_path):
    """The generated workbook goes through the real reader and validator unchanged."""
    raw = generate_raw(8, 4, 2, 2, seed=6)
    path = tmp_path / "generated.xlsx"
    write_workbook(raw, path)
    from_file, problems = validate(read_workbook(path))
    assert [str(p) for p in problems if p.is_error] == []
    assert from_file == validate(raw)[0]


def test_size_parsing():
    assert Size.parse("120x50x10x3") == Size(120, 50, 10, 3)
    assert str(Size(60, 20, 5, 3)) == "60x20x5x3"
    with pytest.raises(ValueError, match="MONTHSxSOURCES"):
        Size.parse("60x20x5")
