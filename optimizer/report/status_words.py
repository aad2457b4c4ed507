"""A solve's status in planner words: one vocabulary for the console, the report's Summary
sheet, the scenario comparison and the grant-delay sweep."""

from __future__ import annotations

from optimizer.solve.results import (
    STATUS_FEASIBLE,
    STATUS_INFEASIBLE,
    STATUS_NO_SOLUTION,
    STATUS_OPTIMAL,
    STATUS_UNBOUNDED,
)

STATUS_WORDS = {
    STATUS_OPTIMAL: "Optimal",
    STATUS_FEASIBLE: "Feasible, not proven optimal (time limit reached)",
    STATUS_INFEASIBLE: "Infeasible: no plan meets every constraint",
    STATUS_UNBOUNDED: "Unbounded: check prices and limits",
    STATUS_NO_SOLUTION: "No solution found within the time limit",
}


def status_words(status: str, *, capital: bool = True) -> str:
    """The status as a phrase (lower-case first letter inside a sentence or a table cell)."""
    text = STATUS_WORDS.get(status, status)
    return text if capital else text[:1].lower() + text[1:]


def status_text(status: str, gap_pct: float | None, *, capital: bool = True) -> str:
    """The status phrase, with the gap when the plan is not proven optimal."""
    text = status_words(status, capital=capital)
    if status != STATUS_OPTIMAL and gap_pct is not None:
        text += f"; gap {gap_pct:.3g}%"
    return text
