"""Where the product's time goes: cProfile of read, validate, build, solve and report.

    .venv/bin/python benchmarks/run.py --profile 120x50x10x3

Each stage is profiled on its own; the functions with the most own time (and the largest
cumulative time, which shows the calling layer) are printed, and the full statistics are
saved under ``benchmarks/out/profile_<stage>.txt``. cProfile slows pure-Python code more
than C code, so read shares, not absolute times.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _profiled(stage: str, func, *args, top: int = 15):
    """Run ``func(*args)`` under cProfile; print and save its statistics; return its value."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    value = profiler.runcall(func, *args)
    elapsed = time.perf_counter() - start
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    (OUT / f"profile_{stage}.txt").write_text(text.getvalue())
    print(f"\n===== {stage}: {elapsed:.2f} s under cProfile =====")
    lines = text.getvalue().splitlines()
    start_row = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\n".join(lines[start_row : start_row + top + 1]))
    return value


def profile(workbook: Path) -> None:
    from optimizer.inputs.validate import validate
    from optimizer.inputs.workbook import read_workbook
    from optimizer.model.build import build_model
    from optimizer.report.workbook import write_report
    from optimizer.solve.run import solve_model

    OUT.mkdir(exist_ok=True)
    raw = _profiled("read", read_workbook, workbook)
    case, _ = _profiled("validate", validate, raw)
    built = _profiled("build", lambda c: build_model(c, limits_as_bounds=True), case)
    results = _profiled("solve", solve_model, built)
    _profiled(
        "report",
        write_report,
        results,
        case,
        OUT / "profile_report.xlsx",
        {"input": str(workbook), "command_line": "profile"},
    )
