"""The ``Uncertainty`` sheet (SPEC §6.4): its rows read into :class:`Factor` objects, each
checked with located problems.

A factor row names its target cells like a ``Scenarios`` row (the same rules:
:mod:`optimizer.inputs.targets`, checked by :mod:`optimizer.inputs.scenario_rows`), an action
and a distribution with its parameters. A bad row marks only its own factor invalid: the
other factors are still returned, so the risk command still plans with them. The sheet does
not take part in :func:`optimizer.inputs.validate.validate` (a case solves without it);
``validate`` and ``risk`` read it with :func:`read_factors`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from optimizer.errors import Problem
from optimizer.inputs.cells import BAD, NUMERIC_KINDS, is_blank, number_in, shown
from optimizer.inputs.located import At, Report
from optimizer.inputs.rawbook import RawBook, clean_text, month_key
from optimizer.inputs.rows import collect_ids
from optimizer.inputs.scenario_rows import _target
from optimizer.inputs.schema_risk import UNCERTAINTY
from optimizer.inputs.sheets import Table, read_tables
from optimizer.inputs.targets import Miss, changeable_sheet

SHEET = UNCERTAINTY.name
_COLUMNS = {c.name: c for c in UNCERTAINTY.columns}
_PROBABILITY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Factor:
    """One valid ``Uncertainty`` row: what it changes, how, and how its value is drawn."""

    name: str
    row: int  # Excel row on the Uncertainty sheet
    sheet: str
    key: str
    column: str  # a column name, a month YYYY-MM, or '*'
    action: str  # scale | add | set | delay
    distribution: str
    params: tuple[float, ...]  # (p1, p2, p3) with blanks as 0; discrete: the values
    probabilities: tuple[float, ...] = ()  # discrete only
    group: str = ""

    @property
    def unit(self) -> str:
        """What shares one draw: the group, or the factor alone."""
        return f"group {self.group}" if self.group else f"factor {self.name}"

    @property
    def monthly(self) -> bool:
        """A random walk: one value per month instead of one value."""
        return self.distribution == "random_walk"

    @property
    def law(self) -> tuple:
        """The distribution and parameters, which factors of one group must share."""
        return (self.distribution, self.params, self.probabilities)


def read_factors(raw: RawBook) -> tuple[list[Factor], list[Problem]]:
    """The valid factors of ``raw``'s ``Uncertainty`` sheet (none when absent), in sheet
    order, and every problem of its rows (each marks only its own factor invalid)."""
    if SHEET not in raw.sheets:
        return [], []
    scratch = Report()  # the other sheets' problems belong to validate, not here
    tables = read_tables(raw, scratch)
    table = tables[SHEET]
    report = Report([p for p in scratch.problems if p.sheet == SHEET])
    missing = [c.name for c in UNCERTAINTY.columns if c.required_value and c.name not in table.cols]
    if missing:
        return [], report.problems  # read_tables named the missing columns
    ids = collect_ids(tables)
    factors: list[Factor] = []
    first_of: dict[str, Factor] = {}
    for number, cells in table.rows():
        before = len(report.problems)
        factor = _factor(table, tables, ids, number, cells, report)
        if factor is not None and _admitted(factor, factors, first_of, table, report):
            factors.append(factor)
        _name_the_factor(report, before, cells[table.cols["factor"]])
    return factors, report.problems


def _admitted(
    factor: Factor, factors: list[Factor], first_of: dict, table: Table, report: Report
) -> bool:
    """A unique name, and the same law as the first factor of its group."""
    if any(f.name == factor.name for f in factors):
        report.problem(
            table.at(factor.row, "factor"),
            "duplicate factor name",
            factor.name,
            "give each factor its own name; use 'group' to share a draw",
        )
        return False
    earlier = first_of.setdefault(factor.unit, factor)
    if earlier.law != factor.law:
        report.problem(
            table.at(factor.row, "group"),
            f"factors of group '{factor.group}' must have the same distribution and "
            f"parameters (factor '{earlier.name}', row {earlier.row}, differs)",
            factor.group,
            "give the row its own group, or copy the group's distribution and parameters",
        )
        return False
    return True


def _name_the_factor(report: Report, first: int, name: Any) -> None:
    """Problems from ``first`` on say which factor they belong to, beside the cell."""
    if is_blank(name):
        return
    label = f"factor '{clean_text(shown(name))}': "
    report.problems[first:] = [
        dataclasses.replace(p, rule=label + p.rule) for p in report.problems[first:]
    ]


def _factor(
    table: Table,
    tables: dict[str, Table],
    ids: dict,
    number: int,
    cells: list[Any],
    report: Report,
) -> Factor | None:
    """One row as a Factor, or None after recording each of its problems."""
    before = len(report.problems)

    def cell(name: str) -> Any:
        return cells[table.cols[name]] if name in table.cols else None

    def parse(name: str) -> Any:
        return report.parse(_COLUMNS[name], cell(name), table.at(number, name))

    values = {n: parse(n) for n in ("factor", "sheet", "key", "action", "distribution", "group")}
    for name in ("p1", "p2", "p3"):
        values[name] = parse(name) if name in table.cols else None
    column_cell = cell("column")
    column = month_key(column_cell) or clean_text(shown(column_cell))
    if is_blank(column_cell):
        report.problem(table.at(number, "column"), "a value is required")
    target = None
    if values["sheet"] is not BAD:
        found = changeable_sheet(values["sheet"])
        if isinstance(found, Miss):
            report.problem(table.at(number, "sheet"), found.rule, found.value, found.hint)
        else:
            target = found
    changed = None
    if target is not None and values["key"] is not BAD and not is_blank(column_cell):
        changed, misses = _target(target, values["key"], column_cell, tables, ids)
        for miss in misses:
            report.problem(table.at(number, miss.field), miss.rule, miss.value, miss.hint)
    action, law = values["action"], values["distribution"]
    if changed is not None and action is not BAD:
        _check_action(action, law, changed, column, target, table.at(number, "action"), report)
    params, probabilities = _law(values, cell, table, number, report)
    if len(report.problems) > before or BAD in values.values() or params is None:
        return None
    return Factor(
        name=values["factor"],
        row=number,
        sheet=values["sheet"],
        key=values["key"],
        column=column,
        action=action,
        distribution=law,
        params=params,
        probabilities=probabilities,
        group=values["group"],
    )


def _check_action(action: str, law: Any, changed, column: str, target, at: At, report) -> None:
    """delay needs a month column; the others a number column; random_walk scales months."""
    if action == "delay" and changed.kind != "month":
        report.problem(
            at,
            f"'delay' needs a month column; '{changed.name}' is {changed.kind}",
            action,
            "use scale, add or set for this column",
        )
    elif action != "delay" and changed.kind not in NUMERIC_KINDS:
        report.problem(
            at,
            f"'{action}' needs a number column; '{changed.name}' is {changed.kind}",
            action,
            "use delay for a month column",
        )
    if law == "random_walk" and (action != "scale" or not target.monthly or column != "*"):
        report.problem(
            at,
            "random_walk scales a monthly sheet month by month: action scale, column '*'",
            action,
            "e.g. sheet Prices, key *, column *, action scale",
        )


def _law(values: dict, cell, table: Table, number: int, report: Report):
    """The distribution's parameters (p1, p2, p3, blanks 0; discrete: its values) and the
    discrete probabilities; (None, ()) after recording a problem."""
    law = values["distribution"]
    if law is BAD:
        return None, ()
    p1, p2, p3 = (values[n] for n in ("p1", "p2", "p3"))

    def bad(name: str, rule: str, value: Any = None, hint: str = "") -> tuple[None, tuple]:
        report.problem(table.at(number, name), rule, value, hint)
        return None, ()

    if BAD in (p1, p2, p3):
        return None, ()
    if law == "discrete":
        return _discrete(cell, table, number, report)
    needs = {"uniform": ("p1", "p2"), "triangular": ("p1", "p2", "p3"), "normal": ("p1", "p2")}
    needs |= {"lognormal": ("p1", "p2"), "random_walk": ("p1",)}
    for name in needs[law]:
        if values[name] is None:
            return bad(name, f"{law} needs {name}", hint=_COLUMNS[name].description)
    p1, p2, p3 = (0.0 if x is None else float(x) for x in (p1, p2, p3))
    if law == "uniform" and p1 > p2:
        return bad("p2", "uniform needs low p1 ≤ high p2", p2)
    if law == "triangular" and not p1 <= p2 <= p3:
        return bad("p2", "triangular needs low p1 ≤ mode p2 ≤ high p3", p2)
    if law in ("normal", "lognormal") and p2 < 0:
        return bad("p2", f"{law} needs a standard deviation p2 ≥ 0", p2)
    if law == "lognormal" and p1 <= 0:
        return bad("p1", "lognormal needs a median p1 > 0", p1)
    if law == "random_walk" and p1 < 0:
        return bad("p1", "random_walk needs a monthly σ p1 ≥ 0", p1)
    return (p1, p2, p3), ()


def _discrete(cell, table: Table, number: int, report: Report):
    """``values`` and ``probabilities`` of a discrete row: numbers, as many of each,
    probabilities ≥ 0 summing to 1."""
    found = []
    for name in ("values", "probabilities"):
        text = "" if is_blank(cell(name)) else str(shown(cell(name)))
        parts = [p.strip() for p in text.split(";") if p.strip()]
        numbers = [number_in(p) for p in parts]
        if not parts or None in numbers:
            report.problem(
                table.at(number, name),
                f"discrete needs {name} as ';'-separated numbers",
                cell(name),
                _COLUMNS[name].description,
            )
            return None, ()
        found.append(tuple(float(x) for x in numbers))
    values, probabilities = found
    at = table.at(number, "probabilities")
    if len(values) != len(probabilities):
        report.problem(
            at,
            f"{len(probabilities)} probabilities for {len(values)} values",
            cell("probabilities"),
        )
        return None, ()
    if min(probabilities) < 0 or abs(sum(probabilities) - 1) > _PROBABILITY_TOLERANCE:
        report.problem(
            at,
            "probabilities must be ≥ 0 and sum to 1",
            cell("probabilities"),
            f"they sum to {sum(probabilities):g}",
        )
        return None, ()
    return values, probabilities
