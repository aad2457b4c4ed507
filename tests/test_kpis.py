"""The key figures (``optimizer.solve.kpis``) on the hand-built report case: hand-checked
totals, and the console JSON, the Summary sheet and the status words all read one source."""

from __future__ import annotations

import dataclasses

import pytest
from report_fixtures import MAD, TF, tiny_case, tiny_results

from optimizer.report.console import figures, json_number, lines
from optimizer.report.provenance import kind_of
from optimizer.report.summary import summary_sections
from optimizer.solve.kpis import CASHFLOW_LINES, key_figures
from optimizer.solve.status import Status


@pytest.fixture(scope="module")
def solved():
    case = tiny_case()
    results = tiny_results(case)
    return case, results, key_figures(results, case)


def test_hand_checked_totals(solved):
    """Sb: TF 38 + 47.5 + 42.75 = 128.25 t, Madero 14.4 + 27 + 18 = 59.4 t. Stibnite Creek
    mines 3 × 100 t and ships 80 + 100 + 90 + 20 = 290 t; 2 × 50 t of Bolivia ore are bought.
    Domestic feed: TF 270 t + Madero 20 t of the 430 t fed. TF expansion adds 20 t/month;
    the DLA contract is 2.6 t Sb short (penalty 260,000 USD)."""
    _case, results, k = solved
    assert k.sb_t == {TF: pytest.approx(128.25), MAD: pytest.approx(59.4)}
    assert k.sb_total_t == pytest.approx(187.65)
    assert k.alaska_mined_t == pytest.approx(300)
    assert k.alaska_shipped_t == pytest.approx(290)
    assert k.bought_t == pytest.approx(100)
    assert k.domestic_share_pct == pytest.approx(100 * 290 / 430)
    assert k.built_t_per_month == {"TF expansion": pytest.approx(20)}
    assert k.shortfall_t_sb == pytest.approx(2.6)
    assert k.shortfall_penalty_usd == pytest.approx(260_000)
    assert k.net_usd[1] == pytest.approx(results.cashflow["discounted_net_usd"].sum())


def test_utilization_is_none_without_capacity(solved):
    _case, _results, k = solved
    assert k.utilization_pct(TF) == pytest.approx(100 * k.fed_t[TF] / k.capacity_t[TF])
    assert k.utilization_pct("no such smelter") is None


def test_cashflow_lines_are_the_results_money_columns(solved):
    _case, results, _k = solved
    money = {c for c in results.cashflow.columns if c.endswith("_usd")}
    assert money == {*CASHFLOW_LINES, "net_usd", "discounted_net_usd"}


def test_console_and_summary_read_the_key_figures(solved):
    case, results, k = solved
    data = figures(results, case)
    assert data["sb_produced_t"] == {p: json_number(v) for p, v in k.sb_t.items()}
    assert data["shortfall_t_sb"] == json_number(k.shortfall_t_sb)
    shown = {
        line.label: line.values
        for section in summary_sections(results, case)
        for line in section.lines
    }
    assert shown[f"Sb produced at {TF}"] == (k.sb_t[TF],)
    assert shown["Alaska ore shipped (own claims)"] == (k.alaska_shipped_t,)
    assert shown["Contract shortfall"] == (k.shortfall_t_sb,)
    assert shown["Net margin"] == k.net_usd


@pytest.mark.parametrize("status", list(Status))
def test_one_status_vocabulary(solved, status):
    case, results, _k = solved
    results = dataclasses.replace(
        results,
        status=status,
        mip_gap_pct=2.0,
        objective_usd=results.objective_usd if status.has_solution else None,
    )
    sheet = summary_sections(results, case)[0].lines[1].values[0]
    console = lines(figures(results, case))[0]
    assert console == f"Case '{results.case_name}': {sheet[0].lower()}{sheet[1:]}"


def test_provenance_value_kinds():
    assert [kind_of(v) for v in (3, 2.0, 0.25, True, "x", None)] == [
        "int",
        "int",
        "seconds",
        "text",
        "text",
        "text",
    ]
