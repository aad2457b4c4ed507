"""The scenario runner and ``ore-optimizer scenarios`` end to end: every run solves, its key
figures match a separate ``solve --scenario``, persistent re-solves agree with cold solves,
serial, process-pool and Dask runs agree exactly, bad scenarios are reported located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import raw_book, write_book

from optimizer.cli.app import main
from optimizer.cli.pipeline import load_case
from optimizer.inputs.default_case import default_raw
from optimizer.scenarios.plan import prepare
from optimizer.scenarios.run import (
    METHOD_COLD,
    METHOD_REBUILT,
    METHOD_RESOLVED,
    RunOptions,
    run_all,
    run_one,
)

SCENARIO_HEADERS = ["scenario", "sheet", "key", "column", "action", "value", "note"]


def tiny_rows(*scenarios: list) -> dict:
    """One month, one claim group AK1 (50 % Sb, max 100 t, $400/t), one truck lane to TF
    ($250/t, transit 0, 200 t/month), TF: 200 t/month, $300/t processing, 100 % recovery,
    spot $40,000/t Sb. Base objective = 100 t × (0.5 × 40,000 − 400 − 250 − 300) =
    $1,905,000 (month 0 is undiscounted)."""
    return {
        "Settings": [
            ["setting", "value"],
            ["case_name", "tiny_run"],
            ["start_month", "2027-01"],
            ["horizon_months", 1],
        ],
        "Sources": [
            [
                "source",
                "kind",
                "country",
                "domestic",
                "grade_pct_sb",
                "arsenic_pct",
                "cost_usd_per_t",
                "stockpile_capacity_t",
                "holding_cost_usd_per_t_month",
            ],
            ["AK1", "mine", "USA", "yes", 50, 0.5, 400, 0, 0],
        ],
        "Supply": [["source", "bound", "2027-01"], ["AK1", "max", 100]],
        "Smelters": [
            [
                "smelter",
                "country",
                "base_capacity_t_per_month",
                "processing_cost_usd_per_t",
                "recovery_pct",
                "min_feed_grade_pct",
                "max_feed_arsenic_pct",
                "min_domestic_share_pct",
                "min_feed_t_per_month",
                "stockpile_capacity_t",
                "holding_cost_usd_per_t_month",
            ],
            ["TF", "USA", 200, 300, 100, None, None, None, None, 0, 0],
        ],
        "Routes": [
            [
                "route",
                "source",
                "smelter",
                "mode",
                "cost_usd_per_t",
                "transit_months",
                "capacity_t_per_month",
                "distance_km",
            ],
            ["AK1-TF", "AK1", "TF", "truck", 250, 0, 200, 100],
        ],
        "Prices": [["smelter", "2027-01"], ["TF", 40_000]],
        "Scenarios": [SCENARIO_HEADERS, *scenarios],
    }


TINY_SCENARIOS = [
    # 50 t Sb × 20,000 − 100 × 950 = 905,000
    ["cheap", "Prices", "TF", "*", "scale", 0.5, "spot price halved"],
    # 60 t ore: 30 t Sb × 40,000 − 60 × 950 = 1,143,000
    ["tight", "Routes", "AK1-TF", "capacity_t_per_month", "set", 60, None],
    # a month of transit in a one-month horizon: nothing can arrive, nothing is mined: 0
    ["slow", "Routes", "AK1-TF", "transit_months", "set", 1, None],
    # at least 500 t fed with 100 t of ore: infeasible
    ["impossible", "Smelters", "TF", "min_feed_t_per_month", "set", 500, None],
]


def test_tiny_case_hand_checked_objectives_and_methods():
    raw = raw_book(tiny_rows(*TINY_SCENARIOS))
    plan = prepare(raw)
    assert plan.names == ["cheap", "tight", "slow", "impossible"]
    records = run_all(plan)
    by = {r.label: r for r in records}
    assert [r.label for r in records] == ["base case", *plan.names]
    assert by["base case"].objective_usd == pytest.approx(1_905_000)
    assert by["cheap"].objective_usd == pytest.approx(905_000)
    assert by["tight"].objective_usd == pytest.approx(1_143_000)
    assert by["slow"].objective_usd == pytest.approx(0, abs=1e-6)
    assert by["impossible"].status == "infeasible" and by["impossible"].objective_usd is None
    assert by["base case"].sb_t == {"TF": pytest.approx(50)}
    assert by["tight"].allocation == {"TF": (pytest.approx(60),)}
    assert by["base case"].alaska_shipped_t == pytest.approx(100)
    assert by["base case"].utilization_pct == {"TF": pytest.approx(50)}  # 100 of 200 t
    # data-only scenarios re-solve the base model; a new transit time changes its shape
    assert by["base case"].method == METHOD_COLD
    assert by["cheap"].method == by["tight"].method == METHOD_RESOLVED
    assert by["slow"].method == METHOD_REBUILT
    cold = run_all(plan, RunOptions(persistent=False))
    assert {r.method for r in cold} == {METHOD_COLD}
    assert [r.objective_usd for r in cold] == pytest.approx(
        [r.objective_usd for r in records], abs=1e-6
    )


def test_lumpy_base_case_solves_every_run_cold():
    """Lumpy mode without projects is the same LP: 1,905,000 and 905,000 as above."""
    rows = tiny_rows(TINY_SCENARIOS[0])
    rows["Settings"].append(["expansion_mode", "lumpy"])
    records = run_all(prepare(raw_book(rows)))
    assert [r.objective_usd for r in records] == pytest.approx([1_905_000, 905_000])
    assert {r.method for r in records} == {METHOD_COLD}


def test_run_one_reports_the_cells_it_changed():
    raw = raw_book(tiny_rows(*TINY_SCENARIOS))
    record = run_one(raw, "cheap")
    assert [(c.sheet, c.cell, c.old, c.new) for c in record.changes] == [
        ("Prices", "B2", 40_000, pytest.approx(20_000))
    ]


def test_bad_scenario_rows_and_broken_rules_mark_only_their_scenario():
    """Two bad rows of 'typo', a value 'broken' cannot set: both invalid, each problem once
    and against its own scenario; 'cheap' and the base case are still planned."""
    raw = raw_book(
        tiny_rows(
            ["typo", "Pricez", "TF", "*", "scale", 0.5, None],
            ["typo", "Prices", "TF", "*", "multiply", 2, None],
            ["broken", "Smelters", "TF", "recovery_pct", "set", 150, None],
            ["cheap", "Prices", "TF", "*", "scale", 0.5, None],
        )
    )
    plan = prepare(raw)
    assert set(plan.invalid) == {"typo", "broken"} and set(plan.cases) == {None, "cheap"}
    typo = "\n".join(str(p) for p in plan.invalid["typo"])
    assert "Scenarios!B2" in typo and "did you mean 'Prices'" in typo
    assert "Scenarios!E3" in typo and "set, scale, add" in typo
    assert len(plan.invalid["typo"]) == 2
    broken = "\n".join(str(p) for p in plan.invalid["broken"])
    assert "Scenarios!F4" in broken and "recovery_pct" in broken
    records = run_all(plan)
    status = {r.scenario: r.status for r in records}
    assert status == {None: "optimal", "typo": "invalid", "broken": "invalid", "cheap": "optimal"}


def test_cli_bad_scenario_row_is_reported_once_and_the_others_solve(tmp_path, capsys):
    book = write_book(
        tmp_path / "bad.xlsx",
        tiny_rows(
            ["late", "Prices", "TF", "2031-01", "scale", 0.5, None],
            ["cheap", "Prices", "TF", "*", "scale", 0.5, None],
        ),
    )
    assert main(["scenarios", str(book), "-o", str(tmp_path / "c.xlsx"), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("Scenarios!D2") == 1 and "2031-01" in captured.err
    status = {r["scenario"]: r["status"] for r in json.loads(captured.out)["runs"]}
    assert status == {None: "optimal", "late": "invalid", "cheap": "optimal"}
    assert (tmp_path / "c.xlsx").exists()


def test_solve_is_not_stopped_by_another_scenarios_bad_row(tmp_path, capsys):
    """SPEC §6.5: a bad Scenarios row marks only its own scenario invalid. ``solve`` of the
    base case and of 'cheap' still plan (the row is a warning, cited once); ``solve
    --scenario late`` and ``validate`` stop at it (exit 2)."""
    book = write_book(
        tmp_path / "bad.xlsx",
        tiny_rows(
            ["late", "Prices", "TF", "2031-01", "scale", 0.5, None],
            ["cheap", "Prices", "TF", "*", "scale", 0.5, None],
        ),
    )
    assert main(["solve", str(book), "-o", str(tmp_path / "base.xlsx"), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["objective_usd"] == pytest.approx(1_905_000)
    assert captured.err.count("Scenarios!D2") == 1 and "scenario 'late' is invalid" in captured.err
    cheap = ["solve", str(book), "--scenario", "cheap", "-o", str(tmp_path / "cheap.xlsx")]
    assert main(cheap) == 0
    capsys.readouterr()
    late = ["solve", str(book), "--scenario", "late", "-o", str(tmp_path / "late.xlsx")]
    assert main(late) == 2
    assert "2031-01" in capsys.readouterr().err
    assert not (tmp_path / "late.xlsx").exists()
    assert main(["validate", str(book)]) == 2


def test_cli_infeasible_scenario_is_a_row_not_a_failure(tmp_path, capsys):
    book = write_book(tmp_path / "tiny.xlsx", tiny_rows(*TINY_SCENARIOS))
    out = tmp_path / "cmp.xlsx"
    assert main(["scenarios", str(book), "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    status = {r["scenario"]: r["status"] for r in data["runs"]}
    assert status == {
        None: "optimal",
        "cheap": "optimal",
        "tight": "optimal",
        "slow": "optimal",
        "impossible": "infeasible",
    }
    cheap = data["runs"][1]
    assert cheap["delta_objective_usd"] == pytest.approx(-1_000_000)
    assert cheap["delta_objective_pct"] == pytest.approx(-100 * 1_000_000 / 1_905_000)
    assert data["comparison"] == str(out) and out.exists() and data["exit_code"] == 0


def test_cli_infeasible_base_exits_3_with_the_comparison(tmp_path, capsys):
    rows = tiny_rows(["cheap", "Prices", "TF", "*", "scale", 0.5, None])
    rows["Smelters"][1][8] = 500  # min feed 500 t, only 100 t of ore
    book = write_book(tmp_path / "tiny.xlsx", rows)
    assert main(["scenarios", str(book), "-o", str(tmp_path / "c.xlsx")]) == 3
    assert "base case is infeasible" in capsys.readouterr().err
    assert (tmp_path / "c.xlsx").exists()


def test_cli_usage_errors(tmp_path, capsys):
    book = write_book(tmp_path / "tiny.xlsx", tiny_rows(*TINY_SCENARIOS))
    assert main(["scenarios", str(book), "-o", str(book)]) == 1
    assert main(["scenarios", str(book), "--jobs", "2", "--dask-scheduler", "x:1"]) == 1
    assert main(["scenarios", str(tmp_path / "missing.xlsx")]) == 1
    capsys.readouterr()


def test_cli_reports_dir_writes_every_runs_full_report(tmp_path, capsys):
    book = write_book(tmp_path / "tiny.xlsx", tiny_rows(*TINY_SCENARIOS[:2]))
    reports = tmp_path / "reports"
    assert (
        main(
            [
                "scenarios",
                str(book),
                "-o",
                str(tmp_path / "c.xlsx"),
                "--reports",
                str(reports),
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in reports.iterdir()) == [
        "tiny_run_cheap_report.xlsx",
        "tiny_run_report.xlsx",
        "tiny_run_tight_report.xlsx",
    ]
    assert [r["report"] for r in data["runs"]] == [
        str(reports / n)
        for n in (
            "tiny_run_report.xlsx",
            "tiny_run_cheap_report.xlsx",
            "tiny_run_tight_report.xlsx",
        )
    ]
    assert {r["solved_by"] for r in data["runs"]} == {METHOD_COLD}  # as solve --scenario


# --- the default case --------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("default") / "base.xlsx"
    assert main(["template", str(path)]) == 0
    return path


def _scenarios_json(book: Path, out: Path, capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["scenarios", str(book), "-o", str(out), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _comparable(run: dict) -> dict:
    """A run's figures without how or how fast it was solved."""
    return {k: v for k, v in run.items() if k not in ("seconds", "report")}


def test_every_default_scenario_matches_a_separate_solve(default_book, tmp_path, capsys):
    data = _scenarios_json(default_book, tmp_path / "cmp.xlsx", capsys)
    case, _, _ = load_case(default_book)
    names = [r["scenario"] for r in data["runs"]]
    assert names == [
        None,
        "grant_delayed_6m",
        "no_grant",
        "foreign_feed_cut",
        "price_minus_30",
        "dla_orders_only",
        "short_trucking_season",
        "madero_outage",
        "lumpy_expansion",
        "no_tf_expansion",
    ]
    mines = {r for r, x in case.routes.items() if case.sources[x.source].kind == "mine"}
    for run in data["runs"]:
        assert run["status"] == "optimal", run["scenario"]
        args = ["solve", str(default_book), "--json", "-o", str(tmp_path / "r.xlsx")]
        assert main(args + (["--scenario", run["scenario"]] if run["scenario"] else [])) == 0
        solo = json.loads(capsys.readouterr().out)
        assert run["objective_usd"] == pytest.approx(solo["objective_usd"], rel=1e-9)
        assert run["sb_produced_t"] == pytest.approx(solo["sb_produced_t"], rel=1e-6, abs=1e-6)
        used = {g: solo["grant_used_usd"].get(g, 0.0) for g in case.grants}  # only money
        assert run["grant_used_usd"] == pytest.approx(used, rel=1e-6)
        assert run["shortfall_t_sb"] == pytest.approx(solo["shortfall_t_sb"], abs=1e-6)
        shipped = sum(v for r, v in solo["ore_shipped_t"].items() if r in mines)
        assert run["alaska_ore_shipped_t"] == pytest.approx(shipped, rel=1e-6)

        def stages(expansions):  # every stage, none merged
            return [(b["project"], b["start_month"], b["online_month"]) for b in expansions]

        assert stages(run["expansions"]) == stages(solo["expansions"])
        assert [b["added_t_per_month"] for b in run["expansions"]] == pytest.approx(
            [b["added_t_per_month"] for b in solo["expansions"]], rel=1e-6
        )
    methods = {r["scenario"]: r["solved_by"] for r in data["runs"]}
    # the default case is in single mode, a MILP: no warm start, every run solved cold
    assert set(methods.values()) == {METHOD_COLD}


def test_parallel_and_serial_runs_are_identical(default_book, tmp_path, capsys):
    serial = _scenarios_json(default_book, tmp_path / "s.xlsx", capsys)
    parallel = _scenarios_json(default_book, tmp_path / "p.xlsx", capsys, "--jobs", "2")
    assert [_comparable(r) for r in parallel["runs"]] == [_comparable(r) for r in serial["runs"]]


def test_dask_local_cluster_gives_the_serial_results(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    raw = default_raw()
    plan = prepare(raw)
    serial = run_all(plan)
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        book = tmp_path / "base.xlsx"
        assert main(["template", str(book)]) == 0
        data = _scenarios_json(
            book, tmp_path / "d.xlsx", capsys, "--dask-scheduler", cluster.scheduler_address
        )
    assert [r["objective_usd"] for r in data["runs"]] == pytest.approx(
        [r.objective_usd for r in serial], rel=1e-12
    )
    assert [r["solved_by"] for r in data["runs"]] == [r.method for r in serial]


def test_a_scenario_that_breaks_a_rule_is_invalid_alone():
    """'cut' adds −95 t to both of AK1's Supply rows (max 100, min 10): the min becomes −85 t,
    a rule of the case it makes (not of its row), said once against it; the base case
    still solves."""
    rows = tiny_rows(["cut", "Supply", "AK1", "*", "add", -95, None])
    rows["Supply"].append(["AK1", "min", 10])
    plan = prepare(raw_book(rows))
    (problem,) = plan.invalid["cut"]
    assert problem.sheet == "Supply" and "scenario 'cut':" in problem.rule
    assert set(plan.cases) == {None}
