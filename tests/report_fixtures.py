"""A hand-built Case and Results for the report tests (no solver needed).

Three months (2027-01..03), one Alaskan mine, one purchased lot, Thompson Falls and Madero,
one expansion paid half by a grant, one 'any' contract. The plan (mined, shipped, fed) is
typed in by hand; every derived number (Sb, revenue, costs, cash flow) is computed from it
with the SPEC §3 formulas, so the Results satisfy every constraint the report re-checks:

- Stibnite Creek mines 100 t/month; ships 80/100/90 t by truck to Thompson Falls (transit 0)
  and 20 t in January by barge to Madero (transit 1); 10 t stay in its stockpile in March.
- The Bolivia lot (40 % Sb) buys 50 t in Jan and Feb, shipped to Madero (transit 1).
- Madero opens with 40 t of Bolivia ore in its yard and feeds it in January.
- TF expansion: 20 t/month started in January (lead 1, online February), capex
  20 × 50,000 = 1,000,000 USD, half (500,000) paid by the DPA grant.
- Sb: TF 80×0.5×0.95 = 38, 47.5, 42.75; Madero 40×0.4×0.9 = 14.4, (20×0.5+50×0.4)×0.9 = 27,
  50×0.4×0.9 = 18. The DLA contract (min 55, max 60 t Sb/month) gets 52.4, 60, 60 → 2.6 t
  short in January (penalty 260,000 USD).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from optimizer.case import (
    Case,
    CellRef,
    Contract,
    Expansion,
    Grant,
    OpeningStock,
    Route,
    Settings,
    Smelter,
    Source,
)
from optimizer.solve.results import Results
from optimizer.solve.status import Status

MONTHS = ("2027-01", "2027-02", "2027-03")
AK, BOL, TF, MAD = "Stibnite Creek", "Bolivia lot", "Thompson Falls", "Madero"


def tiny_case(purchase_id: str = BOL) -> Case:
    """The three-month case; ``purchase_id`` lets a test use a hostile id."""
    sources = {
        AK: Source(
            AK, "mine", "USA", True, 50.0, 0.5, 2000.0, 500.0, 5.0, (100.0,) * 3, (0.0,) * 3
        ),
        purchase_id: Source(
            purchase_id,
            "purchase",
            "Bolivia",
            False,
            40.0,
            1.0,
            15000.0,
            0.0,
            0.0,
            (50.0,) * 3,
            (0.0,) * 3,
        ),
    }
    smelters = {
        TF: Smelter(
            TF,
            "USA",
            100.0,
            1000.0,
            95.0,
            0.0,
            None,
            0.0,
            0.0,
            300.0,
            2.0,
            (100.0,) * 3,
            (40000.0,) * 3,
        ),
        MAD: Smelter(
            MAD,
            "Mexico",
            80.0,
            800.0,
            90.0,
            0.0,
            2.0,
            0.0,
            0.0,
            200.0,
            2.0,
            (100.0,) * 3,
            (38000.0,) * 3,
        ),
    }
    routes = {
        "AK-TF truck": Route("AK-TF truck", AK, TF, "truck", 300.0, 0, 100.0, 3200.0, (100.0,) * 3),
        "AK-MAD barge": Route(
            "AK-MAD barge", AK, MAD, "multimodal", 500.0, 1, 100.0, 6500.0, (100.0,) * 3
        ),
        "BOL-MAD ocean": Route(
            "BOL-MAD ocean", purchase_id, MAD, "ocean", 400.0, 1, 50.0, 9000.0, (100.0,) * 3
        ),
    }
    locations = {
        ("Smelters", TF, "base_capacity_t_per_month"): CellRef(
            "Smelters", 2, "base_capacity_t_per_month", "C"
        ),
        ("Routes", "AK-TF truck", "capacity_t_per_month"): CellRef(
            "Routes", 2, "capacity_t_per_month", "G"
        ),
    }
    return Case(
        settings=Settings("tiny", "2027-01", 3, discount_rate_pct_per_year=12.0),
        months=MONTHS,
        sources=sources,
        smelters=smelters,
        routes=routes,
        opening_stock=(OpeningStock(MAD, purchase_id, 40.0),),
        expansions={"TF expansion": Expansion("TF expansion", TF, 100.0, 50000.0, 0.0, 1, 0, 2)},
        grants={
            "DPA Title III": Grant("DPA Title III", "DoD", 2_000_000.0, 0, 50.0, ("TF expansion",))
        },
        contracts={"DLA ingots": Contract("DLA ingots", "any", 0, 2, 55.0, 60.0, 45000.0)},
        locations=locations,
    )


def _plan(bol: str) -> dict:
    return {
        "mined": {AK: [100, 100, 100], bol: [50, 50, 0]},
        "ship": {
            "AK-TF truck": [80, 100, 90],
            "AK-MAD barge": [20, 0, 0],
            "BOL-MAD ocean": [50, 50, 0],
        },
        "feed": {(TF, AK): [80, 100, 90], (MAD, AK): [0, 20, 0], (MAD, bol): [40, 50, 50]},
        "build": {("TF expansion", 0): 20.0},
        "delivered": {TF: [38.0, 47.5, 42.75], MAD: [14.4, 12.5, 17.25]},
    }


def tiny_results(case: Case | None = None, status: Status = Status.OPTIMAL) -> Results:
    """Results of the hand-typed plan for :func:`tiny_case` (see the module docstring)."""
    case = case or tiny_case()
    bol = next(s for s, v in case.sources.items() if v.kind == "purchase")
    plan = _plan(bol)
    n = len(MONTHS)
    rate = case.settings.discount_rate_pct_per_year / 100
    disc = [(1 + rate) ** (-t / 12) for t in range(n)]

    flows = []
    for rid, shipped in plan["ship"].items():
        r = case.routes[rid]
        for t in range(n):
            if t + r.transit_months < n:
                flows.append(
                    dict(
                        route=rid,
                        source=r.source,
                        smelter=r.smelter,
                        mode=r.mode,
                        month=MONTHS[t],
                        arrival_month=MONTHS[t + r.transit_months],
                        dispatched_t=float(shipped[t]),
                        cost_usd=shipped[t] * r.cost_usd_per_t,
                    )
                )
    flows = pd.DataFrame(flows)

    sources = []
    for sid, mined in plan["mined"].items():
        s = case.sources[sid]
        stock = 0.0
        for t in range(n):
            shipped = float(
                flows.query("source == @sid and month == @MONTHS[@t]")["dispatched_t"].sum()
            )
            stock += mined[t] - shipped
            sources.append(
                dict(
                    source=sid,
                    month=MONTHS[t],
                    mined_t=float(mined[t]),
                    shipped_t=shipped,
                    stock_t=stock,
                    stockpile_capacity_t=s.stockpile_capacity_t,
                    supply_min_t=s.supply_min_t[t],
                    supply_max_t=s.supply_max_t[t],
                    cost_usd=mined[t] * s.cost_usd_per_t,
                    holding_usd=stock * s.holding_cost_usd_per_t_month,
                )
            )
    sources = pd.DataFrame(sources)

    opening = {(o.location, o.source): o.tonnes for o in case.opening_stock}
    yard = []
    for (pid, sid), feed in plan["feed"].items():
        stock = opening.get((pid, sid), 0.0)
        for t in range(n):
            arrivals = float(
                flows.query("smelter == @pid and source == @sid and arrival_month == @MONTHS[@t]")[
                    "dispatched_t"
                ].sum()
            )
            stock += arrivals - feed[t]
            yard.append(
                dict(
                    smelter=pid,
                    source=sid,
                    month=MONTHS[t],
                    arrivals_t=arrivals,
                    in_transit_t=0.0,
                    feed_t=float(feed[t]),
                    stock_t=stock,
                )
            )
    yard = pd.DataFrame(yard)

    builds = []
    for (eid, t), added in plan["build"].items():
        e = case.expansions[eid]
        capex = added * e.capex_usd_per_t_per_month
        builds.append(
            dict(
                project=eid,
                smelter=e.smelter,
                source=e.source,
                month=MONTHS[t],
                online_month=MONTHS[t + e.lead_time_months],
                added_t_per_month=added,
                capex_usd=capex,
                grant_paid_usd=capex / 2,
                company_paid_usd=capex / 2,
            )
        )
    builds = pd.DataFrame(builds)
    grant_use = pd.DataFrame(
        [
            dict(
                grant="DPA Title III",
                project=b["project"],
                start_month=b["month"],
                month=b["month"],
                paid_usd=b["grant_paid_usd"],
            )
            for b in builds.to_dict("records")
        ]
    )

    payments = pd.DataFrame(
        [
            dict(
                project=b["project"],
                start_month=b["month"],
                month=b["month"],
                capex_usd=b["capex_usd"],
                grant_usd=b["grant_paid_usd"],
                company_usd=b["company_paid_usd"],
            )
            for b in builds.to_dict("records")
        ]
    )

    smelters = []
    for pid, p in case.smelters.items():
        rows = yard[yard["smelter"] == pid]
        for t in range(n):
            m = rows[rows["month"] == MONTHS[t]]
            feed = float(m["feed_t"].sum())
            grades = m["source"].map(lambda s: case.sources[s].grade_pct_sb)
            arsenic = m["source"].map(lambda s: case.sources[s].arsenic_pct)
            dom = m["source"].map(lambda s: case.sources[s].domestic)
            online = sum(
                b["added_t_per_month"]
                for b in builds.to_dict("records")
                if b["smelter"] == pid and b["online_month"] <= MONTHS[t]
            )
            cap = p.base_capacity_t_per_month * p.availability_pct[t] / 100 + online
            sb = float((m["feed_t"] * grades).sum() / 100 * p.recovery_pct / 100)
            contract = plan["delivered"][pid][t]
            spot = sb - contract
            stock = float(m["stock_t"].sum())
            smelters.append(
                dict(
                    smelter=pid,
                    month=MONTHS[t],
                    feed_t=feed,
                    base_capacity_t=p.base_capacity_t_per_month,
                    availability_pct=100.0,
                    expansion_online_t=online,
                    capacity_t=cap,
                    min_feed_t=p.min_feed_t_per_month,
                    utilization_pct=100 * feed / cap,
                    feed_grade_pct=float((m["feed_t"] * grades).sum() / feed) if feed else None,
                    feed_arsenic_pct=float((m["feed_t"] * arsenic).sum() / feed) if feed else None,
                    domestic_share_pct=float(100 * m.loc[dom, "feed_t"].sum() / feed)
                    if feed
                    else None,
                    sb_t=sb,
                    spot_sb_t=spot,
                    contract_sb_t=contract,
                    yard_stock_t=stock,
                    yard_capacity_t=p.stockpile_capacity_t,
                    processing_usd=feed * p.processing_cost_usd_per_t,
                    holding_usd=stock * p.holding_cost_usd_per_t_month,
                    spot_price_usd_per_t_sb=p.prices_usd_per_t_sb[t],
                    spot_revenue_usd=spot * p.prices_usd_per_t_sb[t],
                )
            )
    smelters = pd.DataFrame(smelters)

    k = case.contracts["DLA ingots"]
    contracts, deliveries = [], []
    for t in range(n):
        delivered = sum(plan["delivered"][p][t] for p in case.smelters)
        short = max(0.0, k.min_t_sb_per_month - delivered)
        contracts.append(
            dict(
                contract=k.contract,
                smelter="any",
                month=MONTHS[t],
                min_t=k.min_t_sb_per_month,
                max_t=k.max_t_sb_per_month,
                delivered_t=delivered,
                shortfall_t=short,
                price_usd_per_t_sb=k.price_usd_per_t_sb,
                revenue_usd=delivered * k.price_usd_per_t_sb,
                penalty_usd=short * case.settings.shortfall_penalty_usd_per_t_sb,
            )
        )
        for p in case.smelters:
            deliveries.append(
                dict(
                    contract=k.contract,
                    smelter=p,
                    month=MONTHS[t],
                    delivered_t=plan["delivered"][p][t],
                )
            )
    contracts = pd.DataFrame(contracts)

    def by_month(df: pd.DataFrame, column: str) -> list[float]:
        return [float(df.loc[df["month"] == m, column].sum()) for m in MONTHS]

    lines = {
        "spot_revenue_usd": by_month(smelters, "spot_revenue_usd"),
        "contract_revenue_usd": by_month(contracts, "revenue_usd"),
        "ore_cost_usd": by_month(sources, "cost_usd"),
        "shipping_usd": by_month(flows, "cost_usd"),
        "processing_usd": by_month(smelters, "processing_usd"),
        "holding_usd": [
            a + b
            for a, b in zip(
                by_month(sources, "holding_usd"), by_month(smelters, "holding_usd"), strict=True
            )
        ],
        "capex_usd": by_month(builds, "capex_usd"),
        "grant_usd": by_month(grant_use, "paid_usd"),
        "shortfall_penalty_usd": by_month(contracts, "penalty_usd"),
    }
    lines["company_capex_usd"] = [
        c - g for c, g in zip(lines["capex_usd"], lines["grant_usd"], strict=True)
    ]
    cash = pd.DataFrame({"month": MONTHS, "discount_factor": disc, **lines})
    cash["net_usd"] = (
        cash["spot_revenue_usd"]
        + cash["contract_revenue_usd"]
        - cash["ore_cost_usd"]
        - cash["shipping_usd"]
        - cash["processing_usd"]
        - cash["holding_usd"]
        - cash["company_capex_usd"]
        - cash["shortfall_penalty_usd"]
    )
    cash["discounted_net_usd"] = cash["net_usd"] * cash["discount_factor"]

    duals = pd.DataFrame(
        [
            dict(
                family="Smelter_Capacity",
                constraint="Thompson Falls capacity",
                keys=TF,
                month="2027-02",
                dual_usd_per_unit=12400.0,
                unit="t/month",
                slack=0.0,
                binding=True,
                kind="limit",
                sentence="",
                sheet="Smelters",
                row_id=TF,
                column="base_capacity_t_per_month",
            ),
            dict(
                family="Route_Capacity",
                constraint="AK-TF truck capacity",
                keys="AK-TF truck",
                month="2027-01",
                dual_usd_per_unit=850.5,
                unit="t",
                slack=0.0,
                binding=True,
                kind="limit",
                sentence="",
                sheet="Routes",
                row_id="AK-TF truck",
                column="capacity_t_per_month",
            ),
            dict(
                family="Extraction_Max",
                constraint=f"{bol} supply",
                keys=bol,
                month="2027-02",
                dual_usd_per_unit=-120.25,
                unit="t",
                slack=0.0,
                binding=True,
                kind="limit",
                sentence="",
                sheet="Supply",
                row_id=bol,
                column="2027-02",
            ),
            dict(
                family="Grant_Amount",
                constraint="Grant_Amount[DPA Title III]",
                keys="DPA Title III",
                month="",
                dual_usd_per_unit=0.35,
                unit="USD",
                slack=0.0,
                binding=True,
                kind="limit",
                sentence="",
                sheet="Grants",
                row_id="DPA Title III",
                column="amount_usd",
            ),
            dict(
                family="Smelter_Capacity",
                constraint="Madero capacity",
                keys=MAD,
                month="2027-01",
                dual_usd_per_unit=0.0,
                unit="t/month",
                slack=40.0,
                binding=False,
                kind="limit",
                sentence="",
                sheet="Smelters",
                row_id=MAD,
                column="base_capacity_t_per_month",
            ),
        ]
    )

    objective = float(cash["discounted_net_usd"].sum())
    feasible = status == Status.FEASIBLE
    return Results(
        status=status,
        case_name=case.settings.case_name,
        months=MONTHS,
        objective_usd=objective,
        best_bound_usd=objective * 1.02 if feasible else None,
        mip_gap_pct=2.0 if feasible else None,
        solver_version="1.15.1",
        message="time limit reached" if feasible else "",
        timings_s={"build": 0.01, "solve": 0.02, "total": 0.05},
        model_size={"variables": 120, "constraints": 90},
        flows=flows,
        sources=sources,
        yard=yard,
        smelters=smelters,
        builds=builds,
        payments=payments,
        grant_use=grant_use,
        contracts=contracts,
        contract_deliveries=pd.DataFrame(deliveries),
        cashflow=cash,
        duals=duals,
    )


def bare_case_and_results() -> tuple[Case, Results]:
    """The tiny case without expansions, grants and contracts (empty tables); the cash flow
    still holds the full plan's lines (only the writer's handling of empty tables is tested)."""
    res = tiny_results()
    case = dataclasses.replace(tiny_case(), expansions={}, grants={}, contracts={})
    empty = pd.DataFrame()
    return case, dataclasses.replace(
        res,
        builds=empty,
        payments=empty,
        grant_use=empty,
        contracts=empty,
        contract_deliveries=empty,
        duals=empty,
    )
