"""Schema declarations of the monthly cycle (SPEC §6.3): the ``InTransit`` and ``Actuals``
sheets. Part of :mod:`optimizer.inputs.schema` (which lists them with the rest); kept apart
so what a planner records about the past reads in one place."""

from __future__ import annotations

from optimizer.inputs.schema_types import NOTE, Column, Sheet

ACTUAL_KINDS = ("mined", "shipped", "fed", "stock")

IN_TRANSIT = Sheet(
    "InTransit",
    "Ore already dispatched before the start, still on its way: it enters the route's "
    "smelter yard (origin: the route's source) in its arrival month. No ore or freight "
    "cost, no route capacity, not opening stock for keep_opening. Rows add up.",
    (
        Column("route", "ref", "Route the ore travels on.", refs=("Routes",)),
        Column(
            "arrival_month",
            "month",
            "Month the ore reaches the smelter yard (not before the start; after the "
            "horizon: ignored).",
        ),
        Column("tonnes", "number", "Tonnes of ore on the way.", unit="t ore", minimum=0),
        NOTE,
    ),
    required=False,
    locate_by=("route", "arrival_month"),
)

ACTUALS = Sheet(
    "Actuals",
    "What actually happened, one row per figure. A month of the horizon with any row is "
    "locked: every mined, shipped and fed tonnage of that month equals the sum of its "
    "rows (no row: 0) and stock rows fix month-end stocks. Sales, contract deliveries, "
    "project starts and grant draws stay free. Months before the start are read by roll.",
    (
        Column("month", "month", "Month the figure belongs to."),
        Column(
            "kind",
            "choice",
            "mined (id: a source), shipped (id: a route), fed (id: a smelter, origin: "
            "the ore's source) or stock (month-end; id: a source's stockpile, or a "
            "smelter's yard with origin).",
            choices=ACTUAL_KINDS,
        ),
        Column("id", "text", "Source, route, smelter or stock location, by kind."),
        Column(
            "origin",
            "text",
            "Source the ore came from: required for fed and for yard stock.",
            default="",
        ),
        Column("tonnes", "number", "Tonnes of ore.", unit="t ore", minimum=0),
        NOTE,
    ),
    required=False,
    locate_by=("month", "kind", "id", "origin"),
)
