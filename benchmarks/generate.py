"""Seeded synthetic cases at scale: months × sources × smelters × routes per source.

``generate_raw(months, sources, smelters, routes_per_source, seed)`` returns a schema-valid
:class:`~optimizer.inputs.rawbook.RawBook` (every input sheet, expansions, grants, contracts,
opening stock, availability patterns) that is **feasible by construction**:

* The first sources are *clean* Alaskan claim groups (domestic, grade ≥ 45 % Sb, arsenic
  ≤ 0.3 %), and every smelter's blend limits admit them (min grade ≤ 30 %, max arsenic
  ≥ 0.6 % or none), so clean ore alone meets every blend and domestic-share rule.
* Some smelters get a minimum feed; each such smelter has a *witness* lane: a clean source
  with a transit-0, always-open route to it, whose supply max covers the witness flow every
  month. Mining the witness flow, shipping it and feeding it the same month meets every
  minimum feed and every supply minimum (which only those witness sources have); the
  smelter's availability never drops below 50 % and the witness flow is ≤ 10 % of base
  capacity. Opening stocks fit their stockpiles and are simply held, so ``keep_opening``
  holds too. Contract minimums have a penalized shortfall, so they never make it infeasible.

``benchmark=True`` prices about half of the purchased feed on a ``benchmark`` Prices row
(SPEC §6.2: payable %, arsenic penalty above a free level), drawn from a separate seeded
stream so every other draw of the case stays the same.

``projects=True`` also uses the project columns of SPEC §6.1 — committed starts (some before
the horizon), capex paid over several months, smallest sizes, a mine-side project — and, for
every other seed,
``expansion_mode = single``, drawn from a random stream of their own, so the other sheets of
a seed stay the same with or without them.

Run as a script to write a workbook::

    .venv/bin/python -m benchmarks.generate 120x50x10x3 --seed 7 -o big.xlsx
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from optimizer.case import month_label
from optimizer.inputs import schema
from optimizer.inputs.rawbook import RawBook, RawSheet

START_MONTH = "2027-01"
MODES_TRANSIT = {
    "truck": (0, 0),
    "rail": (0, 1),
    "barge": (1, 1),
    "ocean": (1, 2),
    "multimodal": (1, 2),
}
_SMELTER_NAMES = ("Thompson Falls", "Madero")
_COUNTRIES = ("USA", "Mexico", "Bolivia", "Canada", "Australia")


@dataclass(frozen=True)
class Size:
    """A benchmark size: months × sources × smelters × routes per source."""

    months: int
    sources: int
    smelters: int
    routes_per_source: int

    @classmethod
    def parse(cls, text: str) -> Size:
        """``"120x50x10x3"`` -> Size(120, 50, 10, 3)."""
        parts = text.lower().split("x")
        if len(parts) != 4 or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise ValueError(f"size must look like MONTHSxSOURCESxSMELTERSxROUTES, got {text!r}")
        return cls(*(int(p) for p in parts))

    def __str__(self) -> str:
        return f"{self.months}x{self.sources}x{self.smelters}x{self.routes_per_source}"


def generate_raw(
    months: int,
    sources: int,
    smelters: int,
    routes_per_source: int,
    seed: int = 0,
    *,
    benchmark: bool = False,
    projects: bool = False,
) -> RawBook:
    """A feasible synthetic case as a raw workbook (see the module docstring)."""
    if min(months, sources, smelters, routes_per_source) < 1:
        raise ValueError("every dimension must be at least 1")
    size = Size(months, sources, smelters, routes_per_source)
    book = _Generator(size, seed, projects=projects).book()
    if benchmark:
        _price_on_benchmark(book, np.random.default_rng([seed, 611]))
    return book


_BENCHMARK_COLUMNS = (
    "price_basis",
    "payable_pct",
    "arsenic_penalty_usd_per_t_per_pct",
    "arsenic_free_pct",
)


def _price_on_benchmark(book: RawBook, rng: np.random.Generator) -> None:
    """Half the purchased feed (at least one source) priced on a new ``benchmark`` row."""
    sources, prices = book.sheets["Sources"], book.sheets["Prices"]
    sources.headers.extend(_BENCHMARK_COLUMNS)
    kind = sources.headers.index("kind")
    bought = [row for row in sources.rows if row[kind] == "purchase"] or sources.rows[-1:]
    chosen = {id(row) for row in bought if rng.random() < 0.5} or {id(bought[0])}
    for row in sources.rows:
        if id(row) in chosen:
            row[sources.headers.index("cost_usd_per_t")] = round(rng.uniform(50, 500))
            row.extend(
                [
                    "benchmark",
                    round(rng.uniform(50, 75), 1),
                    round(rng.uniform(0, 400)),
                    round(rng.uniform(0, 1), 2),
                ]
            )
        else:
            row.extend([None] * len(_BENCHMARK_COLUMNS))
    n = len(prices.headers) - 1
    level = rng.uniform(30_000, 60_000) * (1 + rng.uniform(-0.2, 0.2) * np.arange(n) / n)
    prices.rows.append(["benchmark", *(float(round(x, -1)) for x in level)])
    prices.row_numbers.append(prices.row_numbers[-1] + 1)


def write_workbook(raw: RawBook, path: Path) -> None:
    """Write ``raw`` as an ``.xlsx`` input workbook with the product's template writer."""
    from optimizer.inputs.template import write_template

    write_template(raw, path)


def _sheet(name: str, headers: list[Any], rows: list[list[Any]]) -> RawSheet:
    """A raw sheet with Excel row numbers from 2; numpy scalars become plain Python values."""
    plain = [[v.item() if isinstance(v, np.generic) else v for v in row] for row in rows]
    return RawSheet(name, headers, plain, list(range(2, 2 + len(rows))))


class _Generator:
    """Draws one case; each ``_sheet_*`` method builds one sheet from the shared draws."""

    def __init__(self, size: Size, seed: int, *, projects: bool = False) -> None:
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.project_rng = np.random.default_rng([seed, 61]) if projects else None
        self.labels = [month_label(START_MONTH, t) for t in range(size.months)]
        n_src, n_sm = size.sources, size.smelters
        rng = self.rng
        self.n_clean = max(1, n_src // 5)
        self.source_ids = [
            f"AK-Claim-{i + 1:03d}"
            if i < self.n_clean or rng.random() < 0.75
            else f"Feed-{i + 1:03d}"
            for i in range(n_src)
        ]
        self.smelter_ids = [
            _SMELTER_NAMES[j] if j < len(_SMELTER_NAMES) else f"Smelter-{j + 1:02d}"
            for j in range(n_sm)
        ]
        self.base_capacity = np.round(rng.uniform(300, 2500, n_sm))
        self.lanes = self._draw_lanes()  # per source: list of (smelter index, witness flow)

    # --- shared draws -----------------------------------------------------------------

    def _draw_lanes(self) -> list[list[tuple[int, float]]]:
        """Destination smelters per source; witness lanes carry a positive flow."""
        n_src, n_sm = self.size.sources, self.size.smelters
        per_source = min(self.size.routes_per_source, n_sm)
        lanes: list[list[tuple[int, float]]] = [[] for _ in range(n_src)]
        for p in range(n_sm):  # a witness for about half the smelters (the first always)
            if p > 0 and self.rng.random() < 0.5:
                continue
            for k in range(self.n_clean):
                c = (p + k) % self.n_clean
                if len(lanes[c]) < per_source:
                    lanes[c].append((p, float(round(0.1 * self.base_capacity[p]))))
                    break
        for s in range(n_src):
            taken = {p for p, _ in lanes[s]}
            free = [p for p in self.rng.permutation(n_sm) if p not in taken]
            lanes[s].extend((int(p), 0.0) for p in free[: per_source - len(lanes[s])])
        return lanes

    def witness_out(self, s: int) -> float:
        return sum(w for _, w in self.lanes[s])

    def witness_in(self, p: int) -> float:
        return sum(w for lanes in self.lanes for q, w in lanes if q == p)

    def book(self) -> RawBook:
        sheets = [
            self._settings(),
            self._sources(),
            self._supply(),
            self._smelters(),
            self._smelter_availability(),
            *self._routes(),
            self._opening_stock(),
            *self._expansions_and_grants(),
            self._prices(),
            self._contracts(),
        ]
        s = self.size
        return RawBook({sh.name: sh for sh in sheets}, source=f"<synthetic {s} seed {self.seed}>")

    # --- sheets -----------------------------------------------------------------------

    def _settings(self) -> RawSheet:
        policy = "keep_opening" if self.rng.random() < 0.5 else "free"
        mode = "single" if self.project_rng is not None and self.seed % 2 else "continuous"
        rows = [
            ["case_name", f"synthetic_{self.size}_seed{self.seed}"],
            ["start_month", START_MONTH],
            ["horizon_months", self.size.months],
            ["discount_rate_pct_per_year", 8],
            ["shortfall_penalty_usd_per_t_sb", 150_000],
            ["end_stock_policy", policy],
            ["expansion_mode", mode],
            ["time_limit_s", 600],
        ]
        return _sheet("Settings", ["setting", "value"], rows)

    def _sources(self) -> RawSheet:
        rng = self.rng
        rows = []
        for i, sid in enumerate(self.source_ids):
            mine = sid.startswith("AK-")
            country = "USA" if mine else str(rng.choice(_COUNTRIES))
            if i < self.n_clean:
                grade, arsenic = rng.uniform(45, 60), rng.uniform(0.05, 0.3)
            else:
                grade, arsenic = rng.uniform(8, 55), rng.uniform(0.1, 3.0)
            cost = rng.uniform(150, 600) if mine else rng.uniform(1500, 6000)
            rows.append(
                [
                    sid,
                    "mine" if mine else "purchase",
                    country,
                    "yes" if country == "USA" else "no",
                    round(grade, 1),
                    round(arsenic, 2),
                    round(cost),
                    round(rng.uniform(500, 5000)),
                    round(rng.uniform(1, 5), 2),
                ]
            )
        headers = _columns("Sources")
        return _sheet("Sources", headers, rows)

    def _supply(self) -> RawSheet:
        """Mines ramp from 100–200 toward ~1,000 t/month, cut in winter and at breakup."""
        rng, n = self.rng, self.size.months
        t = np.arange(n)
        month_of_year = (t + int(START_MONTH[5:7]) - 1) % 12  # 0 = January
        season = np.where(
            np.isin(month_of_year, (10, 11, 0, 1, 2)),
            0.4,
            np.where(np.isin(month_of_year, (3, 4)), 0.6, 1.0),
        )
        rows = []
        for s, sid in enumerate(self.source_ids):
            if sid.startswith("AK-"):
                start, end = rng.uniform(100, 200), rng.uniform(600, 1000)
                ramp = start + (end - start) * np.minimum(1.0, t / max(1, rng.integers(12, 37)))
                top = ramp * season
            else:
                top = np.full(n, rng.uniform(50, 500))
            need = self.witness_out(s)
            top = np.maximum(np.round(top), need)
            rows.append([sid, "max", *(float(x) for x in top)])
            if need > 0:
                rows.append([sid, "min", *([float(round(0.5 * need))] * n)])
        return _sheet("Supply", ["source", "bound", *self.labels], rows)

    def _smelters(self) -> RawSheet:
        rng = self.rng
        rows = []
        for p, pid in enumerate(self.smelter_ids):
            us = p % 2 == 0
            witness = self.witness_in(p)
            rows.append(
                [
                    pid,
                    "USA" if us else "Mexico",
                    float(self.base_capacity[p]),
                    round(rng.uniform(400, 1500)),
                    round(rng.uniform(85, 97), 1),
                    round(rng.uniform(0, 30), 1),
                    None if rng.random() < 0.3 else round(rng.uniform(0.6, 3.0), 2),
                    round(rng.uniform(0, 50)) if us else 0,
                    float(round(0.5 * witness)),
                    round(rng.uniform(1000, 10000)),
                    round(rng.uniform(1, 6), 2),
                ]
            )
        headers = _columns("Smelters")
        return _sheet("Smelters", headers, rows)

    def _smelter_availability(self) -> RawSheet:
        """One maintenance month a year at 50–80 % of capacity; blank means 100 %."""
        rng, n = self.rng, self.size.months
        rows = []
        for pid in self.smelter_ids:
            values: list[Any] = [None] * n
            for year_start in range(0, n, 12):
                m = year_start + int(rng.integers(0, 12))
                if m < n:
                    values[m] = float(round(rng.uniform(50, 80)))
            rows.append([pid, *values])
        return _sheet("SmelterAvailability", ["smelter", *self.labels], rows)

    def _routes(self) -> tuple[RawSheet, RawSheet]:
        rng, n = self.rng, self.size.months
        month_of_year = (np.arange(n) + int(START_MONTH[5:7]) - 1) % 12
        routes, availability = [], []
        for s, sid in enumerate(self.source_ids):
            for k, (p, witness) in enumerate(self.lanes[s]):
                rid = f"R-{s + 1:03d}-{k + 1}"
                if witness > 0:
                    mode, transit = "rail", 0
                    capacity = max(round(rng.uniform(100, 1500)), 1.5 * witness)
                else:
                    mode = str(rng.choice(list(MODES_TRANSIT)))
                    low, high = MODES_TRANSIT[mode]
                    transit = int(rng.integers(low, high + 1))
                    capacity = round(rng.uniform(100, 1500))
                routes.append(
                    [
                        rid,
                        sid,
                        self.smelter_ids[p],
                        mode,
                        round(rng.uniform(40, 400)),
                        transit,
                        float(capacity),
                        round(rng.uniform(100, 5000)),
                    ]
                )
                if witness > 0:
                    continue
                avail = np.full(n, 100.0)
                if mode == "barge":  # frozen river November–April
                    avail[np.isin(month_of_year, (10, 11, 0, 1, 2, 3))] = 0.0
                elif mode in ("truck", "multimodal"):  # spring breakup April–May
                    avail[np.isin(month_of_year, (3, 4))] = round(rng.uniform(20, 50))
                else:
                    avail[rng.random(n) < 0.05] = round(rng.uniform(0, 60))
                availability.append([rid, *(None if a == 100 else float(a) for a in avail)])
        headers = _columns("Routes")
        return (
            _sheet("Routes", headers, routes),
            _sheet("RouteAvailability", ["route", *self.labels], availability),
        )

    def _opening_stock(self) -> RawSheet:
        """About a third of source stockpiles and of smelter yards hold ore at the start."""
        rng = self.rng
        rows: list[list[Any]] = []
        for sid in self.source_ids:
            if rng.random() < 0.3:
                rows.append([sid, sid, float(round(rng.uniform(50, 400)))])
        for p, pid in enumerate(self.smelter_ids):
            if rng.random() < 0.35:
                origins = [s for s, lanes in enumerate(self.lanes) if any(q == p for q, _ in lanes)]
                origins = origins or [0]
                for s in sorted({int(rng.choice(origins)), int(rng.integers(self.size.sources))}):
                    rows.append([pid, self.source_ids[s], float(round(rng.uniform(50, 400)))])
        return _sheet("OpeningStock", ["location", "source", "tonnes"], rows)

    def _expansions_and_grants(self) -> tuple[RawSheet, RawSheet]:
        rng, n = self.rng, self.size.months
        projects = []
        for pid in self.smelter_ids:
            for j in range(int(rng.integers(1, 4))):
                earliest = int(rng.integers(0, max(1, n // 3)))
                latest = (
                    None
                    if rng.random() < 0.4
                    else self.labels[min(n - 1, earliest + int(rng.integers(0, n)))]
                )
                projects.append(
                    [
                        f"{pid} expansion {j + 1}",
                        pid,
                        float(round(rng.uniform(100, 1000))),
                        round(rng.uniform(5_000, 40_000)),
                        round(rng.uniform(1e6, 5e6), -3),
                        int(rng.integers(0, max(1, min(18, n // 2)) + 1)),
                        self.labels[earliest],
                        latest,
                    ]
                )
        if self.project_rng is not None:
            projects.append(self._mine_project())
        names = [row[0] for row in projects]
        grants = []
        for g in range(max(1, self.size.smelters // 2)):
            eligible = (
                "all"
                if rng.random() < 0.4
                else ", ".join(sorted(rng.choice(names, size=min(len(names), 3), replace=False)))
            )
            grants.append(
                [
                    f"DPA-{g + 1}",
                    "DoD" if g % 2 == 0 else "DOE",
                    round(rng.uniform(2e6, 2e7), -3),
                    self.labels[int(rng.integers(0, max(1, n // 2)))],
                    round(rng.uniform(25, 75)),
                    eligible,
                ]
            )
        project_headers = _columns("Expansions")
        if self.project_rng is not None:
            project_headers += [
                "committed_start_month",
                "capex_months",
                "min_added_t_per_month",
                "source",
            ]
            projects = [self._with_project_columns(row) for row in projects]
        grant_headers = _columns("Grants")
        return (
            _sheet("Expansions", project_headers, projects),
            _sheet("Grants", grant_headers, grants),
        )

    def _mine_project(self) -> list[Any]:
        """A mine-side project at the first source (8 columns as a smelter project's, the
        smelter blank, then its source)."""
        rng, n = self.project_rng, self.size.months
        return [
            f"{self.source_ids[0]} pit",
            None,
            float(round(rng.uniform(50, 400))),
            round(rng.uniform(2_000, 20_000)),
            round(rng.uniform(2e5, 1e6), -3),
            int(rng.integers(0, max(1, min(6, n // 2)) + 1)),
            self.labels[int(rng.integers(0, max(1, n // 3)))],
            None,
            self.source_ids[0],
        ]

    def _with_project_columns(self, row: list[Any]) -> list[Any]:
        """A project row with committed_start_month, capex_months, min_added_t_per_month and
        source; a committed project (one in four, started up to a year before the horizon or
        in its first third) leaves its start window blank."""
        rng, n = self.project_rng, self.size.months
        head, source = row[:8], row[8] if len(row) > 8 else None
        capex_months = int(rng.integers(1, 7))
        smallest = round(head[2] * rng.uniform(0, 0.8)) if rng.random() < 0.5 else None
        committed = None
        if rng.random() < 0.25:
            head[6] = head[7] = None
            committed = month_label(START_MONTH, int(rng.integers(-12, max(1, n // 3))))
        return [*head, committed, capex_months, smallest, source]

    def _prices(self) -> RawSheet:
        rng, n = self.rng, self.size.months
        rows = []
        for pid in self.smelter_ids:
            base = rng.uniform(30_000, 60_000)
            trend = base * (1 + rng.uniform(-0.2, 0.2) * np.arange(n) / max(1, n))
            noisy = trend * (1 + rng.normal(0, 0.03, n))
            rows.append([pid, *(float(round(x, -1)) for x in noisy)])
        return _sheet("Prices", ["smelter", *self.labels], rows)

    def _contracts(self) -> RawSheet:
        rng, n = self.rng, self.size.months
        rows = []
        for k in range(max(1, self.size.smelters // 2) + 1):
            start = int(rng.integers(0, n))
            end = start + int(rng.integers(0, n - start))
            low = round(rng.uniform(0, 20), 1)
            rows.append(
                [
                    f"DLA-{k + 1}",
                    "any" if k % 3 == 0 else str(rng.choice(self.smelter_ids)),
                    None if start == 0 else self.labels[start],
                    None if end == n - 1 else self.labels[end],
                    low,
                    round(low + rng.uniform(5, 80), 1),
                    round(rng.uniform(40_000, 70_000), -1),
                ]
            )
        headers = _columns("Contracts")
        return _sheet("Contracts", headers, rows)


def _columns(sheet: str) -> list[str]:
    """The sheet's columns as declared in the schema (the optional ``note`` left out)."""
    return [c.name for c in schema.SHEETS_BY_NAME[sheet].columns if not c.optional_column]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=Size.parse, help="MONTHSxSOURCESxSMELTERSxROUTES")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--benchmark", action="store_true", help="price half the bought feed on a benchmark"
    )
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    s = args.size
    write_workbook(
        generate_raw(
            s.months,
            s.sources,
            s.smelters,
            s.routes_per_source,
            args.seed,
            benchmark=args.benchmark,
        ),
        args.output,
    )
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
