"""Built-in sweeps: families of scenarios generated from the base case.

Each variant is an ordinary ``Scenarios`` override, so it is validated, solved and listed in
the input-diff like any planner-written scenario; a level whose case is infeasible is a row
with that status, not an error.

``grant-delay:A..B`` — the value of the grant's timing. Variant ``d`` moves every grant's
effective award month ``d`` months later: to ``max(award_month, start_month) + d`` (an award
before the horizon counts from the first month, so a delay counts from there) via
(``Grants``, grant id, ``award_month``, ``set``). Delay 0 is the base case. The sweep reports,
for each delay, the objective, the loss against the on-time award and the cost of each
further month of delay.

``domestic-share:A..B:STEP`` — what cutting foreign feed costs. Variant ``L`` sets the
minimum domestic share at every smelter to ``L`` % (``Smelters``, ``*``,
``min_domestic_share_pct``, ``set``), for L = A, A + STEP, ... ≤ B; every level is a variant
and the base case is the workbook as it is. The sweep reports, for each level, the objective,
its cost against the base case and the cost of the step from the previous level (the first
level's step is from the base case).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optimizer.case import Case, month_label
from optimizer.errors import UsageError
from optimizer.inputs.rawbook import RawBook, RawSheet
from optimizer.inputs.scenario import SCENARIOS

GRANT_DELAY = "grant-delay"
DOMESTIC_SHARE = "domestic-share"
MAX_DELAY_MONTHS = 240
_GRANT_SYNTAX = re.compile(r"^\s*grant-delay\s*:\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$")
_SHARE_SYNTAX = re.compile(r"^\s*domestic-share\s*:\s*(\d+)\s*\.\.\s*(\d+)\s*(?::\s*(\d+)\s*)?$")
_HEADERS = ("scenario", "sheet", "key", "column", "action", "value", "note")
_USAGE = (
    "use grant-delay:FIRST..LAST (months of delay, e.g. grant-delay:0..12) or "
    "domestic-share:FIRST..LAST:STEP (percent, e.g. domestic-share:0..100:10)"
)


@dataclass(frozen=True)
class SweepKind:
    """How one kind of sweep is shown: its comparison sheet, the titles of its table columns
    (level, optional detail, loss, step cost) and the keys of its JSON rows."""

    name: str
    sheet: str
    level_title: str
    detail_title: str | None
    loss_title: str
    step_title: str
    json_keys: tuple[str, str | None, str, str]  # level, detail, loss, step cost
    per_level_unit: bool  # step cost divided by the levels it spans (per month of delay)


KINDS: dict[str, SweepKind] = {
    GRANT_DELAY: SweepKind(
        GRANT_DELAY,
        "GrantDelay",
        "Grant award delay (months)",
        "Award month (effective)",
        "Loss vs on-time award (USD)",
        "Cost of each month of this delay (USD)",
        ("delay_months", "award_months", "loss_usd", "cost_per_month_usd"),
        True,
    ),
    DOMESTIC_SHARE: SweepKind(
        DOMESTIC_SHARE,
        "DomesticShare",
        "Minimum domestic share at every smelter (%)",
        None,
        "Cost vs base case (USD)",
        "Cost of this step (USD)",
        ("min_domestic_share_pct", None, "cost_vs_base_usd", "cost_of_step_usd"),
        False,
    ),
}


@dataclass(frozen=True)
class Sweep:
    """A parsed ``--sweep``: its kind and its levels (delays in months, shares in %),
    ascending."""

    kind: str
    levels: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.kind}:{self.levels[0]}..{self.levels[-1]}"

    @property
    def variants(self) -> tuple[int, ...]:
        """The levels solved as scenarios (a grant delay of 0 is the base case itself)."""
        return tuple(x for x in self.levels if x) if self.kind == GRANT_DELAY else self.levels


def parse_sweep(text: str) -> Sweep:
    """``"grant-delay:0..12"`` (or ``"grant-delay:12"``, the same), ``"domestic-share:0..100:10"``
    -> Sweep; UsageError else."""
    grant, share = _GRANT_SYNTAX.match(text), _SHARE_SYNTAX.match(text)
    if grant is not None:
        first, last = (0, int(grant[1])) if grant[2] is None else (int(grant[1]), int(grant[2]))
        if first > last or last > MAX_DELAY_MONTHS:
            raise UsageError(
                f"sweep '{text}': the delays must run from a smaller to a larger "
                f"number of months, at most {MAX_DELAY_MONTHS}"
            )
        return Sweep(GRANT_DELAY, tuple(range(first, last + 1)))
    if share is not None:
        first, last, step = int(share[1]), int(share[2]), int(share[3] or 10)
        if first > last or last > 100 or step < 1:
            raise UsageError(
                f"sweep '{text}': the shares must run from a smaller to a larger percentage, "
                "at most 100, in steps of at least 1"
            )
        return Sweep(DOMESTIC_SHARE, tuple(range(first, last + 1, step)))
    raise UsageError(f"unknown sweep '{text}': {_USAGE}")


def variant_name(sweep: Sweep, level: int) -> str:
    return f"grant_delay_{level}m" if sweep.kind == GRANT_DELAY else f"domestic_share_{level}pct"


def award_month(case: Case, grant: str, delay: int) -> str:
    """The award month (``YYYY-MM``) of ``grant`` delayed by ``delay`` months."""
    return month_label(case.settings.start_month, max(case.grants[grant].award, 0) + delay)


def _grant_rows(case: Case, delay: int) -> list[list[Any]]:
    return [
        [
            "Grants",
            grant,
            "award_month",
            "set",
            award_month(case, grant, delay),
            f"award {delay} month(s) after {award_month(case, grant, 0)}",
        ]
        for grant in case.grants
    ]


def _share_rows(case: Case, level: int) -> list[list[Any]]:
    return [
        [
            "Smelters",
            "*",
            "min_domestic_share_pct",
            "set",
            level,
            f"at least {level}% domestic ore in every smelter's monthly feed",
        ]
    ]


_VARIANT_ROWS: dict[str, Callable[[Case, int], list[list[Any]]]] = {
    GRANT_DELAY: _grant_rows,
    DOMESTIC_SHARE: _share_rows,
}


def sweep_book(raw: RawBook, case: Case, sweep: Sweep) -> tuple[RawBook, list[str]]:
    """A copy of ``raw`` whose ``Scenarios`` sheet holds the sweep's variants instead of the
    planner's, and the variants' names."""
    if sweep.kind == GRANT_DELAY and not case.grants:
        raise UsageError(
            "the grant-delay sweep needs a grant: the workbook's Grants sheet is empty or missing"
        )
    rows: list[list[Any]] = []
    names: list[str] = []
    for level in sweep.variants:
        names.append(variant_name(sweep, level))
        rows += [[names[-1], *row] for row in _VARIANT_ROWS[sweep.kind](case, level)]
    book = raw.copy()
    book.sheets[SCENARIOS] = RawSheet(
        SCENARIOS, list(_HEADERS), rows, list(range(2, len(rows) + 2))
    )
    return book, names


@dataclass(frozen=True)
class SweepRow:
    """One level of the sweep: its objective and what it costs."""

    kind: str
    level: int
    detail: str  # grant-delay: every grant's effective award month, "g: YYYY-MM, ..."
    status: str
    objective_usd: float | None
    loss_usd: float | None  # reference objective − this objective
    step_cost_usd: float | None  # previous level's objective − this one (per month: delays)

    def as_json(self) -> dict[str, Any]:
        level, detail, loss, step = KINDS[self.kind].json_keys
        data: dict[str, Any] = {level: self.level}
        if detail is not None:
            data[detail] = self.detail
        data.update(status=self.status, objective_usd=self.objective_usd)
        data.update({loss: self.loss_usd, step: self.step_cost_usd})
        return data


def sweep_rows(
    sweep: Sweep, case: Case, objectives: dict[int | None, tuple[str, float | None]]
) -> list[SweepRow]:
    """The sweep table; ``objectives`` maps every level, and None (the base case), to
    (status, objective). For a grant delay the base case is delay 0.

    The reference of the losses is the base case. The step cost of a level compares it with
    the previous level of the sweep (the first level: with the base case); for delays it is
    per month: (objective at the previous delay − objective at d) / (d − previous delay),
    the previous delay of the first row being 0, the on-time award. Differences within
    solver round-off (1e-9 of the objective) are shown as 0.
    """
    kind = KINDS[sweep.kind]
    objectives = dict(objectives)
    if sweep.kind == GRANT_DELAY:
        objectives.setdefault(0, objectives[None])
    base = objectives[None][1]
    noise = 1e-9 * max(1.0, abs(base or 0.0))

    def clean(x: float) -> float:
        return 0.0 if abs(x) <= noise else x

    rows: list[SweepRow] = []
    previous: int | None = None
    for level in sweep.levels:
        status, objective = objectives[level]
        before = objectives[previous][1]
        gap = level - (previous or 0) if kind.per_level_unit else 1
        loss = None if base is None or objective is None else clean(base - objective)
        cost = None
        if gap > 0 and before is not None and objective is not None:
            cost = clean(before - objective) / gap
        detail = ""
        if sweep.kind == GRANT_DELAY:
            detail = ", ".join(f"{g}: {award_month(case, g, level)}" for g in case.grants)
        rows.append(SweepRow(sweep.kind, level, detail, status, objective, loss, cost))
        previous = level
    return rows
