"""The default case's money and customers: the DoD grant and the customer contracts, each
number cited or labelled Assumption. Part of :mod:`optimizer.inputs.default_case`."""

from __future__ import annotations

from typing import Any

from optimizer.inputs import schema

GRANTS_HEADERS = schema.SHEETS_BY_NAME["Grants"].column_names
GRANTS: tuple[tuple[Any, ...], ...] = (
    (
        "DPA Title III",
        "DoD (DPA Title III)",
        27_000_000,
        "2026-03",
        50,
        "TF expansion, Stibnite Creek extraction",
        "$27M award reported 2026-03-05 for Thompson Falls refining capacity and Alaska "
        "extraction (benzinga). Assumption: pays up to 50% of each capex payment of an "
        "eligible project started on or after the award (cost share); the full $27M is the "
        "cap. The TF expansion broke ground before the award, so in this plan the money "
        "goes to Alaska extraction.",
    ),
)

CONTRACTS_HEADERS = schema.SHEETS_BY_NAME["Contracts"].column_names
CONTRACTS: tuple[tuple[Any, ...], ...] = (
    (
        "DLA ingots IDIQ",
        "Thompson Falls",
        None,
        "2030-09",
        11.9,
        50,
        69_900,
        "Five-year IDIQ for metal ingots through Sept 2030, up to $245M, ~6.7 Mlb ≈ 50 t "
        "Sb/month: the ceiling, as max; first order ~$10M for 315,000 lb ≈ 142.9 t Sb ≈ "
        "$69,900/t (SEC 10-Q, metalnomist). Assumption: DLA calls one order like the first a "
        "year: 142.9 t / 12 ≈ 11.9 t Sb/month called (min); more only if it calls more "
        "(scenario dla_orders_only); ingots made at Thompson Falls.",
    ),
    (
        "Trioxide agreement",
        "any",
        None,
        "2030-06",
        0,
        28,
        62_400,
        "~$107M five-year antimony trioxide agreement (Q3 2025 call). Assumption: priced at "
        "USAC's 2025 realized ~$62,400/t Sb (trade press): $107M / 5 years / $62,400 ≈ "
        "28 t Sb/month; ends mid-2030.",
    ),
)
