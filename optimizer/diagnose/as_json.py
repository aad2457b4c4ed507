"""The diagnosis of an infeasible or unbounded case as JSON data (``solve --json``).

Every item names where to look and what to do, as the console lines do: each finding and
conflicting limit with its input cells (``{"sheet", "cell"}``, e.g. Smelters / I2), its
message and, where there is one, the fix; each suggested fix with the cell edits that carry
it out (current → suggested value).
"""

from __future__ import annotations

from optimizer.diagnose.explain import Diagnosis
from optimizer.diagnose.fixes import show_value
from optimizer.planner_words import month_ranges


def _cells(refs: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """``"Smelters!I2"`` → ``{"sheet": "Smelters", "cell": "I2"}`` (a bare ref keeps its text)."""
    out = []
    for ref in refs:
        sheet, _, cell = ref.rpartition("!")
        out.append({"sheet": sheet.strip("'"), "cell": cell})
    return out


def diagnosis_data(diag: Diagnosis) -> dict:
    """``diag`` as JSON-ready data: status, findings, the conflicting limits, the fixes."""
    findings = [
        {
            "kind": f.kind,
            "message": f.title,
            "detail": f.detail,
            "fix": f.fix,
            "cells": _cells(f.cells),
        }
        for f in diag.findings
    ]
    conflict = [
        {
            "message": limit.text,
            "months": month_ranges(limit.months, diag.months) if limit.months else "",
            "cells": _cells(limit.cells),
        }
        for limit in diag.limits
    ]
    fixes = [
        {
            "fix": fix.text,
            "edits": [
                {
                    "sheet": e.sheet,
                    "cell": e.cell.rpartition("!")[2],
                    "row_id": e.key,
                    "column": e.column,
                    "current": show_value(e.old),
                    "suggested": show_value(e.new),
                }
                for e in fix.edits
            ],
        }
        for fix in diag.fixes
    ]
    return {
        "status": str(diag.status),
        "findings": findings,
        "conflict": conflict,
        "fixes": fixes,
        "fixes_combined": diag.combined,
        "unbounded": list(diag.unbounded),
        "error": diag.error or None,
    }
