"""An independent direct highspy build of the SPEC §3 LP (continuous expansion mode).

The same linear program as :mod:`optimizer.model.build`, written a second time without Pyomo:
every variable family is a block of columns allocated with numpy, every constraint family a
block of rows, the coefficients collected as COO triples and compressed to CSC with numpy,
then handed to HiGHS in one ``passModel`` call. Two uses:

* the benchmark's yardstick — what "build + hand-off + solve" costs with no modeling layer;
* an independent check of the Pyomo model — the tests compare the optimal objectives.

Conventions follow SPEC §3 word for word: month 0 undiscounted, discount(t) =
(1 + rate)^(−t/12) on every cash flow of month t; ore dispatched in t arrives in t + L and
cannot be dispatched when it would arrive after the horizon; stocks are end-of-month and
every month-end stock (the last included) pays holding; expansion capacity counts from
start + lead time and is not scaled by availability (a mine-side project raises its source's
supply max in the months that max is > 0); capex is paid evenly over
``capex_months`` from the start (a decided start must come online and pay every instalment
inside the horizon); a committed project is whole from its fixed start + lead time and only
its instalments inside the horizon are charged; grants pay at most their share of each
instalment of a start on or after their award month, together at most that instalment, in
total at most their amount.
Ore cost per source and month follows SPEC §6.2 (benchmark-priced sources).
Variables exist only for possible combinations (a yard holds ore of an origin only when a
route or the opening stock brings it there).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from optimizer.case import Case

INF = np.inf


@dataclass
class LPArrays:
    """A maximization LP in HiGHS's column-wise form."""

    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a_start: np.ndarray  # int32, length num_col + 1
    a_index: np.ndarray  # int32 row indices
    a_value: np.ndarray
    offset: float = 0.0  # objective constant (committed capex inside the horizon)
    integer: np.ndarray | None = None  # indices of integer columns (None: an LP)

    @property
    def num_col(self) -> int:
        return len(self.col_cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    @property
    def num_nz(self) -> int:
        return len(self.a_value)


@dataclass
class BaselineRun:
    """One baseline solve: status, objective (USD, discounted) and stage times (s)."""

    status: str
    objective_usd: float | None
    num_col: int
    num_row: int
    num_nz: int
    timings_s: dict[str, float] = field(default_factory=dict)  # build, handoff, run


class _Builder:
    """Column and row blocks plus COO coefficients, grown family by family."""

    def __init__(self) -> None:
        self.n_col = 0
        self.n_row = 0
        self._cols: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._rows: list[tuple[np.ndarray, np.ndarray]] = []
        self._coo: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.integer: list[int] = []

    def cols(self, shape: tuple[int, ...], lower, upper, cost) -> np.ndarray:
        """Allocate columns shaped ``shape``; returns their indices in that shape."""
        count = int(np.prod(shape))
        idx = np.arange(self.n_col, self.n_col + count).reshape(shape)
        self.n_col += count
        self._cols.append(
            tuple(
                np.broadcast_to(np.asarray(a, float), shape).ravel() for a in (lower, upper, cost)
            )
        )
        return idx

    def rows(self, shape: tuple[int, ...], lower, upper) -> np.ndarray:
        count = int(np.prod(shape))
        idx = np.arange(self.n_row, self.n_row + count).reshape(shape)
        self.n_row += count
        self._rows.append(
            tuple(np.broadcast_to(np.asarray(a, float), shape).ravel() for a in (lower, upper))
        )
        return idx

    def coef(self, rows, cols, values) -> None:
        """Add ``values`` at (``rows``, ``cols``) (broadcast together)."""
        r, c, v = np.broadcast_arrays(np.asarray(rows), np.asarray(cols), np.asarray(values, float))
        keep = c >= 0  # -1 marks "no such variable"
        self._coo.append((r[keep].ravel(), c[keep].ravel(), v[keep].ravel()))

    def arrays(self, offset: float = 0.0) -> LPArrays:
        lower, upper, cost = (np.concatenate([c[i] for c in self._cols]) for i in range(3))
        row_lower = np.concatenate([r[0] for r in self._rows]) if self._rows else np.zeros(0)
        row_upper = np.concatenate([r[1] for r in self._rows]) if self._rows else np.zeros(0)
        r, c, v = (np.concatenate([t[i] for t in self._coo]) for i in range(3))
        nonzero = v != 0
        r, c, v = r[nonzero], c[nonzero], v[nonzero]
        order = np.lexsort((r, c))
        start = np.zeros(self.n_col + 1, dtype=np.int32)
        np.cumsum(np.bincount(c, minlength=self.n_col), out=start[1:])
        return LPArrays(
            cost,
            lower,
            upper,
            row_lower,
            row_upper,
            start,
            r[order].astype(np.int32),
            v[order],
            offset,
            np.array(self.integer, dtype=np.int32) if self.integer else None,
        )


def _ore_cost(case: Case, srcs: list) -> np.ndarray:
    """USD per t of ore by (source, month), SPEC §6.2: a benchmark source pays its fixed part
    plus payable % of its contained Sb at the month's benchmark, plus its arsenic penalty."""
    bench = np.array(case.benchmark_usd_per_t_sb or (0.0,) * case.horizon)
    rows = []
    for s in srcs:
        row = np.full(case.horizon, s.cost_usd_per_t)
        if s.price_basis == "benchmark":
            row += s.payable_pct * s.grade_pct_sb / 1e4 * bench
            excess = max(0.0, s.arsenic_pct - s.arsenic_free_pct)
            row += s.arsenic_penalty_usd_per_t_per_pct * excess
        rows.append(row)
    return np.array(rows).reshape(len(srcs), case.horizon)


def build_lp(case: Case) -> LPArrays:
    """The SPEC §3 model of ``case`` as column-wise arrays: an LP in continuous expansion
    mode, a MILP (binary starts) in single and lumpy modes."""
    cfg = case.settings
    n = case.horizon
    t = np.arange(n)
    disc = (1 + cfg.discount_rate_pct_per_year / 100) ** (-t / 12)
    lp = _Builder()

    src_ids = list(case.sources)
    sm_ids = list(case.smelters)
    s_of = {s: i for i, s in enumerate(src_ids)}
    p_of = {p: i for i, p in enumerate(sm_ids)}
    srcs = [case.sources[s] for s in src_ids]
    sms = [case.smelters[p] for p in sm_ids]
    n_s, n_p = len(srcs), len(sms)
    grade = np.array([s.grade_pct_sb for s in srcs])
    arsenic = np.array([s.arsenic_pct for s in srcs])
    domestic = np.array([1.0 if s.domestic else 0.0 for s in srcs])

    opening_src = np.zeros(n_s)
    opening_yard: dict[tuple[int, int], float] = {}
    for o in case.opening_stock:
        if o.location in p_of:
            key = (s_of[o.source], p_of[o.location])
            opening_yard[key] = opening_yard.get(key, 0.0) + o.tonnes
        else:
            opening_src[s_of[o.location]] += o.tonnes
    keep = cfg.end_stock_policy == "keep_opening"

    # --- sources: extraction and stockpile ---------------------------------------------
    # a source with mine-side projects gets rows for its open months (max > 0) instead
    supply_max = np.array([s.supply_max_t for s in srcs]).reshape(n_s, n)
    expandable = np.zeros((n_s, n), dtype=bool)
    for x in case.expansions.values():
        if x.source is not None:
            expandable[s_of[x.source]] = supply_max[s_of[x.source]] > 0
    mined = lp.cols(
        (n_s, n),
        [s.supply_min_t for s in srcs],
        np.where(expandable, INF, supply_max),
        -disc * _ore_cost(case, srcs),
    )
    stock_upper = np.array([[s.stockpile_capacity_t] for s in srcs])
    stock_lower = np.zeros((n_s, n))
    if keep:
        stock_lower[:, -1] = opening_src
    stock_src = lp.cols(
        (n_s, n),
        stock_lower,
        stock_upper,
        -disc * np.array([[s.holding_cost_usd_per_t_month] for s in srcs]),
    )

    # --- routes: dispatches that arrive within the horizon -------------------------------
    routes = list(case.routes.values())
    transit = np.array([r.transit_months for r in routes], dtype=int)
    ship = np.full((len(routes), n), -1)
    possible = t[None, :] <= n - 1 - transit[:, None]
    if routes:
        upper = (
            np.array([[r.capacity_t_per_month] for r in routes])
            * np.array([r.availability_pct for r in routes])
            / 100
        )
        cost = -disc * np.array([[r.cost_usd_per_t] for r in routes])
        ship[possible] = lp.cols((int(possible.sum()),), 0, upper[possible], cost[possible])

    # --- source balance: stock = previous + mined − shipped ------------------------------
    first = np.where(t == 0, opening_src[:, None], 0.0)
    bal = lp.rows((n_s, n), first, first)
    lp.coef(bal, stock_src, 1)
    lp.coef(bal[:, 1:], stock_src[:, :-1], -1)
    lp.coef(bal, mined, -1)
    for i, r in enumerate(routes):
        lp.coef(bal[s_of[r.source]], ship[i], 1)

    # --- smelter yards by origin ---------------------------------------------------------
    pairs = sorted({(s_of[r.source], p_of[r.smelter]) for r in routes} | set(opening_yard))
    q_of = {q: i for i, q in enumerate(pairs)}
    q_src = np.array([q[0] for q in pairs], dtype=int)
    q_sm = np.array([q[1] for q in pairs], dtype=int)
    hold_p = np.array([p.holding_cost_usd_per_t_month for p in sms])
    proc_p = np.array([p.processing_cost_usd_per_t for p in sms])
    stock_sm = lp.cols((len(pairs), n), 0, INF, -disc * hold_p[q_sm][:, None])
    feed = lp.cols((len(pairs), n), 0, INF, -disc * proc_p[q_sm][:, None])
    opening_q = np.array([opening_yard.get(q, 0.0) for q in pairs])
    first = np.where(t == 0, opening_q[:, None], 0.0)
    yard = lp.rows((len(pairs), n), first, first)
    lp.coef(yard, stock_sm, 1)
    lp.coef(yard[:, 1:], stock_sm[:, :-1], -1)
    lp.coef(yard, feed, 1)
    for i, r in enumerate(routes):
        q = q_of[(s_of[r.source], p_of[r.smelter])]
        dispatch = t[possible[i]]
        lp.coef(yard[q, dispatch + transit[i]], ship[i, dispatch], -1)

    # rows summing a smelter's pairs: one (smelter, month) row per pair column
    def per_smelter(rows_pt: np.ndarray, cols_qt: np.ndarray, weight_q) -> None:
        lp.coef(rows_pt[q_sm], cols_qt, np.asarray(weight_q, float)[:, None])

    yard_cap = lp.rows((n_p, n), -INF, np.array([[p.stockpile_capacity_t] for p in sms]))
    per_smelter(yard_cap, stock_sm, np.ones(len(pairs)))
    if keep:
        opening_p = np.zeros(n_p)
        for (_, p), tonnes in opening_yard.items():
            opening_p[p] += tonnes
        end = lp.rows((n_p,), opening_p, INF)
        lp.coef(end[q_sm], stock_sm[:, -1], 1)

    # --- expansions: build[e, t] within the start window; committed ones are data --------
    projects = list(case.expansions.values())
    build = np.full((len(projects), n), -1)
    start_of = np.full((len(projects), n), -1)  # binary start columns (single, lumpy)
    whole_priced = cfg.expansion_mode != "continuous"
    committed_online = np.zeros((n_p, n))
    committed_mine = np.zeros((n_s, n))
    instalments: dict[tuple[int, int], list[tuple[int, float]]] = {}  # (e, start) -> (u, USD)
    offset = 0.0
    for i, e in enumerate(projects):
        k = e.capex_months
        if e.committed_start is not None:
            c = e.committed_start
            if e.source is not None:
                committed_mine[s_of[e.source], t >= c + e.lead_time_months] += (
                    e.max_added_t_per_month
                )
            else:
                committed_online[p_of[e.smelter], t >= c + e.lead_time_months] += (
                    e.max_added_t_per_month
                )
            whole = e.capex_usd_per_t_per_month * e.max_added_t_per_month
            whole += e.fixed_capex_usd if whole_priced else 0.0
            paid = [u for u in range(c, c + k) if 0 <= u < n]
            instalments[(i, c)] = [(u, whole / k) for u in paid]
            offset -= sum(disc[u] * whole / k for u in paid)
            continue
        window = t[(t >= max(e.earliest_start, 0)) & (t <= min(e.latest_start, n - k))]
        if len(window) == 0:
            continue
        spread = np.array([disc[w : w + k].sum() / k for w in window])
        build[i, window] = lp.cols(
            (len(window),), 0, e.max_added_t_per_month, -spread * e.capex_usd_per_t_per_month
        )
        total = lp.rows((1,), -INF, e.max_added_t_per_month)
        lp.coef(total, build[i, window], 1)
        if whole_priced:
            starts = lp.cols((len(window),), 0, 1, -spread * e.fixed_capex_usd)
            start_of[i, window] = starts
            lp.integer += [int(j) for j in starts]
            once = lp.rows((1,), -INF, 1)
            lp.coef(once, starts, 1)
            smallest = e.max_added_t_per_month if cfg.expansion_mode == "lumpy" else 0.0
            smallest = max(smallest, e.min_added_t_per_month * (cfg.expansion_mode == "single"))
            most = lp.rows((len(window),), -INF, 0)
            lp.coef(most, build[i, window], 1)
            lp.coef(most, starts, -e.max_added_t_per_month)
            least = lp.rows((len(window),), 0, INF)
            lp.coef(least, build[i, window], 1)
            lp.coef(least, starts, -smallest)
        for w in window:
            instalments[(i, int(w))] = [(u, -1.0) for u in range(w, w + k)]

    # --- smelter capacity, minimum feed, blend, domestic share ----------------------------
    base = (
        np.array([[p.base_capacity_t_per_month] for p in sms])
        * np.array([p.availability_pct for p in sms])
        / 100
    )
    cap = lp.rows((n_p, n), -INF, base + committed_online)
    per_smelter(cap, feed, np.ones(len(pairs)))
    supply = np.full((n_s, n), -1)
    where = np.nonzero(expandable)
    supply[where] = lp.rows((len(where[0]),), -INF, (supply_max + committed_mine)[where])
    lp.coef(supply[where], mined[where], 1)
    for i, e in enumerate(projects):
        started = np.nonzero(build[i] >= 0)[0]
        online = t[None, :] >= started[:, None] + e.lead_time_months  # (start, month)
        tau, month = np.nonzero(online)
        if e.source is None:
            lp.coef(cap[p_of[e.smelter], month], build[i, started[tau]], -1)
            continue
        rows = supply[s_of[e.source], month]
        lp.coef(np.where(rows >= 0, rows, 0), np.where(rows >= 0, build[i, started[tau]], -1), -1)

    def smelter_rows(which: list[int], lower, upper, weight_q: np.ndarray) -> None:
        """Rows Σ_q weight × feed[q, t] for the smelters in ``which``, each month."""
        if not which:
            return
        rows = np.full((n_p, n), -1)
        rows[which] = lp.rows((len(which), n), lower, upper)
        mask = np.isin(q_sm, which)
        lp.coef(rows[q_sm[mask]], feed[mask], weight_q[mask][:, None])

    min_feed = [i for i, p in enumerate(sms) if p.min_feed_t_per_month > 0]
    smelter_rows(
        min_feed,
        np.array([[sms[i].min_feed_t_per_month] for i in min_feed]),
        INF,
        np.ones(len(pairs)),
    )
    min_grade = np.array([p.min_feed_grade_pct for p in sms])
    smelter_rows(
        [i for i in range(n_p) if min_grade[i] > 0], 0, INF, grade[q_src] - min_grade[q_sm]
    )
    max_as = np.array(
        [INF if p.max_feed_arsenic_pct is None else p.max_feed_arsenic_pct for p in sms]
    )
    smelter_rows(
        [i for i in range(n_p) if max_as[i] < INF],
        -INF,
        0,
        arsenic[q_src] - np.where(np.isinf(max_as), 0, max_as)[q_sm],
    )
    share = np.array([p.min_domestic_share_pct / 100 for p in sms])
    smelter_rows([i for i in range(n_p) if share[i] > 0], 0, INF, domestic[q_src] - share[q_sm])

    # --- production and sales: spot + contract deliveries = Sb produced ----------------
    price = np.array([p.prices_usd_per_t_sb for p in sms])
    spot = lp.cols((n_p, n), 0, INF, disc * price)
    sales = lp.rows((n_p, n), 0, 0)
    lp.coef(sales, spot, 1)
    recovery = np.array([p.recovery_pct / 100 for p in sms])
    per_smelter(sales, feed, -(grade[q_src] / 100) * recovery[q_sm])

    penalty = cfg.shortfall_penalty_usd_per_t_sb
    for k in case.contracts.values():
        active = t[(t >= max(k.start, 0)) & (t <= min(k.end, n - 1))]
        if len(active) == 0:
            continue
        serving = list(range(n_p)) if k.smelter not in p_of else [p_of[k.smelter]]
        deliver = lp.cols((len(serving), len(active)), 0, INF, disc[active] * k.price_usd_per_t_sb)
        for j, p in enumerate(serving):
            lp.coef(sales[p, active], deliver[j], 1)
        most = lp.rows((len(active),), -INF, k.max_t_sb_per_month)
        lp.coef(most[None, :], deliver, 1)
        if k.min_t_sb_per_month > 0:
            short = lp.cols((len(active),), 0, k.min_t_sb_per_month, -disc[active] * penalty)
            least = lp.rows((len(active),), k.min_t_sb_per_month, INF)
            lp.coef(least[None, :], deliver, 1)
            lp.coef(least, short, 1)

    # --- grants: per instalment, share of it, all grants ≤ it, total ≤ amount ----------
    # An instalment of a decided start is capex/k × build[e, start] (USD ≥ 0 below: −1 marks
    # "variable"); a committed start's is a number, so its share limits are column bounds.
    e_of = {e.project: i for i, e in enumerate(projects)}
    paid_by: dict[tuple[int, int, int], list[int]] = {}  # (project, start, month) -> pays
    for g in case.grants.values():
        pays = []
        for name in g.eligible_projects:
            i = e_of[name]
            x = projects[i]
            for (j, start), plan in instalments.items():
                if j != i or start < g.award:
                    continue
                for u, usd in plan:
                    if usd >= 0:
                        pay = lp.cols((1,), 0, g.max_share_pct / 100 * usd, disc[u])
                    else:
                        pay = lp.cols((1,), 0, INF, disc[u])
                        row = lp.rows((1,), -INF, 0)
                        lp.coef(row, pay, 1)
                        per = x.capex_usd_per_t_per_month / x.capex_months
                        lp.coef(row, build[i, start], -g.max_share_pct / 100 * per)
                        fixed = x.fixed_capex_usd / x.capex_months
                        lp.coef(row, start_of[i, start], -g.max_share_pct / 100 * fixed)
                    paid_by.setdefault((i, start, u), []).append(int(pay[0]))
                    pays.append(pay)
        if pays:
            amount = lp.rows((1,), -INF, g.amount_usd)
            lp.coef(amount, np.concatenate(pays), 1)
    for (i, start, u), cols in paid_by.items():
        if len(cols) < 2:
            continue
        usd = dict(instalments[(i, start)])[u]
        row = lp.rows((1,), -INF, usd if usd >= 0 else 0)
        lp.coef(row, np.array(cols), 1)
        if usd < 0:
            per = projects[i].capex_usd_per_t_per_month / projects[i].capex_months
            lp.coef(row, build[i, start], -per)
            lp.coef(
                row, start_of[i, start], -projects[i].fixed_capex_usd / projects[i].capex_months
            )

    return lp.arrays(offset)


def solve_lp(
    arrays: LPArrays, *, time_limit_s: float = 600.0, threads: int = 1, solver: str = "choose"
) -> BaselineRun:
    """Hand ``arrays`` to HiGHS with one ``passModel`` call and solve (maximize).

    ``solver`` is HiGHS's LP solver option (``choose``, ``simplex``, ``ipm``)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("solver", solver)
    a = arrays
    integrality = np.zeros(a.num_col, dtype=np.int32)
    if a.integer is not None:
        integrality[a.integer] = int(highspy.HighsVarType.kInteger)
        h.setOptionValue("mip_rel_gap", 1e-9)
    start = time.perf_counter()
    status = h.passModel(
        a.num_col,
        a.num_row,
        a.num_nz,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        a.offset,
        a.col_cost,
        a.col_lower,
        a.col_upper,
        a.row_lower,
        a.row_upper,
        a.a_start,
        a.a_index,
        a.a_value,
        integrality,
    )
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS rejected the baseline model: {status}")
    handoff = time.perf_counter() - start
    start = time.perf_counter()
    h.run()
    run = time.perf_counter() - start
    model_status = h.getModelStatus()
    optimal = model_status == highspy.HighsModelStatus.kOptimal
    return BaselineRun(
        status=h.modelStatusToString(model_status),
        objective_usd=h.getInfo().objective_function_value if optimal else None,
        num_col=a.num_col,
        num_row=a.num_row,
        num_nz=a.num_nz,
        timings_s={"handoff": handoff, "run": run},
    )


def solve_case_baseline(case: Case, *, threads: int = 1, solver: str = "choose") -> BaselineRun:
    """Build and solve ``case`` directly with highspy; timings for build, handoff, run."""
    start = time.perf_counter()
    arrays = build_lp(case)
    build = time.perf_counter() - start
    result = solve_lp(
        arrays, time_limit_s=case.settings.time_limit_s, threads=threads, solver=solver
    )
    result.timings_s = {"build": build, **result.timings_s}
    return result
