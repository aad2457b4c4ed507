"""Independent residual checker: recompute every constraint family and the objective from
the Results tables and the Case only — never from the Pyomo model.

``violations(results, case)`` lists every broken rule in words (empty = the reported plan
respects SPEC §3 and its objective is what its own numbers add up to);
``assert_plan_holds`` fails a test with that list. Tolerances are absolute plus relative
(HiGHS works to ~1e-7 on the scaled model).
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.case import Case, month_offset
from optimizer.inputs.schema import ANY_SMELTER
from optimizer.solve.results import Results

TOL = 1e-5


def _unit_ore_cost(case: Case, s: str, t: int) -> float:
    """USD per t of ore (SPEC §6.2), recomputed here from the inputs: a benchmark source pays
    its fixed part + payable % × grade × benchmark + penalty × % As above the free level."""
    src = case.sources[s]
    if src.price_basis == "fixed":
        return src.cost_usd_per_t
    contained_sb_t = src.grade_pct_sb / 100.0
    paid_sb_t = contained_sb_t * src.payable_pct / 100.0
    penalized_pct = max(src.arsenic_pct - src.arsenic_free_pct, 0.0)
    return (
        src.cost_usd_per_t
        + paid_sb_t * case.benchmark_usd_per_t_sb[t]
        + penalized_pct * src.arsenic_penalty_usd_per_t_per_pct
    )


class Check:
    """Collects violations with a shared tolerance."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def _tol(self, *values: float) -> float:
        return TOL * max([1.0, *(abs(v) for v in values)])

    def le(self, what: str, a: float, b: float) -> None:
        if a > b + self._tol(a, b):
            self.problems.append(f"{what}: {a:.9g} > {b:.9g}")

    def ge(self, what: str, a: float, b: float) -> None:
        self.le(what, b, a)

    def eq(self, what: str, a: float, b: float) -> None:
        if abs(a - b) > self._tol(a, b):
            self.problems.append(f"{what}: {a:.9g} != {b:.9g}")

    def true(self, what: str, ok: bool) -> None:
        if not ok:
            self.problems.append(what)


def violations(results: Results, case: Case) -> list[str]:
    """Every rule of SPEC §3 the reported plan breaks, and any objective mismatch."""
    c = Check()
    H, start, months = case.horizon, case.settings.start_month, case.months
    t_of = {label: t for t, label in enumerate(months)}
    mode = case.settings.expansion_mode
    lumpy = mode == "lumpy"

    # --- flows: routes, transit, capacity
    sent: dict[tuple[str, int], float] = defaultdict(float)  # (source, t)
    arrive: dict[tuple[str, str, int], float] = defaultdict(float)  # (s, p, t)
    freight = [0.0] * H
    for row in results.flows.itertuples():
        r = case.routes[row.route]
        t, q = t_of[row.month], row.dispatched_t
        c.true(
            f"flow {row.route} names its route's ends",
            (row.source, row.smelter) == (r.source, r.smelter),
        )
        c.ge(f"dispatch {row.route} {row.month} ≥ 0", q, 0.0)
        c.le(
            f"Route_Capacity {row.route} {row.month}",
            q,
            r.capacity_t_per_month * r.availability_pct[t] / 100.0,
        )
        arrival = t + r.transit_months
        if q > TOL:
            c.true(f"dispatch {row.route} {row.month} arrives after the horizon", arrival < H)
        c.eq(
            f"arrival month {row.route} {row.month}",
            month_offset(start, row.arrival_month),
            arrival,
        )
        sent[(r.source, t)] += q
        arrive[(r.source, r.smelter, arrival)] += q
        freight[t] += q * r.cost_usd_per_t

    for x in case.in_transit:  # ore on its way at the start: arrives, no cost, no route use
        r = case.routes[x.route]
        if 0 <= x.arrival < H:
            arrive[(r.source, r.smelter, x.arrival)] += x.tonnes

    # --- sources: extraction bounds, stockpile balance and capacity
    opening_src: dict[str, float] = defaultdict(float)
    opening_yard: dict[tuple[str, str], float] = defaultdict(float)
    for o in case.opening_stock:
        if o.location in case.smelters:
            opening_yard[(o.source, o.location)] += o.tonnes
        else:
            opening_src[o.location] += o.tonnes
    ore_cost, holding = [0.0] * H, [0.0] * H
    src_stock: dict[tuple[str, int], float] = {}
    mined: dict[tuple[str, int], float] = {}
    for row in results.sources.itertuples():
        s, t = row.source, t_of[row.month]
        src_stock[(s, t)] = row.stock_t
    c.eq("sources rows", len(src_stock), len(case.sources) * H)
    for row in results.sources.itertuples():
        src, s, t = case.sources[row.source], row.source, t_of[row.month]
        mined[(s, t)] = row.mined_t  # ≤ the max (+ mine-side projects): checked below
        c.ge(f"Extraction_Min {s} {row.month}", row.mined_t, src.supply_min_t[t])
        previous = src_stock[(s, t - 1)] if t else opening_src[s]
        c.eq(f"Source_Balance {s} {row.month}", row.stock_t, previous + row.mined_t - sent[(s, t)])
        c.ge(f"source stock {s} {row.month} ≥ 0", row.stock_t, 0.0)
        c.le(f"Source_Stockpile_Capacity {s} {row.month}", row.stock_t, src.stockpile_capacity_t)
        ore_cost[t] += row.mined_t * _unit_ore_cost(case, s, t)
        holding[t] += row.stock_t * src.holding_cost_usd_per_t_month

    # --- yard by origin
    feed: dict[tuple[str, str, int], float] = defaultdict(float)
    yard: dict[tuple[str, str, int], float] = {}
    for row in results.yard.itertuples():
        yard[(row.source, row.smelter, t_of[row.month])] = row.stock_t
        feed[(row.source, row.smelter, t_of[row.month])] = row.feed_t
    for (s, p, t), q in arrive.items():
        if q > TOL and t < H:
            c.true(f"ore arrives at {p} from {s} with no yard account", (s, p, t) in yard)
    for s, p in opening_yard:
        c.true(f"opening stock of {s} at {p} has no yard account", (s, p, 0) in yard)
    yard_total: dict[tuple[str, int], float] = defaultdict(float)
    for (s, p, t), stock in yard.items():
        previous = yard[(s, p, t - 1)] if t else opening_yard[(s, p)]
        c.eq(
            f"Yard_Balance {s}@{p} {months[t]}",
            stock,
            previous + arrive[(s, p, t)] - feed[(s, p, t)],
        )
        c.ge(f"yard stock {s}@{p} {months[t]} ≥ 0", stock, 0.0)
        c.ge(f"feed {s}@{p} {months[t]} ≥ 0", feed[(s, p, t)], 0.0)
        yard_total[(p, t)] += stock
        holding[t] += stock * case.smelters[p].holding_cost_usd_per_t_month

    # --- expansions and grants: one row per stage, capex paid evenly over capex_months
    online: dict[tuple[str, int], float] = defaultdict(float)
    capex = [0.0] * H
    built: dict[str, float] = defaultdict(float)
    starts: dict[str, int] = defaultdict(int)
    payment_of: dict[tuple[str, int, int], float] = {}  # (project, start, paid in month)
    for row in results.builds.itertuples():
        e, x, s = row.project, case.expansions[row.project], month_offset(start, row.month)
        n = x.capex_months
        if x.committed_start is not None:
            c.true(f"committed {e} starts in {row.month}", s == x.committed_start)
            c.eq(f"committed {e} is built whole", row.added_t_per_month, x.max_added_t_per_month)
        else:
            c.true(
                f"build {e} starts in {row.month}, outside its window",
                max(x.earliest_start, 0) <= s <= x.latest_start,
            )
            c.true(
                f"build {e} {row.month} comes online and pays inside the horizon",
                s + x.lead_time_months < H and s + n <= H,
            )
            built[e] += row.added_t_per_month
            starts[e] += 1
        c.ge(f"build {e} ≥ 0", row.added_t_per_month, 0.0)
        cost = x.capex_usd_per_t_per_month * row.added_t_per_month
        if lumpy:
            c.eq(f"Expansion_Whole {e}", row.added_t_per_month, x.max_added_t_per_month)
        if mode == "single":
            c.ge(f"Expansion_Size_Min {e}", row.added_t_per_month, x.min_added_t_per_month)
            c.le(f"Expansion_Size_Max {e}", row.added_t_per_month, x.max_added_t_per_month)
        if mode != "continuous":
            cost += x.fixed_capex_usd
        charged = 0.0
        for u in range(max(s, 0), min(s + n, H)):
            payment_of[(e, s, u)] = cost / n
            capex[u] += cost / n
            charged += cost / n
        c.eq(f"capex {e} {row.month} inside the horizon", row.capex_usd, charged)
        for u in range(max(s + x.lead_time_months, 0), H):
            online[(x.site, u)] += row.added_t_per_month
    for e, x in case.expansions.items():
        if x.committed_start is not None:
            c.true(f"committed {e} has its stage row", e in set(results.builds.project))
    for (s, t), q in mined.items():  # mine-side projects raise only an open month's max
        top = case.sources[s].supply_max_t[t]
        c.le(f"Extraction_Max {s} {months[t]}", q, top + (online[(s, t)] if top > 0 else 0.0))
    for e, total in built.items():
        c.le(f"Expansion_Build_Limit {e}", total, case.expansions[e].max_added_t_per_month)
        if mode != "continuous":
            c.le(f"{e} starts at most once", starts[e], 1)
    for row in results.payments.itertuples():
        key = (row.project, month_offset(start, row.start_month), t_of[row.month])
        c.eq(f"payment {row.project} {row.month}", row.capex_usd, payment_of.get(key, 0.0))

    grant_money = [0.0] * H
    paid_by_grant: dict[str, float] = defaultdict(float)
    paid_by_payment: dict[tuple[str, int, int], float] = defaultdict(float)
    for row in results.grant_use.itertuples():
        g, s, u = case.grants[row.grant], month_offset(start, row.start_month), t_of[row.month]
        key = (row.project, s, u)
        c.true(f"{row.grant} pays ineligible {row.project}", row.project in g.eligible_projects)
        c.true(
            f"{row.grant} pays a build started before its award ({row.start_month})", s >= g.award
        )
        c.le(
            f"Grant_Share {row.grant} {row.project} {row.start_month} {row.month}",
            row.paid_usd,
            g.max_share_pct / 100.0 * payment_of.get(key, 0.0),
        )
        paid_by_grant[row.grant] += row.paid_usd
        paid_by_payment[key] += row.paid_usd
        grant_money[u] += row.paid_usd
    for (e, s, u), paid in paid_by_payment.items():
        c.le(f"Grant_Capex_Cap {e} {months[u]}", paid, payment_of.get((e, s, u), 0.0))
    for row in results.builds.itertuples():
        s = month_offset(start, row.month)
        c.eq(
            f"grant paid on {row.project} {row.month}",
            row.grant_paid_usd,
            sum(v for (e, s2, _), v in paid_by_payment.items() if (e, s2) == (row.project, s)),
        )
    for g, paid in paid_by_grant.items():
        c.le(f"Grant_Amount {g}", paid, case.grants[g].amount_usd)

    # --- smelters: capacity, min feed, blend, domestic share, production and sales
    contract_sb: dict[tuple[str, int], float] = defaultdict(float)
    delivered: dict[tuple[str, int], float] = defaultdict(float)
    revenue = [0.0] * H
    for row in results.contract_deliveries.itertuples():
        k, t = case.contracts[row.contract], t_of[row.month]
        c.ge(f"delivery {row.contract} ≥ 0", row.delivered_t, 0.0)
        if row.delivered_t > TOL:
            c.true(
                f"{row.contract} delivered outside its months ({row.month})", k.start <= t <= k.end
            )
            c.true(
                f"{row.contract} delivered by {row.smelter}",
                k.smelter in (ANY_SMELTER, row.smelter),
            )
        contract_sb[(row.smelter, t)] += row.delivered_t
        delivered[(row.contract, t)] += row.delivered_t
        revenue[t] += row.delivered_t * k.price_usd_per_t_sb
    processing = [0.0] * H
    for row in results.smelters.itertuples():
        p, t = row.smelter, t_of[row.month]
        sm = case.smelters[p]
        origins = [(s, q) for (s, pp, u), q in feed.items() if pp == p and u == t]
        fed = sum(q for _, q in origins)
        cap = sm.base_capacity_t_per_month * sm.availability_pct[t] / 100.0 + online[(p, t)]
        c.le(f"Smelter_Capacity {p} {row.month}", fed, cap)
        c.ge(f"Min_Feed {p} {row.month}", fed, sm.min_feed_t_per_month)
        grade = sum(q * (case.sources[s].grade_pct_sb - sm.min_feed_grade_pct) for s, q in origins)
        c.ge(f"Feed_Grade {p} {row.month}", grade, 0.0)
        if sm.max_feed_arsenic_pct is not None:
            arsenic = sum(
                q * (sm.max_feed_arsenic_pct - case.sources[s].arsenic_pct) for s, q in origins
            )
            c.ge(f"Feed_Arsenic {p} {row.month}", arsenic, 0.0)
        domestic = sum(
            q * ((100.0 if case.sources[s].domestic else 0.0) - sm.min_domestic_share_pct)
            for s, q in origins
        )
        c.ge(f"Domestic_Share {p} {row.month}", domestic, 0.0)
        c.le(f"Yard_Capacity {p} {row.month}", yard_total[(p, t)], sm.stockpile_capacity_t)
        sb = sum(q * case.sources[s].grade_pct_sb for s, q in origins) * sm.recovery_pct / 1e4
        c.ge(f"spot sales {p} {row.month} ≥ 0", row.spot_sb_t, 0.0)
        c.eq(f"Sb_Sales {p} {row.month}", row.spot_sb_t + contract_sb[(p, t)], sb)
        c.eq(f"reported feed {p} {row.month}", row.feed_t, fed)
        c.eq(f"reported capacity {p} {row.month}", row.capacity_t, cap)
        revenue[t] += row.spot_sb_t * sm.prices_usd_per_t_sb[t]
        processing[t] += fed * sm.processing_cost_usd_per_t

    # --- contracts: min with shortfall, max
    penalty = [0.0] * H
    seen: set[tuple[str, int]] = set()
    for row in results.contracts.itertuples():
        k, t = case.contracts[row.contract], t_of[row.month]
        seen.add((row.contract, t))
        total = delivered[(row.contract, t)]
        c.eq(f"delivered {row.contract} {row.month}", row.delivered_t, total)
        c.le(f"Contract_Max {row.contract} {row.month}", total, k.max_t_sb_per_month)
        c.ge(f"shortfall {row.contract} {row.month} ≥ 0", row.shortfall_t, 0.0)
        c.le(f"shortfall {row.contract} {row.month} ≤ min", row.shortfall_t, k.min_t_sb_per_month)
        c.ge(
            f"Contract_Min {row.contract} {row.month}",
            total + row.shortfall_t,
            k.min_t_sb_per_month,
        )
        penalty[t] += row.shortfall_t * case.settings.shortfall_penalty_usd_per_t_sb
    for k_id, k in case.contracts.items():
        for t in range(max(k.start, 0), min(k.end, H - 1) + 1):
            c.true(f"contract {k_id} {months[t]} has no row", (k_id, t) in seen)

    # --- end-of-horizon stock policy
    if case.settings.end_stock_policy == "keep_opening" and H:
        last = H - 1
        for s, tonnes in opening_src.items():
            c.ge(f"End_Stock {s}", src_stock[(s, last)], tonnes)
        by_smelter: dict[str, float] = defaultdict(float)
        for (_, p), tonnes in opening_yard.items():
            by_smelter[p] += tonnes
        for p, tonnes in by_smelter.items():
            c.ge(f"End_Stock {p}", yard_total[(p, last)], tonnes)

    # --- closed months: decisions equal the Actuals rows (missing = 0), stocks as recorded
    closed = {a.month for a in case.actuals if 0 <= a.month < H}
    recorded: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for a in case.actuals:
        if a.month in closed:
            yard_row = a.kind == "fed" or (a.kind == "stock" and a.id in case.smelters)
            recorded[(a.kind, a.id, a.origin if yard_row else "", a.month)] += a.tonnes
    for row in results.sources.itertuples():
        if t_of[row.month] in closed:
            got = recorded[("mined", row.source, "", t_of[row.month])]
            c.eq(f"Actual mined {row.source} {row.month}", row.mined_t, got)
    for row in results.flows.itertuples():
        if t_of[row.month] in closed:
            got = recorded[("shipped", row.route, "", t_of[row.month])]
            c.eq(f"Actual shipped {row.route} {row.month}", row.dispatched_t, got)
    for (s, p, t), q in feed.items():
        if t in closed:
            c.eq(f"Actual fed {s}@{p} {months[t]}", q, recorded[("fed", p, s, t)])
    for (kind, loc, origin, t), q in list(recorded.items()):
        if kind == "stock":
            held = yard[(origin, loc, t)] if origin else src_stock[(loc, t)]
            c.eq(f"Actual stock {loc} {origin} {months[t]}", held, q)

    # --- objective: Σ discount × (revenue − costs − company capex − penalty)
    objective = sum(
        _discount(case.settings.discount_rate_pct_per_year, t)
        * (
            revenue[t]
            - ore_cost[t]
            - freight[t]
            - processing[t]
            - holding[t]
            - capex[t]
            + grant_money[t]
            - penalty[t]
        )
        for t in range(H)
    )
    c.eq("objective recomputed from the plan", objective, results.objective_usd)
    c.eq(
        "cashflow sums to the objective",
        float(results.cashflow["discounted_net_usd"].sum()),
        results.objective_usd,
    )
    return c.problems


def _discount(rate_pct_per_year: float, month: int) -> float:
    """SPEC §3, written here again so the check never shares the model's code:
    discount(t) = (1 + rate)^(−months since start / 12), month 0 undiscounted."""
    return 1.0 / (1.0 + rate_pct_per_year / 100.0) ** (month / 12.0)


def assert_plan_holds(results: Results, case: Case) -> None:
    assert results.has_solution, f"no plan to check: {results.status} {results.message}"
    problems = violations(results, case)
    assert not problems, f"{len(problems)} violation(s):\n" + "\n".join(problems[:30])
