"""Roll a case forward to a later start month (``ore-optimizer roll``): next month's case.

The planner's workbook (a :class:`RawBook`) is rewritten, never the file it came from:

- ``start_month`` moves to the new start; the horizon keeps its length;
- every monthly sheet drops the months now past and gains the new months, each new cell
  carrying the value of the old last month (listed as an assumption to review);
- ``OpeningStock`` becomes the month-end stocks just before the new start, and ``InTransit``
  the ore dispatched before it that arrives on or after it (with the old InTransit rows
  still on their way) — taken from ``plan``: the case solved with its ``Actuals`` locking
  the months they record, so actuals win where they exist and the plan fills the rest;
- projects the plan started before the new start become committed (each stage of a
  project built in stages its own committed row);
- grants lose the money drawn before the new start; each contract's note records what it
  received before the new start; ``Actuals`` rows are kept (past months are the record).

The caller solves the case and writes the result with the template writer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from optimizer.case import Case, month_label, month_offset
from optimizer.errors import UsageError
from optimizer.inputs import schema
from optimizer.inputs.rawbook import RawBook, RawSheet, clean_text, month_key
from optimizer.inputs.readme_sheet import Review
from optimizer.inputs.template import README
from optimizer.planner_words import tonnes, usd
from optimizer.solve.results import Results

NOTE = "note"
SIZE = "max_added_t_per_month"


@dataclass
class Rolled:
    """The next case's raw workbook, the cells to review, and what roll did (one line
    each, for the console)."""

    raw: RawBook
    review: list[Review] = field(default_factory=list)
    done: list[str] = field(default_factory=list)


def months_to_roll(case: Case, to: str) -> int:
    """How many months the start moves (1 .. horizon); a usage error otherwise."""
    label = month_key(to)
    if label is None:
        raise UsageError(f"--to {to!r} is not a month: type it as YYYY-MM")
    k = month_offset(case.settings.start_month, label)
    if not 1 <= k <= case.horizon:
        raise UsageError(
            f"--to {label} must be after the start {case.settings.start_month} and at most "
            f"{case.horizon} months later (the plan covers {case.months[0]} to "
            f"{case.months[-1]})"
        )
    return k


def roll_raw(raw: RawBook, case: Case, plan: Results, to: str) -> Rolled:
    """The workbook of the case starting ``to`` (see the module docstring); ``plan`` is
    ``case`` solved."""
    k = months_to_roll(case, to)
    new_start = case.months[k] if k < case.horizon else month_label(case.settings.start_month, k)
    out = Rolled(raw.copy())
    out.raw.sheets.pop(README, None)  # the template writer writes a fresh one
    _set_setting(out.raw, "start_month", new_start)
    new_months = [month_label(new_start, t) for t in range(case.horizon)]
    for name in list(out.raw.sheets):
        spec = schema.SHEETS_BY_NAME.get(name)
        if spec is not None and spec.monthly:
            _roll_monthly(out, name, case.months[-1], new_months)
    past = set(case.months[:k])
    _opening_stock(out, case, plan, case.months[k - 1])
    _in_transit(out, case, plan, new_start)
    _commit_started(out, case, plan, new_start)
    _grants(out, case, plan, past)
    _scenarios(out, new_start)
    _contracts(out, case, plan, past)
    order = [s.name for s in schema.SHEETS if s.name in out.raw.sheets]
    order += [name for name in out.raw.sheets if name not in order]
    out.raw.sheets = {name: out.raw.sheets[name] for name in order}
    out.done.insert(0, f"start {case.settings.start_month} → {new_start} ({k} month(s))")
    return out


# --- sheets -----------------------------------------------------------------------------


def _col(sheet: RawSheet, name: str) -> int | None:
    headers = [clean_text(h) for h in sheet.headers]
    return headers.index(name) if name in headers else None


def _set_setting(raw: RawBook, setting: str, value: Any) -> None:
    sheet = raw.sheets["Settings"]
    s, v = _col(sheet, "setting"), _col(sheet, "value")
    for row in sheet.rows:
        if clean_text(row[s]) == setting:
            row[v] = value
            return


def _replace_rows(raw: RawBook, name: str, headers: list[str], rows: list[list[Any]]) -> None:
    """Sheet ``name`` with ``headers`` and ``rows`` (created, or replaced)."""
    raw.sheets[name] = RawSheet(name, list(headers), rows, list(range(2, len(rows) + 2)))


def _roll_monthly(out: Rolled, name: str, last: str, new_months: list[str]) -> None:
    """Keep the fixed columns and the months still in the horizon; add the new months,
    carrying each row's value of ``last`` (the old last month)."""
    sheet = out.raw.sheets[name]
    months = {month_key(h): j for j, h in enumerate(sheet.headers) if month_key(h)}
    fixed = [j for j in range(len(sheet.headers)) if j not in months.values()]
    headers = [sheet.headers[j] for j in fixed] + list(new_months)
    rows = []
    for i, row in enumerate(sheet.rows):
        padded = row + [None] * (len(sheet.headers) - len(row))
        values = [padded[j] for j in fixed]
        for m in new_months:
            if m in months:
                values.append(padded[months[m]])
            else:
                value = padded[months[last]] if last in months else None
                values.append(value)
                out.review.append(
                    Review(
                        name,
                        i + 2,
                        len(values),
                        f"{_row_name(sheet, padded)} {m}: carried from {last} "
                        f"({'blank' if value is None else value})",
                    )
                )
        rows.append(values)
    out.raw.sheets[name] = RawSheet(name, headers, rows, list(range(2, len(rows) + 2)))


def _row_name(sheet: RawSheet, row: list[Any]) -> str:
    """A row as a planner names it: its id (and bound on Supply)."""
    spec = schema.SHEETS_BY_NAME[sheet.name]
    keys = [spec.id_column] if spec.id_column else list(spec.key_columns)
    return " ".join(clean_text(row[j]) for k in keys if (j := _col(sheet, k)) is not None)


def _opening_stock(out: Rolled, case: Case, plan: Results, last_past: str) -> None:
    """Month-end stocks of ``last_past`` as the new opening stock, by location and origin."""
    rows = []
    src = plan.sources[plan.sources["month"] == last_past]
    for s, q in zip(src["source"], src["stock_t"], strict=True):
        if q > 0:
            rows.append([s, s, float(q)])
    yard = plan.yard[plan.yard["month"] == last_past]
    for p, s, q in zip(yard["smelter"], yard["source"], yard["stock_t"], strict=True):
        if q > 0:
            rows.append([p, s, float(q)])
    _replace_rows(out.raw, "OpeningStock", ["location", "source", "tonnes"], rows)
    out.done.append(f"opening stock: {tonnes(sum(r[2] for r in rows))} at month-end {last_past}")


def _in_transit(out: Rolled, case: Case, plan: Results, new_start: str) -> None:
    """Ore on its way at ``new_start``: dispatched before it, arriving on or after it."""
    on_way: dict[tuple[str, str], float] = defaultdict(float)
    for x in case.in_transit:
        arrival = month_label(case.settings.start_month, x.arrival)
        if month_offset(new_start, arrival) >= 0:
            on_way[(x.route, arrival)] += x.tonnes
    flows = plan.flows
    sent = flows[(flows["month"] < new_start) & (flows["arrival_month"] >= new_start)]
    for r, arrival, q in zip(
        sent["route"], sent["arrival_month"], sent["dispatched_t"], strict=True
    ):
        if q > 0:
            on_way[(r, arrival)] += float(q)
    rows = [[r, m, q, "dispatched before the start (rolled)"] for (r, m), q in on_way.items()]
    _replace_rows(out.raw, "InTransit", ["route", "arrival_month", "tonnes", NOTE], rows)
    out.done.append(f"in transit: {tonnes(sum(on_way.values()))} on {len(rows)} row(s)")


def _grants(out: Rolled, case: Case, plan: Results, past: set[str]) -> None:
    """Each grant's ``amount_usd`` less the money it paid before the new start."""
    sheet = out.raw.sheets.get("Grants")
    if sheet is None or plan.grant_use.empty:
        return
    use = plan.grant_use[plan.grant_use["month"].isin(past)]
    drawn = use.groupby("grant")["paid_usd"].sum().to_dict()
    g, a = _col(sheet, "grant"), _col(sheet, "amount_usd")
    for row in sheet.rows:
        gid = clean_text(row[g])
        if drawn.get(gid, 0.0) > 0:
            left = max(case.grants[gid].amount_usd - drawn[gid], 0.0)
            row[a] = left
            out.done.append(f"grant {gid}: {usd(drawn[gid])} drawn, {usd(left)} left")


def _contracts(out: Rolled, case: Case, plan: Results, past: set[str]) -> None:
    """Each contract's note records its deliveries before the new start."""
    sheet = out.raw.sheets.get("Contracts")
    if sheet is None or plan.contracts.empty:
        return
    rows = plan.contracts[plan.contracts["month"].isin(past)]
    delivered = rows.groupby("contract")["delivered_t"].sum().to_dict()
    if _col(sheet, NOTE) is None:
        sheet.headers.append(NOTE)
    k, n = _col(sheet, "contract"), _col(sheet, NOTE)
    first, last = min(past), max(past)
    for row in sheet.rows:
        row += [None] * (len(sheet.headers) - len(row))
        kid = clean_text(row[k])
        if kid in delivered:
            text = f"delivered {first} to {last}: {tonnes(delivered[kid])} Sb (rolled)"
            row[n] = f"{clean_text(row[n])}; {text}" if clean_text(row[n]) else text
            out.done.append(f"contract {kid}: {text}")


def _scenarios(out: Rolled, new_start: str) -> None:
    """Drop the Scenarios rows that edit a month now past (its column no longer exists)."""
    sheet = out.raw.sheets.get("Scenarios")
    c = _col(sheet, "column") if sheet is not None else None
    if sheet is None or c is None:
        return
    keep = [
        (row, n)
        for row, n in zip(sheet.rows, sheet.row_numbers, strict=True)
        if not ((m := month_key(row[c] if c < len(row) else None)) and m < new_start)
    ]
    dropped = len(sheet.rows) - len(keep)
    if dropped:
        sheet.rows = [row for row, _ in keep]
        sheet.row_numbers = list(range(2, len(keep) + 2))
        out.done.append(f"scenarios: {dropped} row(s) editing a past month dropped")


def _commit_started(out: Rolled, case: Case, plan: Results, new_start: str) -> None:
    """Projects the plan started before ``new_start`` become committed. A project's row
    keeps its id: it carries the size not yet started (still the model's to decide), or,
    when all of it has started, its first stage; every other stage becomes a committed row
    of its own (``<project> stage <month>``, its size), named by the grants that name the
    project. A committed row leaves its start window blank (it has none)."""
    sheet = out.raw.sheets.get("Expansions")
    if sheet is None or plan.builds.empty:
        return
    builds = plan.builds[plan.builds["month"] < new_start]
    if _col(sheet, "committed_start_month") is None:
        sheet.headers.append("committed_start_month")
    p, c, size = (_col(sheet, k) for k in ("project", "committed_start_month", SIZE))
    window = [_col(sheet, k) for k in ("earliest_start_month", "latest_start_month")]
    stages: dict[str, list[str]] = defaultdict(list)
    rows = []
    for row in sheet.rows:
        row += [None] * (len(sheet.headers) - len(row))
        e = clean_text(row[p])
        x = case.expansions.get(e)
        started = builds[builds["project"] == e]
        if started.empty or x is None or x.committed_start is not None:
            rows.append(row)
            continue
        parts = list(zip(started["month"], started["added_t_per_month"], strict=True))
        left = x.max_added_t_per_month - sum(float(a) for _, a in parts)
        if left > 1e-6:
            row[size] = left
            rows.append(row)
        for n, (month, added) in enumerate(parts):
            stage = row if n == 0 and left <= 1e-6 else list(row)
            stage[c], stage[size] = month, float(added)
            for j in window:
                if j is not None:
                    stage[j] = None
            if stage is not row:
                stage[p] = f"{e} stage {month}"
                stages[e].append(stage[p])
            rows.append(stage)
            out.done.append(f"project {e}: started {month} (+{tonnes(added)}/month), committed")
    sheet.rows = rows
    sheet.row_numbers = list(range(2, len(rows) + 2))
    _grants_name_stages(out.raw.sheets.get("Grants"), stages)


def _grants_name_stages(sheet: RawSheet | None, stages: dict[str, list[str]]) -> None:
    """A grant that lists a project by name also lists its committed stages."""
    j = _col(sheet, "eligible_projects") if sheet is not None else None
    if j is None or not stages:
        return
    for row in sheet.rows:
        names = [clean_text(n) for n in str(row[j] or "").split(",") if clean_text(n)]
        if [n.lower() for n in names] == ["all"]:
            continue
        row[j] = ", ".join(names + [s for n in names for s in stages.get(n, [])])
