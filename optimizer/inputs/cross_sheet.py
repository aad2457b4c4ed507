"""Cross-sheet rules: ids that must differ between sheets, rows another sheet needs, and
bounds that must be ordered (supply min ≤ max, start ≤ end windows, contract min ≤ max), and
what benchmark pricing needs (a payable share, the Prices row ``benchmark``)."""

from __future__ import annotations

from optimizer.inputs.cells import BAD, did_you_mean, is_num
from optimizer.inputs.cycle_rows import check_actuals, check_in_transit
from optimizer.inputs.located import At, Report
from optimizer.inputs.rows import Ids, Row
from optimizer.inputs.schema import BENCHMARK
from optimizer.inputs.settings_sheet import Horizon
from optimizer.inputs.sheets import Table


def check_cross_sheet(
    tables: dict[str, Table],
    rows: dict[str, list[Row]],
    ids: Ids,
    horizon: Horizon | None,
    report: Report,
) -> None:
    """Every cross-sheet rule, sheet by sheet in a fixed order."""
    sources = ids.get("Sources", {})
    for row in rows.get("Smelters", []):
        sid = row.values.get("smelter")
        if sid in sources:
            report.problem(
                row.at["smelter"],
                f"id is also a source (Sources row {sources[sid]})",
                sid,
                "source and smelter ids must differ",
            )
    if "Supply" in tables and not {"source", "bound"} - set(tables["Supply"].cols):
        _check_supply(rows["Supply"], sources, report)
    _check_benchmark(tables, rows, report)
    if "Prices" in tables and "smelter" in tables["Prices"].cols:
        priced = {r.values.get("smelter") for r in rows["Prices"]}
        for sid in ids.get("Smelters", {}):
            if sid not in priced:
                report.problem(
                    At("Prices"),
                    "smelter has no Prices row",
                    sid,
                    f"add a row for '{sid}' (blank cells mean a price of 0)",
                )
    for row in rows.get("OpeningStock", []):
        loc, src = row.values.get("location"), row.values.get("source")
        if loc in sources and src is not BAD and src != loc:
            report.problem(
                row.at["source"],
                f"ore in the stockpile of source '{loc}' must come from '{loc}'",
                src,
                "set source to the location, or put the ore in a smelter's yard",
            )
    if horizon is not None:
        for row in rows.get("Expansions", []):
            _check_expansion(row, horizon, report)
    for row in rows.get("Contracts", []):
        _check_contract(row, horizon, report)
    known_projects = ids.get("Expansions", {})
    for row in rows.get("Grants", []):
        _check_grant(row, known_projects, report)
    if horizon is not None:
        check_in_transit(rows.get("InTransit", []), horizon, report)
        check_actuals(
            rows.get("Actuals", []),
            rows.get("Routes", []),
            rows.get("OpeningStock", []),
            ids,
            horizon,
            report,
        )


def _check_benchmark(tables: dict[str, Table], rows: dict[str, list[Row]], report: Report) -> None:
    """A benchmark source has a payable share, and then Prices has a ``benchmark`` row; no
    smelter may be called ``benchmark``; benchmark-only cells of a fixed source are ignored."""
    for row in rows.get("Smelters", []):
        sid = row.values.get("smelter")
        if isinstance(sid, str) and sid.lower() == BENCHMARK:
            report.problem(
                row.at["smelter"],
                f"'{BENCHMARK}' is reserved for the benchmark price row of Prices",
                sid,
                "give the smelter another id",
            )
    benchmark_sources = []
    for row in rows.get("Sources", []):
        if row.values.get("price_basis") != BENCHMARK:
            for name in ("payable_pct", "arsenic_penalty_usd_per_t_per_pct", "arsenic_free_pct"):
                if name in row.at and row.values.get(name) not in (None, 0.0, BAD):
                    report.warn(
                        row.at[name],
                        "used only when price_basis is benchmark; ignored",
                        row.values[name],
                    )
            continue
        benchmark_sources.append(row)
        if row.values.get("payable_pct") is None:
            report.problem(
                row.at.get("payable_pct", row.at["price_basis"]),
                "a benchmark-priced source needs payable_pct",
                row.values.get("source"),
                "enter the share of contained Sb paid for at the benchmark (e.g. 60), or set "
                "price_basis to fixed",
            )
    has_row = "Prices" in tables and any(
        r.values.get("smelter") == BENCHMARK for r in rows.get("Prices", [])
    )
    if benchmark_sources and "Prices" in tables and not has_row:
        first = benchmark_sources[0]
        report.problem(
            At("Prices"),
            f"no '{BENCHMARK}' row, yet source '{first.values.get('source')}' (Sources row "
            f"{first.number}) is priced on the benchmark",
            hint=f"add a Prices row '{BENCHMARK}' with the benchmark price (USD/t Sb) per month",
        )


def _check_supply(supply: list[Row], sources: dict[str, int], report: Report) -> None:
    """Each source has a max row; a min row never exceeds the max in any month."""
    by_key = {(r.values["source"], r.values["bound"]): r for r in supply}
    for sid in sources:
        if (sid, "max") not in by_key:
            report.problem(
                At("Supply"),
                "source has no max row",
                sid,
                f"add a row: source {sid}, bound max, then its tonnes per month",
            )
    for (sid, bound), low in by_key.items():
        high = by_key.get((sid, "max"))
        if bound != "min" or high is None:
            continue
        for label, lo in low.months.items():
            hi = high.months.get(label)
            if is_num(lo) and is_num(hi) and lo > hi:
                report.problem(
                    low.at[label],
                    f"min above max ({high.at[label].cell} = {hi:g})",
                    lo,
                    "supply min must be ≤ max in every month",
                )


def _check_expansion(row: Row, horizon: Horizon, report: Report) -> None:
    """A decided project has an ordered start window (one that opens after the horizon, a
    blank latest start being the horizon's end, is a warning: the project can never start,
    nothing contradicts); a committed one needs none (a window given anyway is ignored, with
    a warning). Its smallest size is at most its largest."""
    smelter, source = row.values.get("smelter"), row.values.get("source")
    if (smelter is None) == (source is None):
        report.problem(
            _at(row, "smelter"),
            f"project {row.values.get('project')}: "
            + (
                "both a smelter and a source"
                if smelter is not None
                else "neither a smelter nor a source"
            ),
            smelter,
            "set smelter for a smelter project or source for a mine-side project, not both",
        )
    low, high = row.values.get("min_added_t_per_month"), row.values.get("max_added_t_per_month")
    if is_num(low) and is_num(high) and low > high:
        report.problem(
            _at(row, "min_added_t_per_month"),
            f"project {row.values.get('project')}: smallest size above the largest "
            f"(max_added_t_per_month = {high:g})",
            low,
            "min_added_t_per_month must be ≤ max_added_t_per_month",
        )
    earliest = row.values.get("earliest_start_month")
    if row.values.get("committed_start_month") is not None:
        for column in ("earliest_start_month", "latest_start_month"):
            if row.values.get(column) is not None:
                report.warn(
                    _at(row, column),
                    f"ignored: project {row.values.get('project')} is committed "
                    "(committed_start_month), so the model does not choose its start",
                )
        return
    if earliest is None:
        report.problem(
            _at(row, "earliest_start_month"),
            f"project {row.values.get('project')}: the first month construction may start "
            "is required",
            hint="give earliest_start_month, or committed_start_month if construction is "
            "already decided",
        )
        return
    first = horizon.offset(earliest, None)
    end = len(horizon.months) - 1
    last = horizon.offset(row.values.get("latest_start_month"), end)
    if first is not None and first > end and row.values.get("latest_start_month") is None:
        report.warn(
            _at(row, "earliest_start_month"),
            f"earliest start is after the horizon's last month ({horizon.label(end)}): "
            "this expansion cannot start in this plan",
            earliest,
            "lengthen horizon_months to let it start",
        )
    elif first is not None and last is not None and first > last:
        report.problem(
            _at(row, "earliest_start_month"),
            f"earliest start is after the latest start ({horizon.label(last)})",
            row.values["earliest_start_month"],
            "earliest_start_month must be ≤ latest_start_month (blank latest = end of horizon)",
        )


def _at(row: Row, column: str) -> At:
    """Where ``column`` of an Expansions row is (its row when the column is missing)."""
    return row.at.get(column) or At("Expansions", row.number, column)


def _check_contract(row: Row, horizon: Horizon | None, report: Report) -> None:
    """The delivery window is ordered (and overlaps the horizon); the monthly min ≤ max."""
    if horizon is None:
        return
    first = horizon.offset(row.values.get("start_month"), 0)
    last = horizon.offset(row.values.get("end_month"), len(horizon.months) - 1)
    if first is not None and last is not None and last < first:
        report.problem(
            row.at["end_month"],
            f"end month is before the start month ({horizon.label(first)})",
            row.values["end_month"] or "(blank)",
            "end_month must be ≥ start_month (blank = horizon edge)",
        )
    elif first is not None and last is not None and (last < 0 or first >= len(horizon.months)):
        report.warn(row.at["start_month"], "contract is outside the horizon; it has no effect")
    lo, hi = row.values.get("min_t_sb_per_month"), row.values.get("max_t_sb_per_month")
    if is_num(lo) and is_num(hi) and lo > hi:
        report.problem(
            row.at["min_t_sb_per_month"],
            f"monthly minimum above the maximum ({hi:g})",
            lo,
            "min_t_sb_per_month must be ≤ max_t_sb_per_month",
        )


def _check_grant(row: Row, known: dict[str, int], report: Report) -> None:
    projects = row.values.get("eligible_projects")
    if not isinstance(projects, tuple):
        return
    for pid in projects:
        if pid not in known:
            report.problem(
                row.at["eligible_projects"],
                "unknown project: not on sheet Expansions",
                pid,
                did_you_mean(pid, known)
                or "list Expansions project ids separated by commas, or 'all'",
            )
