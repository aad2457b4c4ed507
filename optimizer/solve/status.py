"""What a solve concluded about a case: one vocabulary for results, the console summary, JSON,
reports, scenario comparisons and ``explain``."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A case's solve status; the value is what JSON and the reports print."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a plan, not proven optimal (time limit); explain: the case has a plan
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"  # no plan and no proof: time limit or solver error
    INVALID = "invalid"  # never solved: a scenario whose input is invalid

    @property
    def words(self) -> str:
        """The status as a planner reads it."""
        return _WORDS[self]

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


_WORDS = {
    Status.OPTIMAL: "optimal",
    Status.FEASIBLE: "feasible, not proven optimal (time limit reached)",
    Status.INFEASIBLE: "infeasible: no plan meets every constraint",
    Status.UNBOUNDED: "unbounded: check prices and limits",
    Status.NO_SOLUTION: "no solution found within the time limit",
    Status.INVALID: "invalid",
}
