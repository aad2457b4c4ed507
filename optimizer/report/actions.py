"""The plan's next months as operational actions, each with the limits that shape it.

A planner acts on a plan line by line: mine X t at a claim group, dispatch Y t on a route,
feed Z t of an origin at a smelter, start a project, draw a grant, deliver Sb on a contract.
:func:`plan_actions` turns a solved plan (:class:`Results`) into those lines for the months
asked (default: the first three of the horizon). Each line names the limits that bind on
that decision at the optimum — from the constraint-family registry
(:data:`optimizer.model.families.FAMILIES`): its planner words where the family has them,
else its marginal-value sentence — so the planner sees *why* the number is what it is. A line
with no binding limit is set by costs and prices alone.

The report's ``Actions`` sheet, the ``solve`` console lines for the first month and the
``risk`` command's commit plan all read :func:`plan_actions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from optimizer.case import Case, month_offset
from optimizer.model.families import FAMILIES
from optimizer.model.lookup import build_lookup
from optimizer.planner_words import money, project_site, tonnes
from optimizer.report.tables import Col, Table, table_frame
from optimizer.solve.duals import NOISE, index_keys
from optimizer.solve.results import Results

ACTION_COLUMNS = ["month", "action", "id", "origin", "quantity", "unit", "text", "limits"]
"""``plan_actions`` columns: ``action`` is mine | buy | dispatch | feed | start | draw |
deliver; ``id`` the source, route, smelter, project, grant or contract acted on; ``origin``
the ore's source (feed), the route's smelter (dispatch), the project (draw), the delivering
smelter (deliver), else blank; ``quantity`` in ``unit`` (t ore, t/month, USD, t Sb);
``limits`` the binding limits in planner words, ``; ``-separated (blank: none binds)."""

NO_LIMIT = "no limit binds: set by costs and prices"
ACTION_ORDER = ("mine", "buy", "dispatch", "feed", "start", "draw", "deliver")
DEFAULT_MONTHS = 3


@dataclass(frozen=True)
class _Line:
    month: str
    action: str
    id: str
    origin: str
    quantity: float
    unit: str
    text: str
    shaped_by: tuple[tuple[str, dict], ...]  # (family, named index incl. t when monthly)


def plan_actions(results: Results, case: Case, months: Sequence[str] | None = None) -> pd.DataFrame:
    """The actions of ``months`` (labels of the horizon; default the first three), in
    month order, one row per non-zero decision, with the limits that bind on it."""
    chosen = list(months) if months is not None else list(case.months[:DEFAULT_MONTHS])
    if not results.has_solution:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    index = {m: t for t, m in enumerate(case.months)}
    wanted = {m for m in chosen if m in index}
    binding = _binding_limits(results)
    lk = build_lookup(case)
    rows = []
    for line in _lines(results, case, index, wanted):
        found = [
            (binding[key], family, f)
            for family, f in line.shaped_by
            if (key := _key(family, f, case)) in binding
        ]
        found.sort(key=lambda x: -abs(x[0]))  # the most valuable limit first
        limits = [_limit_words(case, lk, family, f, value) for value, family, f in found]
        rows.append(
            (
                line.month,
                line.action,
                line.id,
                line.origin,
                line.quantity,
                line.unit,
                line.text,
                "; ".join(dict.fromkeys(limits)),
            )
        )
    order = {a: i for i, a in enumerate(ACTION_ORDER)}
    frame = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    if frame.empty:
        return frame
    frame["_order"] = [order[a] for a in frame["action"]]
    frame = frame.sort_values(["month", "_order"], kind="stable").drop(columns="_order")
    return frame.reset_index(drop=True)


def action_lines(actions: pd.DataFrame) -> list[str]:
    """One console line per action: ``2027-01 mine 120.0 t at AK1 — AK1 can supply …``."""
    return [
        f"{row.month} {row.text}" + (f" — {row.limits}" if row.limits else f" ({NO_LIMIT})")
        for row in actions.itertuples(index=False)
    ]


def _binding_limits(results: Results) -> dict[tuple[str, str, str | None], float]:
    """(family, keys, month) → marginal value (USD per unit) of every binding limit."""
    duals = results.duals
    if duals is None or duals.empty:
        return {}
    rows = duals[duals["binding"] & (duals["kind"] == "limit")]
    return {
        (fam, keys, month if isinstance(month, str) else None): float(value)
        for fam, keys, month, value in zip(
            rows["family"], rows["keys"], rows["month"], rows["dual_usd_per_unit"], strict=True
        )
    }


def _key(family: str, f: dict, case: Case) -> tuple[str, str, str | None]:
    """The ``Results.duals`` key of one row of ``family`` (its named index ``f``)."""
    names = FAMILIES[family].names
    keys = " / ".join(index_keys(case, names, f))
    return family, keys, case.months[f["t"]] if "t" in names else None


def _limit_words(case: Case, lk, family: str, f: dict, value: float) -> str:
    """A binding limit in the registry's planner words, with its marginal value."""
    fam = FAMILIES[family]
    m = case.months[f["t"]] if "t" in f else None
    if fam.words is not None:
        text = fam.words(case, lk, f, m)[0]
    else:
        text = fam.text.format(**f, m=m or "", worth="").strip()
    if abs(value) > NOISE:
        text += f" [{money(value)} per {fam.unit}]"
    return text


def _lines(
    results: Results, case: Case, index: dict[str, int], wanted: set[str]
) -> Iterable[_Line]:
    """Every non-zero decision of the wanted months, with the families that may bind on it."""
    for row in _rows(results.sources, wanted, "mined_t"):
        s, t = row.source, index[row.month]
        verb = "buy" if case.sources[s].kind == "purchase" else "mine"
        f = {"s": s, "t": t}
        yield _Line(
            row.month,
            verb,
            s,
            "",
            row.mined_t,
            "t ore",
            f"{verb} {tonnes(row.mined_t)} at {s}",
            (
                ("Extraction_Max", f),
                ("Extraction_Min", f),
                ("Source_Stockpile_Capacity", f),
            ),
        )
    for row in _rows(results.flows, wanted, "dispatched_t"):
        t = index[row.month]
        arrival = t + case.routes[row.route].transit_months
        yield _Line(
            row.month,
            "dispatch",
            row.route,
            row.smelter,
            row.dispatched_t,
            "t ore",
            f"dispatch {tonnes(row.dispatched_t)} of {row.source} ore on route {row.route} "
            f"to {row.smelter} (arrives {row.arrival_month})",
            (
                ("Route_Capacity", {"r": row.route, "t": t}),
                ("Yard_Capacity", {"p": row.smelter, "t": arrival}),
                ("Smelter_Capacity", {"p": row.smelter, "t": arrival}),
            ),
        )
    for row in _rows(results.yard, wanted, "feed_t"):
        f = {"p": row.smelter, "t": index[row.month]}
        yield _Line(
            row.month,
            "feed",
            row.smelter,
            row.source,
            row.feed_t,
            "t ore",
            f"feed {tonnes(row.feed_t)} of {row.source} ore at {row.smelter}",
            tuple(
                (family, f)
                for family in (
                    "Smelter_Capacity",
                    "Min_Feed",
                    "Feed_Grade",
                    "Feed_Arsenic",
                    "Domestic_Share",
                )
            ),
        )
    for row in _rows(results.builds, wanted, "added_t_per_month"):
        site = project_site(row.smelter, row.source)
        yield _Line(
            row.month,
            "start",
            row.project,
            "",
            row.added_t_per_month,
            "t/month",
            f"start project {row.project} at {site}: "
            f"+{tonnes(row.added_t_per_month)}/month online {row.online_month}",
            (("Expansion_Build_Limit", {"e": row.project}),),
        )
    for row in _rows(results.grant_use, wanted, "paid_usd"):
        t = index[row.month]
        start = month_offset(case.settings.start_month, row.start_month)
        yield _Line(
            row.month,
            "draw",
            row.grant,
            row.project,
            row.paid_usd,
            "USD",
            f"draw {money(row.paid_usd)} from grant {row.grant} for {row.project}",
            (
                ("Grant_Share", {"g": row.grant, "e": row.project, "start": start, "t": t}),
                ("Grant_Capex_Cap", {"e": row.project, "start": start, "t": t}),
                ("Grant_Amount", {"g": row.grant}),
            ),
        )
    for row in _rows(results.contract_deliveries, wanted, "delivered_t"):
        f = {"k": row.contract, "t": index[row.month]}
        yield _Line(
            row.month,
            "deliver",
            row.contract,
            row.smelter,
            row.delivered_t,
            "t Sb",
            f"deliver {tonnes(row.delivered_t)} Sb from {row.smelter} on contract {row.contract}",
            (("Contract_Max", f), ("Contract_Min", f)),
        )


def _rows(df: pd.DataFrame, wanted: set[str], quantity: str) -> Iterable:
    """The rows of a Results table in the wanted months with a non-zero ``quantity``."""
    if df is None or df.empty:
        return ()
    chosen = df[df["month"].isin(wanted) & (df[quantity].abs() > NOISE)]
    return chosen.itertuples(index=False)


def actions_table(results: Results, case: Case, months: Sequence[str] | None = None) -> Table:
    """The report's ``Actions`` sheet: :func:`plan_actions` of ``months`` (default: the first
    three)."""
    cols = [
        Col("month", "Month", "month"),
        Col("action", "Action", "text"),
        Col("text", "What to do", "text", max_width=80),
        Col("quantity", "Quantity", "t"),
        Col("unit", "Unit", "text"),
        Col("id", "At / on", "text"),
        Col("origin", "Origin / to / for", "text"),
        Col("limits", "Limit that shapes it (binding at the optimum)", "text", max_width=110),
    ]
    frame = plan_actions(results, case, months)
    if not frame.empty:
        frame["limits"] = frame["limits"].replace("", NO_LIMIT)
    return Table(
        "Actions",
        cols,
        table_frame(frame, cols),
        freeze_cols=2,
        note="No action in the first months of this plan.",
    )
