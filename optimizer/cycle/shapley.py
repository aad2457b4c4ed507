"""Exact Shapley attribution of a margin change to groups of input changes.

With k changed groups, every subset S of them is a case (:func:`optimizer.cycle.groups.mix`:
the new values of S, the old values of the rest) and v(S) its optimal discounted margin —
2^k solves. A group's Shapley value is its marginal contribution averaged over every order
in which the groups could be applied:

    φ_g = Σ_{S ⊆ N∖{g}} |S|! (k − |S| − 1)! / k! · (v(S ∪ {g}) − v(S))

and Σ_g φ_g = v(N) − v(∅): the contributions add up exactly to the total change. Groups
that change nothing get 0; groups that play the same role get the same share.

The subsets are solved by workers (``jobs``), each holding the old case as a persistent
mutable model: a subset that only changes data is loaded into it and re-solved from the old
optimum's basis (:mod:`optimizer.scenarios.warm`); one that changes the model's shape is
built and solved from scratch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.case import Case
from optimizer.cycle.groups import mix
from optimizer.errors import InfeasibleError
from optimizer.model.build import update_model
from optimizer.scenarios.warm import warm_for_case
from optimizer.solve.run import solve_case

Coalition = frozenset[str]
NOISE_USD = 1e-6  # a share this small is the solver's rounding: shown as 0


@dataclass(frozen=True)
class Attribution:
    """``values``: margin (discounted USD) of every subset solved, None where it has no plan;
    ``shares``: each group's Shapley value (None when some subset has no plan)."""

    groups: tuple[str, ...]
    values: dict[Coalition, float | None]
    shares: dict[str, float] | None

    @property
    def total(self) -> float | None:
        """v(all groups) − v(none): what the shares add up to."""
        top, bottom = self.values.get(frozenset(self.groups)), self.values.get(frozenset())
        return None if top is None or bottom is None else top - bottom

    @property
    def failed(self) -> list[Coalition]:
        return [s for s, v in self.values.items() if v is None]


def shapley(groups: Sequence[str], v: Callable[[Coalition], float]) -> dict[str, float]:
    """Each group's exact Shapley value of the game ``v`` over ``groups``."""
    k = len(groups)
    weight = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    shares = {}
    for g in groups:
        others = [h for h in groups if h != g]
        total = 0.0
        for size in range(k):
            for members in itertools.combinations(others, size):
                s = frozenset(members)
                total += weight[size] * (v(s | {g}) - v(s))
        shares[g] = total if abs(total) > NOISE_USD else 0.0
    return shares


def coalitions(groups: Sequence[str]) -> list[Coalition]:
    """Every subset of ``groups``, the empty one first and the full one last."""
    return [
        frozenset(c)
        for size in range(len(groups) + 1)
        for c in itertools.combinations(groups, size)
    ]


def margins(old: Case, new: Case, subsets: Sequence[Coalition]) -> list[float | None]:
    """The optimal margin of each subset's case (None: no plan), re-solving from ``old``'s
    basis where only data changes. Runs in a worker process."""
    warm = warm_for_case("compare", old)
    out: list[float | None] = []
    for s in subsets:
        case = mix(old, new, s)
        results = None
        if warm.basis is not None:
            try:
                changed = update_model(warm.built, case)
            except InfeasibleError:
                out.append(None)
                continue
            if changed is not None:
                results = warm.resolve(changed)
        if results is None:
            results = solve_case(case)
        out.append(results.objective_usd if results.has_solution else None)
    return out


def attribute(
    old: Case,
    new: Case,
    groups: Sequence[str],
    *,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Attribution:
    """Solve the 2^k subsets of ``groups`` (``jobs`` processes) and share out the change."""
    from optimizer.scenarios.run import executor_for

    subsets = coalitions(groups)
    chunks = [subsets[i::jobs] for i in range(jobs) if subsets[i::jobs]]
    values: dict[Coalition, float | None] = {}
    with executor_for(jobs, None, len(chunks)) as pool:
        if pool is None:
            for chunk in chunks:
                values.update(zip(chunk, margins(old, new, chunk), strict=True))
        else:
            futures = {pool.submit(margins, old, new, chunk): chunk for chunk in chunks}
            for future, chunk in futures.items():
                values.update(zip(chunk, future.result(), strict=True))
                if progress is not None:
                    progress(len(values))
    if any(v is None for v in values.values()):
        return Attribution(tuple(groups), values, None)
    return Attribution(tuple(groups), values, shapley(groups, lambda s: values[s]))
