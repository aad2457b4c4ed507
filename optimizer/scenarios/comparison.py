"""The scenario comparison: the runs (base case first) and the key figures they are compared
by, with each scenario's change against the base case and the input cells it changed.

Written as a workbook by :mod:`optimizer.scenarios.comparison_workbook`, as JSON or terminal
lines by :mod:`optimizer.scenarios.comparison_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optimizer.case import Case
from optimizer.inputs.rawbook import month_key
from optimizer.inputs.scenario import CellChange
from optimizer.scenarios.run import RunRecord
from optimizer.scenarios.sweep import SweepRow


@dataclass
class Comparison:
    """Everything the comparison shows: the runs (base case first) and their context."""

    records: list[RunRecord]
    case: Case  # the base case (ids and months)
    notes: dict[str, str] = field(default_factory=dict)  # scenario -> its Scenarios note
    sweep: list[SweepRow] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)  # item -> value

    @property
    def base(self) -> RunRecord:
        return self.records[0]


@dataclass(frozen=True)
class Kpi:
    """One key figure: how to read it from a record, its header, format and delta kind."""

    key: str
    header: str
    kind: str  # a key of report.tables.FORMATS
    get: Callable[[RunRecord], Any]
    delta: str = "value+pct"  # value+pct | points (a percentage: change in points) | none


def kpis(comparison: Comparison) -> list[Kpi]:
    """The key figures, in column order, for the base case's smelters, grants and projects."""
    case = comparison.case
    out = [
        Kpi("objective_usd", "Objective: discounted margin (USD)", "usd", lambda r: r.objective_usd)
    ]
    for p in case.smelters:
        out.append(
            Kpi(f"sb_t:{p}", f"Sb produced at {p} (t Sb)", "t", lambda r, p=p: r.sb_t.get(p))
        )
    for p in case.smelters:
        out.append(
            Kpi(
                f"allocated_t:{p}",
                f"Ore allocated to {p} (t)",
                "t",
                lambda r, p=p: r.allocated_t.get(p),
            )
        )
    out.append(
        Kpi(
            "alaska_shipped_t",
            "Alaska ore shipped, own claims (t)",
            "t",
            lambda r: r.alaska_shipped_t,
        )
    )
    for p in case.smelters:
        out.append(
            Kpi(
                f"utilization_pct:{p}",
                f"Utilization of {p} (%)",
                "pct",
                lambda r, p=p: r.utilization_pct.get(p),
                "points",
            )
        )
    for g in case.grants:
        out.append(
            Kpi(
                f"grant_used_usd:{g}",
                f"Grant used: {g} (USD)",
                "usd",
                lambda r, g=g: r.grant_used_usd.get(g),
            )
        )
    for e in case.expansions:
        out.append(
            Kpi(f"built_t:{e}", f"{e}: capacity built (t/month)", "t", lambda r, e=e: _built(r, e))
        )
        out.append(
            Kpi(
                f"stages:{e}",
                f"{e}: stages (size, start, online)",
                "text",
                lambda r, e=e: stage_text(r, e),
                "none",
            )
        )
    out.append(Kpi("shortfall_t_sb", "Contract shortfall (t Sb)", "t", lambda r: r.shortfall_t_sb))
    return out


def _built(record: RunRecord, project: str) -> float | None:
    if not record.solved:
        return None
    return record.built_t.get(project, 0.0)


def stage_text(record: RunRecord, project: str) -> str | None:
    """Each stage of ``project`` in the run, never merged: ``+81.5 t/month from 2027-01
    (online 2027-10); +278.5 t/month from 2027-07 (online 2028-04)``; "not built"."""
    if not record.solved:
        return None
    stages = [b for b in record.stages if b.project == project]
    if not stages:
        return "not built"
    return "; ".join(
        f"+{b.added_t_per_month:,.1f} t/month from {b.start_month} (online {b.online_month})"
        + (", committed" if b.committed else "")
        for b in stages
    )


def delta(value: Any, base: Any) -> tuple[float | None, float | None]:
    """(value − base, 100 × (value − base) / |base|); None where either is missing (the
    percentage also when the base is 0)."""
    if value is None or base is None:
        return None, None
    diff = float(value) - float(base)
    return diff, (100.0 * diff / abs(base) if base else None)


def net_changes(changes: tuple[CellChange, ...]) -> list[tuple[CellChange, list[int]]]:
    """Each changed cell once: its first old and last new value, and every Scenarios row that
    touched it; cells a scenario set back to their old value are left out."""
    merged: dict[tuple[str, str], tuple[CellChange, list[int]]] = {}
    for c in changes:
        where = (c.sheet, c.cell)
        if where in merged:
            first, rows = merged[where]
            merged[where] = (
                CellChange(
                    c.scenario,
                    c.sheet,
                    c.key,
                    c.column,
                    first.old,
                    c.new,
                    first.scenario_row,
                    c.cell,
                ),
                rows + [c.scenario_row] * (c.scenario_row not in rows),
            )
        else:
            merged[where] = (c, [c.scenario_row])
    return [(c, rows) for c, rows in merged.values() if not _same(c.old, c.new)]


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return month_key(a) == month_key(b) if month_key(a) else a == b
