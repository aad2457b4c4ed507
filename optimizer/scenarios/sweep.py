"""Built-in sweeps: families of scenarios generated from the base case.

``grant-delay:A..B`` — the value of the grant's timing. Variant ``d`` moves every grant's
effective award month ``d`` months later: to ``max(award_month, start_month) + d`` (an award
before the horizon counts from the first month, so a delay counts from there). Each variant is
an ordinary ``Scenarios`` override (``Grants``, grant id, ``award_month``, ``set``), so it is
validated, solved and listed in the input-diff like any planner-written scenario. Delay 0 is
the base case. The sweep reports, for each delay, the objective, the loss against the on-time
award and the cost of each further month of delay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from optimizer.case import Case, month_label
from optimizer.errors import UsageError
from optimizer.inputs.rawbook import RawBook, RawSheet
from optimizer.inputs.scenario import SCENARIOS

GRANT_DELAY = "grant-delay"
MAX_DELAY_MONTHS = 240
_SYNTAX = re.compile(r"^\s*grant-delay\s*:\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$")
_HEADERS = ("scenario", "sheet", "key", "column", "action", "value", "note")


@dataclass(frozen=True)
class Sweep:
    """A parsed ``--sweep``: its kind and the delays (months) it covers, ascending."""

    kind: str
    delays: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.kind}:{self.delays[0]}..{self.delays[-1]}"


def parse_sweep(text: str) -> Sweep:
    """``"grant-delay:0..12"`` (or ``"grant-delay:12"``, the same) -> Sweep; UsageError else."""
    match = _SYNTAX.match(text)
    if match is None:
        raise UsageError(
            f"unknown sweep '{text}': use grant-delay:FIRST..LAST (months of "
            "delay, e.g. grant-delay:0..12)"
        )
    first, last = (0, int(match[1])) if match[2] is None else (int(match[1]), int(match[2]))
    if first > last or last > MAX_DELAY_MONTHS:
        raise UsageError(
            f"sweep '{text}': the delays must run from a smaller to a larger "
            f"number of months, at most {MAX_DELAY_MONTHS}"
        )
    return Sweep(GRANT_DELAY, tuple(range(first, last + 1)))


def variant_name(delay: int) -> str:
    return f"grant_delay_{delay}m"


def award_month(case: Case, grant: str, delay: int) -> str:
    """The award month (``YYYY-MM``) of ``grant`` delayed by ``delay`` months."""
    return month_label(case.settings.start_month, max(case.grants[grant].award, 0) + delay)


def sweep_book(raw: RawBook, case: Case, sweep: Sweep) -> tuple[RawBook, list[str]]:
    """A copy of ``raw`` whose ``Scenarios`` sheet holds the sweep's variants instead of the
    planner's, and the variants' names (delay 0 is the base case, not a variant)."""
    if not case.grants:
        raise UsageError(
            "the grant-delay sweep needs a grant: the workbook's Grants sheet is empty or missing"
        )
    rows: list[list[Any]] = []
    names: list[str] = []
    for delay in sweep.delays:
        if delay == 0:
            continue
        names.append(variant_name(delay))
        for grant in case.grants:
            start = award_month(case, grant, 0)
            rows.append(
                [
                    variant_name(delay),
                    "Grants",
                    grant,
                    "award_month",
                    "set",
                    award_month(case, grant, delay),
                    f"award {delay} month(s) after {start}",
                ]
            )
    book = raw.copy()
    book.sheets[SCENARIOS] = RawSheet(
        SCENARIOS, list(_HEADERS), rows, list(range(2, len(rows) + 2))
    )
    return book, names


@dataclass(frozen=True)
class SweepRow:
    """One delay of the sweep: its objective and what the delay costs."""

    delay_months: int
    award_months: str  # every grant's effective award month, "g: YYYY-MM, ..."
    status: str
    objective_usd: float | None
    loss_usd: float | None  # objective on time − objective with this delay
    month_cost_usd: float | None  # per month since the previous delay of the sweep

    def as_json(self) -> dict[str, Any]:
        return {
            "delay_months": self.delay_months,
            "award_months": self.award_months,
            "status": self.status,
            "objective_usd": self.objective_usd,
            "loss_usd": self.loss_usd,
            "cost_per_month_usd": self.month_cost_usd,
        }


def sweep_rows(
    sweep: Sweep, case: Case, objectives: dict[int, tuple[str, float | None]]
) -> list[SweepRow]:
    """The sweep table; ``objectives`` maps every delay, and 0, to (status, objective).

    The month cost of delay d is (objective at the previous delay − objective at d) /
    (d − previous delay); the previous delay of the first row is 0, the on-time award.
    Differences within solver round-off (1e-9 of the objective) are shown as 0.
    """
    on_time = objectives[0][1]
    noise = 1e-9 * max(1.0, abs(on_time or 0.0))

    def clean(x: float) -> float:
        return 0.0 if abs(x) <= noise else x

    rows: list[SweepRow] = []
    previous = 0
    for delay in sweep.delays:
        status, objective = objectives[delay]
        before = objectives[previous][1]
        loss = None
        if on_time is not None and objective is not None:
            loss = clean(on_time - objective)
        cost = None
        if delay > previous and before is not None and objective is not None:
            cost = clean(before - objective) / (delay - previous)
        awards = ", ".join(f"{g}: {award_month(case, g, delay)}" for g in case.grants)
        rows.append(SweepRow(delay, awards, status, objective, loss, cost))
        previous = delay
    return rows
