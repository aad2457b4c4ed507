"""Re-check a written report from its own numbers (no Results, no model).

:func:`check_report` opens the .xlsx with openpyxl and verifies, row by row, the SPEC §3
constraints a reader can check with the report in hand: stock balances, shipments vs
allocation, capacities and limits, blend and domestic share, Sb production, contracts,
grants, every cash-flow line against the detail sheets, and Σ discounted net = the
Summary's objective. :func:`check_against_input` checks the limits the report prints — and
the utilization it computes from them — against the input case itself, so a limit printed
wrong (and the decision obeying it) cannot pass.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import openpyxl

REL, ABS = 1e-6, 1e-4


def close(a: float, b: float, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS * max(1.0, scale))


def month(value: object) -> str:
    assert isinstance(value, datetime), f"month cell is not a date: {value!r}"
    return f"{value.year:04d}-{value.month:02d}"


def read_table(wb: openpyxl.Workbook, sheet: str) -> list[dict]:
    """Rows of a long-format sheet as dicts keyed by header (blank rows skipped)."""
    ws = wb[sheet]
    rows = ws.iter_rows(values_only=True)
    header = next(rows)
    out = []
    for row in rows:
        if all(v is None for v in row):
            continue
        record = dict(zip(header, row, strict=False))
        if len([v for v in row if v is not None]) == 1 and isinstance(row[0], str):
            continue  # the "(empty table)" note
        out.append(record)
    return out


def summary_value(wb: openpyxl.Workbook, label: str, column: int = 2) -> object:
    ws = wb["Summary"]
    for row in ws.iter_rows():
        if row[0].value == label:
            return row[column - 1].value
    raise KeyError(label)


def _sum_by(rows: list[dict], keys: tuple[str, ...], value: str) -> dict:
    out: dict = defaultdict(float)
    for r in rows:
        out[tuple(month(r[k]) if "month" in k.lower() else r[k] for k in keys)] += r[value] or 0
    return out


def check_report(path: Path) -> dict:
    """Assert every re-checkable constraint; returns a few totals for further asserts."""
    wb = openpyxl.load_workbook(path)
    alloc = read_table(wb, "Allocation")
    sources = read_table(wb, "Sources")
    yard = read_table(wb, "Yard")
    smelters = read_table(wb, "Smelters")
    builds = read_table(wb, "Expansion")
    payments = read_table(wb, "Payments")
    grants = read_table(wb, "Grants")
    contracts = read_table(wb, "Contracts")
    cash = read_table(wb, "Cashflow")
    months = [month(r["Month"]) for r in cash]

    # Allocation: each dispatch within its route's limit, arriving inside the horizon.
    for r in alloc:
        assert r["Dispatched (t ore)"] <= r["Route limit this month (t)"] + ABS, r
        assert month(r["Arrival month"]) in months, r
        assert close(
            r["Freight cost (USD)"],
            r["Dispatched (t ore)"] * r["Freight (USD/t)"],
            r["Freight cost (USD)"],
        ), r
    shipped = _sum_by(alloc, ("Source", "Dispatch month"), "Dispatched (t ore)")
    arrived = _sum_by(alloc, ("Smelter", "Source", "Arrival month"), "Dispatched (t ore)")

    # Sources: start + mined − shipped = end; end ≤ stockpile; min ≤ mined ≤ max (+ mine-side
    # expansion online); cost = t × price.
    last: dict = {}
    for r in sources:
        key = (r["Source"], month(r["Month"]))
        assert close(
            r["Start stock (t)"] + r["Mined / bought (t)"] - r["Shipped (t)"], r["End stock (t)"]
        ), r
        if r["Source"] in last:
            assert close(r["Start stock (t)"], last[r["Source"]]), r
        last[r["Source"]] = r["End stock (t)"]
        assert close(r["Shipped (t)"], shipped.get(key, 0.0)), (r, shipped.get(key))
        assert r["End stock (t)"] <= r["Stockpile capacity (t)"] + ABS, r
        top = r["Supply max (t)"] + (r.get("Mine-side expansion online (t)") or 0.0)
        assert r["Supply min (t)"] - ABS <= r["Mined / bought (t)"] <= top + ABS, r
        cost = r["Ore cost (USD)"]
        assert close(cost, r["Mined / bought (t)"] * r["Ore price (USD/t)"], cost), r

    # Yard by origin: start + arrivals − fed = end; arrivals = Allocation by arrival month.
    # The sheet leaves out idle months (all zero): a missing month reads as zero, so stock
    # on either side of a gap must be zero and nothing may arrive in a missing month.
    position = {m: i for i, m in enumerate(months)}
    last: dict = {}  # (smelter, origin) -> (month position, end stock) of its previous row
    fed_by: dict = defaultdict(float)
    grade_by: dict = defaultdict(float)
    arsenic_by: dict = defaultdict(float)
    domestic_by: dict = defaultdict(float)
    for r in yard:
        key = (r["Smelter"], r["Ore origin"], month(r["Month"]))
        assert close(r["Start stock (t)"] + r["Arrivals (t)"] - r["Fed (t)"], r["End stock (t)"]), r
        assert r["End stock (t)"] >= -ABS and r["Fed (t)"] >= -ABS, r
        before, end = last.get(key[:2], (-1, None))
        if before == position[key[2]] - 1 and end is not None:
            assert close(r["Start stock (t)"], end), r
        elif before != position[key[2]] - 1:  # idle months before: empty on both sides
            assert (end is None or close(end, 0.0)) and close(r["Start stock (t)"], 0.0), r
        last[key[:2]] = (position[key[2]], r["End stock (t)"])
        in_transit = r["Of which in transit at the start (t)"]
        assert close(r["Arrivals (t)"], arrived.get(key, 0.0) + in_transit), (r, arrived.get(key))
        pm = (r["Smelter"], key[2])
        fed_by[pm] += r["Fed (t)"]
        grade_by[pm] += r["Fed (t)"] * r["Grade (% Sb)"]
        arsenic_by[pm] += r["Fed (t)"] * r["Arsenic (%)"]
        domestic_by[pm] += r["Fed (t)"] if r["Domestic"] == "yes" else 0.0

    for before, end in last.values():
        assert before == len(months) - 1 or close(end, 0.0), "stock left before idle months"
    listed = {(r["Smelter"], r["Ore origin"], month(r["Month"])) for r in yard}
    for key, tonnes in arrived.items():
        assert key in listed or close(tonnes, 0.0), ("arrives in an unlisted month", key)

    # Smelters: balance, capacity, min feed, blend, domestic share, Sb.
    online: dict = defaultdict(float)
    for b in builds:
        for m in months:
            if m >= month(b["Online month"]):
                online[(b["Smelter"], m)] += b["Added (t/month)"]
    sb_total = 0.0
    to_contracts: dict = defaultdict(float)
    for r in smelters:
        pm = (r["Smelter"], month(r["Month"]))
        feed = r["Feed (t ore)"]
        assert close(
            r["Yard start stock (t)"] + r["Arrivals (t)"] - feed, r["Yard end stock (t)"]
        ), r
        assert r["Yard end stock (t)"] <= r["Yard capacity (t)"] + ABS, r
        assert close(feed, fed_by.get(pm, 0.0)), (r, fed_by.get(pm))
        assert close(
            r["Capacity (t/month)"],
            r["Base capacity (t/month)"] * r["Availability (%)"] / 100
            + r["Expansion online (t/month)"],
        ), r
        assert close(r["Expansion online (t/month)"], online.get(pm, 0.0)), r
        assert feed <= r["Capacity (t/month)"] + ABS, r
        assert feed >= r["Min feed (t/month)"] - ABS, r
        if feed > ABS:
            grade = grade_by[pm] / feed
            assert close(grade, r["Feed grade (% Sb)"]), r
            assert grade >= r["Min feed grade (% Sb)"] - 1e-6, r
            if r["Max feed arsenic (%)"] is not None:
                assert arsenic_by[pm] / feed <= r["Max feed arsenic (%)"] + 1e-6, r
            share = 100 * domestic_by[pm] / feed
            assert close(share, r["Domestic share (%)"]), r
            assert share >= r["Min domestic share (%)"] - 1e-6, r
        sb = grade_by.get(pm, 0.0) / 100 * r["Recovery (%)"] / 100
        assert close(sb, r["Sb produced (t Sb)"]), r
        assert close(sb, r["Sold spot (t Sb)"] + r["To contracts (t Sb)"]), r
        assert close(
            r["Spot revenue (USD)"],
            r["Sold spot (t Sb)"] * r["Spot price (USD/t Sb)"],
            r["Spot revenue (USD)"],
        )
        sb_total += sb
        to_contracts[pm[1]] += r["To contracts (t Sb)"]

    # Contracts: min − shortfall ≤ delivered ≤ max; deliveries match the smelters' sales.
    delivered: dict = defaultdict(float)
    for r in contracts:
        assert r["Delivered (t Sb)"] <= r["Max (t Sb)"] + ABS, r
        assert r["Delivered (t Sb)"] + r["Shortfall (t Sb)"] >= r["Required min (t Sb)"] - ABS
        delivered[month(r["Month"])] += r["Delivered (t Sb)"]
    for m in months:
        assert close(delivered.get(m, 0.0), to_contracts.get(m, 0.0)), m

    # Expansion and grants: who pays adds up; no grant overdrawn.
    for b in builds:
        assert close(
            b["Grant-paid (USD)"] + b["Company-paid (USD)"], b["Capex (USD)"], b["Capex (USD)"]
        ), b
        assert b["Added (t/month)"] <= b["Project max (t/month)"] + ABS, b
    for g in grants:
        assert g["Remaining (USD)"] >= -1e-3, g

    # Cash flow: each line equals its detail sheet; net and discounting; objective.
    detail = {
        "Shipping (USD)": _sum_by(alloc, ("Dispatch month",), "Freight cost (USD)"),
        "Ore cost (USD)": _sum_by(sources, ("Month",), "Ore cost (USD)"),
        "Processing (USD)": _sum_by(smelters, ("Month",), "Processing cost (USD)"),
        "Spot revenue (USD)": _sum_by(smelters, ("Month",), "Spot revenue (USD)"),
        "Contract revenue (USD)": _sum_by(contracts, ("Month",), "Revenue (USD)"),
        "Shortfall penalty (USD)": _sum_by(contracts, ("Month",), "Shortfall penalty (USD)"),
        "Capex (USD)": _sum_by(payments, ("Payment month",), "Capex paid (USD)"),
        "Grant money (USD)": _sum_by(grants, ("Month",), "Paid (USD)"),
    }
    holding_src = _sum_by(sources, ("Month",), "Holding cost (USD)")
    holding_sm = _sum_by(smelters, ("Month",), "Holding cost (USD)")
    total = 0.0
    for r in cash:
        m = month(r["Month"])
        for line, by_month in detail.items():
            assert close(r[line], by_month.get((m,), 0.0), abs(r[line])), (m, line)
        assert close(
            r["Holding (USD)"],
            holding_src.get((m,), 0) + holding_sm.get((m,), 0),
            r["Holding (USD)"],
        )
        assert close(
            r["Company-paid capex (USD)"],
            r["Capex (USD)"] - r["Grant money (USD)"],
            r["Capex (USD)"],
        )
        net = (
            r["Spot revenue (USD)"]
            + r["Contract revenue (USD)"]
            - r["Ore cost (USD)"]
            - r["Shipping (USD)"]
            - r["Processing (USD)"]
            - r["Holding (USD)"]
            - r["Company-paid capex (USD)"]
            - r["Shortfall penalty (USD)"]
        )
        assert close(net, r["Net (USD)"], abs(net)), (m, net, r["Net (USD)"])
        assert close(net * r["Discount factor"], r["Discounted net (USD)"], abs(net)), m
        total += r["Discounted net (USD)"]
    objective = summary_value(wb, "Objective: discounted margin")
    assert close(total, objective, abs(objective)), (total, objective)
    assert close(summary_value(wb, "Sb produced, all smelters"), sb_total, sb_total)
    return {"objective": objective, "sb_t": sb_total, "months": months, "dispatches": len(alloc)}


def check_against_input(path: Path, case) -> None:
    """Every limit printed in the report equals the input's (SPEC §3 formulas, from the
    ``Case``), every decision respects the input's limits, and each smelter's average
    utilization on the Summary is its feed over the input's capacity."""
    wb = openpyxl.load_workbook(path)
    months = {m: t for t, m in enumerate(case.months)}
    for r in read_table(wb, "Allocation"):
        route, t = case.routes[r["Route"]], months[month(r["Dispatch month"])]
        limit = route.capacity_t_per_month * route.availability_pct[t] / 100
        assert close(r["Route limit this month (t)"], limit, limit), (r, limit)
        assert r["Dispatched (t ore)"] <= limit + ABS, (r, limit)
    for r in read_table(wb, "Sources"):
        source, t = case.sources[r["Source"]], months[month(r["Month"])]
        assert close(r["Supply max (t)"], source.supply_max_t[t]), r
        assert close(r["Supply min (t)"], source.supply_min_t[t]), r
        assert close(r["Stockpile capacity (t)"], source.stockpile_capacity_t), r
    fed: dict = defaultdict(float)
    capacity: dict = defaultdict(float)
    for r in read_table(wb, "Smelters"):
        smelter, t = case.smelters[r["Smelter"]], months[month(r["Month"])]
        limit = (
            smelter.base_capacity_t_per_month * smelter.availability_pct[t] / 100
            + r["Expansion online (t/month)"]
        )
        assert close(r["Capacity (t/month)"], limit, limit), (r, limit)
        assert r["Feed (t ore)"] <= limit + ABS, (r, limit)
        assert close(r["Min feed (t/month)"], smelter.min_feed_t_per_month), r
        assert close(r["Yard capacity (t)"], smelter.stockpile_capacity_t), r
        fed[r["Smelter"]] += r["Feed (t ore)"]
        capacity[r["Smelter"]] += limit
    for p, total in capacity.items():
        printed = summary_value(wb, f"Average utilization of {p}")
        assert close(printed, 100 * fed[p] / total), (p, printed, 100 * fed[p] / total)
