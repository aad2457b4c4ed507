"""The typed, validated case: what the model builder consumes.

Everything here is plain data (no files, no Pyomo). Months are integer offsets from the
horizon start (``0 .. horizon-1``); a month-valued input outside the horizon keeps its
offset (negative = before the start). Monthly series are tuples of length ``horizon``.
Percentages stay in percent, as typed by the planner; money in USD, mass in tonnes.
``locations`` maps each input value to the cell it came from, so later stages (the
report's marginal values, ``explain``) can point the planner back at their workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


def row_key(*parts: object) -> str:
    """The row id in ``Case.locations`` of a sheet keyed by several columns (``Supply``: source
    and bound; ``OpeningStock``: location and source), e.g. ``AK1|max``."""
    return "|".join(str(p) for p in parts)


def split_row_key(key: str, parts: int) -> tuple[str, ...]:
    """The columns of a :func:`row_key` (the last ``parts - 1`` never contain ``|``)."""
    return tuple(key.rsplit("|", parts - 1))


@dataclass(frozen=True)
class CellRef:
    """Where an input value lives: sheet, Excel row (1-based), column header and letter."""

    sheet: str
    row: int | None = None
    column: str | None = None
    letter: str | None = None

    def __str__(self) -> str:
        parts = [self.sheet]
        if self.letter and self.row:
            parts.append(f"{self.letter}{self.row}")
        elif self.row:
            parts.append(f"row {self.row}")
        text = "!".join(parts)
        if self.column:
            text += f" ({self.column})"
        return text


@dataclass(frozen=True)
class Settings:
    case_name: str
    start_month: str  # "YYYY-MM"
    horizon_months: int
    discount_rate_pct_per_year: float = 8.0
    shortfall_penalty_usd_per_t_sb: float = 100_000.0
    end_stock_policy: str = "free"  # free | keep_opening
    expansion_mode: str = "continuous"  # continuous | single | lumpy
    time_limit_s: float = 60.0
    mip_gap_pct: float = 0.01
    risk_samples: int = 50
    risk_seed: int = 1
    commit_months: int = 3
    risk_aversion: float = 0.0
    cvar_alpha_pct: float = 10.0


@dataclass(frozen=True)
class Source:
    source: str
    kind: str  # mine | purchase
    country: str
    domestic: bool
    grade_pct_sb: float
    arsenic_pct: float
    cost_usd_per_t: float
    stockpile_capacity_t: float
    holding_cost_usd_per_t_month: float
    supply_max_t: tuple[float, ...]
    supply_min_t: tuple[float, ...]
    note: str = ""
    price_basis: str = "fixed"  # fixed | benchmark
    payable_pct: float | None = None  # required for a benchmark source
    arsenic_penalty_usd_per_t_per_pct: float = 0.0
    arsenic_free_pct: float = 0.0


@dataclass(frozen=True)
class Smelter:
    smelter: str
    country: str
    base_capacity_t_per_month: float
    processing_cost_usd_per_t: float
    recovery_pct: float
    min_feed_grade_pct: float
    max_feed_arsenic_pct: float | None  # None = no limit
    min_domestic_share_pct: float
    min_feed_t_per_month: float
    stockpile_capacity_t: float
    holding_cost_usd_per_t_month: float
    availability_pct: tuple[float, ...]
    prices_usd_per_t_sb: tuple[float, ...]
    note: str = ""


@dataclass(frozen=True)
class Route:
    route: str
    source: str
    smelter: str
    mode: str
    cost_usd_per_t: float
    transit_months: int
    capacity_t_per_month: float
    distance_km: float
    availability_pct: tuple[float, ...]
    note: str = ""


@dataclass(frozen=True)
class OpeningStock:
    location: str  # a source id or a smelter id
    source: str  # origin of the ore
    tonnes: float


@dataclass(frozen=True)
class InTransit:
    """Ore dispatched before the start on ``route``, reaching its smelter's yard in month
    ``arrival`` (offset; may be after the horizon, then it plays no part)."""

    route: str
    arrival: int
    tonnes: float


@dataclass(frozen=True)
class Actual:
    """One recorded figure of month ``month`` (offset; negative = before the start):
    ``kind`` mined (``id`` a source), shipped (a route), fed (a smelter, ``origin`` the ore's
    source) or stock (month-end; a source's stockpile, or a smelter's yard by ``origin``)."""

    month: int
    kind: str
    id: str
    origin: str
    tonnes: float


@dataclass(frozen=True)
class Expansion:
    project: str
    smelter: str | None  # None: a mine-side project (``source`` set)
    max_added_t_per_month: float
    capex_usd_per_t_per_month: float
    fixed_capex_usd: float
    lead_time_months: int
    earliest_start: int  # month offset (blank: 0; only a committed project may leave it blank)
    latest_start: int  # month offset (blank -> horizon - 1)
    note: str = ""
    committed_start: int | None = None  # month offset of a decided start (may be negative)
    capex_months: int = 1  # capex paid evenly over this many months from the start
    min_added_t_per_month: float = 0.0  # smallest size in single mode
    source: str | None = None  # a mine-side project raises this source's Supply max

    @property
    def site(self) -> str:
        """The smelter or source whose capacity the project raises."""
        return self.source if self.source is not None else self.smelter

    def payment_months(self, start: int) -> range:
        """The months (offsets) the capex of a build started in ``start`` is paid in."""
        return range(start, start + self.capex_months)


@dataclass(frozen=True)
class Grant:
    grant: str
    agency: str
    amount_usd: float
    award: int  # month offset; may be negative (awarded before the horizon)
    max_share_pct: float
    eligible_projects: tuple[str, ...]  # resolved: "all" expanded to every project
    note: str = ""


@dataclass(frozen=True)
class Contract:
    contract: str
    smelter: str  # a smelter id or "any"
    start: int  # month offset (blank -> 0)
    end: int  # month offset, inclusive (blank -> horizon - 1)
    min_t_sb_per_month: float
    max_t_sb_per_month: float
    price_usd_per_t_sb: float
    note: str = ""


@dataclass(frozen=True)
class Case:
    """One validated planning case."""

    settings: Settings
    months: tuple[str, ...]  # "YYYY-MM" labels, index = month offset
    sources: dict[str, Source]
    smelters: dict[str, Smelter]
    routes: dict[str, Route]
    opening_stock: tuple[OpeningStock, ...] = ()
    expansions: dict[str, Expansion] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    benchmark_usd_per_t_sb: tuple[float, ...] = ()  # the Prices row 'benchmark' (or none)
    in_transit: tuple[InTransit, ...] = ()
    actuals: tuple[Actual, ...] = ()
    # (sheet, row id, column) -> cell; monthly values use the month label as column
    locations: dict[tuple[str, str, str], CellRef] = field(default_factory=dict, compare=False)

    @property
    def horizon(self) -> int:
        return self.settings.horizon_months

    def ore_cost_usd_per_t(self, source: str, month: int) -> float:
        """What one tonne of ``source`` ore costs in ``month`` (SPEC §6.2): ``cost_usd_per_t``
        for a ``fixed`` source; for a ``benchmark`` source that fixed part + payable % × grade
        × the month's benchmark price + the arsenic penalty per % As above the free level."""
        s = self.sources[source]
        if s.price_basis != "benchmark":
            return s.cost_usd_per_t
        payable = (s.payable_pct or 0.0) / 100.0 * s.grade_pct_sb / 100.0
        excess_as = max(0.0, s.arsenic_pct - s.arsenic_free_pct)
        return (
            s.cost_usd_per_t
            + payable * self.benchmark_usd_per_t_sb[month]
            + s.arsenic_penalty_usd_per_t_per_pct * excess_as
        )

    def where(self, sheet: str, key: str, column: str) -> CellRef:
        """The input cell a value came from (best effort: the sheet if unknown)."""
        return self.locations.get((sheet, key, column)) or CellRef(sheet, column=column)


def month_label(start: str, offset: int) -> str:
    """``month_label("2027-01", 13) == "2028-02"``."""
    year, month = int(start[:4]), int(start[5:7])
    total = year * 12 + (month - 1) + offset
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def month_offset(start: str, label: str) -> int:
    """Months from ``start`` to ``label`` (both ``YYYY-MM``)."""
    return (int(label[:4]) - int(start[:4])) * 12 + int(label[5:7]) - int(start[5:7])


def month_date(label: str) -> date:
    """First day of a ``YYYY-MM`` month, for writing real dates into reports."""
    return date(int(label[:4]), int(label[5:7]), 1)
