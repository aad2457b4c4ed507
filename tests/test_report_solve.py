"""The report on real HiGHS solves: shadow prices against finite differences, the default
case re-checked from the report alone, the CLI's report/CSV outputs, LibreOffice opening it.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from report_check import check_report, read_table, summary_value

from optimizer.case import Case, Route, Settings, Smelter, Source, month_label
from optimizer.cli.app import main
from optimizer.cli.pipeline import load_case
from optimizer.report.workbook import write_report
from optimizer.solve.run import solve_case

PROVENANCE = {"input": "<test>", "command_line": "pytest"}


def one_lane_case(
    months: int = 1,
    capacity: float = 60.0,
    route: float = 80.0,
    min_feed: float = 0.0,
    price: float = 40_000.0,
    rate: float = 0.0,
) -> Case:
    """One Alaskan mine → one truck lane → Thompson Falls; no stockpiles, no transit.

    Margin per t of ore fed = 50 % × 90 % × price − 1,000 ore − 200 freight − 500
    processing; at 40,000 USD/t Sb that is 18,000 − 1,700 = 16,300 USD/t.
    """
    labels = tuple(month_label("2027-01", t) for t in range(months))
    return Case(
        settings=Settings("fd", "2027-01", months, discount_rate_pct_per_year=rate),
        months=labels,
        sources={
            "AK": Source(
                "AK",
                "mine",
                "USA",
                True,
                50.0,
                0.5,
                1000.0,
                0.0,
                0.0,
                (100.0,) * months,
                (0.0,) * months,
            )
        },
        smelters={
            "TF": Smelter(
                "TF",
                "USA",
                capacity,
                500.0,
                90.0,
                0.0,
                None,
                0.0,
                min_feed,
                0.0,
                0.0,
                (100.0,) * months,
                (price,) * months,
            )
        },
        routes={
            "AK-TF": Route("AK-TF", "AK", "TF", "truck", 200.0, 0, route, 3200.0, (100.0,) * months)
        },
    )


def report_of(case: Case, path: Path) -> openpyxl.Workbook:
    results = solve_case(case)
    assert results.status == "optimal"
    return openpyxl.load_workbook(write_report(results, case, path, PROVENANCE))


def marginal(wb: openpyxl.Workbook, family: str) -> list[float]:
    """The report's values (USD per unit) of one constraint family, month order."""
    rows = [r for r in read_table(wb, "MarginalValues") if r["Constraint family"] == family]
    return [r["Value (USD per unit)"] for r in sorted(rows, key=lambda r: r["Month"])]


@pytest.mark.parametrize(
    ("family", "base", "relaxed", "expected"),
    [
        # capacity 60 binds: 60 × 16,300 = 978,000; at 61: 994,300
        ("Smelter_Capacity", {}, {"capacity": 61.0}, 16_300.0),
        # route 50 binds (below capacity 60): 50 × 16,300; at 51: +16,300
        ("Route_Capacity", {"route": 50.0}, {"route": 51.0}, 16_300.0),
        # at 2,000 USD/t Sb the margin is 0.45 × 2,000 − 1,700 = −800 USD/t: the 10 t
        # minimum feed costs 8,000; lowering it to 9 t (the relaxing direction) gains 800
        (
            "Min_Feed",
            {"price": 2000.0, "min_feed": 10.0},
            {"price": 2000.0, "min_feed": 9.0},
            800.0,
        ),
    ],
)
def test_shadow_price_matches_a_finite_difference(
    tmp_path: Path, family: str, base: dict, relaxed: dict, expected: float
) -> None:
    """The value the report prints = objective change when the limit is relaxed by one."""
    before = report_of(one_lane_case(**base), tmp_path / "a.xlsx")
    after = report_of(one_lane_case(**relaxed), tmp_path / "b.xlsx")
    delta = summary_value(after, "Objective: discounted margin") - summary_value(
        before, "Objective: discounted margin"
    )
    assert marginal(before, family) == [pytest.approx(expected)]
    assert delta == pytest.approx(expected)
    assert read_table(before, "MarginalValues")[0]["Constraint family"] == family
    assert read_table(before, "MarginalValues")[0]["Binding"] == "yes"


def test_discounted_shadow_prices_sum_to_the_capacity_difference(tmp_path: Path) -> None:
    """Three months at 12 %/yr: +1 t/month of base capacity raises every month's limit, so
    the objective gains Σ_t 16,300 × 1.12^(−t/12) = 16,300 + 16,146.79 + 15,995.01."""
    before = report_of(one_lane_case(months=3, rate=12.0), tmp_path / "a.xlsx")
    after = report_of(one_lane_case(months=3, rate=12.0, capacity=61.0), tmp_path / "b.xlsx")
    values = marginal(before, "Smelter_Capacity")
    factors = [1.12 ** (-t / 12) for t in range(3)]
    assert values == [pytest.approx(16_300 * f) for f in factors]
    delta = summary_value(after, "Objective: discounted margin") - summary_value(
        before, "Objective: discounted margin"
    )
    assert delta == pytest.approx(sum(values))
    check_report(tmp_path / "a.xlsx")


@pytest.fixture(scope="module")
def default_report(tmp_path_factory) -> Path:
    case, raw, _ = load_case(None)
    results = solve_case(case)
    assert results.status == "optimal"
    path = tmp_path_factory.mktemp("default") / "default_report.xlsx"
    return write_report(
        results, case, path, {"input": raw.source, "input_sha256": raw.sha256, "command_line": "t"}
    )


def test_default_case_rechecks_from_the_report_alone(default_report: Path) -> None:
    totals = check_report(default_report)
    wb = openpyxl.load_workbook(default_report)
    assert summary_value(wb, "Status") == "Optimal"
    assert totals["dispatches"] > 0 and totals["sb_t"] > 0
    assert len(wb["Charts"]._charts) >= 3
    values = [abs(r["Value (USD per unit)"]) for r in read_table(wb, "MarginalValues")]
    assert values == sorted(values, reverse=True)


def test_cli_solve_writes_report_and_csv(tmp_path: Path, capsys) -> None:
    report, out = tmp_path / "r.xlsx", tmp_path / "csv"
    assert main(["solve", "-o", str(report), "--csv", str(out)]) == 0
    assert "r.xlsx" in capsys.readouterr().out
    check_report(report)
    with (out / "summary.csv").open(encoding="utf-8", newline="") as fh:
        objective = next(
            r for r in csv.DictReader(fh) if r["Item"] == "Objective: discounted margin"
        )
    wb = openpyxl.load_workbook(report)
    assert float(objective["Value"]) == pytest.approx(
        summary_value(wb, "Objective: discounted margin")
    )
    assert (out / "allocation.csv").exists() and (out / "marginal_values.csv").exists()


def test_cli_says_where_the_report_went_when_the_target_is_open(tmp_path: Path, capsys) -> None:
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"open in Excel")
    (tmp_path / "~$r.xlsx").write_bytes(b"owner")  # Excel's lock file
    assert main(["solve", "-o", str(report)]) == 0
    captured = capsys.readouterr()
    assert "is open in another program" in " ".join(captured.err.split())
    sibling = next(tmp_path.glob("r_*.xlsx"))
    assert sibling.name in captured.out.replace("\n", "")
    assert report.read_bytes() == b"open in Excel"
    check_report(sibling)


def test_cli_refuses_to_write_the_report_over_its_input(tiny_book: Path) -> None:
    before = tiny_book.read_bytes()
    assert main(["solve", str(tiny_book), "-o", str(tiny_book)]) == 1
    assert tiny_book.read_bytes() == before


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice is not installed",
)
def test_libreoffice_converts_the_default_report(default_report: Path, tmp_path: Path) -> None:
    """LibreOffice opens the report (no repair) and renders tables and charts to PDF."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    done = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(default_report),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "default_report.pdf"
    assert done.returncode == 0, done.stderr
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 100_000  # many pages with charts, not an error page
