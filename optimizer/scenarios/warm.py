"""A worker's persistent base model: scenarios that only change data are re-solved, not rebuilt.

Each worker (process or thread) builds the base case once as a mutable model
(:func:`optimizer.model.build.build_model` with ``mutable=True``) and solves it. A scenario
that only changes data is loaded into that model (:func:`optimizer.model.build.update_model`)
and re-solved by the same HiGHS instance — only the coefficients, costs and bounds that depend
on a changed parameter are re-evaluated and pushed (:meth:`optimizer.solve.highs.HighsLp.update`)
— with simplex starting from the *base* case's optimal basis. Starting every scenario from the
base basis, never from the previous scenario's, makes each result independent of which
worker ran it and in what order: serial and parallel runs agree exactly. A scenario that
changes the model's shape (horizon, build windows, transit times, expansion mode ...) is
built and solved from scratch, exactly as ``solve --scenario`` does; so is every run of a
lumpy (MILP) base case, and every run when full reports are asked for, so each report is the
one ``solve --scenario`` would write.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from dataclasses import dataclass, field
from typing import Any

import pyomo.core as pyo

from optimizer.case import Case
from optimizer.errors import InfeasibleError
from optimizer.inputs.rawbook import RawBook
from optimizer.model.build import BuiltModel, build_model
from optimizer.scenarios.plan import validated
from optimizer.solve.results import Results
from optimizer.solve.run import HighsSession, no_plan, solve_model
from optimizer.solve.status import Status


class _Session(HighsSession):
    """The persistent HiGHS solver of a worker's mutable base model.

    The base model is compiled with its parameters tracked (:mod:`optimizer.solve.highs`);
    a re-solve pushes only the coefficients, costs and bounds that use a changed parameter
    and runs simplex from the base optimal basis (HiGHS skips presolve when it starts from a
    valid basis).
    """

    track = True
    basis: Any = None  # HiGHS's basis of the base optimum
    primal: bool = False  # next re-solve by primal simplex (only costs differ from the base)

    def prepare(self, case: Case) -> None:
        """Options of ``case`` (its time limit and gap) for the next solve; forget old runs."""
        self.options.update(
            time_limit=float(case.settings.time_limit_s),
            mip_rel_gap=case.settings.mip_gap_pct / 100.0,
        )
        self.runs.clear()

    def run(self, built: BuiltModel, *, lp: bool, **solver_options):
        if self.basis is None:
            return super().run(built, lp=lp, **solver_options)
        self.lp.highs.setBasis(self.basis)
        # the base basis stays primal feasible when only costs change, dual feasible when
        # limits change: continue with the simplex variant that keeps its feasibility
        strategy = _PRIMAL_SIMPLEX if self.primal else _DUAL_SIMPLEX
        return super().run(
            built, lp=lp, **{"solver": "simplex", "simplex_strategy": strategy, **solver_options}
        )

    def keep_basis(self) -> None:
        self.basis = self.lp.highs.getBasis()


_DUAL_SIMPLEX, _PRIMAL_SIMPLEX = 1, 4  # HiGHS simplex_strategy values


@dataclass
class Warm:
    """A worker's base model, its solver and the base results, for one workbook."""

    key: str
    base: Results | None  # None: the base case is not warm-started (single/lumpy: a MILP)
    built: BuiltModel | None = None
    session: _Session | None = None
    base_values: dict[int, Any] = field(default_factory=dict)  # id(ParamData) -> base value

    def remember_base(self) -> None:
        self.session.keep_basis()
        self.base_values = {id(p): p.value for p in self._parameters()}

    def _parameters(self) -> list:
        return [
            item
            for param in self.built.model.component_objects(pyo.Param)
            if param.mutable
            for item in param.values()
        ]

    @property
    def basis(self) -> Any:
        return self.session.basis if self.session is not None else None

    def resolve(self, changed: list) -> Results:
        """Re-solve the model after :func:`update_model` changed the parameters ``changed``.

        The simplex variant depends only on how this scenario differs from the base case
        (never on the scenario solved before), so every worker picks the same one.
        """
        self.session.prepare(self.built.case)
        self.session.lp.update(changed)
        differ = [p for p in self._parameters() if p.value != self.base_values[id(p)]]
        self.session.primal = set(self.session.lp.lp.tracked.users(differ)) <= {"cost"}
        return solve_model(self.built, highs=self.session, with_duals=False)


_LOCAL = threading.local()  # one base model per worker thread (Dask threads share a process)


def warm_state(raw: RawBook) -> Warm | None:
    """This thread's base model for ``raw``, built and solved on first use; None when the
    base case cannot be warm-started (single or lumpy expansion mode: a MILP)."""
    key = hashlib.sha256(pickle.dumps(raw.sheets, protocol=5)).hexdigest()
    warm = getattr(_LOCAL, "warm", None)
    if warm is not None and warm.key == key:
        return warm if warm.base is not None else None
    _LOCAL.warm = None  # let the previous workbook's model go before building another
    warm = _LOCAL.warm = warm_for_case(key, validated(raw))
    return warm if warm.base is not None else None


def warm_for_case(key: str, case: Case) -> Warm:
    """``case`` built as a mutable model and solved, its basis kept for re-solves (``base``
    None unless the expansion mode is continuous: a MILP is not warm-started)."""
    if case.settings.expansion_mode != "continuous":
        return Warm(key, None)
    try:
        built = build_model(case, mutable=True, limits_as_bounds=True)
    except InfeasibleError as exc:
        return Warm(key, no_plan(case, Status.INFEASIBLE, str(exc)))
    session = _Session(
        threads=1,
        time_limit_s=case.settings.time_limit_s,
        mip_gap_pct=case.settings.mip_gap_pct,
    )
    base = solve_model(built, highs=session, with_duals=False)
    warm = Warm(key, base, built, session)
    if base.status == Status.OPTIMAL:
        warm.remember_base()
    return warm


def release() -> None:
    """Let this thread's base model go (its process is done with the workbook)."""
    _LOCAL.warm = None
