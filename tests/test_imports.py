"""``solve`` starts without the modules it never uses (their import time is the planner's)."""

from __future__ import annotations

import subprocess
import sys

SOLVE_PATH = (
    "optimizer.cli.app",
    "optimizer.cli.solve_command",
    "optimizer.inputs.workbook",
    "optimizer.inputs.validate",
    "optimizer.solve.run",
    "optimizer.report.workbook",
    "optimizer.report.console",
)
NOT_NEEDED = ("pyomo.environ", "dask", "scipy", "optimizer.diagnose.explain")


def test_solve_path_leaves_out_unused_modules() -> None:
    code = (
        f"import sys\nfor m in {SOLVE_PATH!r}: __import__(m)\n"
        f"print(sorted(m for m in {NOT_NEEDED!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
