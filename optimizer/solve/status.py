"""What a solve concluded about a case: one vocabulary for results, the console summary, JSON,
reports, scenario comparisons and ``explain``."""

from __future__ import annotations

from enum import StrEnum

from pyomo.contrib.solver.common.results import TerminationCondition


class Status(StrEnum):
    """A case's solve status; the value is what JSON and the reports print."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a plan, not proven optimal (time limit); explain: the case has a plan
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"  # no plan and no proof: time limit or solver error

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
}

RECHECK = (
    TerminationCondition.provenInfeasible,
    TerminationCondition.infeasibleOrUnbounded,
    TerminationCondition.unbounded,
)
"""HiGHS answers that are re-checked with presolve off before they are believed: presolve
can misjudge, and without it an infeasible-or-unbounded answer is decided."""


def status_of(condition: TerminationCondition, has_solution: bool) -> Status:
    """The status of one HiGHS run (after the presolve-off re-check of :data:`RECHECK`)."""
    if condition == TerminationCondition.unbounded:
        return Status.UNBOUNDED
    if condition in RECHECK and not has_solution:
        return Status.INFEASIBLE
    if not has_solution:
        return Status.NO_SOLUTION
    if condition == TerminationCondition.convergenceCriteriaSatisfied:
        return Status.OPTIMAL
    return Status.FEASIBLE
