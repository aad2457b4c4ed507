"""Build the typed :class:`~optimizer.case.Case` from parsed rows, with ``Case.locations``.

``Case.locations`` is keyed ``(sheet, row id, column)``: the row id is the row's id (the
setting name on ``Settings``), ``"<source>|<bound>"`` on ``Supply`` and
``"<location>|<source>"`` on ``OpeningStock`` (see :func:`row_id`); monthly values use the
month label ``YYYY-MM`` as column, and ``column=""`` locates the whole row.
"""

from __future__ import annotations

from typing import Any

from optimizer.case import (
    Actual,
    Case,
    CellRef,
    Contract,
    Expansion,
    Grant,
    InTransit,
    OpeningStock,
    Route,
    Settings,
    Smelter,
    Source,
    row_key,
)
from optimizer.inputs.rows import Row
from optimizer.inputs.schema import ALL_PROJECTS, BENCHMARK, SETTINGS, SHEETS_BY_NAME
from optimizer.inputs.settings_sheet import Horizon, Locations


def row_id(sheet: str, values: dict[str, Any]) -> str:
    """The row id used in ``Case.locations`` (and by ``explain``) for a parsed row."""
    schema = SHEETS_BY_NAME[sheet]
    if schema.id_column:
        return str(values[schema.id_column])
    return row_key(*(values[k] for k in schema.key_columns or schema.locate_by))


def build_case(
    settings: dict[str, Any],
    horizon: Horizon,
    rows: dict[str, list[Row]],
    settings_locations: Locations,
) -> Case:
    """The typed Case of a workbook with no errors, with where each value came from."""
    n_months = len(horizon.months)
    locations = dict(settings_locations)
    for sheet, sheet_rows in rows.items():
        for row in sheet_rows:
            rid = row_id(sheet, row.values)
            locations[(sheet, rid, "")] = CellRef(sheet, row.number)
            for name, at in row.at.items():
                locations[(sheet, rid, name)] = at.ref()

    def series(sheet: str, key: str, default: float) -> dict[str, tuple[float, ...]]:
        return {
            r.values[key]: tuple(float(r.months.get(m, default)) for m in horizon.months)
            for r in rows.get(sheet, [])
        }

    supply = {
        (r.values["source"], r.values["bound"]): tuple(float(r.months[m]) for m in horizon.months)
        for r in rows["Supply"]
    }
    zeros = (0.0,) * n_months
    hundreds = (100.0,) * n_months
    sm_avail = series("SmelterAvailability", "smelter", 100.0)
    rt_avail = series("RouteAvailability", "route", 100.0)
    prices = series("Prices", "smelter", 0.0)

    sources = {
        r.values["source"]: Source(
            **_fields(Source, r.values),
            supply_max_t=supply[(r.values["source"], "max")],
            supply_min_t=supply.get((r.values["source"], "min"), zeros),
        )
        for r in rows["Sources"]
    }
    smelters = {
        r.values["smelter"]: Smelter(
            **_fields(Smelter, r.values),
            availability_pct=sm_avail.get(r.values["smelter"], hundreds),
            prices_usd_per_t_sb=prices[r.values["smelter"]],
        )
        for r in rows["Smelters"]
    }
    routes = {
        r.values["route"]: Route(
            **_fields(Route, r.values),
            availability_pct=rt_avail.get(r.values["route"], hundreds),
        )
        for r in rows["Routes"]
    }
    expansions = {
        r.values["project"]: Expansion(
            **_fields(Expansion, r.values),
            earliest_start=horizon.offset(r.values["earliest_start_month"], 0),
            latest_start=horizon.offset(r.values["latest_start_month"], n_months - 1),
            committed_start=horizon.offset(r.values.get("committed_start_month"), None),
        )
        for r in rows.get("Expansions", [])
    }
    grants = {
        r.values["grant"]: Grant(
            **_fields(
                Grant,
                r.values,
                award=horizon.offset(r.values["award_month"], None),
                eligible_projects=tuple(expansions)
                if r.values["eligible_projects"] == ALL_PROJECTS
                else r.values["eligible_projects"],
            )
        )
        for r in rows.get("Grants", [])
    }
    contracts = {
        r.values["contract"]: Contract(
            **_fields(Contract, r.values),
            start=horizon.offset(r.values["start_month"], 0),
            end=horizon.offset(r.values["end_month"], n_months - 1),
        )
        for r in rows.get("Contracts", [])
    }
    opening = tuple(
        OpeningStock(**_fields(OpeningStock, r.values)) for r in rows.get("OpeningStock", [])
    )
    in_transit = tuple(
        InTransit(
            r.values["route"], horizon.offset(r.values["arrival_month"], None), r.values["tonnes"]
        )
        for r in rows.get("InTransit", [])
    )
    actuals = tuple(
        Actual(
            **_fields(Actual, r.values, month=horizon.offset(r.values["month"], None)),
        )
        for r in rows.get("Actuals", [])
    )
    typed_settings = Settings(**{c.name: settings[c.name] for c in SETTINGS})
    return Case(
        settings=typed_settings,
        months=horizon.months,
        sources=sources,
        smelters=smelters,
        routes=routes,
        opening_stock=opening,
        expansions=expansions,
        grants=grants,
        contracts=contracts,
        benchmark_usd_per_t_sb=prices.get(BENCHMARK, ()),
        in_transit=in_transit,
        actuals=actuals,
        locations=locations,
    )


def _fields(cls: type, values: dict[str, Any], **derived: Any) -> dict[str, Any]:
    """The parsed values that are fields of dataclass ``cls`` (same names as the schema),
    then the ``derived`` ones (month offsets, resolved lists)."""
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return {**{k: v for k, v in values.items() if k in names}, **derived}
