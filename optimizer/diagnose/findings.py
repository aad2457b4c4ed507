"""What a pre-solve screen reports: a conflict (a proof of infeasibility) or a note."""

from __future__ import annotations

from dataclasses import dataclass

TOL = 1e-6
CONFLICT, NOTE = "conflict", "note"


@dataclass(frozen=True)
class Finding:
    """One diagnosis: a conflict (proof of infeasibility) or a note, in planner words."""

    kind: str  # conflict | note
    title: str  # one line: what cannot be met
    detail: str  # why, naming the input cells
    fix: str  # what to change
    cells: tuple[str, ...] = ()  # input cells involved, e.g. "Smelters!I2"
    months: tuple[str, ...] = ()
