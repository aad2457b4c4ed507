"""Groups of input changes between two cases, and the cases in between.

``compare`` attributes the margin change to groups of inputs a planner thinks in: prices,
supply, smelter capacity, routes, costs, projects and grants, contracts, settings. Every
value of a :class:`~optimizer.case.Case` belongs to exactly one group — by the entity it
describes, except that money per tonne goes to *costs* and sale prices (and the benchmark
pricing of bought feed) to *prices*. :func:`mix` builds the case with the new values of some
groups and the old values of the others, so each subset of groups is a case to solve.

Both cases must have the same start and horizon (``roll`` the older one) and the same source,
smelter and route ids for the groups to be separable; when the ids differ, every change is
one group (``ids``), which still adds up exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from optimizer.case import Case

GROUPS = (
    "prices",
    "supply",
    "smelter capacity",
    "routes",
    "costs",
    "projects and grants",
    "contracts",
    "settings",
)
"""The groups of input changes, in the order the comparison shows them."""

IDS = "ids"
"""The one group when sources, smelters or routes were added or removed."""

_PRICE_FIELDS = {
    "prices_usd_per_t_sb",
    "price_basis",
    "payable_pct",
    "arsenic_penalty_usd_per_t_per_pct",
    "arsenic_free_pct",
}
_COST_FIELDS = {"cost_usd_per_t", "holding_cost_usd_per_t_month", "processing_cost_usd_per_t"}
_ENTITY_GROUP = {"sources": "supply", "smelters": "smelter capacity", "routes": "routes"}
_CASE_GROUP = {
    "opening_stock": "supply",
    "in_transit": "supply",
    "actuals": "supply",
    "expansions": "projects and grants",
    "grants": "projects and grants",
    "contracts": "contracts",
    "benchmark_usd_per_t_sb": "prices",
    "settings": "settings",
}
_SAME = {"months", "locations"}  # equal for comparable cases / not input values


def field_group(entity: str, name: str) -> str:
    """The group of field ``name`` of a source, smelter or route (``entity``)."""
    if name in _PRICE_FIELDS:
        return "prices"
    if name in _COST_FIELDS:
        return "costs"
    return _ENTITY_GROUP[entity]


def separable(old: Case, new: Case) -> bool:
    """Whether the groups can be mixed: the same source, smelter and route ids."""
    return all(list(getattr(old, e)) == list(getattr(new, e)) for e in _ENTITY_GROUP)


def changed_groups(old: Case, new: Case) -> list[str]:
    """The groups whose values differ between ``old`` and ``new``, in :data:`GROUPS` order
    (``[IDS]`` when the ids differ and anything changed)."""
    if not separable(old, new):
        return [IDS]
    return [g for g in GROUPS if mix(old, new, [g]) != old]


def mix(old: Case, new: Case, groups: Iterable[str]) -> Case:
    """``old`` with the values of ``groups`` taken from ``new`` (``[IDS]``: ``new`` itself)."""
    take = set(groups)
    if IDS in take:
        return new
    changes = {
        name: getattr(new, name)
        for name, group in _CASE_GROUP.items()
        if group in take and hasattr(old, name)
    }
    for entity in _ENTITY_GROUP:
        changes[entity] = {
            key: _mix_entity(entity, getattr(old, entity)[key], getattr(new, entity)[key], take)
            for key in getattr(old, entity)
        }
    if "settings" not in take:  # keep both cases' shared start and horizon, old's the rest
        changes.pop("settings", None)
    unknown = {f.name for f in dataclasses.fields(Case)} - set(_CASE_GROUP) - _SAME
    unknown -= set(_ENTITY_GROUP)
    for name in unknown:  # a field this module does not know yet counts as a setting
        if "settings" in take:
            changes[name] = getattr(new, name)
    return dataclasses.replace(old, **changes)


def _mix_entity(entity: str, old, new, take: set[str]):
    """A source, smelter or route with the fields of ``take`` from ``new`` (notes stay: they
    change no number)."""
    fields = {
        f.name: getattr(new, f.name)
        for f in dataclasses.fields(old)
        if f.name != "note" and field_group(entity, f.name) in take
    }
    return dataclasses.replace(old, **fields) if fields else old
