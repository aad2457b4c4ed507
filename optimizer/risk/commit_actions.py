"""The commit plan as operational actions (the risk workbook's ``Actions`` sheet), in the words
and layout of every report's ``Actions`` sheet (:func:`optimizer.report.actions.actions_table`).

The committed decisions are the same in every sample, but the limits that shape them differ
from sample to sample. The lines are read from the median sample (by the commit plan's
margin) solved as ``explain`` builds a case — its limits as rows — with every committed
decision pinned at the commit plan's value, so each line names the limits that the commit plan
reaches in that typical future. Grant draws and contract deliveries are outcomes of each
sample, not commitments: they are left out.
"""

from __future__ import annotations

import numpy as np

from optimizer.case import Case
from optimizer.inputs.rawbook import RawBook
from optimizer.model.build import build_model
from optimizer.report.actions import actions_table
from optimizer.report.tables import Table
from optimizer.risk.run import RiskResult, build_sample
from optimizer.solve.run import solve_model

COMMITTED_ACTIONS = ("mine", "buy", "dispatch", "feed", "start")


def median_sample(result: RiskResult) -> int:
    """Index of the sample whose commit-plan margin is the median (the lower one of two)."""
    margins = np.array([s.margin_usd for s in result.samples])
    return int(np.argsort(margins, kind="stable")[(len(margins) - 1) // 2])


def commit_actions_table(raw: RawBook, result: RiskResult) -> tuple[Table, Case]:
    """The ``Actions`` table of the committed months, and the median sample's case."""
    k = median_sample(result)
    sample = result.samples[k]
    case = build_sample(raw, result.factors, sample.draws, f"sample {sample.number}")
    built = build_model(case)
    for (name, index), value in result.commit_plan.items():
        var = getattr(built.model, name)[index]
        pinned = max(0.0, value)
        var.setlb(pinned)
        var.setub(pinned)
    results = solve_model(built, threads=1)
    months = case.months[: result.options.commit_months]
    table = actions_table(results, case, months)
    frame = table.frame
    table.frame = frame[frame["action"].isin(COMMITTED_ACTIONS)].reset_index(drop=True)
    table.omitted = (
        f"Limits as reached in sample {sample.number} (median margin); grant draws and "
        "contract deliveries follow each sample (sheet Samples)."
    )
    return table, case
