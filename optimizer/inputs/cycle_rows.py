"""Rules of the monthly-cycle sheets: ``InTransit`` (ore on its way at the start) and
``Actuals`` (what happened), whose rows name a source, route, smelter or stock location by
their ``kind`` — so their ids are checked here, against the sheets the kind names."""

from __future__ import annotations

from optimizer.case import month_offset
from optimizer.inputs.cells import BAD, did_you_mean
from optimizer.inputs.located import Report
from optimizer.inputs.rows import Ids, Row
from optimizer.inputs.settings_sheet import Horizon

ID_SHEETS = {
    "mined": ("Sources",),
    "shipped": ("Routes",),
    "fed": ("Smelters",),
    "stock": ("Sources", "Smelters"),
}
"""The sheets an Actuals row's ``id`` comes from, by kind."""


def check_in_transit(rows: list[Row], horizon: Horizon, report: Report) -> None:
    """Ore arriving before the start is an error (it would be opening stock); after the
    horizon it is ignored with a warning."""
    last = horizon.months[-1]
    for row in rows:
        arrival = row.values.get("arrival_month")
        if arrival is BAD or arrival is None:
            continue
        if month_offset(horizon.start, arrival) < 0:
            report.problem(
                row.at["arrival_month"],
                f"arrives before the start month {horizon.start}",
                arrival,
                "ore that has already arrived is opening stock: put it on sheet OpeningStock",
            )
        elif month_offset(last, arrival) > 0:
            report.warn(
                row.at["arrival_month"],
                f"arrives after the horizon (last month {last}); ignored",
                arrival,
            )


def check_actuals(
    rows: list[Row],
    routes: list[Row],
    opening: list[Row],
    ids: Ids,
    horizon: Horizon,
    report: Report,
) -> None:
    """Each row's id exists on the sheet its kind names, its origin is given where the ore's
    source matters (fed, yard stock) and can be at that smelter (a route or opening stock
    brings it), and its month is not after the horizon (warning: ignored)."""
    lane = {
        r.values.get("route"): (r.values.get("source"), r.values.get("smelter")) for r in routes
    }
    pairs = set(lane.values()) | {
        (r.values.get("source"), r.values.get("location")) for r in opening
    }
    last = horizon.months[-1]
    for row in rows:
        kind, rid, origin = row.values.get("kind"), row.values.get("id"), row.values.get("origin")
        if kind is BAD or rid is BAD or origin is BAD:
            continue
        sheets = ID_SHEETS[kind]
        found = next((s for s in sheets if rid in ids.get(s, {})), None)
        if found is None:
            known = {k: 0 for s in sheets for k in ids.get(s, {})}
            report.problem(
                row.at["id"],
                f"unknown id for kind {kind}: not on sheet {' or '.join(sheets)}",
                rid,
                did_you_mean(rid, known) or f"a {kind} row names an id of {' or '.join(sheets)}",
            )
            continue
        yard = found == "Smelters"
        if yard:
            _check_yard_origin(row, kind, rid, origin, ids, pairs, report)
        elif origin not in ("", _own_source(kind, rid, lane)):
            report.problem(
                row.at["origin"],
                f"a {kind} row of {rid} carries its own ore: origin must be blank or "
                f"{_own_source(kind, rid, lane)}",
                origin,
                "leave origin blank",
            )
        month = row.values.get("month")
        if month in (BAD, None):
            continue
        if month_offset(last, month) > 0:
            report.warn(
                row.at["month"], f"month is after the horizon (last month {last}); ignored", month
            )
        elif (
            kind == "shipped"
            and (t := month_offset(horizon.start, month)) >= 0
            and (t + _transit(routes, rid) >= len(horizon.months))
        ):
            report.warn(
                row.at["id"],
                f"ore dispatched in {month} arrives after the horizon (last month {last}); "
                "this row is ignored",
                rid,
                "record it on sheet InTransit in the next plan",
            )


def _transit(routes: list[Row], rid: str) -> int:
    transit = next(
        (r.values.get("transit_months") for r in routes if r.values.get("route") == rid), 0
    )
    return transit if isinstance(transit, int) else 0


def _own_source(kind: str, rid: str, lane: dict) -> str:
    """The source whose ore a mined, shipped or source-stock row is about."""
    return lane[rid][0] if kind == "shipped" else rid


def _check_yard_origin(
    row: Row, kind: str, rid: str, origin: str, ids: Ids, pairs: set, report: Report
) -> None:
    if not origin:
        report.problem(
            row.at["origin"],
            f"a {kind} row at smelter {rid} needs the ore's origin",
            "(blank)",
            "type the source the ore came from",
        )
    elif origin not in ids.get("Sources", {}):
        report.problem(
            row.at["origin"],
            "unknown origin: not on sheet Sources",
            origin,
            did_you_mean(origin, ids.get("Sources", {})) or "name a source of sheet Sources",
        )
    elif (origin, rid) not in pairs:
        report.problem(
            row.at["origin"],
            f"no route or opening stock brings {origin} ore to {rid}",
            origin,
            "check the origin, or add the route on sheet Routes",
        )
