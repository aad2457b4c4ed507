"""Staging: continuous mode may build one project in several construction starts, which no
planner would do. When it does, the same case is re-solved with each project started at most
once (``expansion_mode = single``, a MILP) so the plan can say what building it in one go
would cost. Only then: an unstaged plan needs no second solve."""

from __future__ import annotations

import dataclasses

from optimizer.case import Case
from optimizer.solve.results import Results, SingleCheck
from optimizer.solve.run import solve_case


def staged_projects(results: Results) -> tuple[str, ...]:
    """Projects the plan starts more than once (committed projects are one start)."""
    builds = results.builds
    if builds is None or builds.empty:
        return ()
    decided = builds[~builds["committed"].astype(bool)]
    counts = decided.groupby("project", sort=False).size()
    return tuple(str(e) for e, n in counts.items() if n > 1)


def check_single(case: Case, results: Results) -> SingleCheck | None:
    """The single-mode re-solve of a continuous plan that staged a project, else None."""
    if case.settings.expansion_mode != "continuous" or not results.has_solution:
        return None
    staged = staged_projects(results)
    if not staged:
        return None
    settings = dataclasses.replace(case.settings, expansion_mode="single")
    single = solve_case(dataclasses.replace(case, settings=settings))
    return SingleCheck(staged, single.status, single.objective_usd)
