"""Compile a Pyomo model into the arrays HiGHS takes: the one model → solver hand-off.

:func:`compile_model` reads every active constraint's linear terms straight from its
expression tree — sums, negations, monomials, named expressions, products and quotients with a
constant factor; anything else through Pyomo's linear walker — into row-wise arrays: row ``i``
is ``lp.constraints[i]`` (component order), column ``j`` is ``lp.variables[j]`` (the model's
unfixed variables in component and index order, as a hand-built LP lays them). A Pyomo
standard-repn walk per row, as Pyomo's own solver interfaces do, costs several times more
(benchmarks/README.md). :class:`optimizer.solve.highs.HighsLp` loads the arrays into HiGHS.

Re-solving with new data (scenarios): ``compile_model(model, track=True)`` also keeps every
coefficient, cost and bound that holds a mutable parameter (:class:`Tracked`), so that after
the parameters change only the entries that use a changed parameter are re-evaluated and
pushed, keeping HiGHS's basis for a warm start.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.core as pyo
from pyomo.core.expr.numeric_expr import (
    DivisionExpression,
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.core.expr.numvalue import native_numeric_types, value
from pyomo.core.expr.visitor import identify_mutable_parameters
from pyomo.repn.linear import LinearRepnVisitor
from pyomo.repn.util import VarRecorder

INF = highspy.kHighsInf
_SUMS = frozenset({LinearExpression, SumExpression})


# --- the model as arrays ---------------------------------------------------------------------


@dataclass
class Tracked:
    """The entries of a compiled model that hold mutable parameters, each as the factors
    whose product (summed over parts, for matrix coefficients) gives its value."""

    coefs: dict[tuple[int, int], list[tuple]] = field(default_factory=dict)  # (row, col)
    costs: dict[int, list[tuple]] = field(default_factory=dict)  # column
    row_bounds: dict[tuple[int, int], object] = field(default_factory=dict)  # (row, 0|1)
    col_bounds: dict[tuple[int, int], object] = field(default_factory=dict)  # (col, 0|1)
    _index: dict[int, list[tuple[str, tuple | int]]] | None = None

    def users(self, params: list) -> dict[str, set]:
        """The entries, by kind, that hold one of ``params`` (``ParamData`` objects)."""
        if self._index is None:
            self._index = self._build_index()
        found: dict[str, set] = defaultdict(set)
        for p in params:
            for kind, key in self._index.get(id(p), ()):
                found[kind].add(key)
        return found

    def _build_index(self) -> dict[int, list[tuple[str, tuple | int]]]:
        index: dict[int, list[tuple[str, tuple | int]]] = defaultdict(list)
        entries = [
            ("coef", k, [f for part in parts for f in part]) for k, parts in self.coefs.items()
        ]
        entries += [
            ("cost", k, [f for part in parts for f in part]) for k, parts in self.costs.items()
        ]
        entries += [("row_bound", k, [e]) for k, e in self.row_bounds.items()]
        entries += [("col_bound", k, [e]) for k, e in self.col_bounds.items()]
        for kind, key, factors in entries:
            params = {
                id(p)
                for f in factors
                if f.__class__ not in native_numeric_types
                for p in identify_mutable_parameters(f)
            }
            for p in params:
                index[p].append((kind, key))
        return index


@dataclass
class LinearProgram:
    """A Pyomo model as HiGHS arrays: row ``i`` is ``constraints[i]`` (a ``ConstraintData``,
    or ``(var, side)`` for a limit made a row), column ``j`` is ``variables[j]``; the active
    members of constraint component ``name`` are rows ``blocks[name]``, in order. Each
    row's constant term is moved into its bounds (``row_constant``: add it back to HiGHS's
    row activity to get the body's value)."""

    model: pyo.ConcreteModel
    variables: list
    constraints: list
    maximize: bool
    offset: float
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_constant: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    values: np.ndarray
    integer: np.ndarray  # columns of integer variables
    blocks: dict[str, range] = field(default_factory=dict)  # constraint component -> rows
    limit_rows: dict[str, np.ndarray] = field(default_factory=dict)  # family -> rows, -1: none
    limit_cols: dict[str, np.ndarray] = field(default_factory=dict)  # family -> its columns
    tracked: Tracked | None = None

    @property
    def num_col(self) -> int:
        return len(self.variables)

    @property
    def num_row(self) -> int:
        return len(self.constraints)


def _fixed(x) -> bool:
    """True when ``x`` holds no variable: a number, a parameter or an expression of them."""
    return x.__class__ in native_numeric_types or not x.is_potentially_variable()


class _Walker:
    """Linear terms of expressions; a variable's column is given on first sight."""

    def __init__(self, track: bool):
        self.track = track
        self.variables: list = []
        self.col_of: dict[int, int] = {}  # id(variable) -> column
        self._seen: dict[int, object] = {}
        self._visitor = LinearRepnVisitor({}, var_recorder=VarRecorder(self._seen, None))

    def column(self, var) -> int:
        j = self.col_of.get(id(var))
        if j is None:
            j = self.col_of[id(var)] = len(self.variables)
            self.variables.append(var)
        return j

    def terms(self, expr) -> tuple[dict[int, float], float, dict[int, list[tuple]]]:
        """``{column: coefficient}`` and the constant of linear ``expr``; when tracking, also
        the factors of every coefficient part (``{column: [(factor, ...), ...]}``) of the
        columns whose coefficient holds a parameter (a parameter in the constant: error)."""
        coefs: dict[int, float] = {}
        parts: dict[int, list[tuple]] = {}
        mutable: set[int] = set()
        constant = 0.0
        constant_parts: list = []
        track = self.track
        stack = [(expr, 1.0)]
        while stack:
            node, f = stack.pop()
            cls = node.__class__
            if cls is MonomialTermExpression:
                c, var = node.args
            elif cls in _SUMS:
                stack.extend((arg, f) for arg in reversed(node.args))  # keep the term order
                continue
            elif cls in native_numeric_types:
                constant += f * node if f.__class__ in native_numeric_types else value(f) * node
                if track:
                    constant_parts.append((f, node))
                continue
            elif node.is_variable_type():
                c, var = 1.0, node
            else:
                constant += self._other(node, f, stack, coefs, constant_parts)
                continue
            if var.fixed:
                constant += value(f) * value(c) * var.value
                if track:
                    constant_parts.append((f, c))
                continue
            j = self.column(var)
            if f.__class__ in native_numeric_types and c.__class__ in native_numeric_types:
                coef = f * c
            else:
                coef = value(f) * value(c)
                mutable.add(j)
            coefs[j] = coefs.get(j, 0.0) + coef
            if track:
                parts.setdefault(j, []).append((f, c))
        if not track:
            return coefs, constant, {}
        if any(x.__class__ not in native_numeric_types for p in constant_parts for x in p):
            raise ValueError(f"cannot track a parameter in the constant term of {expr}")
        return coefs, constant, {j: parts[j] for j in mutable}

    def _other(self, node, f, stack: list, coefs: dict[int, float], constant_parts: list) -> float:
        """A node other than a sum, monomial, variable or number: pushes its operand onto
        ``stack`` (negation, named expression, product or quotient with a constant factor),
        or returns its constant; anything else goes through Pyomo's linear walker."""
        cls = node.__class__
        if not node.is_potentially_variable():  # a parameter or an expression of them
            if self.track:
                constant_parts.append((f, node))
            return value(f) * value(node)
        if cls is NegationExpression:
            stack.append((node.args[0], -f))
        elif node.is_named_expression_type():
            stack.append((node.expr, f))
        elif cls is ProductExpression and _fixed(node.args[0]):
            stack.append((node.args[1], self._times(f, node.args[0])))
        elif cls is ProductExpression and _fixed(node.args[1]):
            stack.append((node.args[0], self._times(f, node.args[1])))
        elif cls is DivisionExpression and _fixed(node.args[1]):
            stack.append((node.args[0], self._times(f, 1.0 / node.args[1])))
        elif isinstance(node, SumExpression):  # a sum still being built (quicksum's own)
            stack.extend((arg, f) for arg in reversed(node.args))
        else:
            return self._walk(node, f, coefs)
        return 0.0

    def _times(self, f, factor):
        """``f × factor``: a number when both are (or when not tracking), else an
        expression kept for re-evaluation."""
        if self.track and factor.__class__ not in native_numeric_types:
            return f * factor
        return f * value(factor)

    def _walk(self, node, f, coefs: dict[int, float]) -> float:
        """Pyomo's linear walker for a node the fast path does not know; returns the
        constant and adds the terms to ``coefs``."""
        if self.track and identify_mutable_parameters(node):
            raise ValueError(f"cannot track the parameters of {node} for re-solves")
        repn = self._visitor.walk_expression(node)
        if repn.nonlinear is not None:
            raise ValueError(f"not a linear expression: {node}")
        scale = value(f)
        for vid, c in repn.linear.items():
            j = self.column(self._seen[vid])
            coefs[j] = coefs.get(j, 0.0) + scale * value(c)
        return scale * value(repn.constant)


class _Rows:
    """Rows as they are compiled: row-wise matrix, bounds, constants, tracked entries."""

    def __init__(self, walker: _Walker, tracked: Tracked | None):
        self.walker, self.tracked = walker, tracked
        self.owners: list = []
        self.starts, self.index, self.values = array("i", [0]), array("i"), array("d")
        self.lower, self.upper, self.constant = array("d"), array("d"), array("d")
        self.limit_rows: dict[str, np.ndarray] = {}  # family -> its rows (-1: a bound)
        self.limit_cols: dict[str, np.ndarray] = {}  # family -> its columns
        self.domain_sides: dict[int, set[str]] = defaultdict(set)  # column -> sides made rows

    def add(
        self, owner, coefs: dict[int, float], lower: float, upper: float, constant: float = 0.0
    ) -> int:
        for j, c in coefs.items():
            if c:
                self.index.append(j)
                self.values.append(c)
        self.starts.append(len(self.index))
        self.lower.append(lower)
        self.upper.append(upper)
        self.constant.append(constant)
        self.owners.append(owner)
        return len(self.owners) - 1

    def constraint(self, con) -> None:
        """A model constraint: its body's terms, its bounds less the body's constant."""
        track = self.tracked is not None
        lb, body, ub = con.to_bounded_expression(evaluate_bounds=not track)
        coefs, constant, parts = self.walker.terms(body)
        i = self.add(
            con,
            coefs,
            -INF if lb is None else value(lb) - constant,
            INF if ub is None else value(ub) - constant,
            constant,
        )
        if track:
            for j, p in parts.items():
                self.tracked.coefs[(i, j)] = p
            self._track_bounds(i, lb, ub)

    def limits(self, model: pyo.ConcreteModel, limits: dict, follows: str | None) -> None:
        """The limit families placed after constraint component ``follows`` (and those after
        them): a row where a limit pins its variable, else the column's own bound."""
        for name, family in limits.items():
            if family.follows != follows:
                continue
            var = getattr(model, family.var)
            found, columns = [], []
            for idx in family.index:
                v = var[idx]
                if self.tracked is not None or v.lb != v.ub:  # a column bound
                    found.append(-1)
                    columns.append(self.walker.column(v))
                    continue
                i, j = self.limit(v, family.side)
                found.append(i)
                columns.append(j)
                self.domain_sides[j].add(family.side)
            self.limit_rows[name] = np.array(found, dtype=np.int64)
            self.limit_cols[name] = np.array(columns, dtype=np.int64)
            self.limits(model, limits, name)

    def limit(self, var, side: str) -> tuple[int, int]:
        """``var`` ≤ its upper bound (``side`` upper) or ≥ its lower bound as a row; returns
        (row, column)."""
        j = self.walker.column(var)
        if side == "upper":
            return self.add((var, side), {j: 1.0}, -INF, var.ub), j
        return self.add((var, side), {j: 1.0}, var.lb, INF), j

    def _track_bounds(self, i: int, lb, ub) -> None:
        for side, bound in ((0, lb), (1, ub)):
            if bound is not None and bound.__class__ not in native_numeric_types:
                self.tracked.row_bounds[(i, side)] = bound


def compile_model(
    model: pyo.ConcreteModel, *, track: bool = False, limits: dict | None = None
) -> LinearProgram:
    """The model's active constraints and its one active objective as HiGHS arrays.

    ``limits``: families of single-variable limits the model holds as variable bounds
    (family name → an object with ``var``, the variable component's name, ``side``, upper or
    lower, ``index`` and ``follows``: see :class:`optimizer.model.constraints.BoundFamily`).
    A limit stays a column bound — HiGHS's reduced cost of the column is its dual, > 0 for an
    upper bound,
    < 0 for a lower one — except where it pins its variable (lower = upper bound: no supply, a
    closed route), as a pinned column's reduced cost may take either sign whichever bound
    binds. Such a limit becomes a row of its own (``var[i] ≤ upper`` or ``≥ lower``), placed
    after the rows of constraint component ``follows`` (None: first), and the column keeps
    its domain's bound on that side. ``lp.limit_rows`` and ``lp.limit_cols`` give each limit's
    row (−1: none) and column. With ``track`` every limit stays a column bound (new data may
    unpin it).

    ``track=True`` also records each coefficient, cost and bound holding a mutable parameter
    (for :meth:`optimizer.solve.highs.HighsLp.update`); a parameter in a constant term is
    refused (ValueError), and variables must not be fixed or unfixed between re-solves.
    """
    limits = limits or {}
    walker = _Walker(track)
    for var in model.component_data_objects(pyo.Var):
        if not var.fixed:  # a fixed variable is a constant of the terms that use it
            walker.column(var)
    tracked = Tracked() if track else None
    rows = _Rows(walker, tracked)
    rows.limits(model, limits, None)
    blocks: dict[str, range] = {}
    for comp in model.component_objects(pyo.Constraint):
        first = len(rows.owners)
        for con in comp.values():
            if con.active:
                rows.constraint(con)
        blocks[comp.local_name] = range(first, len(rows.owners))
        rows.limits(model, limits, comp.local_name)
    limit_rows, limit_cols = rows.limit_rows, rows.limit_cols
    if len(limit_rows) != len(limits):
        raise ValueError(f"limits follow no constraint: {set(limits) - set(limit_rows)}")
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise ValueError(f"expected one active objective, found {len(objectives)}")
    objective = objectives[0]
    coefs, offset, parts = walker.terms(objective.expr)
    variables = walker.variables
    n_col = len(variables)
    cost = np.zeros(n_col)
    cost[list(coefs)] = list(coefs.values())
    col_lower = np.array([-INF if v.lb is None else v.lb for v in variables], dtype=float)
    col_upper = np.array([INF if v.ub is None else v.ub for v in variables], dtype=float)
    for j, sides in rows.domain_sides.items():
        low, high = variables[j].domain.bounds()
        if "lower" in sides:
            col_lower[j] = -INF if low is None else low
        if "upper" in sides:
            col_upper[j] = INF if high is None else high
    if track:
        tracked.costs = parts
        for j, v in enumerate(variables):
            for side, bound in ((0, v.lower), (1, v.upper)):
                if bound is not None and bound.__class__ not in native_numeric_types:
                    tracked.col_bounds[(j, side)] = bound
    integer = np.array([j for j, v in enumerate(variables) if v.is_integer()], dtype=np.int32)
    return LinearProgram(
        model=model,
        variables=variables,
        constraints=rows.owners,
        maximize=objective.sense == pyo.maximize,
        offset=float(offset),
        cost=cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=np.frombuffer(rows.lower),
        row_upper=np.frombuffer(rows.upper),
        row_constant=np.frombuffer(rows.constant),
        starts=np.frombuffer(rows.starts, dtype=np.int32),
        index=np.frombuffer(rows.index, dtype=np.int32),
        values=np.frombuffer(rows.values),
        integer=integer,
        blocks=blocks,
        limit_rows=limit_rows,
        limit_cols=limit_cols,
        tracked=tracked,
    )


def evaluate_parts(parts: list[tuple]) -> float:
    """A tracked coefficient's value: the sum over its parts of the factors' product."""
    total = 0.0
    for factors in parts:
        x = 1.0
        for f in factors:
            x *= f if f.__class__ in native_numeric_types else value(f)
        total += x
    return total
